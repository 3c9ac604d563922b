package undo_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
	"github.com/numo/accounts/internal/undo"
)

// The imports of a test ran on days in the past; undos and hand edits happen now, after them.
var (
	today = time.Now().Truncate(time.Second)
	day1  = today.AddDate(-1, 0, -2)
	day2  = today.AddDate(0, 0, -2)
	day3  = today.AddDate(0, 0, -1)
)

// undoStep is one undo of TestUndoRestoresEveryField: the job, the school as it was before it, and what the undo must report.
type undoStep struct {
	job         *ent.ImportJob
	want        rows // the accounts that existed before the job, as they were
	wantClasses rows
	removeAdded int
	restore     int
	reactivate  int
	removed     []string
}

// TestUndoRestoresEveryField imports a school year, the next year (archives, additions,
// updates) and the first year's file again (reactivations), then undoes the three imports
// newest first: after each undo every column of every account of the school (except
// updated_at) equals what it was before the undone import, field for field.
func TestUndoRestoresEveryField(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "11AA")
		other := newSchool(t, db, "22BB")
		db.Client.Account.Create().SetSchoolID(other.ID).SetExternalKey("4000").SetFirstName("Ander").SetLastName("Kind").SaveX(sys)
		db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").SetLastName("Vast").SaveX(sys)
		otherBefore := snapshot(t, db, other.ID)
		y1, y2 := fixture(t, "transition/school_2026.csv"), fixture(t, "transition/school_2027.csv")

		empty, emptyClasses := snapshot(t, db, s.ID), classes(t, db, s.ID)
		jobA := importAt(t, db, s.ID, "school_2026.csv", y1, all, day1)
		afterA, classesA := snapshot(t, db, s.ID), classes(t, db, s.ID)
		jobB := importAt(t, db, s.ID, "school_2027.csv", y2, all, day2)
		afterB, classesB := snapshot(t, db, s.ID), classes(t, db, s.ID)
		jobC := importAt(t, db, s.ID, "school_2026.csv", y1, all, day3)
		if jobC.Archived != 10 || jobC.Updated != 30 {
			t.Fatalf("the 2026 file again: %d updated, %d archived; want 30 (10 reactivated) and 10", jobC.Updated, jobC.Archived)
		}

		steps := []undoStep{
			{jobC, afterB, classesB, 0, 30, 10, []string{}},
			{jobB, afterA, classesA, 10, 20, 10, []string{}},
			{jobA, empty, emptyClasses, 30, 0, 0, []string{"1A", "2A", "3A"}},
		}
		for _, st := range steps {
			checkUndoStep(t, db, s, st)
		}
		if d := diff(otherBefore, snapshot(t, db, other.ID)); d != "" {
			t.Fatalf("another school's accounts changed:\n%s", d)
		}
		if n := db.Client.AuditEvent.Query().Where(auditevent.Action("import_undone"), auditevent.SchoolID(s.ID), auditevent.ActorAccountID(s.Admin.ID)).CountX(sys); n != 3 {
			t.Fatalf("%d import_undone audit events, want 3", n)
		}
		// Undoing twice is refused and changes nothing.
		before := snapshot(t, db, s.ID)
		_, err := undo.Undo(s.Ctx, db, jobC.ID, undo.Options{})
		assertCode(t, err, apperr.CodeInvalidState)
		if d := diff(before, snapshot(t, db, s.ID)); d != "" {
			t.Fatalf("a refused undo changed accounts:\n%s", d)
		}
	})
}

