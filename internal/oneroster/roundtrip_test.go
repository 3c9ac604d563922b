package oneroster_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/rosterset"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestRoundTrip is issue 15's "done when" for the export: school A, made by importing a pupil
// and a teacher file, is exported; the export, read by internal/rosterset and imported (add,
// update, archive) into an empty school B, gives B the same pupils, teachers, stamklassen,
// lesgroepen, memberships and teaching assignments (mentors included), field by field; and
// imported into A again it plans no change at all.
func TestRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := db.Client.School.Create().SetName("School A").SetBrin("99OR").SaveX(sys)
		importFile(t, db, a.ID, fixture(t, "leerlingen.csv"), importer.KindPupils, true, nil)
		importFile(t, db, a.ID, fixture(t, "docenten.csv"), importer.KindTeachers, true, nil)
		subjects := map[string]string{"1a.en1": "Engels", "2b.wi1": "wiskunde B"}
		for name, subject := range subjects {
			db.Client.Class.Update().Where(class.SchoolID(a.ID), class.Name(name)).SetSubject(subject).ExecX(sys)
		}
		want := snapshot(t, db.Client, a.ID)
		if len(want.accounts) != 10 || len(want.classes) != 6 {
			t.Fatalf("school A: %d accounts, %d classes", len(want.accounts), len(want.classes))
		}
		for _, part := range []string{"teaches=[1A (mentor) 1a.en1]", "teaches=[4V (mentor)]", "teaches=[1-2.lo1 2B 2b.wi1]",
			`"Isa" "d’" "Ancona"`, "groups=[1-2.lo1 1a.en1]", `eck="https://ketenid.nl/201703/abc123"`, "class 2b.wi1: LESGROEP"} {
			if !strings.Contains(want.String(), part) {
				t.Fatalf("school A lacks %s:\n%s", part, want)
			}
		}

		zip, sum := export(t, db, a.ID, oneroster.Options{})
		if sum.Pupils != 7 || sum.Teachers != 3 {
			t.Fatalf("export %+v", sum)
		}
		checkConformance(t, unzip(t, zip))
		set, err := rosterset.Open([]rosterset.Input{{Name: oneroster.FileName("99OR", exportTime), Data: zip}}, "99OR")
		if err != nil {
			t.Fatalf("rosterset.Open: %v", err)
		}
		if set.Format != rosterset.FormatOneRoster12 || len(set.Skipped) != 0 {
			t.Fatalf("set %s, skipped %+v", set.Format, set.Skipped)
		}
		// The set carries the lesgroepen's subjects (and no subject for the lesgroep without
		// one, although Numo's export puts it in the course "Lesgroepen zonder vak").
		if !maps.Equal(set.Subjects, subjects) {
			t.Errorf("subjects read back as %v, want %v", set.Subjects, subjects)
		}

		b := db.Client.School.Create().SetName("School B").SetBrin("98OR").SaveX(sys)
		importFile(t, db, b.ID, set.Pupils, importer.KindPupils, true, set.Subjects)
		importFile(t, db, b.ID, set.Teachers, importer.KindTeachers, true, set.Subjects)
		if got := snapshot(t, db.Client, b.ID); !got.equal(want) {
			t.Errorf("school B after importing A's export:\n%s\nwant (school A):\n%s", got, want)
		}

		for _, f := range []struct {
			data []byte
			kind importer.Kind
		}{{set.Pupils, importer.KindPupils}, {set.Teachers, importer.KindTeachers}} {
			plan := importFile(t, db, a.ID, f.data, f.kind, false, set.Subjects)
			n := strings.Count(string(f.data), "\n") - 1
			if plan.Counts != (importer.Counts{Unchanged: n}) || len(plan.ClassesToCreate)+len(plan.GroupsToCreate) > 0 || len(plan.Warnings) > 0 {
				t.Errorf("%s import of A's own export into A: counts %+v, classes %v, groups %v, warnings %+v, want %d unchanged and nothing else",
					f.kind, plan.Counts, plan.ClassesToCreate, plan.GroupsToCreate, plan.Warnings, n)
			}
		}
		if got := snapshot(t, db.Client, a.ID); !got.equal(want) {
			t.Errorf("school A changed:\n%s", got)
		}
	})
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "oneroster", "roundtrip", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// importFile plans a canonical pupil or teacher file against the school with add, update and
// archive, refuses nothing, and applies it when apply is set (confirming the guards); the
// lesgroepen it creates get their subjects (a set's, as a set's import job gives them).
func importFile(t *testing.T, db *store.DB, schoolID int, data []byte, kind importer.Kind, apply bool, subjects map[string]string) *importer.Plan {
	t.Helper()
	actions := importer.Actions{Add: true, Update: true, Archive: true}
	p, err := importer.PrepareFor(data, kind, nil, nil)
	if err != nil {
		t.Fatalf("prepare %s:\n%s\n%v", kind, data, err)
	}
	p.Input.GroupSubjects = subjects
	plan, err := importer.PlanFor(sys, db, schoolID, p, actions)
	if err != nil {
		t.Fatalf("plan %s: %v", kind, err)
	}
	if len(plan.Refused) > 0 || plan.Counts.Refused > 0 {
		t.Fatalf("plan %s refuses rows: %+v\n%s", kind, plan.Refused, data)
	}
	if apply {
		_, err := importer.Apply(sys, db, p.Input, schoolID, actions,
			importer.ApplyOptions{ConfirmArchive: plan.Guard.ToArchive, ConfirmYearDown: plan.YearGuard.YearDown, Now: exportTime})
		if err != nil {
			t.Fatalf("apply %s: %v", kind, err)
		}
	}
	return plan
}

