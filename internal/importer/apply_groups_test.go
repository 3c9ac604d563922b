package importer_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
)

// committing is a COMMITTING import job of the school: what Apply writes under, so that SQLite
// commits in steps.
func committing(t *testing.T, db *store.DB, schoolID int) int {
	t.Helper()
	return db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName("f.csv").SetFileSize(1).SetSha256("x").
		SetStatus(importjob.StatusCOMMITTING).SaveX(sys).ID
}

// applyInput commits a plan input under a new job and returns the plan and the job.
func applyInput(t *testing.T, db *store.DB, schoolID int, in importer.PlanInput, confirm int) (*importer.Plan, int) {
	t.Helper()
	job := committing(t, db, schoolID)
	p, err := importer.Apply(sys, db, in, schoolID, all, importer.ApplyOptions{JobID: job, ConfirmArchive: confirm})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return p, job
}

// TestApplyPupilGroups commits pupilGroupsFile: pupils join and leave lesgroepen, a new pupil
// gets its groups, new lesgroepen are created as LESGROEP without level or year; what the job
// adds carries the job, what stays keeps its own; the change records keep the groups before.
func TestApplyPupilGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w, pupils := newPupilGroupsWorld(t, db)
		daan := pupils["1002"]
		w.pupil("1008", "Els", "Smit", "h4b", "h4b.ne1") // not in the file: archived, keeps its group
		p, job := applyInput(t, db, w.school.ID, testimport.Input(t, []byte(pupilGroupsFile)), 1)
		j := fmt.Sprintf("@%d", job)
		want := map[string]string{
			"1001": "h4a.en2, h4a.ne1, h4a.wiB1",
			"1002": "h4a.en2" + j + ", h4a.ne1",
			"1003": "h4a.en2" + j + ", h4b.ne1",
			"1006": "h4a.bi3" + j + ", h4a.ne1" + j + ", h4b" + j,
			"1007": "h4a.ne1" + j + ", h4c.ak1" + j,
			"1008": "h4b.ne1",
		}
		if got := testimport.LinkSets(t, db, w.school.ID, true, store.Memberships); !reflect.DeepEqual(got, want) {
			t.Errorf("memberships\n got %v\nwant %v", got, want)
		}
		if p.Counts.GroupsJoined != 1+1+3+2 || p.Counts.GroupsLeft != 1+1 {
			t.Errorf("counts %+v", p.Counts)
		}
		for _, name := range []string{"h4a.bi3", "h4c.ak1"} {
			c := db.Client.Class.Query().Where(class.SchoolID(w.school.ID), class.NameKey(name)).OnlyX(sys)
			if c.Kind != class.KindLESGROEP || c.Level != "" || c.Year != nil || c.CreatedByJobID == nil || *c.CreatedByJobID != job {
				t.Errorf("new group %s: %s level %q year %v job %v", name, c.Kind, c.Level, c.Year, c.CreatedByJobID)
			}
		}
		if c := db.Client.Class.Query().Where(class.SchoolID(w.school.ID), class.NameKey("h4c")).OnlyX(sys); c.Kind != class.KindSTAMKLAS {
			t.Errorf("new stamklas h4c is %s", c.Kind)
		}
		ch := db.Client.AccountChange.Query().Where(accountchange.JobID(job), accountchange.AccountID(daan)).OnlyX(sys)
		b, err := store.DecodeAccountState(ch.Before)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(b.Groups)
		if wantIDs := []int{w.classes["h4a.ne1"], w.classes["h4a.wiB1"]}; !slices.Equal(b.Groups, wantIDs) || b.Teaches != nil {
			t.Errorf("before-state groups %v teaches %v, want %v", b.Groups, b.Teaches, wantIDs)
		}
		// The same file again changes nothing.
		if p2, _ := applyInput(t, db, w.school.ID, testimport.Input(t, []byte(pupilGroupsFile)), 0); p2.Counts.GroupsJoined+p2.Counts.GroupsLeft+p2.Counts.Updated != 0 {
			t.Errorf("second import %+v", p2.Counts)
		}
	})
}

