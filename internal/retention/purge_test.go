package retention_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
	"github.com/numo/accounts/internal/undo"
)

// purgeScene is two schools with imports, archived accounts, sessions and uploads on both
// sides of their terms, all dated relative to now.
type purgeScene struct {
	now                         time.Time
	s, other                    *school
	old, recent, otherJob       *ent.ImportJob
	abandoned, waiting, running *ent.ImportJob
	gone, kept, otherOld        *ent.Account
	expired, valid              *ent.Session
}

// newPurgeScene sets one school's terms to 30 and 7 days and fills both schools.
func newPurgeScene(t *testing.T, db *store.DB) *purgeScene {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	s := newSchool(t, db, "11AA")
	s.School = s.Update().SetArchivedRetentionDays(30).SetJobDataRetentionDays(7).SaveX(sys)
	other := newSchool(t, db, "22BB") // default terms: 730 and 30 days

	old := importAt(t, db, s.ID, "school_2026.csv", testimport.Fixture(t, "transition/school_2026.csv"), now.AddDate(0, 0, -60))
	recent := importAt(t, db, s.ID, "school_2027.csv", testimport.Fixture(t, "transition/school_2027.csv"), now.AddDate(0, 0, -3))
	oldReport := db.Client.ImportJob.GetX(sys, old.ID).Report
	// The old import's report names a refused row; the purge keeps only its counts.
	var rep map[string]any
	json.Unmarshal(oldReport, &rep)
	rep["refused"] = []map[string]any{{"line": 9, "code": "invalid_email", "message": "\"zo@\" is geen geldig e-mailadres."}}
	oldReport, _ = json.Marshal(rep)
	db.Client.ImportJob.UpdateOneID(old.ID).SetReport(oldReport).ExecX(sys)
	otherJob := importAt(t, db, other.ID, "school_2026.csv", testimport.Fixture(t, "transition/school_2026.csv"), now.AddDate(0, 0, -20))

	gone := db.Client.Account.Create().SetSchoolID(s.ID).SetExternalKey("9001").SetFirstName("Oud").SetLastName("Een").
		SetStatus(account.StatusARCHIVED).SetArchivedAt(now.AddDate(0, 0, -31)).SaveX(sys)
	db.Client.Session.Create().SetAccountID(gone.ID).SetTokenHash("h1").SetExpiresAt(now.AddDate(0, 0, -30)).ExecX(sys)
	db.Client.AuditEvent.Create().SetSchoolID(s.ID).SetActorAccountID(gone.ID).SetActor("Oud Een").SetAction("login").ExecX(sys)
	kept := db.Client.Account.Create().SetSchoolID(s.ID).SetExternalKey("9002").SetFirstName("Oud").SetLastName("Twee").
		SetStatus(account.StatusARCHIVED).SetArchivedAt(now.AddDate(0, 0, -29)).SaveX(sys)
	expired := db.Client.Session.Create().SetAccountID(kept.ID).SetTokenHash("h2").SetExpiresAt(now.Add(-time.Minute)).SaveX(sys)
	valid := db.Client.Session.Create().SetAccountID(s.Admin.ID).SetTokenHash("h3").SetExpiresAt(now.Add(time.Hour)).SaveX(sys)
	otherOld := db.Client.Account.Create().SetSchoolID(other.ID).SetExternalKey("9001").SetFirstName("Ander").SetLastName("Oud").
		SetStatus(account.StatusARCHIVED).SetArchivedAt(now.AddDate(0, 0, -400)).SaveX(sys)
	abandoned := upload(t, db, s.ID, importjob.StatusPREVIEWED, now.Add(-25*time.Hour))
	waiting := upload(t, db, s.ID, importjob.StatusMAPPED, now.Add(-23*time.Hour))
	running := upload(t, db, s.ID, importjob.StatusCOMMITTING, now.Add(-48*time.Hour))
	return &purgeScene{now: now, s: s, other: other, old: old, recent: recent, otherJob: otherJob,
		abandoned: abandoned, waiting: waiting, running: running, gone: gone, kept: kept, otherOld: otherOld,
		expired: expired, valid: valid}
}

// TestPurge sets a school's terms to 30 days for archived accounts and 7 days for import
// data, and checks at one instant what goes: the archived account past its term with every
// trace, the row data of the import past its term (its counts stay), the file of the import
// left uncommitted for more than a day; and what stays: everything younger, every other
// school. A dry run first reports the same and changes nothing.
func TestPurge(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := newPurgeScene(t, db)
		checkPurgeReport(t, db, sc)
		checkAccountsPurged(t, db, sc)
		checkImportDataPurged(t, db, sc)
		checkPurgeFinished(t, db, sc)
	})
}

