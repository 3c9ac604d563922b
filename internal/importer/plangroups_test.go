package importer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
)

// groupWorld is a school with stamklassen, lesgroepen and accounts made through ent.
type groupWorld struct {
	ctx     context.Context
	db      *store.DB
	school  *ent.School
	classes map[string]int // name -> id
}

func newGroupWorld(t *testing.T, db *store.DB, stamklassen, lesgroepen []string) *groupWorld {
	t.Helper()
	w := &groupWorld{ctx: sys, db: db, classes: map[string]int{}}
	w.school = newSchool(t, db.Client, "14GR")
	for _, n := range stamklassen {
		w.classes[n] = db.Client.Class.Create().SetSchoolID(w.school.ID).SetName(n).SetNameKey(strings.ToLower(n)).SaveX(w.ctx).ID
	}
	for _, n := range lesgroepen {
		w.classes[n] = db.Client.Class.Create().SetSchoolID(w.school.ID).SetName(n).SetNameKey(strings.ToLower(n)).SetKind(class.KindLESGROEP).SaveX(w.ctx).ID
	}
	return w
}

// pupil adds a pupil in a stamklas (in the year its name starts with) and its lesgroepen.
func (w *groupWorld) pupil(key, first, last, stamklas string, groups ...string) int {
	year := int(stamklas[strings.IndexAny(stamklas, "12345678")] - '0')
	a := w.db.Client.Account.Create().SetSchoolID(w.school.ID).SetExternalKey(key).SetFirstName(first).SetLastName(last).
		SetClassID(w.classes[stamklas]).SetYear(year).SaveX(w.ctx)
	for _, g := range groups {
		w.db.Client.Membership.Create().SetAccountID(a.ID).SetGroupID(w.classes[g]).SaveX(w.ctx)
	}
	return a.ID
}

// teacher adds a teacher (key "" for none) with teaching rows; a name ending in "*" is mentored.
func (w *groupWorld) teacher(key, first, last, email string, classes ...string) int {
	c := w.db.Client.Account.Create().SetSchoolID(w.school.ID).SetRole(account.RoleTEACHER).SetFirstName(first).SetLastName(last).SetEmail(email)
	if key != "" {
		c.SetExternalKey(key)
	}
	a := c.SaveX(w.ctx)
	for _, n := range classes {
		name, mentor := strings.CutSuffix(n, "*")
		w.db.Client.Teaching.Create().SetAccountID(a.ID).SetClassID(w.classes[name]).SetMentor(mentor).SaveX(w.ctx)
	}
	return a.ID
}

func (w *groupWorld) plan(t *testing.T, in importer.PlanInput, a importer.Actions) *importer.Plan {
	t.Helper()
	st, err := importer.LoadState(w.ctx, w.db.SQL, w.db.Dialect, w.school.ID)
	if err != nil {
		t.Fatalf("LoadState: %v", err)
	}
	return importer.MakePlan(in, st, a)
}

// userByKey is the planned user of a key.
func userByKey(t *testing.T, p *importer.Plan, key string) importer.PlannedUser {
	t.Helper()
	for _, u := range p.Users {
		if u.Key == key {
			return u
		}
	}
	t.Fatalf("no planned user %s", key)
	return importer.PlannedUser{}
}

// changeOf returns the change of a field, or ok=false.
func changeOf(u importer.PlannedUser, field string) (importer.Change, bool) {
	for _, c := range u.Changes {
		if c.Field == field {
			return c, true
		}
	}
	return importer.Change{}, false
}

const pupilGroupsFile = "Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n" +
	"1001;Noor;Bakker;h4a;\"h4a.ne1, h4a.en2, h4a.wiB1\"\n" + // unchanged
	"1002;Daan;Dijk;h4a;\"h4a.ne1; H4A.EN2; h4a\"\n" + // joins en2, leaves wiB1; own stamklas dropped
	"1003;Sanne;Visser;h4b;\"h4b.ne1,h4a.en2\"\n" + // joins en2
	"1004;Milan;Vries;h4b;\n" + // leaves h4b.ne1
	"1006;Finn;Mulder;h4a;\"h4a.ne1, h4a.bi3, H4B\"\n" + // joins ne1, a new group and a stamklas
	"1007;Eva;Kok;h4c;\"h4a.ne1, h4c.ak1\"\n" // new pupil in a new class, with a new group

