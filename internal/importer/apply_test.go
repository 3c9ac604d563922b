package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

var all = importer.Actions{Add: true, Update: true, Archive: true}

func prepare(t *testing.T, name string) *importer.Prepared {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatalf("prepare %s: %v", name, err)
	}
	return p
}

func newSchool(t *testing.T, c *ent.Client, brin string) *ent.School {
	t.Helper()
	return c.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(sys)
}

// importedSchool is a new school whose pupils come from one import of the fixture name, with
// every action.
func importedSchool(t *testing.T, db *store.DB, brin, name string) *ent.School {
	t.Helper()
	s := newSchool(t, db.Client, brin)
	apply(t, db, prepare(t, name), s.ID, all, importer.ApplyOptions{})
	return s
}

func apply(t *testing.T, db *store.DB, p *importer.Prepared, schoolID int, a importer.Actions, opt importer.ApplyOptions) *importer.Plan {
	t.Helper()
	plan, err := importer.Apply(sys, db, p.Input, schoolID, a, opt)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return plan
}

func counts(added, updated, archived, unchanged, skipped, refused int) importer.Counts {
	return importer.Counts{Added: added, Updated: updated, Archived: archived, Unchanged: unchanged, Skipped: skipped, Refused: refused}
}

// TestYearTransition imports a school, then the same school a year later: graduates archived
// (behind the guard), a new first year added, pupils moved up, changed e-mails and names as
// updates, a key that lost its leading zeros matched to its account.
func TestYearTransition(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db.Client, "11AA")
		other := newSchool(t, db.Client, "22BB")
		db.Client.Account.Create().SetSchoolID(other.ID).SetExternalKey("4000").SetFirstName("Ander").SetLastName("Kind").SaveX(sys)
		db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").SetLastName("Zonder Sleutel").SaveX(sys)

		y1 := prepare(t, "transition/school_2026.csv")
		checkFirstYearImport(t, db, s.ID, y1)
		y2 := prepare(t, "transition/school_2027.csv")
		preview := checkNextYearPreview(t, db, s.ID, y2)
		checkTransitionApplied(t, db, s.ID, other.ID, y2, preview)
	})
}

// checkFirstYearImport imports the first year's file into an empty school, then checks that importing it again changes nothing.
func checkFirstYearImport(t *testing.T, db *store.DB, schoolID int, y1 *importer.Prepared) {
	t.Helper()
	plan := apply(t, db, y1, schoolID, all, importer.ApplyOptions{})
	if plan.Counts != counts(30, 0, 0, 0, 0, 0) {
		t.Fatalf("first import counts %+v", plan.Counts)
	}
	if got := plan.ClassesToCreate; len(got) != 3 || got[0] != "1A" || got[2] != "3A" {
		t.Fatalf("classes to create %v", got)
	}
	if n := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.ExternalKey("004005")).CountX(sys); n != 1 {
		t.Fatalf("key with leading zeros stored %d times", n)
	}
	zoe := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.ExternalKey("4002")).OnlyX(sys)
	if zoe.FirstName != "Zoë" || zoe.Infix != "van den" || zoe.Level != "havo/vwo" || *zoe.Year != 1 {
		t.Fatalf("pupil 4002 stored as %+v", zoe)
	}

	// The same file again changes nothing.
	again, err := importer.PlanFor(sys, db, schoolID, y1, all)
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts != counts(0, 0, 0, 30, 0, 0) {
		t.Fatalf("re-import counts %+v", again.Counts)
	}
}