// checkUndoStep previews and undoes one job, then checks the accounts, the classes, the undo job and the undone job.
func checkUndoStep(t *testing.T, db *store.DB, s *school, st undoStep) {
	t.Helper()
	p, err := undo.Preview(s.Ctx, db, st.job.ID)
	if err != nil {
		t.Fatalf("preview undo of job %d: %v", st.job.ID, err)
	}
	if !p.Possible || len(p.Conflicts) != 0 || p.RemoveAdded != st.removeAdded || p.RestoreUpdated != st.restore ||
		p.Reactivate != st.reactivate || strings.Join(p.RemoveClasses, ",") != strings.Join(st.removed, ",") {
		t.Fatalf("preview undo of job %d: %+v", st.job.ID, p)
	}
	res, err := undo.Undo(s.Ctx, db, st.job.ID, undo.Options{})
	if err != nil {
		t.Fatalf("undo job %d: %v", st.job.ID, err)
	}
	// Accounts the job added are gone: the school has exactly the accounts it had before.
	if d := diff(st.want, snapshot(t, db, s.ID)); d != "" {
		t.Fatalf("undo of job %d: the accounts differ from before the job:\n%s", st.job.ID, d)
	}
	if d := diff(st.wantClasses, classes(t, db, s.ID)); d != "" {
		t.Fatalf("undo of job %d: the classes differ from before the job:\n%s", st.job.ID, d)
	}
	u := res.Job
	if u.Kind != importjob.KindUNDO || u.UndoOfID == nil || *u.UndoOfID != st.job.ID || u.Status != importjob.StatusCOMMITTED ||
		u.FileName != "Ongedaan: "+st.job.FileName || u.Sha256 != "" || u.FileSize != 0 || u.CommittedAt == nil ||
		u.Archived != 0 || u.Removed != st.removeAdded || u.Updated != st.restore+st.reactivate || u.StartedByID == nil || *u.StartedByID != s.Admin.ID {
		t.Fatalf("undo job: %+v", u)
	}
	if n := db.Client.AccountChange.Query().Where(accountchange.JobID(u.ID)).CountX(sys); n != st.restore+st.reactivate {
		t.Fatalf("undo job has %d change records, want %d", n, st.restore+st.reactivate)
	}
	// No change record is left of a deleted account (the foreign key would refuse it anyway).
	if n := db.Client.AccountChange.Query().Where(accountchange.JobID(st.job.ID), accountchange.ActionEQ(accountchange.ActionADDED)).CountX(sys); n != 0 {
		t.Fatalf("undone job keeps %d change records of added accounts", n)
	}
	j := db.Client.ImportJob.GetX(sys, st.job.ID)
	if j.Status != importjob.StatusUNDONE || j.UndoneAt == nil || j.UndoOfID != nil {
		t.Fatalf("undone job: %+v", j)
	}
	checkUndoEdges(t, db, j.ID, u.ID)
}

// checkUndoEdges: the UNDO job's undoOf is the job it undid; the undone job has no undoOf, and
// its undoneBy is the UNDO job.
func checkUndoEdges(t *testing.T, db *store.DB, undoneID, undoID int) {
	t.Helper()
	if of, err := db.Client.ImportJob.GetX(sys, undoID).QueryUndoOf().Only(sys); err != nil || of.ID != undoneID {
		t.Fatalf("undo job %d: undoOf %v, %v; want job %d", undoID, of, err, undoneID)
	}
	if of, err := db.Client.ImportJob.GetX(sys, undoneID).QueryUndoOf().All(sys); err != nil || len(of) != 0 {
		t.Fatalf("undone job %d: undoOf %v, %v; want none", undoneID, of, err)
	}
	if by, err := db.Client.ImportJob.GetX(sys, undoneID).QueryUndoneBy().Only(sys); err != nil || by.ID != undoID {
		t.Fatalf("undone job %d: undoneBy %v, %v; want job %d", undoneID, by, err, undoID)
	}
}

// TestUndoConflicts changes accounts after an import, by hand and by a later import: the undo
// names them and is refused, and with skipConflicts it undoes the others and leaves them be.
func TestUndoConflicts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "33CC")
		jobA := importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		afterA := snapshot(t, db, s.ID)
		jobB := importAt(t, db, s.ID, "school_2027.csv", fixture(t, "transition/school_2027.csv"), all, day2)

		// Job A: every one of its accounts was changed by job B.
		p, err := undo.Preview(s.Ctx, db, jobA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Conflicts) != 30 || !strings.Contains(p.Conflicts[0].Reason, "latere import “school_2027.csv”") {
			t.Fatalf("undo of the older import: %d conflicts, first %+v; want 30 by the later import", len(p.Conflicts), p.Conflicts[0])
		}

		edited := checkConflictPreview(t, db, s, jobB)

		before := snapshot(t, db, s.ID)
		_, err = undo.Undo(s.Ctx, db, jobB.ID, undo.Options{})
		e := assertCode(t, err, apperr.CodeUndoConflict)
		if cs, _ := e.Extensions()["conflicts"].([]map[string]any); len(cs) != 1 || cs[0]["key"] != "4001" || cs[0]["name"] != "Daan de Boer" {
			t.Fatalf("conflict extensions %v", e.Extensions())
		}
		if d := diff(before, snapshot(t, db, s.ID)); d != "" {
			t.Fatalf("a refused undo changed accounts:\n%s", d)
		}

		checkSkipConflicts(t, db, s, jobB.ID, edited.ID, afterA)

		// With job B undone, job A conflicts only where job B's undo could not go back: the
		// account edited by hand.
		p, err = undo.Preview(s.Ctx, db, jobA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Conflicts) != 1 || p.Conflicts[0].AccountID != edited.ID {
			t.Fatalf("after undoing the later import: conflicts %+v", p.Conflicts)
		}
	})
}

