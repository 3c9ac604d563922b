package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// commitRows is the size of the import that the sign-in overlaps: large enough that its
// commit runs for seconds on both databases.
const commitRows = 80000

// serve runs a real numo server on the database at url and returns its base URL.
func serve(t *testing.T, url string) string {
	t.Helper()
	base, _ := testapp.Serve(t, nil, []string{"--db", url}, map[string]string{"NUMO_ADMIN_PASSWORD": adminPassword})
	return base
}

// writeRoster writes an invented export of n pupils into dir and returns its path.
func writeRoster(t *testing.T, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "leerlingen.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprint(w, "Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Leerjaar;E-mail\r\n")
	firsts := []string{"Sanne", "Daan", "Zoë", "Mehmet", "Noor", "Lieke", "Bram", "Fatima"}
	lasts := []string{"Jansen", "Vries", "Dijk", "Bakker", "Visser", "Berg", "Smit", "Çelik"}
	for i := range n {
		fmt.Fprintf(w, "%d;%s;%s;%s;%d%c%d;%d;ll%d@leerling.demo.invalid\r\n", 700000+i, firsts[i%8], []string{"", "de", "van"}[i%3],
			lasts[(i/8)%8], 1+i%6, 'A'+rune(i/600%26), i/15600, 1+i%6, 700000+i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// client is a signed-in admin of the demo school talking to a running numo.
type client struct {
	base   string
	cookie string
}

func (c *client) post(t *testing.T, contentType string, body []byte) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Cookie", c.cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   map[string]any
		Errors []map[string]any
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("answer %d: %v", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("graphql errors: %v", r.Errors)
	}
	return r.Data
}

func (c *client) query(t *testing.T, q string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	return c.post(t, "application/json", body)
}

// job reads an import job's status and progress.
func (c *client) job(t *testing.T, id string) (status string, done, total float64) {
	t.Helper()
	d := c.query(t, `query($id: ID!) { node(id: $id) { ... on ImportJob { status progressDone progressTotal } } }`, map[string]any{"id": id})
	n := d["node"].(map[string]any)
	return n["status"].(string), n["progressDone"].(float64), n["progressTotal"].(float64)
}

// signIn posts the demo admin's credentials to /api/login and returns the status and the time
// the answer took.
func signIn(t *testing.T, base string) (int, string, time.Duration) {
	t.Helper()
	begin := time.Now()
	resp := testapp.Login(t, base, "99XX", "beheer", adminPassword)
	defer resp.Body.Close()
	took := time.Since(begin)
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Logf("login answered %d after %v: %s", resp.StatusCode, took, body.String())
	}
	return resp.StatusCode, testapp.SessionCookie(resp), took
}

// logRecorder keeps the level and message of every log record.
type logRecorder struct {
	mu      sync.Mutex
	records []string
	errors  []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool { line += " " + a.String(); return true })
	r.records = append(r.records, line)
	if rec.Level >= slog.LevelWarn {
		r.errors = append(r.errors, line)
	}
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

func (r *logRecorder) has(prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.records {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestSignInDuringCommit commits an import of 80,000 pupils through the real server and, while
// the job is COMMITTING, signs in with POST /api/login and lets the scheduled retention purge
// run. On SQLite a commit used to hold the only write lock for its whole length: the sign-in
// waited for it and failed with SQLITE_BUSY (500 after 11 s), and the purge failed. Now the
// sign-in answers 200 while the commit still runs, and the purge skips the school with an
// Info line, on both databases; the import ends COMMITTED with every pupil.
func TestSignInDuringCommit(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) { checkSignInDuringCommit(t, kind) })
	}
}