// checkPurgeReport runs a dry run, which must change nothing, then the purge; both report the same.
func checkPurgeReport(t *testing.T, db *store.DB, sc *purgeScene) {
	t.Helper()
	want := retention.SchoolReport{SchoolID: sc.s.ID, Brin: "11AA", Name: sc.s.Name, ArchivedRetentionDays: 30, JobDataRetentionDays: 7, AuditRetentionDays: 365,
		Accounts: 1, Jobs: 1, Changes: sc.old.Added, Abandoned: 1, Files: 1, Samples: 1, Sessions: 1}
	wantOther := retention.SchoolReport{SchoolID: sc.other.ID, Brin: "22BB", Name: sc.other.Name, ArchivedRetentionDays: 730, JobDataRetentionDays: 30, AuditRetentionDays: 365, Samples: 1}

	for _, dry := range []bool{true, false} {
		before := dump(t, db)
		rep, err := retention.Purge(context.Background(), db, sc.now, retention.Options{DryRun: dry})
		if err != nil {
			t.Fatalf("purge (dry run %v): %v", dry, err)
		}
		if rep.DryRun != dry || len(rep.Schools) != 2 || rep.Schools[0] != want || rep.Schools[1] != wantOther {
			t.Fatalf("purge (dry run %v):\n%+v\nwant\n%+v\n%+v", dry, rep.Schools, want, wantOther)
		}
		if dry && dump(t, db) != before {
			t.Fatal("a dry run changed the database")
		}
	}
}

// checkAccountsPurged checks that the account past its term went with its session and name in the audit log, and no other.
func checkAccountsPurged(t *testing.T, db *store.DB, sc *purgeScene) {
	t.Helper()
	ctx := sys
	if db.Client.Account.Query().Where(account.ID(sc.gone.ID)).ExistX(ctx) || db.Client.Session.Query().Where(session.AccountID(sc.gone.ID)).ExistX(ctx) {
		t.Fatal("the account past its term, or its session, is still there")
	}
	if ev := db.Client.AuditEvent.Query().Where(auditevent.Action("login")).OnlyX(ctx); ev.Actor != "gewist account" || ev.ActorAccountID != nil {
		t.Fatalf("the audit log still names the purged account: %+v", ev)
	}
	if !db.Client.Account.Query().Where(account.ID(sc.kept.ID)).ExistX(ctx) || !db.Client.Account.Query().Where(account.ID(sc.otherOld.ID)).ExistX(ctx) {
		t.Fatal("an account within its school's term was purged")
	}
}

// checkImportDataPurged checks that the old import kept only its counts, the abandoned upload lost its file, and the rest stayed.
func checkImportDataPurged(t *testing.T, db *store.DB, sc *purgeScene) {
	t.Helper()
	ctx := sys
	j := db.Client.ImportJob.GetX(ctx, sc.old.ID)
	if j.DataPurgedAt == nil || !j.DataPurgedAt.Equal(sc.now) || j.Added != sc.old.Added || j.Status != importjob.StatusCOMMITTED {
		t.Fatalf("the old import after the purge: %+v", j)
	}
	var purgedReport struct {
		Counts   map[string]int `json:"counts"`
		Refused  []any          `json:"refused"`
		Warnings []any          `json:"warnings"`
	}
	if err := json.Unmarshal(j.Report, &purgedReport); err != nil || purgedReport.Counts["added"] != sc.old.Added ||
		len(purgedReport.Refused) != 0 || len(purgedReport.Warnings) != 0 {
		t.Fatalf("report after the purge: %s (%v)", j.Report, err)
	}
	if strings.Contains(strings.ToLower(string(j.Mapping)), "samples") || !strings.Contains(string(j.Mapping), "Geboortedatum") {
		t.Fatalf("mapping after the purge: %s", j.Mapping)
	}
	if n := jobRecords(ctx, db, sc.old.ID); n != 0 {
		t.Fatalf("%d change records (or accounts marked as added) of the old import left", n)
	}
	if db.Client.ImportBlob.Query().Where(importblob.JobID(sc.old.ID)).ExistX(ctx) {
		t.Fatal("the old import's plan is still stored")
	}
	if db.Client.Session.Query().Where(session.ID(sc.expired.ID)).ExistX(ctx) || !db.Client.Session.Query().Where(session.ID(sc.valid.ID)).ExistX(ctx) {
		t.Fatal("expired sessions stay, or a valid one went")
	}
	if j := db.Client.ImportJob.GetX(ctx, sc.recent.ID); strings.Contains(strings.ToLower(string(j.Mapping)), "samples") || !strings.Contains(string(j.Mapping), "Geboortedatum") {
		t.Fatalf("the committed import kept the example values of its mapping: %s", j.Mapping)
	}
	if j := db.Client.ImportJob.GetX(ctx, sc.recent.ID); j.DataPurgedAt != nil ||
		jobRecords(ctx, db, sc.recent.ID) != sc.recent.Added+sc.recent.Updated+sc.recent.Archived ||
		!db.Client.ImportBlob.Query().Where(importblob.JobID(sc.recent.ID)).ExistX(ctx) {
		t.Fatalf("the recent import lost its data: %+v", j)
	}
	if db.Client.ImportJob.GetX(ctx, sc.otherJob.ID).DataPurgedAt != nil {
		t.Fatal("another school's import within its term was purged")
	}
	if j := db.Client.ImportJob.GetX(ctx, sc.abandoned.ID); j.DataPurgedAt == nil || db.Client.ImportBlob.Query().Where(importblob.JobID(sc.abandoned.ID)).ExistX(ctx) ||
		strings.Contains(strings.ToLower(string(j.Mapping)), "samples") {
		t.Fatalf("the abandoned import kept its data: %+v", j)
	}
	for _, id := range []int{sc.waiting.ID, sc.running.ID} {
		if !db.Client.ImportBlob.Query().Where(importblob.JobID(id)).ExistX(ctx) {
			t.Fatalf("job %d lost its file", id)
		}
	}
}