// checkConflictPreview has an admin correct a pupil by hand after jobB, and checks that the undo of jobB names that pupil as its one conflict.
func checkConflictPreview(t *testing.T, db *store.DB, s *school, jobB *ent.ImportJob) *ent.Account {
	t.Helper()
	edited := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey("4001")).OnlyX(sys)
	edited = edited.Update().SetEmail("hand@leerling.demo.invalid").SaveX(sys)
	p, err := undo.Preview(s.Ctx, db, jobB.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 1 {
		t.Fatalf("conflicts %+v, want the edited pupil", p.Conflicts)
	}
	if c := p.Conflicts[0]; c.AccountID != edited.ID || c.Key != "4001" || c.Name != "Daan de Boer" || !strings.HasPrefix(c.Reason, "gewijzigd na deze import (op ") {
		t.Fatalf("conflict %+v", c)
	}
	if p.RestoreUpdated != 19 || p.RemoveAdded != 10 || p.Reactivate != 10 {
		t.Fatalf("preview with a conflict: %+v", p)
	}
	return edited
}

// checkSkipConflicts undoes jobB with SkipConflicts: the edited account stays as it is, the others are as after the first import, and the report lists the one left.
func checkSkipConflicts(t *testing.T, db *store.DB, s *school, jobBID, editedID int, afterA rows) {
	t.Helper()
	res, err := undo.Undo(s.Ctx, db, jobBID, undo.Options{SkipConflicts: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.Unchanged != 1 || res.Job.Updated != 29 || res.Job.Archived != 0 || res.Job.Removed != 10 {
		t.Fatalf("undo job counts %+v", res.Job)
	}
	got := snapshot(t, db, s.ID)
	if row := got[editedID]; row["email"] != "hand@leerling.demo.invalid" || row["year"] != "2" {
		t.Fatalf("the conflicting account was touched: %v", row)
	}
	want := rows{}
	for id, row := range afterA {
		if id != editedID {
			want[id] = row
		}
	}
	// The accounts jobB added are gone, not archived.
	delete(got, editedID)
	if d := diff(want, got); d != "" {
		t.Fatalf("the other accounts were not restored:\n%s", d)
	}
	// The job's report lists the account left as it is.
	rep := string(res.Job.Report)
	if !strings.Contains(rep, "undo_conflict") || !strings.Contains(rep, "Daan de Boer") {
		t.Fatalf("undo report %s", rep)
	}
}

// TestUndoRefusals: only a committed import of the viewer's own school can be undone, by its
// admin, once, while its row data is kept.
func TestUndoRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "44DD")
		other := newSchool(t, db, "55EE")
		y1 := fixture(t, "transition/school_2026.csv")
		committed := importAt(t, db, s.ID, "school_2026.csv", y1, all, day1)
		purged := importAt(t, db, s.ID, "school_2027.csv", fixture(t, "transition/school_2027.csv"), all, day2)
		db.Client.ImportJob.UpdateOne(purged).SetDataPurgedAt(day3).ExecX(sys)
		previewed := db.Client.ImportJob.Create().SetSchoolID(s.ID).SetFileName("x.csv").SetFileSize(1).SetSha256("x").
			SetStatus(importjob.StatusPREVIEWED).SaveX(sys)
		teacher := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").SetLastName("Een").SaveX(sys)
		teacherCtx := auth.NewContext(context.Background(), &auth.Viewer{AccountID: teacher.ID, SchoolID: s.ID, Role: auth.RoleTeacher})
		tokenCtx := auth.NewContext(context.Background(), &auth.Viewer{TokenID: 7, SchoolID: s.ID, Scopes: []auth.Scope{auth.ScopeReadRosters}})

		tests := []struct {
			name   string
			ctx    context.Context
			jobID  int
			code   string
			reason string // part of the preview's reason, for refusals of the job itself
		}{
			{"nobody signed in", context.Background(), committed.ID, "UNAUTHENTICATED", ""},
			{"another school's admin", other.Ctx, committed.ID, apperr.CodeNotFound, ""},
			{"a teacher", teacherCtx, committed.ID, "FORBIDDEN", ""},
			{"a read-only token", tokenCtx, committed.ID, "FORBIDDEN", ""},
			{"no such job", s.Ctx, committed.ID + 10000, apperr.CodeNotFound, ""},
			{"not committed", s.Ctx, previewed.ID, apperr.CodeInvalidState, "Alleen een uitgevoerde import"},
			{"row data purged", s.Ctx, purged.ID, apperr.CodeInvalidState, "bewaartermijn verwijderd"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, db, s.ID)
				p, err := undo.Preview(tc.ctx, db, tc.jobID)
				if tc.reason != "" {
					if err != nil || p.Possible || !strings.Contains(p.Reason, tc.reason) {
						t.Fatalf("preview: %+v, %v; want impossible because %q", p, err, tc.reason)
					}
				} else {
					assertCode(t, err, tc.code)
				}
				_, err = undo.Undo(tc.ctx, db, tc.jobID, undo.Options{SkipConflicts: true})
				assertCode(t, err, tc.code)
				if d := diff(before, snapshot(t, db, s.ID)); d != "" {
					t.Fatalf("a refused undo changed accounts:\n%s", d)
				}
			})
		}

		// The undo of an undo is refused too.
		db.Client.ImportJob.UpdateOne(purged).ClearDataPurgedAt().ExecX(sys)
		res, err := undo.Undo(s.Ctx, db, purged.ID, undo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := undo.Preview(s.Ctx, db, res.Job.ID)
		if err != nil || p.Possible || !strings.Contains(p.Reason, "kan niet ongedaan worden gemaakt") {
			t.Fatalf("preview of an undo job: %+v, %v", p, err)
		}
		_, err = undo.Undo(s.Ctx, db, res.Job.ID, undo.Options{})
		assertCode(t, err, apperr.CodeInvalidState)
		p, err = undo.Preview(s.Ctx, db, purged.ID)
		if err != nil || p.Possible || !strings.Contains(p.Reason, "al ongedaan gemaakt op ") {
			t.Fatalf("preview of an undone job: %+v, %v", p, err)
		}
	})
}