// TestApplyTeachers commits the Magister teacher export: a teacher's rows are replaced by what
// they teach, mentor flags follow the mentor column, a new teacher gets the role TEACHER and
// its rows, the teacher the file leaves out is archived and keeps its rows.
func TestApplyTeachers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"h4a", "h4b"}, []string{"h4a.ne1", "h4a.en2", "h4a.wiB1", "h4b.ne1"})
		w.teacher("JAN", "Pieter", "Jansen", "p.jansen@docent.example.nl", "h4a.ne1", "h4a*", "h4b")
		pie := w.teacher("", "Anouk", "Pietersen", "a.pietersen@docent.example.nl", "h4b*", "h4a.en2")
		w.teacher("OLD", "Oud", "Docent", "oud@docent.example.nl", "h4a.en2")
		w.pupil("LEE", "Lee", "Leerling", "h4a")
		p, job := applyInput(t, db, w.school.ID, testimport.Input(t, testimport.Fixture(t, "teachers/magister_docenten.csv")), 1)
		if c := p.Counts; c.Added != 1 || c.Updated != 2 || c.Archived != 1 || c.Refused != 1 {
			t.Fatalf("counts %+v", c)
		}
		j := fmt.Sprintf("@%d", job)
		want := map[string]string{
			"JAN": "h4a*, h4a.ne1, h4b.ne1" + j,
			"PIE": "h4a.en2, h4b*, h4b.ne1" + j,
			"DEV": "h4a.wiB1" + j + ", h4c*" + j + ", h5c*" + j,
			"OLD": "h4a.en2",
		}
		if got := testimport.LinkSets(t, db, w.school.ID, true, store.Teachings); !reflect.DeepEqual(got, want) {
			t.Errorf("teachings\n got %v\nwant %v", got, want)
		}
		dev := db.Client.Account.Query().Where(account.SchoolID(w.school.ID), account.ExternalKey("DEV")).OnlyX(sys)
		if dev.Role != account.RoleTEACHER || dev.ClassID != nil {
			t.Errorf("DEV: %s, class %v", dev.Role, dev.ClassID)
		}
		for _, n := range []string{"h4c", "h5c"} {
			if c := db.Client.Class.Query().Where(class.SchoolID(w.school.ID), class.NameKey(n)).OnlyX(sys); c.Kind != class.KindSTAMKLAS {
				t.Errorf("mentor class %s is %s", n, c.Kind)
			}
		}
		ch := db.Client.AccountChange.Query().Where(accountchange.JobID(job), accountchange.AccountID(pie)).OnlyX(sys)
		b, err := store.DecodeAccountState(ch.Before)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(b.Teaches, func(x, y store.TeachingState) int { return x.ClassID - y.ClassID })
		wantT := []store.TeachingState{{ClassID: w.classes["h4b"], Mentor: true}, {ClassID: w.classes["h4a.en2"]}}
		slices.SortFunc(wantT, func(x, y store.TeachingState) int { return x.ClassID - y.ClassID })
		if !reflect.DeepEqual(b.Teaches, wantT) || b.Groups != nil {
			t.Errorf("PIE before: teaches %v groups %v, want %v", b.Teaches, b.Groups, wantT)
		}
	})
}

// TestApplyGroupsRefusedWritesNothing: a stale preview and a missing archive confirmation
// refuse the commit, and no membership, class or account changes.
func TestApplyGroupsRefusedWritesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"h4a", "h4b"}, []string{"h4a.ne1", "h4a.en2", "h4a.wiB1", "h4b.ne1"})
		w.pupil("1001", "Noor", "Bakker", "h4a", "h4a.ne1", "h4a.en2", "h4a.wiB1")
		w.pupil("1002", "Daan", "Dijk", "h4a", "h4a.ne1", "h4a.wiB1")
		w.pupil("1008", "Els", "Smit", "h4b", "h4b.ne1")
		in := testimport.Input(t, []byte(pupilGroupsFile))
		preview := w.plan(t, in, all)
		// Someone moves Daan's groups after the preview: the plan's hash changes.
		db.Client.Membership.Create().SetAccountID(w.pupil("1003", "Sanne", "Visser", "h4b")).SetGroupID(w.classes["h4a.en2"]).SaveX(sys)
		before := testimport.LinkSets(t, db, w.school.ID, true, store.Memberships)
		classes := db.Client.Class.Query().Where(class.SchoolID(w.school.ID)).CountX(sys)
		for _, tc := range []struct {
			name string
			opt  importer.ApplyOptions
			want func(error) bool
		}{
			{"stale", importer.ApplyOptions{ExpectedHash: preview.Hash, ConfirmArchive: 1}, func(err error) bool { return errors.Is(err, importer.ErrStalePreview) }},
			{"unconfirmed", importer.ApplyOptions{}, func(err error) bool {
				var ce *importer.ArchiveConfirmationError
				return errors.As(err, &ce)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.opt.JobID = committing(t, db, w.school.ID)
				_, err := importer.Apply(sys, db, in, w.school.ID, all, tc.opt)
				if !tc.want(err) {
					t.Fatalf("apply: %v", err)
				}
				if got := testimport.LinkSets(t, db, w.school.ID, true, store.Memberships); !reflect.DeepEqual(got, before) {
					t.Errorf("memberships changed: %v, was %v", got, before)
				}
				if n := db.Client.Class.Query().Where(class.SchoolID(w.school.ID)).CountX(sys); n != classes {
					t.Errorf("%d classes, was %d", n, classes)
				}
			})
		}
	})
}