// checkPurgeFinished checks the purge's audit event, that a purged import can no longer be undone and that the next purge finds nothing.
func checkPurgeFinished(t *testing.T, db *store.DB, sc *purgeScene) {
	t.Helper()
	ctx := sys
	if n := db.Client.AuditEvent.Query().Where(auditevent.Action("retention_purge"), auditevent.SchoolID(sc.s.ID)).CountX(ctx); n != 1 {
		t.Fatalf("%d retention_purge audit events, want 1", n)
	}

	// A purged import can no longer be undone; the next purge finds nothing.
	p, err := undo.Preview(sc.s.Ctx, db, sc.old.ID)
	if err != nil || p.Possible || !strings.Contains(p.Reason, "bewaartermijn") {
		t.Fatalf("undo preview of a purged import: %+v, %v", p, err)
	}
	again, err := retention.Purge(context.Background(), db, sc.now, retention.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sr := range again.Schools {
		if !sr.Empty() {
			t.Fatalf("second purge: %+v", sr)
		}
	}
}

// TestScheduler runs the scheduled purge; on PostgreSQL a round is skipped while another
// process holds the purge lock.
func TestScheduler(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "33CC")
		a := db.Client.Account.Create().SetSchoolID(s.ID).SetFirstName("Oud").SetLastName("Een").
			SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Now().AddDate(-3, 0, 0)).SaveX(sys)
		logs := &testapp.Logs{}
		log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		exists := func() bool { return db.Client.Account.Query().Where(account.ID(a.ID)).ExistX(sys) }

		if db.Dialect == "postgres" {
			conn, err := db.SQL.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// The same lock key as the scheduler's: another process purging.
			key := store.AdvisoryKey("numo:retention-purge")
			conn.ExecContext(context.Background(), "SELECT pg_advisory_lock($1)", key)
			stop := retention.StartScheduler(context.Background(), db, log, 10*time.Millisecond)
			waitFor(t, func() bool { return strings.Contains(logs.String(), "another process is purging") })
			stop()
			if !exists() {
				t.Fatal("purged while another process held the purge lock")
			}
			conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		}
		stop := retention.StartScheduler(context.Background(), db, log, 10*time.Millisecond)
		defer stop()
		waitFor(t, func() bool { return !exists() })
		stop()
		if !strings.Contains(logs.String(), "retention purge") {
			t.Fatalf("no purge logged:\n%s", logs.String())
		}
	})
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

// jobRecords is how many records of what it did the job has: its change records and the
// accounts marked as added by it.
func jobRecords(ctx context.Context, db *store.DB, jobID int) int {
	return db.Client.AccountChange.Query().Where(accountchange.JobID(jobID)).CountX(ctx) +
		db.Client.Account.Query().Where(account.ImportJobID(jobID)).CountX(ctx)
}

// TestPurgeLetters deletes the sealed login letters whose download term has passed and keeps
// the ones still waiting for their download, on both databases; a dry run deletes nothing.
func TestPurgeLetters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "16PL")
		now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
		for i, expires := range []time.Time{now.Add(-time.Minute), now.Add(-48 * time.Hour), now.Add(20 * time.Minute)} {
			db.Client.LetterBatch.Create().SetSchoolID(s.ID).SetCreatedByID(s.Admin.ID).SetHandleHash(string(rune('a'+i)) + "-hash").
				SetSealed([]byte("sealed")).SetLetters(30).SetCreatedAt(expires.Add(-30 * time.Minute)).SetExpiresAt(expires).ExecX(sys)
		}
		rep, err := retention.Purge(sys, db, now, retention.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Schools[0].Letters; got != 2 {
			t.Errorf("dry run counts %d expired batches, want 2", got)
		}
		if n := db.Client.LetterBatch.Query().CountX(sys); n != 3 {
			t.Fatalf("dry run left %d batches, want 3", n)
		}
		rep, err = retention.Purge(sys, db, now, retention.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Schools[0].Letters; got != 2 {
			t.Errorf("purge deleted %d batches, want 2", got)
		}
		if left := db.Client.LetterBatch.Query().Where(letterbatch.ExpiresAtGT(now)).CountX(sys); left != 1 || db.Client.LetterBatch.Query().CountX(sys) != 1 {
			t.Errorf("the batch still waiting for its download was not kept alone")
		}
	})
}