// TestUndoRemovesNewClasses: a class the import created goes when the undo empties it, but
// not while a teacher teaches it or an account it keeps (a conflict) is still in it.
func TestUndoRemovesNewClasses(t *testing.T) {
	file := []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n5001;Anna;Smit;4B\r\n5002;Bert;Smit;4C\r\n5003;Cor;Smit;4D\r\n")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "66FF")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		job := importAt(t, db, s.ID, "extra.csv", file, importer.Actions{Add: true, Update: true}, day2)
		if job.Added != 3 {
			t.Fatalf("extra import added %d", job.Added)
		}
		byName := func(name string) *ent.Class {
			return db.Client.Class.Query().Where(class.SchoolID(s.ID), class.Name(name)).OnlyX(sys)
		}
		if byName("4B").CreatedByJobID == nil || *byName("4B").CreatedByJobID != job.ID {
			t.Fatalf("class 4B was not recorded as created by job %d", job.ID)
		}
		teacher := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").SetLastName("Vier").
			AddTeachingClasses(byName("4C")).SaveX(sys)
		_ = teacher
		// Cor moves by hand after the import: a conflict that keeps 4D.
		db.Client.Account.Update().Where(account.ExternalKey("5003")).SetEmail("cor@leerling.demo.invalid").ExecX(sys)

		p, err := undo.Preview(s.Ctx, db, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(p.RemoveClasses, ",") != "4B" || p.RemoveAdded != 2 || len(p.Conflicts) != 1 {
			t.Fatalf("preview %+v", p)
		}
		if _, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{SkipConflicts: true}); err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, c := range db.Client.Class.Query().Where(class.SchoolID(s.ID)).Order(class.ByName()).AllX(sys) {
			left = append(left, c.Name)
		}
		if strings.Join(left, ",") != "1A,2A,3A,4C,4D" {
			t.Fatalf("classes after the undo: %v", left)
		}
	})
}