// checkNextYearPreview plans the next year's file and checks the preview: counts, archive guard, warnings and changes.
func checkNextYearPreview(t *testing.T, db *store.DB, schoolID int, y2 *importer.Prepared) *importer.Plan {
	t.Helper()
	preview, err := importer.PlanFor(sys, db, schoolID, y2, all)
	if err != nil {
		t.Fatal(err)
	}
	if preview.Counts != counts(10, 20, 10, 0, 0, 0) {
		t.Fatalf("next year counts %+v", preview.Counts)
	}
	if !preview.Guard.ConfirmationRequired || preview.Guard.ToArchive != 10 || preview.Guard.ActivePupils != 30 {
		t.Fatalf("guard %+v", preview.Guard)
	}
	var sawZeros bool
	for _, w := range preview.Warnings {
		sawZeros = sawZeros || w.Code == "leading_zeros"
	}
	if !sawZeros {
		t.Fatalf("no leading_zeros warning in %v", preview.Warnings)
	}
	byKey := map[string]importer.PlannedUser{}
	for _, u := range preview.Users {
		byKey[u.Key] = u
	}
	if u := byKey["4002"]; u.Outcome != importer.OutcomeUpdated || !hasChange(u.Changes, "lastName", "Broek", "Vries-Jansen") || !hasChange(u.Changes, "class", "1A", "2A") || !hasChange(u.Changes, "year", "1", "2") {
		t.Fatalf("4002 planned as %+v", u)
	}
	if u := byKey["4000"]; !hasChange(u.Changes, "email", "sannejansen0@leerling.demo.invalid", "nieuw.adres0@leerling.demo.invalid") {
		t.Fatalf("4000 planned as %+v", u)
	}
	if u := byKey["004005"]; u.Outcome != importer.OutcomeUpdated || u.AccountID == 0 {
		t.Fatalf("004005 planned as %+v", u)
	}
	return preview
}

// checkTransitionApplied applies the next year's file, first with a wrong archive confirmation, and checks the result.
func checkTransitionApplied(t *testing.T, db *store.DB, schoolID, otherSchoolID int, y2 *importer.Prepared, preview *importer.Plan) {
	t.Helper()
	var ce *importer.ArchiveConfirmationError
	if _, err := importer.Apply(sys, db, y2.Input, schoolID, all, importer.ApplyOptions{ExpectedHash: preview.Hash, ConfirmArchive: 9}); !errors.As(err, &ce) {
		t.Fatalf("apply with a wrong confirmation: %v, want ArchiveConfirmationError", err)
	}
	if n := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.StatusEQ(account.StatusACTIVE)).CountX(sys); n != 31 {
		t.Fatalf("refused apply changed accounts: %d active", n)
	}
	done := apply(t, db, y2, schoolID, all, importer.ApplyOptions{ExpectedHash: preview.Hash, ConfirmArchive: 10})
	if done.Counts != preview.Counts {
		t.Fatalf("applied %+v, previewed %+v", done.Counts, preview.Counts)
	}
	active := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.RoleEQ(account.RolePUPIL), account.StatusEQ(account.StatusACTIVE)).CountX(sys)
	archived := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.StatusEQ(account.StatusARCHIVED), account.ArchivedAtNotNil()).CountX(sys)
	if active != 30 || archived != 10 {
		t.Fatalf("after the transition: %d active, %d archived pupils; want 30 and 10", active, archived)
	}
	if db.Client.Account.Query().Where(account.RoleEQ(account.RoleTEACHER)).OnlyX(sys).Status != account.StatusACTIVE {
		t.Fatal("a teacher was archived")
	}
	if db.Client.Account.Query().Where(account.SchoolID(otherSchoolID)).OnlyX(sys).Status != account.StatusACTIVE {
		t.Fatal("another school's pupil was archived")
	}
	moved := db.Client.Account.Query().Where(account.SchoolID(schoolID), account.ExternalKey("4002")).WithClass().OnlyX(sys)
	if moved.Edges.Class.Name != "2A" || *moved.Year != 2 || moved.LastName != "Vries-Jansen" {
		t.Fatalf("4002 after the transition: %+v in %s", moved, moved.Edges.Class.Name)
	}
	final, _ := importer.PlanFor(sys, db, schoolID, y2, all)
	if final.Counts != counts(0, 0, 0, 30, 0, 0) {
		t.Fatalf("importing the 2027 file again: %+v", final.Counts)
	}
}

func hasChange(cs []importer.Change, field, before, after string) bool {
	for _, c := range cs {
		if c.Field == field && c.Before == before && c.After == after {
			return true
		}
	}
	return false
}