// newPupilGroupsWorld is the school that pupilGroupsFile is imported into: stamklassen h4a and
// h4b, lesgroepen h4a.ne1, h4a.en2, h4a.wiB1 and h4b.ne1, and the pupils 1001 to 1006 (no 1005)
// in them; it returns the world and the pupils' account ids by key.
func newPupilGroupsWorld(t *testing.T, db *store.DB) (*groupWorld, map[string]int) {
	t.Helper()
	w := newGroupWorld(t, db, []string{"h4a", "h4b"}, []string{"h4a.ne1", "h4a.en2", "h4a.wiB1", "h4b.ne1"})
	return w, map[string]int{
		"1001": w.pupil("1001", "Noor", "Bakker", "h4a", "h4a.ne1", "h4a.en2", "h4a.wiB1"),
		"1002": w.pupil("1002", "Daan", "Dijk", "h4a", "h4a.ne1", "h4a.wiB1"),
		"1003": w.pupil("1003", "Sanne", "Visser", "h4b", "h4b.ne1"),
		"1004": w.pupil("1004", "Milan", "Vries", "h4b", "h4b.ne1"),
		"1006": w.pupil("1006", "Finn", "Mulder", "h4a"),
	}
}

// TestPlanPupilGroups plans lesgroepen of matched and new pupils: join, leave, unchanged, new
// group, a stamklas named as a group, own stamklas in the list; with and without update.
func TestPlanPupilGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w, _ := newPupilGroupsWorld(t, db)
		in := testimport.Input(t, []byte(pupilGroupsFile))
		p := w.plan(t, in, all)
		tests := []struct {
			key           string
			outcome       importer.Outcome
			before, after string // "-" for no groups change
			groups        string
		}{
			{"1001", importer.OutcomeUnchanged, "-", "-", "h4a.ne1|h4a.en2|h4a.wiB1"},
			{"1002", importer.OutcomeUpdated, "h4a.ne1, h4a.wiB1", "h4a.en2, h4a.ne1", "h4a.ne1|h4a.en2"},
			{"1003", importer.OutcomeUpdated, "h4b.ne1", "h4a.en2, h4b.ne1", "h4b.ne1|h4a.en2"},
			{"1004", importer.OutcomeUpdated, "h4b.ne1", "", ""},
			{"1006", importer.OutcomeUpdated, "", "h4a.bi3, h4a.ne1, h4b", "h4a.ne1|h4a.bi3|H4B"},
			{"1007", importer.OutcomeNew, "-", "-", "h4a.ne1|h4c.ak1"},
		}
		for _, tt := range tests {
			u := userByKey(t, p, tt.key)
			c, ok := changeOf(u, "groups")
			before, after := "-", "-"
			if ok {
				before, after = c.Before, c.After
			}
			if u.Outcome != tt.outcome || before != tt.before || after != tt.after || !u.GroupsSet || strings.Join(u.Groups, "|") != tt.groups {
				t.Errorf("%s: %s groups %q -> %q set %v %q, want %s %q -> %q %q", tt.key, u.Outcome, before, after, u.GroupsSet, u.Groups,
					tt.outcome, tt.before, tt.after, tt.groups)
			}
		}
		if p.Counts.GroupsJoined != 1+1+3+2 || p.Counts.GroupsLeft != 1+1 {
			t.Errorf("joined %d left %d, want 7 and 2", p.Counts.GroupsJoined, p.Counts.GroupsLeft)
		}
		if !slices.Equal(p.GroupsToCreate, []string{"h4a.bi3", "h4c.ak1"}) || !slices.Equal(p.ClassesToCreate, []string{"h4c"}) {
			t.Errorf("groups to create %q, classes %q", p.GroupsToCreate, p.ClassesToCreate)
		}

		// Without update: the changed pupils are skipped, their groups neither counted nor created.
		p = w.plan(t, in, importer.Actions{Add: true})
		if u := userByKey(t, p, "1006"); u.Outcome != importer.OutcomeSkipped {
			t.Errorf("1006 without update: %s", u.Outcome)
		}
		if p.Counts.GroupsJoined != 2 || p.Counts.GroupsLeft != 0 || !slices.Equal(p.GroupsToCreate, []string{"h4c.ak1"}) {
			t.Errorf("without update: joined %d left %d, groups %q", p.Counts.GroupsJoined, p.Counts.GroupsLeft, p.GroupsToCreate)
		}
	})
}

