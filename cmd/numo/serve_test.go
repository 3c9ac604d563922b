package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// process is a real `numo serve` started by a test.
type process struct {
	cmd   *exec.Cmd
	base  string
	url   string // the database it serves
	log   *bytes.Buffer
	token string // API token sent with every request
}

// withStore opens the database at dbURL as numo does, runs fn in the system context and
// closes the database again: the processes under test go on working on it.
func withStore(t testing.TB, dbURL string, fn func(ctx context.Context, db *store.DB)) {
	t.Helper()
	ctx := auth.System(context.Background())
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	defer db.Close()
	fn(ctx, db)
}

// newSchool creates the school "School <brin>" straight in the (migrated) database.
func newSchool(t testing.TB, dbURL, brin string) (id int) {
	t.Helper()
	withStore(t, dbURL, func(ctx context.Context, db *store.DB) {
		id = db.Client.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(ctx).ID
	})
	return id
}

// grant makes an API token for the school (both scopes) straight in the database and returns
// its secret.
func grant(t testing.TB, dbURL string, schoolID int) string {
	t.Helper()
	secret := auth.NewSecret("numo_tok_")
	withStore(t, dbURL, func(ctx context.Context, db *store.DB) {
		db.Client.APIToken.Create().SetSchoolID(schoolID).SetName("test").SetPrefix(secret[:13]).
			SetTokenHash(auth.HashSecret(secret)).SetScopes([]string{"READ_ROSTERS", "RUN_IMPORTS"}).ExecX(ctx)
	})
	return secret
}

// schoolOf returns the id of the only school of a database.
func schoolOf(t testing.TB, dbURL string) (id int) {
	t.Helper()
	withStore(t, dbURL, func(ctx context.Context, db *store.DB) { id = db.Client.School.Query().OnlyIDX(ctx) })
	return id
}

