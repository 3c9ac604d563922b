package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestKilledImportCommand kills `numo import` (SIGKILL) in the middle of its commit on
// PostgreSQL while a `numo serve` has a subscriber watching the job: the server sees the
// import's commit lock free and marks the job failed within seconds (its heartbeat would take
// a minute here), the watcher gets the final event, and nothing of the import is kept.
func TestKilledImportCommand(t *testing.T) {
	url := testdb.URL(t, "postgres")
	srv := startNumo(t, url, "--commit-dead-after", deadAfterInTests)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schoolID := newSchool(t, url, "56GH")
	srv.token = grant(t, url, schoolID)
	cli := startImport(t, url, "56GH", bigFile(150000))

	// The job appears COMMITTING (with its commit lock held) before the import plans and
	// writes; it takes the import seconds to write 150,000 pupils in one transaction.
	var jobID int
	var status, phase string
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		err := db.QueryRow(`SELECT id, status FROM import_jobs WHERE school_id = $1`, schoolID).Scan(&jobID, &status)
		if err == nil {
			break
		}
		if err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("numo import did not create its job within 2 minutes")
		}
	}
	events := srv.subscribe(t, strconv.Itoa(jobID))
	if ev := <-events; ev["status"] != "COMMITTING" {
		t.Fatalf("the watcher's first event: %v", ev)
	}
	cli.Process.Signal(syscall.SIGKILL)
	cli.Wait()
	killed := time.Now()
	var done int
	db.QueryRow(`SELECT phase, progress_done FROM import_jobs WHERE id = $1`, jobID).Scan(&phase, &done)
	final, seen := waitKilledFinal(t, events, killed)
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = $1`, jobID).Scan(&status)
	t.Logf("numo import killed (%s, %d/150000 written at its last heartbeat); the server's watcher heard %s %.2f s after the kill (job %s)",
		phase, done, final["status"], seen.Seconds(), status)
	if final["status"] != "FAILED" || final["error"] == nil || status != "FAILED" {
		t.Fatalf("final event after the kill: %v (job %s)", final, status)
	}
	if seen > seenWithin {
		t.Fatalf("the watcher heard of the dead import %v after the kill, want within %v", seen, seenWithin)
	}
	var pupils, changes int
	db.QueryRow(`SELECT count(*) FROM accounts WHERE school_id = $1 AND role = $2`, schoolID, account.RolePUPIL.String()).Scan(&pupils)
	db.QueryRow(`SELECT count(*) FROM account_changes`).Scan(&changes)
	if pupils+changes != 0 {
		t.Fatalf("the killed import left %d pupils and %d change records", pupils, changes)
	}
}

// startImport starts `numo import --add` of data into the school on the database at url.
func startImport(t *testing.T, url, brin string, data []byte) *exec.Cmd {
	t.Helper()
	file := filepath.Join(t.TempDir(), "groot.csv")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cli := exec.Command(numoBinary(t), "import", "--db", url, "--school", brin, "--add", file)
	var out bytes.Buffer
	cli.Stdout, cli.Stderr = &out, &out
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cli.ProcessState == nil {
			cli.Process.Kill()
			cli.Wait()
		}
		if t.Failed() {
			t.Logf("numo import wrote:\n%.600s", out.String())
		}
	})
	return cli
}

// newJobOf waits until a job of the school newer than job after exists and returns it.
func newJobOf(t *testing.T, db *sql.DB, schoolID, after int) int {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		var id int
		err := db.QueryRow(`SELECT id FROM import_jobs WHERE school_id = ? AND id > ? ORDER BY id DESC LIMIT 1`, schoolID, after).Scan(&id)
		if err == nil {
			return id
		}
		if err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("numo import did not create its job within 2 minutes")
		}
	}
}

// writingJob waits until a job of the school newer than job after is being written (on SQLite
// its steps commit accounts and change records as they go) and returns it.
func writingJob(t *testing.T, db *sql.DB, schoolID, after int) int {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var id, done int
		var status string
		err := db.QueryRow(`SELECT id, status, `+jobWrites+` FROM import_jobs AS j
			WHERE school_id = ? AND id > ? ORDER BY id DESC LIMIT 1`, schoolID, after).Scan(&id, &status, &done)
		if err == nil && status != "COMMITTING" {
			t.Fatalf("the import ended (%s) before it was written", status)
		}
		if err == nil && done > 0 {
			return id
		}
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("numo import did not begin writing within 2 minutes")
		}
	}
}

// TestImportCommandSQLite runs `numo import` and `numo serve` on one SQLite file. A server
// starting in the middle of an import leaves it alone (its commit lock is held: it is alive) and
// the import completes. An import killed (SIGKILL) in the middle is seen by the running server
// — its lock free, its heartbeat silent — rolled back from its change records and marked
// failed, and the server's watcher hears it within seconds, without a restart.
func TestImportCommandSQLite(t *testing.T) {
	url := testdb.URL(t, "sqlite")
	withStore(t, url, func(ctx context.Context, db *store.DB) {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	})
	schoolID := newSchool(t, url, "78IJ")
	db, err := sql.Open("sqlite", strings.TrimPrefix(url, "file:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	first := startImport(t, url, "78IJ", bigFileFrom(500000, 150000))
	firstJob := newJobOf(t, db, schoolID, 0)
	srv := startNumo(t, url, "--commit-dead-after", deadAfterInTests)
	srv.token = grant(t, url, schoolID)
	var status string
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = ?`, firstJob).Scan(&status)
	if status != "COMMITTING" {
		t.Fatalf("the import was %s when numo serve was up: too fast for this test (use a bigger file)", status)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the import that was running when numo serve started: %v", err)
	}
	var pupils int
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = ?`, firstJob).Scan(&status)
	db.QueryRow(`SELECT COUNT(*) FROM accounts WHERE school_id = ? AND role = ?`, schoolID, account.RolePUPIL.String()).Scan(&pupils)
	if status != "COMMITTED" || pupils != 150000 {
		t.Fatalf("the import running when numo serve started is %s with %d pupils, want COMMITTED with 150,000", status, pupils)
	}
	before, changesBefore := rosterDigest(t, db, schoolID)

	second := startImport(t, url, "78IJ", bigFileFrom(700000, 100000))
	job := writingJob(t, db, schoolID, firstJob)
	second.Process.Signal(syscall.SIGKILL)
	second.Wait()
	killed := time.Now()
	var partial int
	db.QueryRow(`SELECT `+jobWrites+` FROM import_jobs AS j WHERE id = ?`, job).Scan(&partial)
	// The server waits for 5 s of silence from the job's heartbeat too: the watcher comes first.
	events := srv.subscribe(t, strconv.Itoa(job))
	if ev := <-events; ev["status"] != "COMMITTING" {
		t.Fatalf("the watcher's first event: %v", ev)
	}
	final, seen := waitKilledFinal(t, events, killed)
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = ?`, job).Scan(&status)
	t.Logf("numo import killed with %d accounts written; the server rolled it back and its watcher heard %s %.2f s after the kill (job %s)",
		partial, final["status"], seen.Seconds(), status)
	if final["status"] != "FAILED" || status != "FAILED" {
		t.Fatalf("final event after the kill: %v (job %s)", final, status)
	}
	// 5 s of silence, a poll every second, then the rollback of what was written: on a busy
	// machine that can take a while, and without a running reaper it would take a restart.
	if seen > 30*time.Second {
		t.Fatalf("the watcher heard of the dead import %v after the kill, want within 30 s", seen)
	}
	after, changesAfter := rosterDigest(t, db, schoolID)
	if after != before || changesAfter != changesBefore {
		t.Fatalf("after the rollback the school differs from before the import (digest %s → %s, change records %d → %d)",
			before[:12], after[:12], changesBefore, changesAfter)
	}
	if partial == 0 || !strings.Contains(srv.log.String(), "import interrupted: rolled back") {
		t.Errorf("the server did not roll back what the killed import wrote (%d change records at the kill)", partial)
	}
}