// TestApplyJob checks the job bookkeeping: before-states recorded, counts and report on the
// job, and a second apply of the same job refused without any change.
func TestApplyJob(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := importedSchool(t, db, "33CC", "transition/school_2026.csv")
		job := db.Client.ImportJob.Create().SetSchoolID(s.ID).SetFileName("school_2027.csv").SetFileSize(1).SetSha256("x").
			SetStatus(importjob.StatusCOMMITTING).SaveX(sys)
		y2 := prepare(t, "transition/school_2027.csv")
		apply(t, db, y2, s.ID, all, importer.ApplyOptions{JobID: job.ID, ConfirmArchive: 10})
		job = db.Client.ImportJob.GetX(sys, job.ID)
		if job.Status != importjob.StatusCOMMITTED || job.Added != 10 || job.Updated != 20 || job.Archived != 10 || job.CommittedAt == nil || len(job.Report) == 0 {
			t.Fatalf("job after apply: %+v", job)
		}
		// An addition is recorded on the account (its import job), not as a change record.
		for action, want := range map[accountchange.Action]int{accountchange.ActionADDED: 0, accountchange.ActionUPDATED: 20, accountchange.ActionARCHIVED: 10} {
			if n := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID), accountchange.ActionEQ(action)).CountX(sys); n != want {
				t.Fatalf("%d %s changes recorded, want %d", n, action, want)
			}
		}
		if n := db.Client.Account.Query().Where(account.ImportJobID(job.ID), account.SchoolID(s.ID)).CountX(sys); n != 10 {
			t.Fatalf("%d accounts marked as added by the job, want 10", n)
		}
		ch := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID), accountchange.ActionEQ(accountchange.ActionUPDATED)).
			WithAccount().FirstX(sys)
		if len(ch.Before) == 0 || string(ch.Before) == "null" {
			t.Fatalf("update recorded without a before-state: %+v", ch)
		}
		if _, err := importer.Apply(sys, db, y2.Input, s.ID, all, importer.ApplyOptions{JobID: job.ID, ConfirmArchive: 10}); !errors.Is(err, importer.ErrAlreadyApplied) {
			t.Fatalf("second apply: %v, want ErrAlreadyApplied", err)
		}
	})
}

// TestStalePreview changes an account between preview and commit: the commit is refused and
// writes nothing.
func TestStalePreview(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := importedSchool(t, db, "44DD", "transition/school_2026.csv")
		y2 := prepare(t, "transition/school_2027.csv")
		preview, err := importer.PlanFor(sys, db, s.ID, y2, all)
		if err != nil {
			t.Fatal(err)
		}
		db.Client.Account.Update().Where(account.ExternalKey("4001")).SetEmail("tussendoor@leerling.demo.invalid").ExecX(sys)
		_, err = importer.Apply(sys, db, y2.Input, s.ID, all, importer.ApplyOptions{ExpectedHash: preview.Hash, ConfirmArchive: 10})
		if !errors.Is(err, importer.ErrStalePreview) {
			t.Fatalf("apply after a change: %v, want ErrStalePreview", err)
		}
		if n := db.Client.Account.Query().Where(account.StatusEQ(account.StatusARCHIVED)).CountX(sys); n != 0 {
			t.Fatalf("stale apply archived %d accounts", n)
		}
	})
}

// TestApplyAllOrNothing cancels an apply halfway through its writes: nothing is kept.
func TestApplyAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(sys)
		defer cancel()
		s := newSchool(t, db.Client, "55EE")
		y1 := prepare(t, "transition/school_2026.csv")
		_, err := importer.Apply(ctx, db, y1.Input, s.ID, all, importer.ApplyOptions{Progress: func(p importer.Progress) {
			if p.Phase == "writing" {
				cancel()
			}
		}})
		if err == nil {
			t.Fatal("apply with a cancelled context succeeded")
		}
		bg := sys
		if n := db.Client.Account.Query().CountX(bg) + db.Client.Class.Query().CountX(bg); n != 0 {
			t.Fatalf("a failed apply left %d rows behind", n)
		}
	})
}

// TestArchiveNeedsValidRows: a file whose every row is refused archives nothing.
func TestArchiveNeedsValidRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := importedSchool(t, db, "66FF", "transition/school_2026.csv")
		data := []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n9001;=cmd;Jansen;1A\r\n9002;Piet;;1A\r\n")
		p, err := importer.Prepare(data, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := importer.PlanFor(sys, db, s.ID, p, all)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Counts.Archived != 0 || plan.Counts.Refused != 2 {
			t.Fatalf("all-refused file plans %+v", plan.Counts)
		}
	})
}