// school is what a round trip must keep of a school, by the keys a school's people use:
// accounts by pupil number or teacher code, classes by name.
type school struct {
	accounts map[string]string
	classes  map[string]string
}

func (s school) equal(o school) bool {
	return maps.Equal(s.accounts, o.accounts) && maps.Equal(s.classes, o.classes)
}

func (s school) String() string {
	var b strings.Builder
	for _, m := range []map[string]string{s.classes, s.accounts} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, "  %s: %s\n", k, m[k])
		}
	}
	return b.String()
}

// snapshot reads the school's classes and its pupils and teachers (not its admins), with
// every field an import writes, their stamklas, lesgroepen and teaching assignments.
func snapshot(t *testing.T, c *ent.Client, schoolID int) school {
	t.Helper()
	s := school{accounts: map[string]string{}, classes: map[string]string{}}
	for _, cl := range c.Class.Query().Where(class.SchoolID(schoolID)).AllX(sys) {
		s.classes["class "+cl.Name] = fmt.Sprintf("%s year=%v level=%q subject=%q", cl.Kind, deref(cl.Year), cl.Level, cl.Subject)
	}
	accounts := c.Account.Query().Where(account.SchoolID(schoolID), account.RoleNEQ(account.RoleADMIN)).
		WithClass().WithGroups().WithTeachings(func(q *ent.TeachingQuery) { q.WithClass() }).AllX(sys)
	for _, a := range accounts {
		stamklas := ""
		if a.Edges.Class != nil {
			stamklas = a.Edges.Class.Name
		}
		var groups, teaches []string
		for _, g := range a.Edges.Groups {
			groups = append(groups, g.Name)
		}
		for _, tg := range a.Edges.Teachings {
			name := tg.Edges.Class.Name
			if tg.Mentor {
				name += " (mentor)"
			}
			teaches = append(teaches, name)
		}
		slices.Sort(groups)
		slices.Sort(teaches)
		s.accounts[fmt.Sprintf("%s %v", a.Role, deref(a.ExternalKey))] = fmt.Sprintf("%q %q %q email=%q user=%q eck=%q level=%q year=%v %s stamklas=%q groups=%v teaches=%v",
			a.FirstName, a.Infix, a.LastName, a.Email, a.Username, a.EckID, a.Level, deref(a.Year), a.Status, stamklas, groups, teaches)
	}
	return s
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestRoundTripKeylessTeacher: a teacher made by hand in Beheer has no teacher code. The export
// leaves her identifier empty and the reader keeps it so (no sourcedId as a code): imported
// into her own school again, the teacher file finds her by e-mail and changes nothing; into
// another school, where she cannot be found, her row is refused as a new teacher without a
// code, with a message that says what to do.
func TestRoundTripKeylessTeacher(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := db.Client.School.Create().SetName("School A").SetBrin("97OR").SaveX(sys)
		importFile(t, db, a.ID, fixture(t, "leerlingen.csv"), importer.KindPupils, true, nil)
		importFile(t, db, a.ID, fixture(t, "docenten.csv"), importer.KindTeachers, true, nil)
		hand := db.Client.Account.Create().SetSchoolID(a.ID).SetRole(account.RoleTEACHER).SetFirstName("Marieke").SetInfix("van").
			SetLastName("Leeuwen").SetEmail("m.vanleeuwen@school.example.nl").SetUsername("mleeuwen").SaveX(sys)
		en1 := db.Client.Class.Query().Where(class.SchoolID(a.ID), class.Name("1a.en1")).OnlyX(sys)
		db.Client.Teaching.Create().SetAccountID(hand.ID).SetClassID(en1.ID).ExecX(sys)
		want := snapshot(t, db.Client, a.ID)

		zip, _ := export(t, db, a.ID, oneroster.Options{})
		set, err := rosterset.Open([]rosterset.Input{{Name: "export.zip", Data: zip}}, "97OR")
		if err != nil {
			t.Fatalf("rosterset.Open: %v", err)
		}
		if !strings.Contains(string(set.Teachers), "\n;Marieke;van;Leeuwen;m.vanleeuwen@school.example.nl;") {
			t.Fatalf("the teacher without a code is not in the set without one:\n%s", set.Teachers)
		}
		n := strings.Count(string(set.Teachers), "\n") - 1
		if plan := importFile(t, db, a.ID, set.Teachers, importer.KindTeachers, false, set.Subjects); plan.Counts != (importer.Counts{Unchanged: n}) || len(plan.Warnings) > 0 {
			t.Errorf("teachers into their own school: %+v, warnings %+v; want %d unchanged", plan.Counts, plan.Warnings, n)
		}
		if got := snapshot(t, db.Client, a.ID); !got.equal(want) {
			t.Errorf("school A changed:\n%s", got)
		}

		b := db.Client.School.Create().SetName("School B").SetBrin("96OR").SaveX(sys)
		importFile(t, db, b.ID, set.Pupils, importer.KindPupils, true, set.Subjects)
		p, err := importer.PrepareFor(set.Teachers, importer.KindTeachers, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := importer.PlanFor(sys, db, b.ID, p, importer.Actions{Add: true, Update: true})
		if err != nil {
			t.Fatal(err)
		}
		if plan.Counts.Refused != 1 || plan.Counts.Added != n-1 {
			t.Fatalf("teachers into another school: %+v", plan.Counts)
		}
		for _, u := range plan.Users {
			if u.Outcome == importer.OutcomeRefused && (len(u.Reasons) != 1 || u.Reasons[0].Code != importer.CodeNoTeacherCode ||
				!strings.Contains(u.Reasons[0].NL, "m.vanleeuwen@school.example.nl")) {
				t.Errorf("refused %s: %+v", u.LastName, u.Reasons)
			}
		}
	})
}
