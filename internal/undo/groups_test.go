package undo_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
	"github.com/numo/accounts/internal/undo"
)

// groupSets is every account's memberships and teachings in the school, "key: class, class*"
// (a mentor's class marked *), by key (e-mail for an account without one).
func groupSets(t *testing.T, db *store.DB, schoolID int) map[string]string {
	t.Helper()
	return testimport.LinkSets(t, db, schoolID, false, store.Memberships, store.Teachings)
}

const (
	undoPupils = "Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n" +
		"1001;Noor;Bakker;h4a;\"h4a.ne1, h4a.en2\"\n" + // unchanged
		"1002;Daan;Dijk;h4a;\"h4a.ne1, h4a.bi3\"\n" + // leaves wiB1, joins a new group
		"1003;Sanne;Visser;h4b;\n" + // leaves h4b.ne1
		"1007;Eva;Kok;h4c;\"h4a.ne1, h4c.ak1\"\n" // new, in a new class and a new group
	undoTeachers = "Code;Roepnaam;Tussenv;Achternaam;E-mail;Lesgroepen;Mentorklas\n" +
		"JAN;Pieter;;Jansen;p.jansen@docent.example.nl;\"h4a.ne1, h4b.ne1\";h4b\n" + // leaves h4a.en2, mentor moves
		"PIE;Anouk;;Pietersen;a.pietersen@docent.example.nl;h4a.bi3;\n" + // keyless, matched by e-mail
		"DEV;Koen;de;Vos;k.devos@docent.example.nl;h4a.wiB1;h5c\n" + // new, mentor of a new class
		"KEE;Kees;;Kok;k.kok@docent.example.nl;h4a;h4a\n" // teaches h4a already, now also its mentor
	laterPupils = "Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n" +
		"1001;Noor;Bakker;h4a;\"h4a.ne1, h4a.en2\"\n" +
		"1002;Daan;Dijk;h4a;h4a.en2\n" +
		"1003;Sanne;Visser;h4b;\n" +
		"1007;Eva;Kok;h4c;\"h4a.ne1, h4c.ak1\"\n"
)