// TestPlanGroupsUnmapped: a file without a lesgroepen column, or with one empty in every row,
// leaves every pupil's groups alone and plans exactly as before.
func TestPlanGroupsUnmapped(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"1a"}, []string{"1a.ne"})
		w.pupil("3001", "Eva", "Kok", "1a", "1a.ne")
		w.pupil("3002", "Sem", "Meijer", "1a")
		without := w.plan(t, testimport.Input(t, []byte("Stamnr;Roepnaam;Achternaam;Klas\n3001;Eva;Kok;1a\n3002;Sem;Meijer;1a\n")), all)
		empty := w.plan(t, testimport.Input(t, testimport.Fixture(t, "lesgroepen/empty_groups.csv")), all)
		for name, p := range map[string]*importer.Plan{"without": without, "empty": empty} {
			if p.Counts.Unchanged != 2 || p.Counts.GroupsJoined != 0 || p.Counts.GroupsLeft != 0 || len(p.GroupsToCreate) != 0 {
				t.Errorf("%s: counts %+v, groups %q", name, p.Counts, p.GroupsToCreate)
			}
			for _, u := range p.Users {
				if u.GroupsSet || len(u.Changes) != 0 {
					t.Errorf("%s: %s groups set %v changes %v", name, u.Key, u.GroupsSet, u.Changes)
				}
			}
		}
		if without.Hash != empty.Hash {
			t.Error("an empty lesgroepen column changes the plan hash")
		}
	})
}

// TestPlanHashGroups: the hash changes when only the groups change, in the file or in Numo.
func TestPlanHashGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"1a"}, []string{"1a.ne", "1a.en"})
		id := w.pupil("3001", "Eva", "Kok", "1a", "1a.ne")
		file := func(groups string) importer.PlanInput {
			return testimport.Input(t, []byte("Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n3001;Eva;Kok;1a;\""+groups+"\"\n"))
		}
		base := w.plan(t, file("1a.ne"), all)
		if again := w.plan(t, file("1a.ne"), all); again.Hash != base.Hash {
			t.Fatal("the same plan hashes differently")
		}
		other := w.plan(t, file("1a.ne, 1a.en"), all)
		if other.Hash == base.Hash {
			t.Error("a file with other groups hashes the same")
		}
		newGroup := w.plan(t, file("1a.ne, 1a.xx"), all)
		if newGroup.Hash == base.Hash || newGroup.Hash == other.Hash {
			t.Error("a file with a new group hashes the same")
		}
		db.Client.Membership.Create().SetAccountID(id).SetGroupID(w.classes["1a.en"]).SaveX(w.ctx)
		if moved := w.plan(t, file("1a.ne"), all); moved.Hash == base.Hash {
			t.Error("a membership added in Numo leaves the hash the same")
		}
	})
}

