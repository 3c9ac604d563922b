package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

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
	var schoolID int
	if err := db.QueryRow(`INSERT INTO schools (name, brin, archive_threshold, created_at, updated_at) VALUES ('56GH', '56GH', 10, now(), now()) RETURNING id`).Scan(&schoolID); err != nil {
		t.Fatal(err)
	}
	srv.token = grant(t, url, schoolID)
	file := filepath.Join(t.TempDir(), "groot.csv")
	if err := os.WriteFile(file, bigFile(150000), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := exec.Command(numoBinary(t), "import", "--db", url, "--school", "56GH", "--add", file)
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cli.ProcessState == nil {
			cli.Process.Kill()
			cli.Wait()
		}
	})

	// The import's heartbeat writes its progress to the job every 2 s.
	var jobID, done int
	var status string
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		err := db.QueryRow(`SELECT id, status, progress_done FROM import_jobs WHERE school_id = $1`, schoolID).Scan(&jobID, &status, &done)
		if err == nil && status != "COMMITTING" {
			t.Fatalf("the import ended (%s) before it could be killed", status)
		}
		if err == nil && done > 0 {
			break
		}
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("numo import did not begin writing within 2 minutes")
		}
	}
	events := srv.subscribe(t, strconv.Itoa(jobID))
	if ev := <-events; ev["status"] != "COMMITTING" {
		t.Fatalf("the watcher's first event: %v", ev)
	}
	cli.Process.Signal(syscall.SIGKILL)
	cli.Wait()
	killed := time.Now()
	final, seen := waitKilledFinal(t, events, killed)
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = $1`, jobID).Scan(&status)
	t.Logf("numo import killed at %d/150000 written; the server's watcher heard %s %.2f s after the kill (job %s)", done, final["status"], seen.Seconds(), status)
	if final["status"] != "FAILED" || final["error"] == nil || status != "FAILED" {
		t.Fatalf("final event after the kill: %v (job %s)", final, status)
	}
	if seen > seenWithin {
		t.Fatalf("the watcher heard of the dead import %v after the kill, want within %v", seen, seenWithin)
	}
	var pupils, changes int
	db.QueryRow(`SELECT count(*) FROM accounts WHERE school_id = $1 AND role = 'PUPIL'`, schoolID).Scan(&pupils)
	db.QueryRow(`SELECT count(*) FROM account_changes`).Scan(&changes)
	if pupils+changes != 0 {
		t.Fatalf("the killed import left %d pupils and %d change records", pupils, changes)
	}
}