// TestUndoGroups imports pupils' lesgroepen and a teacher file, then undoes both, newest first:
// every membership and teaching assignment (with mentor flags) is exactly as before each import,
// the keyless teacher loses the code the import gave it, the groups and classes the imports
// created are removed once empty, and the previews count the links truthfully. A later import
// of one pupil's groups is a conflict that the undo leaves alone.
func TestUndoGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "14UG")
		id := map[string]int{}
		for _, n := range []string{"h4a", "h4b"} {
			id[n] = db.Client.Class.Create().SetSchoolID(s.ID).SetName(n).SetNameKey(n).SaveX(sys).ID
		}
		for _, n := range []string{"h4a.ne1", "h4a.en2", "h4a.wiB1", "h4b.ne1"} {
			id[n] = db.Client.Class.Create().SetSchoolID(s.ID).SetName(n).SetNameKey(strings.ToLower(n)).SetKind(class.KindLESGROEP).SaveX(sys).ID
		}
		pupil := func(key, stamklas string, groups ...string) {
			a := db.Client.Account.Create().SetSchoolID(s.ID).SetExternalKey(key).SetFirstName("P" + key).SetLastName("X").SetClassID(id[stamklas]).SetYear(4).SaveX(sys)
			for _, g := range groups {
				db.Client.Membership.Create().SetAccountID(a.ID).SetGroupID(id[g]).SaveX(sys)
			}
		}
		pupil("1001", "h4a", "h4a.ne1", "h4a.en2")
		pupil("1002", "h4a", "h4a.ne1", "h4a.wiB1")
		pupil("1003", "h4b", "h4b.ne1")
		jan := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetExternalKey("JAN").SetFirstName("Pieter").SetLastName("Jansen").
			SetEmail("p.jansen@docent.example.nl").SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(jan.ID).SetClassID(id["h4a.ne1"]).SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(jan.ID).SetClassID(id["h4a.en2"]).SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(jan.ID).SetClassID(id["h4a"]).SetMentor(true).SaveX(sys)
		pie := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Anouk").SetLastName("Pietersen").
			SetEmail("a.pietersen@docent.example.nl").SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(pie.ID).SetClassID(id["h4b.ne1"]).SaveX(sys)
		kee := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetExternalKey("KEE").SetFirstName("Kees").SetLastName("Kok").
			SetEmail("k.kok@docent.example.nl").SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(kee.ID).SetClassID(id["h4a"]).SaveX(sys)

		// The accounts exist before the first import: an import that changes only an account's
		// groups leaves its row (and updated_at) as it is, so a fixture dated today would look
		// changed after the imports of day1 and day2.
		db.Client.Account.Update().Where(account.SchoolID(s.ID)).SetUpdatedAt(day1.AddDate(0, 0, -1)).ExecX(sys)
		// The stamklassen's facts follow their pupils already, as after any import (only they have facts).
		if _, err := store.RefreshClassFacts(sys, db.SQL, db.Dialect, s.ID, day1); err != nil {
			t.Fatal(err)
		}
		sets0, classes0 := groupSets(t, db, s.ID), classes(t, db, s.ID)
		jobA := importAt(t, db, s.ID, "leerlingen.csv", []byte(undoPupils), all, day1)
		sets1, classes1 := groupSets(t, db, s.ID), classes(t, db, s.ID)
		jobB := importAt(t, db, s.ID, "docenten.csv", []byte(undoTeachers), all, day2)
		if got := groupSets(t, db, s.ID); got["JAN"] != "h4a.ne1, h4b*, h4b.ne1" || got["PIE"] != "h4a.bi3" || got["DEV"] != "h4a.wiB1, h5c*" || got["KEE"] != "h4a*" {
			t.Fatalf("after the teacher import: %v", got)
		}

		checkUndo(t, db, s, jobB, false, 1+1+1, 2+1+2, []string{"h5c"})
		if got := groupSets(t, db, s.ID); !reflect.DeepEqual(got, sets1) {
			t.Fatalf("after undoing the teacher import\n got %v\nwant %v", got, sets1)
		}
		if d := diff(classes1, classes(t, db, s.ID)); d != "" {
			t.Fatalf("classes after undoing the teacher import:\n%s", d)
		}
		if a := db.Client.Account.GetX(sys, pie.ID); a.ExternalKey != nil {
			t.Fatalf("the keyless teacher kept code %q", *a.ExternalKey)
		}

		// 1002 +wiB1 -bi3, 1003 +h4b.ne1; 1007 deleted with its two groups.
		checkUndo(t, db, s, jobA, false, 2, 1+2, []string{"h4a.bi3", "h4c", "h4c.ak1"})
		if got := groupSets(t, db, s.ID); !reflect.DeepEqual(got, sets0) {
			t.Fatalf("after undoing the pupil import\n got %v\nwant %v", got, sets0)
		}
		if d := diff(classes0, classes(t, db, s.ID)); d != "" {
			t.Fatalf("classes after undoing the pupil import:\n%s", d)
		}

		// Again, now with a later import of 1002's groups: a conflict the undo leaves alone.
		jobA = importAt(t, db, s.ID, "leerlingen.csv", []byte(undoPupils), all, day2)
		importAt(t, db, s.ID, "later.csv", []byte(laterPupils), all, day3)
		later := groupSets(t, db, s.ID)
		p := checkUndo(t, db, s, jobA, true, 1, 2, []string{"h4a.bi3", "h4c", "h4c.ak1"}) // the later import took 1002 out of bi3
		if len(p.Conflicts) != 1 || p.Conflicts[0].Key != "1002" {
			t.Fatalf("conflicts %+v", p.Conflicts)
		}
		want := maps.Clone(sets0)
		want["1002"] = later["1002"]
		if got := groupSets(t, db, s.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("after undoing with a conflict\n got %v\nwant %v", got, want)
		}
	})
}

// checkUndo previews and undoes a job and checks the links and classes both report.
func checkUndo(t *testing.T, db *store.DB, s *school, job *ent.ImportJob, skip bool, joined, left int, removed []string) *undo.Plan {
	t.Helper()
	p, err := undo.Preview(s.Ctx, db, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(p.GroupsJoined, p.GroupsLeft, p.RemoveClasses); got != fmt.Sprint(joined, left, removed) {
		t.Errorf("preview of undoing %s: joined, left, removed classes %s; want %v %v %v", job.FileName, got, joined, left, removed)
	}
	res, err := undo.Undo(s.Ctx, db, job.ID, undo.Options{SkipConflicts: skip})
	if err != nil {
		t.Fatalf("undo %s: %v", job.FileName, err)
	}
	if r := res.Plan; r.GroupsJoined != p.GroupsJoined || r.GroupsLeft != p.GroupsLeft || !slices.Equal(r.RemoveClasses, p.RemoveClasses) {
		t.Errorf("undo of %s did %+v, previewed %+v", job.FileName, r, p)
	}
	return res.Plan
}