// TestPlanTeachers plans the Magister teacher export against a school's teachers: update with
// group and mentor changes, a match by e-mail, a new teacher mentoring two new classes, a code
// that is a pupil's, and a teacher missing from the file archived behind the guard.
func TestPlanTeachers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"h4a", "h4b"}, []string{"h4a.ne1", "h4a.en2", "h4a.wiB1", "h4b.ne1"})
		w.teacher("JAN", "Pieter", "Jansen", "p.jansen@docent.example.nl", "h4a.ne1", "h4a*")
		pie := w.teacher("", "Anouk", "Pietersen", "a.pietersen@docent.example.nl", "h4b*")
		w.teacher("OLD", "Oud", "Docent", "oud@docent.example.nl", "h4a.en2")
		w.teacher("", "Zonder", "Code", "")
		w.pupil("LEE", "Lee", "Leerling", "h4a")
		in := testimport.Input(t, testimport.Fixture(t, "teachers/magister_docenten.csv"))
		if in.Kind != importer.KindTeachers {
			t.Fatalf("kind %s", in.Kind)
		}
		p := w.plan(t, in, all)
		if p.Kind != importer.KindTeachers {
			t.Errorf("plan kind %s", p.Kind)
		}
		tests := []struct {
			key      string
			outcome  importer.Outcome
			changes  string // field:before>after, joined by " / "
			groups   string
			mentorOf string
		}{
			{"JAN", importer.OutcomeUpdated, "teaches:h4a, h4a.ne1>h4a, h4a.ne1, h4b.ne1", "h4a.ne1|h4b.ne1|h4a", "h4a"},
			{"PIE", importer.OutcomeUpdated, "key:>PIE / teaches:h4b>h4a.en2, h4b, h4b.ne1", "h4a.en2|h4b.ne1|h4b", "h4b"},
			{"DEV", importer.OutcomeNew, "", "h4a.wiB1|h4c|h5c", "h4c|h5c"},
			{"LEE", importer.OutcomeRefused, "", "", ""},
			{"OLD", importer.OutcomeArchived, "status:actief>gearchiveerd", "", ""},
			{"", importer.OutcomeArchived, "status:actief>gearchiveerd", "", ""}, // the keyless teacher without e-mail
		}
		for _, tt := range tests {
			u := userByKey(t, p, tt.key)
			var ch []string
			for _, c := range u.Changes {
				ch = append(ch, c.Field+":"+c.Before+">"+c.After)
			}
			if u.Outcome != tt.outcome || strings.Join(ch, " / ") != tt.changes || strings.Join(u.Groups, "|") != tt.groups || strings.Join(u.MentorOf, "|") != tt.mentorOf {
				t.Errorf("%s: %s %q groups %q mentor %q, want %s %q %q %q", tt.key, u.Outcome, ch, u.Groups, u.MentorOf, tt.outcome, tt.changes, tt.groups, tt.mentorOf)
			}
		}
		if u := userByKey(t, p, "PIE"); u.AccountID != pie || !u.GroupsSet || !u.MentorSet {
			t.Errorf("PIE: account %d (want %d), set %v %v", u.AccountID, pie, u.GroupsSet, u.MentorSet)
		}
		if got := codeLines(p.Warnings); !slices.Equal(got, []codeLine{{3, importer.CodeMatchedByEmail}}) {
			t.Errorf("warnings %v", got)
		}
		if got := codeLines(p.Refused); !slices.Equal(got, []codeLine{{5, importer.CodeNotATeacher}}) || !strings.Contains(p.Refused[0].NL, "leerling") {
			t.Errorf("refused %+v", p.Refused)
		}
		if !slices.Equal(p.ClassesToCreate, []string{"h4c", "h5c"}) || len(p.GroupsToCreate) != 0 {
			t.Errorf("classes %q groups %q", p.ClassesToCreate, p.GroupsToCreate)
		}
		// JAN +h4b.ne1; PIE +h4a.en2 +h4b.ne1; DEV three new rows.
		if p.Counts.GroupsJoined != 1+2+3 || p.Counts.GroupsLeft != 0 {
			t.Errorf("joined %d left %d", p.Counts.GroupsJoined, p.Counts.GroupsLeft)
		}
		// Active teachers: JAN, PIE, OLD and the keyless one; two to archive is 50 % > 10 %.
		if g := p.Guard; g.ToArchive != 2 || g.ActivePupils != 4 || !g.ConfirmationRequired {
			t.Errorf("guard %+v", g)
		}
		if c := p.Counts; c.Added != 1 || c.Updated != 2 || c.Archived != 2 || c.Refused != 1 {
			t.Errorf("counts %+v", c)
		}
	})
}