// pupilsWithGroups is an invented export of n pupils from key first on, each in three
// lesgroepen that shift with round, so that a file of another round moves every pupil it shares.
func pupilsWithGroups(t *testing.T, first, n, round int) importer.PlanInput {
	t.Helper()
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\r\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "%d;Sanne;Jansen;%dA;\"g%d, g%d; g%d\"\r\n", i, 1+i%4, (i+round)%20, (i+round+1)%20, 20+round)
	}
	return testimport.Input(t, []byte(b.String()))
}

// TestCommitInStepsRestoresGroups crashes a commit that moves 1,000 pupils to other lesgroepen,
// adds 1,000 with groups and archives 1,000, halfway; after the rollback every membership is
// as before (SQLite wrote part of it in steps; PostgreSQL nothing), and the same job then
// commits in full.
func TestCommitInStepsRestoresGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db.Client, "78GG")
		if _, err := importer.Apply(sys, db, pupilsWithGroups(t, 1000, 2000, 0), s.ID, all, importer.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		before, members := snapshot(t, db, s.ID), testimport.LinkSets(t, db, s.ID, true, store.Memberships)
		next := pupilsWithGroups(t, 2000, 2000, 5)
		job := committing(t, db, s.ID)
		opt := importer.ApplyOptions{JobID: job, ConfirmArchive: 1000, Progress: func(p importer.Progress) {
			if p.Phase == "writing" && p.Done >= 1500 {
				panic(crash{})
			}
		}}
		if err := applyCatchingCrash(sys, db, &importer.Prepared{Input: next}, s.ID, opt); err == nil {
			t.Fatal("the interrupted commit succeeded")
		}
		// On SQLite the steps before the crash are written: part of the moves and additions.
		if crashed := testimport.LinkSets(t, db, s.ID, true, store.Memberships); (db.Dialect == dialect.SQLite) == reflect.DeepEqual(crashed, members) {
			t.Fatalf("after the crash on %s the memberships changed: %v", db.Dialect, !reflect.DeepEqual(crashed, members))
		}
		if _, err := importer.RollBack(sys, db, job); err != nil {
			t.Fatalf("roll back: %v", err)
		}
		if got := snapshot(t, db, s.ID); !reflect.DeepEqual(got, before) {
			t.Fatalf("accounts after the rollback: %s", diff(got, before))
		}
		if got := testimport.LinkSets(t, db, s.ID, true, store.Memberships); !reflect.DeepEqual(got, members) {
			for k, v := range members {
				if got[k] != v {
					t.Fatalf("memberships after the rollback differ, e.g. %s: %q, was %q (%d vs %d pupils)", k, got[k], v, len(got), len(members))
				}
			}
			t.Fatalf("memberships after the rollback: %d pupils, was %d", len(got), len(members))
		}
		opt.Progress = nil
		if _, err := importer.Apply(sys, db, next, s.ID, all, opt); err != nil {
			t.Fatalf("commit after the rollback: %v", err)
		}
		got := testimport.LinkSets(t, db, s.ID, false, store.Memberships)
		for _, tc := range []struct{ key, want string }{
			{"2500", groupNames(2500, 5)}, // moved
			{"3500", groupNames(3500, 5)}, // added
			{"1500", groupNames(1500, 0)}, // archived: keeps its groups
		} {
			if got[tc.key] != tc.want {
				t.Errorf("%s after the commit: %q, want %q", tc.key, got[tc.key], tc.want)
			}
		}
	})
}