// checkSignInDuringCommit is TestSignInDuringCommit on one database kind.
func checkSignInDuringCommit(t *testing.T, kind string) {
	url := testdb.URL(t, kind)
	base := serve(t, url)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := auth.System(context.Background())
	schoolID := setOwnAdminPassword(t, db)
	status, cookie, idle := signIn(t, base)
	if status != 200 {
		t.Fatalf("first login: %d", status)
	}
	t.Logf("%s: sign-in without a commit took %v", kind, idle)
	c := &client{base: base, cookie: cookie}
	job := startCommit(t, c, schoolID)

	// Wait until the commit is writing (or, where its progress is not visible while it
	// runs, until it has been committing for a second).
	deadline := time.Now().Add(60 * time.Second)
	waitCommitWriting(t, c, job, deadline)

	// Sign in while it writes.
	status, _, took := signIn(t, base)
	after, done, total := c.job(t, job)
	if status != 200 {
		t.Fatalf("sign-in during the commit answered %d after %v", status, took)
	}
	if after != "COMMITTING" {
		t.Fatalf("the sign-in answered only after the commit had ended (%s, %v): it waited for the import", after, took)
	}
	t.Logf("%s: sign-in during the commit answered 200 in %v, the commit at %v/%v rows", kind, took, done, total)
	if took > 5*time.Second {
		t.Fatalf("sign-in during the commit took %v", took)
	}

	// The scheduled purge runs meanwhile: no error, the school is left for the next time.
	checkPurgeBesideCommit(t, c, db, job)

	// The commit ends as previewed.
	for {
		st, _, _ := c.job(t, job)
		if st == "COMMITTED" {
			break
		}
		if st != "COMMITTING" || time.Now().After(deadline.Add(60*time.Second)) {
			t.Fatalf("the commit ended %s", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	n, err := db.Client.Account.Query().Count(sys)
	if err != nil {
		t.Fatal(err)
	}
	if n < commitRows {
		t.Fatalf("%d accounts after the commit, want at least %d", n, commitRows)
	}
}

// setOwnAdminPassword gives the demo admin a password of its own, so that the test does not
// depend on how a first sign-in with the shared one goes, and returns the admin's school.
func setOwnAdminPassword(t *testing.T, db *store.DB) int {
	t.Helper()
	sys := auth.System(context.Background())
	hash, err := auth.HashPassword(adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	admin := db.Client.Account.Query().Where(account.Username("beheer")).OnlyX(sys)
	db.Client.Account.UpdateOne(admin).SetPasswordHash(hash).SetMustChangePassword(false).ExecX(sys)
	return admin.SchoolID
}

// uploadRoster uploads a roster of n invented pupils to the school through the GraphQL
// multipart upload and returns the job's ID.
func (c *client) uploadRoster(t *testing.T, schoolID, n int) string {
	t.Helper()
	data, err := os.ReadFile(writeRoster(t, t.TempDir(), n))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", fmt.Sprintf(`{"query":"mutation($f: Upload!) { upload(schoolId: %d, file: $f) { id } }","variables":{"f":null}}`, schoolID))
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "leerlingen.csv")
	fw.Write(data)
	mw.Close()
	return c.post(t, mw.FormDataContentType(), buf.Bytes())["upload"].(map[string]any)["id"].(string)
}

// startCommit uploads a roster of commitRows pupils, previews adding them all and starts the
// commit; it returns the job's ID.
func startCommit(t *testing.T, c *client, schoolID int) string {
	t.Helper()
	job := c.uploadRoster(t, schoolID, commitRows)
	preview := c.query(t, `mutation($j: ID!) { preview(jobId: $j, actions: [ADD]) { counts { added } } }`, map[string]any{"j": job})
	if added := preview["preview"].(map[string]any)["counts"].(map[string]any)["added"]; added != float64(commitRows) {
		t.Fatalf("preview adds %v", added)
	}
	c.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job})
	return job
}

// waitCommitWriting waits until job is COMMITTING with some rows written, or has been
// COMMITTING for a second; it fails when the job leaves COMMITTING first or deadline passes.
func waitCommitWriting(t *testing.T, c *client, job string, deadline time.Time) {
	t.Helper()
	var committing time.Time
	for {
		st, done, total := c.job(t, job)
		if st == "COMMITTING" && committing.IsZero() {
			committing = time.Now()
		}
		if st == "COMMITTING" && (done > 0 && done < total || time.Since(committing) > time.Second) {
			t.Logf("commit seen writing at %v/%v", done, total)
			return
		}
		if st != "COMMITTING" || time.Now().After(deadline) {
			t.Fatalf("the commit was not seen running: %s %v/%v", st, done, total)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPurgeBesideCommit runs the scheduled purge while job commits: it must log no error and
// skip the school; a direct retention.Purge must skip it too while the commit runs.
func checkPurgeBesideCommit(t *testing.T, c *client, db *store.DB, job string) {
	t.Helper()
	logs := &logRecorder{}
	stop := retention.StartScheduler(context.Background(), db, slog.New(logs), 50*time.Millisecond)
	for !logs.has("INFO retention purge: school skipped") {
		if st, _, _ := c.job(t, job); st != "COMMITTING" {
			stop()
			t.Fatalf("the commit ended (%s) before the purge ran beside it; logged %v", st, logs.records)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if len(logs.errors) > 0 {
		t.Fatalf("the purge during the commit logged %v", logs.errors)
	}
	rep, err := retention.Purge(context.Background(), db, time.Now(), retention.Options{})
	if err != nil {
		t.Fatalf("purge during the commit: %v", err)
	}
	if st, _, _ := c.job(t, job); st == "COMMITTING" && (len(rep.Schools) != 1 || !rep.Schools[0].Skipped) {
		t.Fatalf("purge during the commit: %+v, want the school skipped", rep.Schools)
	}
}