// TestPlanTeacherColumns: a teacher file with only one of the two list columns keeps what the
// other would say, and a file without either leaves teaching rows alone.
func TestPlanTeacherColumns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"h4a", "h4b"}, []string{"h4a.ne1", "h4b.ne1"})
		w.teacher("JAN", "Pieter", "Jansen", "p.jansen@docent.example.nl", "h4a.ne1", "h4a*")
		tests := []struct {
			name     string
			file     string
			outcome  importer.Outcome
			changes  string
			groups   string
			mentorOf string
			set      [2]bool
		}{
			{"teaches only", "Code;Roepnaam;Achternaam;Lesgroepen\nJAN;Pieter;Jansen;h4b.ne1\n", importer.OutcomeUpdated,
				"teaches:h4a, h4a.ne1>h4a, h4b.ne1", "h4b.ne1|h4a", "", [2]bool{true, false}},
			{"mentor only", "Code;Roepnaam;Achternaam;Mentorklas\nJAN;Pieter;Jansen;h4b\n", importer.OutcomeUpdated,
				"teaches:h4a, h4a.ne1>h4a, h4a.ne1, h4b / mentorOf:h4a>h4b", "h4a|h4a.ne1|h4b", "h4b", [2]bool{true, true}},
			{"same mentor", "Code;Roepnaam;Achternaam;Mentorklas\nJAN;Pieter;Jansen;H4A\n", importer.OutcomeUnchanged,
				"", "h4a|h4a.ne1", "H4A", [2]bool{true, true}},
			{"neither", "Code;Roepnaam;Achternaam\nJAN;Pieter;Jansen\n", importer.OutcomeUnchanged, "", "", "", [2]bool{false, false}},
			{"no longer mentor", "Code;Roepnaam;Achternaam;Lesgroepen;Mentorklas\nJAN;Pieter;Jansen;\"h4a.ne1, h4a\";\nPIE;Anouk;Pietersen;;h4b\n", importer.OutcomeUpdated,
				"mentorOf:h4a>", "h4a.ne1|h4a", "", [2]bool{true, true}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := userByKey(t, w.plan(t, testimport.Input(t, []byte(tt.file)), all), "JAN")
				var ch []string
				for _, c := range u.Changes {
					ch = append(ch, c.Field+":"+c.Before+">"+c.After)
				}
				if u.Outcome != tt.outcome || strings.Join(ch, " / ") != tt.changes || strings.Join(u.Groups, "|") != tt.groups ||
					strings.Join(u.MentorOf, "|") != tt.mentorOf || [2]bool{u.GroupsSet, u.MentorSet} != tt.set {
					t.Errorf("%s %q groups %q mentor %q set %v %v", u.Outcome, ch, u.Groups, u.MentorOf, u.GroupsSet, u.MentorSet)
				}
			})
		}
	})
}

// TestPrepareForTeachers reads the Somtoday teacher export through PrepareFor (kind from the
// headers) and plans it for a school without teachers: two new teachers, the mentor class a
// stamklas to create, the taught groups lesgroepen to create.
func TestPrepareForTeachers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db.Client, "14PF")
		prep, err := importer.PrepareFor(testimport.Fixture(t, "teachers/somtoday_medewerkers.csv"), "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := importer.PlanFor(sys, db, s.ID, prep, all)
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind != importer.KindTeachers || p.Counts.Added != 2 || p.Counts.GroupsJoined != 4 {
			t.Errorf("kind %s counts %+v", p.Kind, p.Counts)
		}
		if !slices.Equal(p.ClassesToCreate, []string{"v5a"}) || !slices.Equal(p.GroupsToCreate, []string{"v5.entl2", "v5.netl1"}) {
			t.Errorf("classes %q groups %q", p.ClassesToCreate, p.GroupsToCreate)
		}
		if u := userByKey(t, p, "BRG"); u.Infix != "van den" || strings.Join(u.Groups, "|") != "v5.netl1|v5.entl2|v5a" || !u.MentorSet {
			t.Errorf("BRG %+v", u)
		}
		// Read as pupils, the same file lacks the class.
		var me *importer.MappingError
		if _, err := importer.PrepareFor(testimport.Fixture(t, "teachers/somtoday_medewerkers.csv"), importer.KindPupils, nil, nil); !errors.As(err, &me) {
			t.Errorf("as pupils: %v", err)
		}
	})
}