func (p *process) authorize(r *http.Request) {
	if p.token != "" {
		r.Header.Set("Authorization", "Bearer "+p.token)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// numoBinary builds numo once for the tests; NUMO_TEST_BINARY names a prebuilt one instead
// (to measure an older build against the same tests).
func numoBinary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("NUMO_TEST_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "numo-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "numo")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startNumo(t testing.TB, dbURL string, extra ...string) *process {
	t.Helper()
	addr := freePort(t)
	args := append([]string{"serve", "--addr", addr, "--db", dbURL, "--demo=false", "--commit-dead-after", "3s", "--log-level", "debug"}, extra...)
	cmd := exec.Command(numoBinary(t), args...)
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr, url: dbURL, log: &logBuf}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
		if t.Failed() || os.Getenv("NUMO_TEST_SHOW_LOGS") != "" {
			t.Logf("numo at %s logged:\n%s", p.base, p.log.String())
		}
	})
	for i := 0; i < 200; i++ {
		if resp, err := http.Get(p.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("numo did not become healthy:\n%s", logBuf.String())
	return nil
}

type gqlResponse struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// post sends a GraphQL request body to the process, with its token, and decodes the answer.
func (p *process) post(t testing.TB, body io.Reader, contentType string) gqlResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.base+"/query", body)
	req.Header.Set("Content-Type", contentType)
	p.authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (p *process) query(t testing.TB, q string, vars map[string]any, out any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	r := p.post(t, bytes.NewReader(body), "application/json")
	if out != nil && len(r.Errors) == 0 {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// upload sends a file with the GraphQL multipart request spec.
func (p *process) upload(t testing.TB, schoolID int, name string, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("operations", fmt.Sprintf(`{"query":"mutation($f: Upload!) { upload(schoolId: %d, file: $f) { id rowCount } }","variables":{"f":null}}`, schoolID))
	w.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := w.CreateFormFile("0", name)
	fw.Write(data)
	w.Close()
	r := p.post(t, &buf, w.FormDataContentType())
	if len(r.Errors) > 0 {
		t.Fatalf("upload: %+v", r.Errors)
	}
	var out struct{ Upload struct{ ID string } }
	json.Unmarshal(r.Data, &out)
	return out.Upload.ID
}

// subscribe opens a graphql-transport-ws subscription to a job's progress.
func (p *process) subscribe(t testing.TB, jobID string) <-chan map[string]any {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.base, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	c.SetReadLimit(1 << 20)
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	// The token travels in the init payload, as integrators' websocket clients send it.
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + p.token}})
	if _, ack, err := c.Read(ctx); err != nil || !strings.Contains(string(ack), "connection_ack") {
		t.Fatalf("no ack: %s %v", ack, err)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($j: ID!) { importProgress(jobId: $j) { status phase done total final error counts { added } } }`,
		"variables": map[string]any{"j": jobID}}})
	out := make(chan map[string]any, 1000)
	go func() {
		defer close(out)
		defer c.CloseNow()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			var msg struct {
				Type    string
				Payload struct {
					Data struct{ ImportProgress map[string]any }
				}
			}
			json.Unmarshal(data, &msg)
			switch msg.Type {
			case "next":
				out <- msg.Payload.Data.ImportProgress
			case "complete", "error":
				return
			}
		}
	}()
	return out
}

// bigFile is an invented school of n pupils.
func bigFile(n int) []byte { return bigFileFrom(500000, n) }

// bigFileFrom is an invented school of n pupils whose keys start at first.
func bigFileFrom(first, n int) []byte {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	fmt.Fprint(w, "Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Leerjaar\r\n")
	firsts := []string{"Sanne", "Daan", "Zoë", "Mehmet", "Noor", "Lieke", "Bram", "Fatima"}
	lasts := []string{"Jansen", "Vries", "Dijk", "Bakker", "Visser", "Berg", "Smit", "Çelik"}
	for i := 0; i < n; i++ {
		// The leerjaar follows the key, so that a later file never moves a pupil back a year
		// (the year guard would ask for a confirmation); the class follows the row.
		fmt.Fprintf(w, "%d;%s;%s;%s;%d%c%d;%d\r\n", first+i, firsts[i%8], []string{"", "de", "van"}[i%3], lasts[(i/8)%8], 1+i%6, 'A'+rune(i/600%26), i/15600, 1+(first+i)%6)
	}
	w.Flush()
	return b.Bytes()
}

func prepareJob(t testing.TB, p *process, schoolID int, data []byte) string {
	t.Helper()
	job := p.upload(t, schoolID, "groot.csv", data)
	if r := p.query(t, `mutation($j: ID!) { preview(jobId: $j, actions: [ADD, UPDATE]) { counts { added } } }`, map[string]any{"j": job}, nil); len(r.Errors) > 0 {
		t.Fatalf("preview: %+v", r.Errors)
	}
	return job
}

// twoProcesses starts two numo processes (with the extra flags) on one fresh PostgreSQL
// database with one school, both signed in with a token of it, and returns them with the
// database and the school.
func twoProcesses(t *testing.T, brin string, extra ...string) (a, b *process, db *sql.DB, schoolID int) {
	t.Helper()
	url := testdb.URL(t, "postgres")
	a, b = startNumo(t, url, extra...), startNumo(t, url, extra...)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schoolID = newSchool(t, url, brin)
	a.token = grant(t, url, schoolID)
	b.token = a.token
	return a, b, db, schoolID
}

// TestTwoProcesses runs two numo processes on one PostgreSQL: a job uploaded on one is
// previewed on the other, a commit sent to both at once is claimed by exactly one, and a
// subscriber on the other process sees the progress to the end.
func TestTwoProcesses(t *testing.T) {
	a, b, db, schoolID := twoProcesses(t, "12AB")
	job := a.upload(t, schoolID, "groot.csv", bigFile(20000))
	if r := b.query(t, `mutation($j: ID!) { preview(jobId: $j, actions: [ADD]) { counts { added } } }`, map[string]any{"j": job}, nil); len(r.Errors) > 0 {
		t.Fatalf("preview on the other process: %+v", r.Errors)
	}
	events := b.subscribe(t, job)
	results := make([]gqlResponse, 2)
	commit := func(i int, p *process) func() {
		return func() {
			results[i] = p.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job}, nil)
		}
	}
	atOnce(commit(0, a), commit(1, b))
	ok, refused := 0, 0
	for _, r := range results {
		switch {
		case len(r.Errors) == 0:
			ok++
		case r.Errors[0].Extensions["code"] == "INVALID_STATE":
			refused++
		default:
			t.Fatalf("commit answered %+v", r.Errors)
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("%d commits accepted and %d refused; want exactly one claim", ok, refused)
	}
	var last map[string]any
	n := 0
	timeout := time.After(60 * time.Second)
	for last == nil || last["final"] != true {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatalf("subscription ended after %d events without a final one (last %v)", n, last)
			}
			last = ev
			n++
		case <-timeout:
			t.Fatalf("no final event in 60 s (last %v)", last)
		}
	}
	if last["status"] != "COMMITTED" || last["counts"].(map[string]any)["added"] != float64(20000) {
		t.Fatalf("final event %v", last)
	}
	if n < 3 {
		t.Errorf("only %d progress events crossed processes", n)
	}
	var count int
	db.QueryRow(`SELECT count(*) FROM accounts WHERE school_id = $1`, schoolID).Scan(&count)
	if count != 20000 {
		t.Fatalf("%d accounts after the commit, want 20000", count)
	}
}

// deadAfterInTests is the --commit-dead-after of the tests that kill a committer: a minute, so
// that only the commit lock (not the heartbeat) can explain a failure seen within seconds.
const deadAfterInTests = "60s"

// seenWithin is how soon after a kill a watcher must hear that the commit failed: the commit
// lock is looked at every second; the bound leaves room for a busy test machine, and is far
// below what the heartbeat (a minute here) could do.
const seenWithin = 10 * time.Second

// atOnce runs the functions at the same time and returns when all have.
func atOnce(fns ...func()) {
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(fn)
	}
	wg.Wait()
}

// killWhileWriting commits the job on p and kills p (SIGKILL) once at least written accounts
// are written, as events (a subscription to the job on p or another process) tell; it returns
// the last progress event before the kill and when p died.
func killWhileWriting(t *testing.T, p *process, events <-chan map[string]any, job string, written float64) (map[string]any, time.Time) {
	t.Helper()
	if r := p.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job}, nil); len(r.Errors) > 0 {
		t.Fatalf("commit: %+v", r.Errors)
	}
	for ev := range events {
		if ev["phase"] == "writing" && ev["done"].(float64) >= written {
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.cmd.Wait()
			return ev, time.Now()
		}
		if ev["final"] == true {
			t.Fatalf("the commit ended before it could be killed: %v", ev)
		}
	}
	t.Fatal("subscription ended before the writes began")
	return nil, time.Time{}
}

// waitKilledFinal waits for the final event of a job whose committer was killed at killed,
// and returns it with how long after the kill it came.
func waitKilledFinal(t *testing.T, events <-chan map[string]any, killed time.Time) (map[string]any, time.Duration) {
	t.Helper()
	return waitFinal(t, events, 90*time.Second), time.Since(killed)
}

// TestKilledCommit kills the committing process (SIGKILL) in the middle of its writes, while a
// second process has a subscriber watching the job: nothing of the import is kept, the other
// process marks the job failed within seconds — from the commit lock the dead process held,
// which PostgreSQL freed with its connection; the heartbeat would take a minute here — and the
// watcher gets its final event. The job then commits in full on the survivor while a third
// process's reaper looks every second: a live commit is never taken for dead.
func TestKilledCommit(t *testing.T) {
	a, b, db, schoolID := twoProcesses(t, "34CD", "--commit-dead-after", deadAfterInTests)
	job := prepareJob(t, a, schoolID, bigFile(150000))
	events := b.subscribe(t, job)
	killedAt, killed := killWhileWriting(t, a, events, job, 1)
	final, seen := waitKilledFinal(t, events, killed)
	var status string
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = $1`, job).Scan(&status)
	t.Logf("killed at %v/%v written; the watcher on the other process heard %s %.2f s after the kill (job %s)",
		killedAt["done"], killedAt["total"], final["status"], seen.Seconds(), status)
	if final["status"] != "FAILED" || final["error"] == nil || status != "FAILED" {
		t.Fatalf("final event after the kill: %v (job %s)", final, status)
	}
	if seen > seenWithin {
		t.Fatalf("the watcher heard of the dead commit %v after the kill, want within %v", seen, seenWithin)
	}
	if !strings.Contains(b.log.String(), "its commit lock is free") {
		t.Errorf("the other process did not log that the commit lock was free")
	}
	var accounts, classes, changes int
	db.QueryRow(`SELECT count(*) FROM accounts WHERE school_id = $1`, schoolID).Scan(&accounts)
	db.QueryRow(`SELECT count(*) FROM classes WHERE school_id = $1`, schoolID).Scan(&classes)
	db.QueryRow(`SELECT count(*) FROM account_changes`).Scan(&changes)
	if accounts+classes+changes != 0 {
		t.Fatalf("killed at %v of the writes, the database kept %d accounts, %d classes, %d changes", killedAt["done"], accounts, classes, changes)
	}
	// The failed job can be committed again, on the surviving process, and is not taken for
	// dead by any reaper while it runs.
	c := startNumo(t, b.url, "--commit-dead-after", deadAfterInTests)
	c.token = b.token
	start := time.Now()
	if r := b.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job}, nil); len(r.Errors) > 0 {
		t.Fatalf("commit again after the failure: %+v", r.Errors)
	}
	again := c.subscribe(t, job) // its first event is the job as it is now: COMMITTING or done
	if ev := waitFinal(t, again, 180*time.Second); ev["status"] != "COMMITTED" {
		t.Fatalf("commit again ended %v", ev)
	}
	t.Logf("the second commit took %.1f s with two reapers looking every second", time.Since(start).Seconds())
	// (A start of numo gives a school without an admin its first one: pupils are counted.)
	db.QueryRow(`SELECT count(*) FROM accounts WHERE school_id = $1 AND role = $2`, schoolID, account.RolePUPIL.String()).Scan(&accounts)
	if accounts != 150000 {
		t.Fatalf("%d accounts after the second commit, want 150,000", accounts)
	}
}