// groupNames are the sorted lesgroepen pupilsWithGroups gives pupil i in a round.
func groupNames(i, round int) string {
	g := []string{fmt.Sprintf("g%d", (i+round)%20), fmt.Sprintf("g%d", (i+round+1)%20), fmt.Sprintf("g%d", 20+round)}
	slices.Sort(g)
	return strings.Join(g, ", ")
}

// TestUpdateInBatches commits a new timetable for 10,003 pupils (every pupil moves to other
// lesgroepen, every second one is also renamed) and leaves 10 out, across more than one of
// PostgreSQL's update batches: a renamed pupil's row is rewritten (updated at the commit), a
// pupil whose groups alone change keeps its row and its updated_at, every pupil has the new
// groups and a change record, and the ones left out are archived at the commit.
func TestUpdateInBatches(t *testing.T) {
	const n, left = store.UpdateBatch*2 + 3, 10
	file := func(round int, rename bool, count int) importer.PlanInput {
		var b strings.Builder
		b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\r\n")
		for i := 1; i <= count; i++ {
			last := "Jansen"
			if rename && i%2 == 0 {
				last = "Bakker"
			}
			fmt.Fprintf(&b, "%d;Sanne;%s;%dA;\"g%d, g%d\"\r\n", i, last, 1+i%4, (i+round)%20, 20+round)
		}
		return testimport.Input(t, []byte(b.String()))
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		school := db.Client.School.Create().SetName("Batch").SetBrin("14UB").SaveX(sys)
		day1, day2 := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC), time.Date(2026, 8, 27, 9, 0, 0, 0, time.UTC)
		if _, err := importer.Apply(sys, db, file(0, false, n), school.ID, all, importer.ApplyOptions{JobID: committing(t, db, school.ID), Now: day1}); err != nil {
			t.Fatal(err)
		}
		job := committing(t, db, school.ID)
		p, err := importer.Apply(sys, db, file(1, true, n-left), school.ID, all, importer.ApplyOptions{JobID: job, Now: day2, ConfirmArchive: left})
		if err != nil {
			t.Fatal(err)
		}
		if c := p.Counts; c.Updated != n-left || c.Archived != left || c.GroupsJoined != 2*(n-left) || c.GroupsLeft != 2*(n-left) {
			t.Fatalf("counts %+v", c)
		}
		accounts := db.Client.Account.Query().Where(account.SchoolID(school.ID)).AllX(sys)
		for _, a := range accounts {
			key, _ := strconv.Atoi(*a.ExternalKey)
			switch {
			case key > n-left:
				if a.Status != account.StatusARCHIVED || !a.ArchivedAt.Equal(day2) || !a.UpdatedAt.Equal(day2) {
					t.Fatalf("left out %d: %s archived %v updated %v", key, a.Status, a.ArchivedAt, a.UpdatedAt)
				}
			case key%2 == 0:
				if a.LastName != "Bakker" || !a.UpdatedAt.Equal(day2) || a.SortName != names.SortKey("Bakker", "Sanne") {
					t.Fatalf("renamed %d: %q updated %v sort %q", key, a.LastName, a.UpdatedAt, a.SortName)
				}
			default:
				if a.LastName != "Jansen" || !a.UpdatedAt.Equal(day1) {
					t.Fatalf("groups only %d: %q updated %v, want the row as it was (%v)", key, a.LastName, a.UpdatedAt, day1)
				}
			}
		}
		if got := db.Client.AccountChange.Query().Where(accountchange.JobID(job)).CountX(sys); got != n {
			t.Errorf("%d change records, want %d", got, n)
		}
		moved := 0
		if err := store.EachLink(sys, db.SQL, db.Dialect, store.Memberships, school.ID, func(l store.Link) { moved++ }); err != nil {
			t.Fatal(err)
		}
		if moved != 2*n {
			t.Errorf("%d memberships, want %d (the archived keep theirs)", moved, 2*n)
		}
	})
}