// TestPlanClassIsGroup: a pupil row whose stamklas is the name of a lesgroep is refused, new pupil
// or existing, so that class_id never points at a lesgroep.
func TestPlanClassIsGroup(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"1a"}, []string{"1a.ne"})
		w.pupil("3001", "Eva", "Kok", "1a")
		p := w.plan(t, testimport.Input(t, []byte("Stamnr;Roepnaam;Achternaam;Klas\n3001;Eva;Kok;1A.NE\n3002;Sem;Meijer;1a.ne\n3003;Lot;Smit;1a\n")), all)
		if p.Counts.Refused != 2 || p.Counts.Added != 1 || p.Counts.Updated != 0 {
			t.Fatalf("counts %+v", p.Counts)
		}
		for _, u := range p.Users {
			if u.Outcome != importer.OutcomeRefused {
				continue
			}
			if len(u.Reasons) != 1 || u.Reasons[0].Code != "class_is_lesgroep" || u.Reasons[0].Field != importer.FieldClass {
				t.Errorf("line %d: reasons %+v", u.Line, u.Reasons)
			}
		}
		if len(p.ClassesToCreate) != 0 {
			t.Errorf("classes to create %q", p.ClassesToCreate)
		}
	})
}

// TestPlanTeachersWithoutCode: a teacher row without a code stands for a teacher Numo has
// without one (made by hand in Beheer), found by e-mail: unchanged or updated, never given a
// code; without such a teacher it is refused as a new teacher without a code (no_teacher_code);
// without an e-mail address it is refused for the missing code as before; two rows without a
// code are no duplicate of each other.
func TestPlanTeachersWithoutCode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newGroupWorld(t, db, []string{"h4a"}, []string{"h4a.ne1"})
		hand := w.teacher("", "Marieke", "Leeuwen", "m.leeuwen@docent.example.nl", "h4a.ne1")
		moved := w.teacher("", "Kees", "Kok", "k.kok@docent.example.nl", "h4a.ne1")
		in := testimport.Input(t, []byte("Code;Roepnaam;Achternaam;E-mail;Lesgroepen\n"+
			";Marieke;Leeuwen;m.leeuwen@docent.example.nl;h4a.ne1\n"+ // the same teacher: unchanged
			";Kees;Kok;K.Kok@docent.example.nl;h4a\n"+ // found by e-mail (any case), teaches another group
			";Nieuw;Zonder;nieuw@docent.example.nl;h4a\n"+ // nobody without a code has this address
			";Geen;Adres;;h4a\n")) // no code, no e-mail
		if got := codeLines(in.Result.Refused); !slices.Equal(got, []codeLine{{5, importer.CodeMissingValue}}) {
			t.Fatalf("rows refused %v, want line 5 for its missing code", got)
		}
		p := w.plan(t, in, all)
		byLine := map[int]importer.PlannedUser{}
		for _, u := range p.Users {
			byLine[u.Line] = u
		}
		for _, tt := range []struct {
			line    int
			outcome importer.Outcome
			account int
			changes string
		}{
			{2, importer.OutcomeUnchanged, hand, ""},
			{3, importer.OutcomeUpdated, moved, "email,teaches"}, // the address as the file writes it
			{4, importer.OutcomeRefused, 0, ""},
		} {
			u := byLine[tt.line]
			var fields []string
			for _, c := range u.Changes {
				fields = append(fields, c.Field)
			}
			if u.Outcome != tt.outcome || u.AccountID != tt.account || strings.Join(fields, ",") != tt.changes || u.Key != "" {
				t.Errorf("line %d: %s account %d changes %v key %q, want %s %d %q", tt.line, u.Outcome, u.AccountID, fields, u.Key, tt.outcome, tt.account, tt.changes)
			}
		}
		if got := codeLines(p.Refused); !slices.Equal(got, []codeLine{{5, importer.CodeMissingValue}, {4, importer.CodeNoTeacherCode}}) ||
			!strings.Contains(p.Refused[1].NL, "nieuw@docent.example.nl") {
			t.Errorf("refused %+v", p.Refused)
		}
		if len(p.Warnings) != 0 {
			t.Errorf("warnings %+v", p.Warnings)
		}
	})
}