func assertCode(t *testing.T, err error, code string) interface{ Extensions() map[string]any } {
	t.Helper()
	var coded interface {
		Code() string
		Extensions() map[string]any
	}
	if !errors.As(err, &coded) || coded.Code() != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return coded
}

// TestUndoTwiceAtOnce starts two undos of one import at the same moment: one undoes it, the
// other is refused, and the import is undone exactly once.
func TestUndoTwiceAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "77GG")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		job := importAt(t, db, s.ID, "school_2027.csv", fixture(t, "transition/school_2027.csv"), all, day2)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{})
				errs <- err
			}()
		}
		var ok, refused int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				ok++
			default:
				assertCode(t, err, apperr.CodeInvalidState)
				refused++
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("%d undos succeeded, %d refused; want 1 and 1", ok, refused)
		}
		if n := db.Client.ImportJob.Query().Where(importjob.UndoOfID(job.ID)).CountX(sys); n != 1 {
			t.Fatalf("%d undo jobs, want 1", n)
		}
	})
}

// TestUndoWaitsForCommit: on PostgreSQL an undo waits while an import of the same school
// holds the school's lock (importer.Apply takes it for its whole transaction).
func TestUndoWaitsForCommit(t *testing.T) {
	db := testdb.New(t, "postgres")
	s := newSchool(t, db, "88HH")
	job := importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
	tx, err := db.SQL.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("SELECT pg_advisory_xact_lock($1)", store.SchoolLockKey(s.ID)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the undo ran while a commit held the school's lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	tx.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestUndoRemovesAdditions imports 30 new pupils and undoes the import. The import records its
// additions on the accounts (accounts.import_job_id) and writes no change record for them; a
// database from before that field has an ADDED change record per addition and no mark on the
// accounts (oldFormat turns the first into the second). Either way the undo finds and deletes
// every added account and leaves the school as it was.
func TestUndoRemovesAdditions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		oldFormat bool
	}{
		{"marked on the account", false},
		{"ADDED change records of an older numo", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				s := newSchool(t, db, "55EE")
				empty, emptyClasses := snapshot(t, db, s.ID), classes(t, db, s.ID)
				job := importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
				if job.Added != 30 {
					t.Fatalf("import added %d pupils, want 30", job.Added)
				}
				if n := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID)).CountX(sys); n != 0 {
					t.Fatalf("an import of new pupils wrote %d change records, want 0", n)
				}
				added := db.Client.Account.Query().Where(account.ImportJobID(job.ID)).IDsX(sys)
				if len(added) != 30 {
					t.Fatalf("%d accounts marked as added by the import, want 30", len(added))
				}
				if tc.oldFormat {
					for _, id := range added {
						db.Client.AccountChange.Create().SetJobID(job.ID).SetAccountID(id).SetAction(accountchange.ActionADDED).ExecX(sys)
					}
					// As an older numo left them: no mark, and updated_at as the import wrote it.
					q, args := entsql.Dialect(db.Dialect).Update(account.Table).SetNull(account.FieldImportJobID).
						Where(entsql.EQ(account.FieldImportJobID, job.ID)).Query()
					if _, err := db.SQL.ExecContext(sys, q, args...); err != nil {
						t.Fatal(err)
					}
				}
				p, err := undo.Preview(s.Ctx, db, job.ID)
				if err != nil || !p.Possible || p.RemoveAdded != 30 || len(p.Conflicts) != 0 || len(p.RemoveClasses) != 3 {
					t.Fatalf("preview undo: %+v, %v; want 30 to remove, 3 classes, no conflicts", p, err)
				}
				if _, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{}); err != nil {
					t.Fatalf("undo: %v", err)
				}
				if d := diff(empty, snapshot(t, db, s.ID)); d != "" {
					t.Fatalf("after the undo the accounts differ from before the import:\n%s", d)
				}
				if d := diff(emptyClasses, classes(t, db, s.ID)); d != "" {
					t.Fatalf("after the undo the classes differ from before the import:\n%s", d)
				}
				if n := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID)).CountX(sys); n != 0 {
					t.Fatalf("the undone import keeps %d change records", n)
				}
			})
		})
	}
}

