package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/testdb"
)

// rosterDigest is a fingerprint of every pupil of the school and every class, with every
// column an import writes, and the number of change records. (A start of numo gives a school
// without an admin its first one: admins are left out.)
func rosterDigest(t *testing.T, db *sql.DB, schoolID int) (string, int) {
	t.Helper()
	h := sha256.New()
	for _, q := range []struct {
		query string
		args  []any
	}{
		{`SELECT id, external_key, status, first_name, infix, last_name, sort_name, email, username, eck_id, level,
			year, class_id, archived_at, updated_at, import_job_id FROM accounts WHERE school_id = ? AND role = ? ORDER BY id`, []any{schoolID, account.RolePUPIL.String()}},
		{`SELECT id, name, name_key, created_by_job_id FROM classes WHERE school_id = ? ORDER BY id`, []any{schoolID}},
	} {
		rows, err := db.Query(q.query, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%v:%s|", v.Valid, v.String)
			}
			h.Write([]byte("\n"))
		}
		rows.Close()
	}
	var changes int
	if err := db.QueryRow(`SELECT COUNT(*) FROM account_changes`).Scan(&changes); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), changes
}

// jobWrites counts, in a query over import_jobs AS j, what the job has written: its change records
// (updates and archives) and the accounts it added (marked with it).
const jobWrites = `((SELECT COUNT(*) FROM account_changes WHERE job_id = j.id) + (SELECT COUNT(*) FROM accounts WHERE import_job_id = j.id))`

// TestKilledCommitSQLite kills numo (SIGKILL) while it commits an import on SQLite, where a
// commit runs in steps of short transactions so that sign-ins are not locked out: the killed
// commit leaves part of the import written, with its job COMMITTING. The next start of numo
// rolls it back from the job's change records before it serves: every account and class is
// exactly as before the import (the updated ones too, down to updated_at), no change record
// is left, the job is FAILED, and it can be committed again.
func TestKilledCommitSQLite(t *testing.T) {
	url := testdb.URL(t, "sqlite")
	path := strings.TrimPrefix(url, "file:")
	first := startNumo(t, url)
	schoolID := newSchool(t, url, "56EF")
	first.token = grant(t, url, schoolID)

	// The school holds 20,000 pupils; the import updates 10,000 of them and adds 90,000.
	seed := prepareJob(t, first, schoolID, bigFileFrom(500000, 20000))
	seeded := first.subscribe(t, seed)
	if r := first.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": seed}, nil); len(r.Errors) > 0 {
		t.Fatalf("seed commit: %+v", r.Errors)
	}
	if ev := waitFinal(t, seeded, 120*time.Second); ev["status"] != "COMMITTED" {
		t.Fatalf("seed commit ended %v", ev)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, changesBefore := rosterDigest(t, db, schoolID)

	job := prepareJob(t, first, schoolID, bigFileFrom(510000, 100000))
	killedAt, _ := killWhileWriting(t, first, first.subscribe(t, job), job, 20000)
	// Killed in the middle: part of the import is in the file, the job still COMMITTING.
	var status string
	var partial int
	db.QueryRow(`SELECT status FROM import_jobs WHERE id = (SELECT MAX(id) FROM import_jobs)`).Scan(&status)
	db.QueryRow(`SELECT ` + jobWrites + ` FROM import_jobs AS j WHERE id = (SELECT MAX(id) FROM import_jobs)`).Scan(&partial)
	if status != "COMMITTING" || partial == 0 {
		t.Fatalf("after the kill the job is %s with %d change records; want COMMITTING with part of the import written", status, partial)
	}
	t.Logf("killed at %v/%v; %d accounts of the import written", killedAt["done"], killedAt["total"], partial)

	// The next start rolls it back before it answers.
	second := startNumo(t, url)
	second.token = first.token
	after, changesAfter := rosterDigest(t, db, schoolID)
	if after != before || changesAfter != changesBefore {
		t.Fatalf("after the restart the school differs from before the import (digest %s → %s, change records %d → %d)",
			before[:12], after[:12], changesBefore, changesAfter)
	}
	var jobErr string
	db.QueryRow(`SELECT status, error FROM import_jobs WHERE id = (SELECT MAX(id) FROM import_jobs)`).Scan(&status, &jobErr)
	if status != "FAILED" || jobErr == "" {
		t.Fatalf("the killed job is %s (%q) after the restart, want FAILED with a message", status, jobErr)
	}
	if !strings.Contains(second.log.String(), "import interrupted: rolled back") {
		t.Errorf("the restart did not log the rollback:\n%s", second.log.String())
	}

	// And it commits in full on the new process.
	if r := second.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job}, nil); len(r.Errors) > 0 {
		t.Fatalf("commit again after the failure: %+v", r.Errors)
	}
	again := second.subscribe(t, job) // its first event is the job as it is now: COMMITTING or done
	if ev := waitFinal(t, again, 180*time.Second); ev["status"] != "COMMITTED" {
		t.Fatalf("commit again ended %v", ev)
	}
	var n int
	db.QueryRow(`SELECT COUNT(*) FROM accounts WHERE school_id = ? AND role = ?`, schoolID, account.RolePUPIL.String()).Scan(&n)
	if n != 110000 {
		t.Fatalf("%d accounts after the second commit, want 110,000", n)
	}
}