// TestUndoThenPreviewAgain: a school with pupils imports next year's file, undoes it, and
// previews the same file again: the preview counts what the first one counted (the added
// pupils are new again, not archived accounts coming back), and the school's accounts are
// exactly those it had before the import.
func TestUndoThenPreviewAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "12AB")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		before := snapshot(t, db, s.ID)
		fileA := fixture(t, "transition/school_2027.csv")
		first := previewCounts(t, db, s.ID, fileA)
		if first.Added != 10 || first.Updated != 20 || first.Archived != 10 {
			t.Fatalf("first preview: %+v, want 10 added, 20 updated, 10 archived", first)
		}
		job := importAt(t, db, s.ID, "school_2027.csv", fileA, all, day2)
		if _, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{}); err != nil {
			t.Fatal(err)
		}
		if d := diff(before, snapshot(t, db, s.ID)); d != "" {
			t.Fatalf("after the undo the accounts differ from before the import:\n%s", d)
		}
		if again := previewCounts(t, db, s.ID, fileA); again != first {
			t.Fatalf("preview after the undo: %+v, want the first preview's %+v", again, first)
		}
	})
}

func previewCounts(t *testing.T, db *store.DB, schoolID int, data []byte) importer.Counts {
	t.Helper()
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := importer.PlanFor(sys, db, schoolID, p, all)
	if err != nil {
		t.Fatal(err)
	}
	return plan.Counts
}

// TestUndoKeepsUsedAccounts: an added account that someone signed in with, that got a
// password or that the audit log tells of is a conflict, not deleted; the undo deletes the
// untouched one with its change records, and its audit entry names none of them.
func TestUndoKeepsUsedAccounts(t *testing.T) {
	file := []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n6001;Fenna;Verzonnen;4B\r\n6002;Gijs;Verzonnen;4B\r\n6003;Hidde;Verzonnen;4B\r\n6004;Ilse;Bedacht;4B\r\n")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "13AB")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		job := importAt(t, db, s.ID, "nieuw.csv", file, importer.Actions{Add: true}, day2)
		if job.Added != 4 {
			t.Fatalf("added %d, want 4", job.Added)
		}
		byKey := func(key string) int {
			return db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey(key)).OnlyIDX(sys)
		}
		// A password is not roster data: setting it leaves updated_at as it is (as authn does).
		pw := db.Client.Account.GetX(sys, byKey("6001"))
		pw.Update().SetPasswordHash("$argon2id$test").SetUpdatedAt(pw.UpdatedAt).ExecX(sys)
		db.Client.Session.Create().SetAccountID(byKey("6002")).SetTokenHash("test-session").SetExpiresAt(today.Add(1e12)).ExecX(sys)
		audit.RecordAbout(s.Ctx, db.Client, s.ID, byKey("6003"), "password_reset", "eenmalig wachtwoord")
		untouched := byKey("6004")

		p, err := undo.Preview(s.Ctx, db, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, c := range p.Conflicts {
			reasons[c.Key] = c.Reason
		}
		if p.RemoveAdded != 1 || len(p.Conflicts) != 3 || !strings.Contains(reasons["6001"], "wachtwoord") ||
			!strings.Contains(reasons["6002"], "ingelogd") || !strings.Contains(reasons["6003"], "auditlog") {
			t.Fatalf("preview: %+v", p)
		}
		if _, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{SkipConflicts: true}); err != nil {
			t.Fatal(err)
		}
		if db.Client.Account.Query().Where(account.ID(untouched)).ExistX(sys) {
			t.Fatal("the untouched added account is still there")
		}
		if n := db.Client.AccountChange.Query().Where(accountchange.AccountID(untouched)).CountX(sys); n != 0 {
			t.Fatalf("%d change records of the deleted account are left", n)
		}
		for _, key := range []string{"6001", "6002", "6003"} {
			if a := db.Client.Account.GetX(sys, byKey(key)); a.Status != account.StatusACTIVE {
				t.Fatalf("conflicting account %s: %s", key, a.Status)
			}
		}
		ev := db.Client.AuditEvent.Query().Where(auditevent.SchoolID(s.ID), auditevent.Action("import_undone")).OnlyX(sys)
		if !strings.Contains(ev.Detail, "1 toegevoegde accounts verwijderd") || strings.Contains(ev.Detail, "Ilse") ||
			strings.Contains(ev.Detail, "6004") || ev.SubjectAccountID != nil {
			t.Fatalf("audit entry of the undo: %+v", ev)
		}
	})
}

// TestUndoClassFacts: a class's level and year follow its pupils through a commit (in steps on
// SQLite) and back through the undo of it (issue 12, point 5).
func TestUndoClassFacts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "12UF")
		add := importer.Actions{Add: true, Update: true}
		at := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
		importAt(t, db, s.ID, "eerste.csv", fixture(t, "class_facts/eerste.csv"), add, at)
		checkClass(t, db, s.ID, "1A", "vmbo-b/k 1", "after the first import")
		job := importAt(t, db, s.ID, "tweede.csv", fixture(t, "class_facts/tweede.csv"), add, at.Add(time.Hour))
		checkClass(t, db, s.ID, "1A", "vmbo-k 2", "after the second import")
		if _, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{Now: at.Add(2 * time.Hour)}); err != nil {
			t.Fatalf("undo: %v", err)
		}
		checkClass(t, db, s.ID, "1A", "vmbo-b/k 1", "after the undo")
	})
}

func checkClass(t *testing.T, db *store.DB, schoolID int, name, want, when string) {
	t.Helper()
	c := db.Client.Class.Query().Where(class.SchoolID(schoolID), class.Name(name)).OnlyX(sys)
	got := c.Level + " -"
	if c.Year != nil {
		got = c.Level + " " + strconv.Itoa(*c.Year)
	}
	if got != want {
		t.Fatalf("%s class %s is %q, want %q", when, name, got, want)
	}
}

var all = testimport.All

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = testimport.Sys

// fixture reads a file below the repository's testdata folder.
var fixture = testimport.Fixture

// school is a test school with its admin and the admin's request context.
type school = testimport.School

func newSchool(t *testing.T, db *store.DB, brin string) *school {
	t.Helper()
	return testimport.NewSchool(t, db, brin, "192.0.2.1")
}

// importAt commits data into the school as an import job at the given time, confirming the
// archive and year guards when they apply, and returns the committed job.
func importAt(t *testing.T, db *store.DB, schoolID int, name string, data []byte, actions importer.Actions, at time.Time) *ent.ImportJob {
	t.Helper()
	return testimport.Commit(t, db, schoolID, name, data, actions, at, false)
}

// rows is every column of every row of a query, normalised to strings, by id.
type rows map[int]map[string]string

// snapshot reads every column of every account of the school except updated_at, which moves
// on every write by design.
func snapshot(t *testing.T, db *store.DB, schoolID int) rows {
	t.Helper()
	return query(t, db, entsql.Dialect(db.Dialect).Select("*").From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldSchoolID, schoolID)), account.FieldUpdatedAt)
}

// classes reads every column of the school's classes except updated_at.
func classes(t *testing.T, db *store.DB, schoolID int) rows {
	t.Helper()
	return query(t, db, entsql.Dialect(db.Dialect).Select("*").From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID)), class.FieldUpdatedAt)
}

// query runs a query built with ent's builder and returns its rows by id, without column skip.
func query(t *testing.T, db *store.DB, b entsql.Querier, skip string) rows {
	t.Helper()
	cols, vals := testdb.Rows(t, db, b)
	out := rows{}
	for _, v := range vals {
		row := map[string]string{}
		id := 0
		for i, c := range cols {
			if c == "id" {
				id = int(v[i].(int64))
			}
			if c != skip {
				row[c] = normalise(v[i])
			}
		}
		out[id] = row
	}
	return out
}

func normalise(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

// diff lists the differences between two snapshots, "" when they are equal.
func diff(want, got rows) string {
	var b strings.Builder
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			fmt.Fprintf(&b, "row %d is missing\n", id)
			continue
		}
		for c, v := range w {
			if g[c] != v {
				fmt.Fprintf(&b, "row %d %s: got %q, want %q\n", id, c, g[c], v)
			}
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			fmt.Fprintf(&b, "row %d is extra: %v\n", id, got[id])
		}
	}
	return b.String()
}
