package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/internal/testdb"
)

// Issue 14 through the real HTTP API on both databases: a pupil export with lesgroepen, a
// teacher export, and setMapping(kind:), each through upload -> preview -> commit -> progress
// -> report -> undo. Fixtures: testdata/lesgroepen/api-*.csv and testdata/teachers/api-*.csv.

const kindUploadMutation = `mutation($school: ID!, $file: Upload!) { upload(schoolId: $school, file: $file) {
  id status fileKind
  columns { header field confidence }
  fields { name label required }
  mappingProblems { code }
} }`

type kindJob struct {
	ID, Status, FileKind string
	Columns              []struct {
		Header     string
		Field      *string
		Confidence float64
	}
	Fields []struct {
		Name, Label string
		Required    bool
	}
	MappingProblems []struct{ Code string }
}

// fieldOf is the field each column header is mapped to.
func (j kindJob) fieldOf() map[string]string {
	out := map[string]string{}
	for _, c := range j.Columns {
		if c.Field != nil {
			out[c.Header] = *c.Field
		}
	}
	return out
}

func (j kindJob) fieldNames() []string {
	var out []string
	for _, f := range j.Fields {
		out = append(out, f.Name)
	}
	return out
}

func (a *api) uploadKind(schoolID int, name string) kindJob {
	a.t.Helper()
	var r struct{ Upload kindJob }
	if err := a.c.Post(kindUploadMutation, &r, client.Var("school", schoolID), client.Var("file", fixture(a.t, name)), client.WithFiles()); err != nil {
		a.t.Fatalf("upload %s: %v", name, err)
	}
	return r.Upload
}

const groupPreviewMutation = `mutation($job: ID!, $actions: [ImportAction!]!) { preview(jobId: $job, actions: $actions) {
  counts { added updated archived unchanged refused groupsJoined groupsLeft }
  classesToCreate groupsToCreate
  archiveGuard { confirmationRequired toArchive activePupils }
  refused { code }
  users(limit: 100) { total items { outcome key groups mentorOf changes { field before after } } }
} }`

type groupUser struct {
	Outcome, Key     string
	Groups, MentorOf []string
	Changes          []struct{ Field, Before, After string }
}

type groupPreview struct {
	Counts                          struct{ Added, Updated, Archived, Unchanged, Refused, GroupsJoined, GroupsLeft int }
	ClassesToCreate, GroupsToCreate []string
	ArchiveGuard                    struct {
		ConfirmationRequired    bool
		ToArchive, ActivePupils int
	}
	Refused []struct{ Code string }
	Users   struct {
		Total int
		Items []groupUser
	}
}

// user is the previewed user with key.
func (p groupPreview) user(t *testing.T, key string) groupUser {
	t.Helper()
	for _, u := range p.Users.Items {
		if u.Key == key {
			return u
		}
	}
	t.Fatalf("no user %s in the preview", key)
	return groupUser{}
}

// change is the user's change of field as "before → after", "" when it does not change.
func (u groupUser) change(field string) string {
	for _, c := range u.Changes {
		if c.Field == field {
			return c.Before + " → " + c.After
		}
	}
	return ""
}

func (a *api) groupPreview(job string, actions ...string) groupPreview {
	a.t.Helper()
	var r struct{ Preview groupPreview }
	if err := a.c.Post(groupPreviewMutation, &r, client.Var("job", job), client.Var("actions", actions)); err != nil {
		a.t.Fatalf("preview: %v", err)
	}
	return r.Preview
}

// commitGroups commits job (confirming confirm archives when not nil) and follows it to
// COMMITTED; it returns the final report's group counts and created groups.
func (a *api) commitGroups(job string, confirm *int) (joined, left int, created []string) {
	a.t.Helper()
	var r struct {
		Commit struct{ Status string }
	}
	opts := []client.Option{client.Var("job", job)}
	if confirm != nil {
		opts = append(opts, client.Var("confirm", *confirm))
	}
	if err := a.c.Post(`mutation($job: ID!, $confirm: Int) { commit(jobId: $job, confirmArchive: $confirm) { status } }`, &r, opts...); err != nil {
		a.t.Fatalf("commit %s: %v", job, err)
	}
	sub := a.c.Websocket(`subscription($job: ID!) { importProgress(jobId: $job) { status final error
	  report { counts { groupsJoined groupsLeft } groupsCreated } } }`, client.Var("job", job))
	defer sub.Close()
	for {
		var ev struct {
			ImportProgress struct {
				Status string
				Final  bool
				Error  *string
				Report *struct {
					Counts        struct{ GroupsJoined, GroupsLeft int }
					GroupsCreated []string
				}
			}
		}
		if err := sub.Next(&ev); err != nil {
			a.t.Fatalf("progress of %s: %v", job, err)
		}
		p := ev.ImportProgress
		if !p.Final {
			continue
		}
		if p.Status != "COMMITTED" || p.Report == nil {
			a.t.Fatalf("job %s ended %s: %v", job, p.Status, p.Error)
		}
		return p.Report.Counts.GroupsJoined, p.Report.Counts.GroupsLeft, p.Report.GroupsCreated
	}
}

// undo undoes a committed import and checks that the UNDO job is committed and holds the same
// kind of file (pupils or teachers) as the job it undid.
func (a *api) undo(job string) {
	a.t.Helper()
	var was struct{ Node struct{ FileKind string } }
	if err := a.c.Post(`query($job: ID!) { node(id: $job) { ... on ImportJob { fileKind } } }`, &was, client.Var("job", job)); err != nil {
		a.t.Fatalf("read %s: %v", job, err)
	}
	type links struct{ GroupsJoined, GroupsLeft int }
	var pre struct{ UndoPreview links }
	if err := a.c.Post(`query($job: ID!) { undoPreview(jobId: $job) { groupsJoined groupsLeft } }`, &pre, client.Var("job", job)); err != nil {
		a.t.Fatalf("undo preview %s: %v", job, err)
	}
	var r struct {
		UndoImport struct {
			Kind, Status, FileKind string
			Report                 struct{ Counts links }
		}
	}
	if err := a.c.Post(`mutation($job: ID!) { undoImport(jobId: $job) { kind status fileKind report { counts { groupsJoined groupsLeft } } } }`, &r, client.Var("job", job)); err != nil {
		a.t.Fatalf("undo %s: %v", job, err)
	}
	if r.UndoImport.Kind != "UNDO" || r.UndoImport.Status != "COMMITTED" || r.UndoImport.FileKind != was.Node.FileKind || was.Node.FileKind == "" {
		a.t.Fatalf("undo of %s (%s): %+v", job, was.Node.FileKind, r.UndoImport)
	}
	if r.UndoImport.Report.Counts != pre.UndoPreview || pre.UndoPreview == (links{}) {
		a.t.Errorf("undo of %s: previewed group links %+v, undone %+v", job, pre.UndoPreview, r.UndoImport.Report.Counts)
	}
}

// class reads a class by name through the API: its kind, its lesgroep members, its active
// teachers and its mentors, each as sorted keys; found is false when there is none.
func (a *api) class(name string) (kind string, members, teachers, mentors []string, found bool) {
	a.t.Helper()
	type keys struct {
		Edges []struct{ Node struct{ ExternalKey string } }
	}
	var r struct {
		Classes struct {
			Edges []struct {
				Node struct {
					Kind              string
					Members, Teachers keys
					Mentors           []struct{ ExternalKey string }
				}
			}
		}
	}
	a.c.MustPost(`query($n: String!) { classes(first: 1, where: {name: $n}) { edges { node { kind
	  members(first: 100) { edges { node { externalKey } } }
	  teachers(first: 100, where: {status: ACTIVE}) { edges { node { externalKey } } }
	  mentors { externalKey } } } } }`, &r, client.Var("n", name))
	if len(r.Classes.Edges) == 0 {
		return "", nil, nil, nil, false
	}
	n := r.Classes.Edges[0].Node
	sorted := func(k keys) []string {
		out := []string{}
		for _, e := range k.Edges {
			out = append(out, e.Node.ExternalKey)
		}
		slices.Sort(out)
		return out
	}
	for _, m := range n.Mentors {
		mentors = append(mentors, m.ExternalKey)
	}
	slices.Sort(mentors)
	return n.Kind, sorted(n.Members), sorted(n.Teachers), mentors, true
}

// accountGroups reads an account's lesgroepen by key through the API, sorted.
func (a *api) accountGroups(key string) []string {
	a.t.Helper()
	var r struct {
		Accounts struct {
			Edges []struct {
				Node struct {
					Groups struct {
						Edges []struct{ Node struct{ Name string } }
					}
				}
			}
		}
	}
	a.c.MustPost(`query($k: String!) { accounts(first: 1, where: {externalKey: $k}) { edges { node { groups(first: 100) { edges { node { name } } } } } } }`,
		&r, client.Var("k", key))
	if len(r.Accounts.Edges) != 1 {
		a.t.Fatalf("account %s: %+v", key, r)
	}
	out := []string{}
	for _, e := range r.Accounts.Edges[0].Node.Groups.Edges {
		out = append(out, e.Node.Name)
	}
	slices.Sort(out)
	return out
}

// wantMembers checks the members of lesgroepen by name.
func wantMembers(t *testing.T, a *api, want map[string]string) {
	t.Helper()
	for name, keys := range want {
		kind, members, _, _, found := a.class(name)
		if !found || kind != "LESGROEP" || strings.Join(members, ",") != keys {
			t.Errorf("lesgroep %s: found %v, kind %s, members %v, want %s", name, found, kind, members, keys)
		}
	}
}

// downloadReport fetches a job's report CSV in a language.
func downloadReport(t *testing.T, a *api, job, lang string) string {
	t.Helper()
	rec := a.getAs("/api/import-jobs/" + job + "/report.csv?lang=" + lang)
	if rec.Code != http.StatusOK {
		t.Fatalf("report %s: %d %s", job, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

func contains(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

// TestLesgroepenThroughAPI: a pupil export with a Lesgroepen column creates the groups and the
// memberships (Class.members, Account.groups); the next export moves pupils between groups,
// with before → after per user in the preview; undo of each restores the groups exactly.
func TestLesgroepenThroughAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "66LG")
		up := a.uploadKind(s.ID, "lesgroepen/api-leerlingen.csv")
		if up.FileKind != "PUPILS" || up.fieldOf()["Lesgroepen"] != "groups" || !slices.Contains(up.fieldNames(), "groups") || len(up.MappingProblems) != 0 {
			t.Fatalf("upload: %+v", up)
		}
		p := a.groupPreview(up.ID, "ADD", "UPDATE")
		slices.Sort(p.GroupsToCreate)
		if c := p.Counts; c.Added != 6 || c.GroupsJoined != 17 || c.GroupsLeft != 0 ||
			strings.Join(p.GroupsToCreate, ",") != "h4.en1,h4.en2,h4.ne1,h4.ne2,h4.wiA1,h4.wiB1" || strings.Join(p.ClassesToCreate, ",") != "h4a,h4b" {
			t.Fatalf("first preview: %+v", p)
		}
		if g := p.user(t, "6001").Groups; strings.Join(g, ",") != "h4.en1,h4.ne1,h4.wiA1" {
			t.Fatalf("6001's groups in the preview: %v", g)
		}
		joined, _, created := a.commitGroups(up.ID, nil)
		if joined != 17 || len(created) != 6 {
			t.Fatalf("first report: joined %d, created %v", joined, created)
		}
		wantMembers(t, a, map[string]string{"h4.ne1": "6001,6002,6005", "h4.wiA1": "6001,6004", "h4.en2": "6002,6004,6005"})
		if g := a.accountGroups("6001"); strings.Join(g, ",") != "h4.en1,h4.ne1,h4.wiA1" {
			t.Fatalf("Account.groups of 6001: %v", g)
		}
		if kind, _, _, _, _ := a.class("h4a"); kind != "STAMKLAS" {
			t.Fatalf("h4a is a %s", kind)
		}
		second := checkGroupMoves(t, a, s.ID)
		a.undo(second)
		wantMembers(t, a, map[string]string{"h4.wiA1": "6001,6004", "h4.wiB1": "6002,6003,6005", "h4.en2": "6002,6004,6005"})
		if _, _, _, _, found := a.class("h4.in1"); found {
			t.Error("the undone import's new lesgroep h4.in1 is still there")
		}
		a.undo(up.ID)
		for _, name := range []string{"h4.ne1", "h4.wiA1"} {
			if _, members, _, _, found := a.class(name); found {
				t.Errorf("lesgroep %s after undoing the first import: members %v", name, members)
			}
		}
	})
}

// checkGroupMoves uploads next term's export: 6001 moves from h4.wiA1 to h4.wiB1, 6004 leaves
// h4.en2, 6006 joins the new h4.in1. It checks the preview, commit, groups and report, and
// returns the job's ID.
func checkGroupMoves(t *testing.T, a *api, schoolID int) string {
	t.Helper()
	up := a.uploadKind(schoolID, "lesgroepen/api-leerlingen-wissel.csv")
	p := a.groupPreview(up.ID, "ADD", "UPDATE")
	if c := p.Counts; c.Added != 0 || c.Updated != 3 || c.Unchanged != 3 || c.GroupsJoined != 2 || c.GroupsLeft != 2 ||
		strings.Join(p.GroupsToCreate, ",") != "h4.in1" {
		t.Fatalf("moves preview: %+v", p)
	}
	for key, want := range map[string]string{
		"6001": "h4.en1, h4.ne1, h4.wiA1 → h4.en1, h4.ne1, h4.wiB1",
		"6004": "h4.en2, h4.ne2, h4.wiA1 → h4.ne2, h4.wiA1",
		"6006": "h4.en1, h4.ne2 → h4.en1, h4.in1, h4.ne2",
		"6002": "",
	} {
		if got := p.user(t, key).change("groups"); got != want {
			t.Errorf("%s groups change %q, want %q", key, got, want)
		}
	}
	joined, left, created := a.commitGroups(up.ID, nil)
	if joined != 2 || left != 2 || strings.Join(created, ",") != "h4.in1" {
		t.Fatalf("moves report: joined %d left %d created %v", joined, left, created)
	}
	wantMembers(t, a, map[string]string{"h4.wiA1": "6004", "h4.wiB1": "6001,6002,6003,6005", "h4.en2": "6002,6005", "h4.in1": "6006"})
	contains(t, "Dutch report", downloadReport(t, a, up.ID, "nl"), "Regel;Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Klas;Lesgroepen;Uitkomst",
		"lesgroepen: h4.en1, h4.ne1, h4.wiA1 → h4.en1, h4.ne1, h4.wiB1", "2 groepskoppelingen toegevoegd, 2 groepskoppelingen verwijderd, 1 lesgroepen aangemaakt")
	contains(t, "English report", downloadReport(t, a, up.ID, "en"), "Line;Student number;First name;Infix;Last name;Class;Teaching groups;Outcome",
		"teaching groups: h4.en2, h4.ne2, h4.wiA1 → h4.ne2, h4.wiA1", "2 group links added, 2 group links removed")
	return up.ID
}

// TestTeachersThroughAPI: a teacher export is recognised as teachers with teacher fields; its
// teachers are added with their groups and mentor classes (Class.teachers, Class.mentors); the
// next export updates, adds and archives behind the archive guard (counted in teachers) and
// refuses a pupil's number as a teacher code; undo of each restores the assignments.
func TestTeachersThroughAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "55DC")
		pupils := a.uploadKind(s.ID, "lesgroepen/api-leerlingen-wissel.csv")
		a.groupPreview(pupils.ID, "ADD")
		a.commitGroups(pupils.ID, nil)

		up := a.uploadKind(s.ID, "teachers/api-docenten.csv")
		f := up.fieldOf()
		if up.FileKind != "TEACHERS" || f["Docentcode"] != "key" || f["Lesgroepen"] != "teaches" || f["Mentorklas"] != "mentorOf" ||
			strings.Join(up.fieldNames(), ",") != "key,firstName,infix,lastName,email,username,eckId,teaches,mentorOf" ||
			up.Fields[0].Label != "Docentcode" || len(up.MappingProblems) != 0 {
			t.Fatalf("teacher upload: %+v", up)
		}
		p := a.groupPreview(up.ID, "ADD", "UPDATE", "ARCHIVE")
		if c := p.Counts; c.Added != 4 || c.Archived != 0 || c.GroupsJoined != 9 || len(p.GroupsToCreate) != 0 || len(p.ClassesToCreate) != 0 {
			t.Fatalf("teacher preview: %+v", p)
		}
		if u := p.user(t, "SMI"); strings.Join(u.Groups, ",") != "h4.ne1,h4.ne2,h4a" || strings.Join(u.MentorOf, ",") != "h4a" {
			t.Fatalf("SMI in the preview: %+v", u)
		}
		a.commitGroups(up.ID, nil)
		checkTeaching(t, a, map[string]string{"h4.ne1": "SMI", "h4.ne2": "SMI", "h4a": "SMI", "h4.wiB1": "KRS"}, map[string]string{"h4a": "SMI", "h4b": "VDB"})

		second := checkTeacherChanges(t, a, s.ID)
		a.undo(second)
		checkTeaching(t, a, map[string]string{"h4.ne2": "SMI", "h4.wiB1": "KRS"}, map[string]string{"h4a": "SMI"})
		a.undo(up.ID)
		checkTeaching(t, a, map[string]string{"h4.ne1": "", "h4a": "", "h4.wiB1": ""}, map[string]string{"h4a": "", "h4b": ""})
	})
}

// checkTeacherChanges imports the next teacher export: SMI stops teaching h4.ne2, DAM is new,
// KRS is not in it (1 of 4 active teachers: the guard asks to confirm), 6001 is a pupil's
// number. It returns the job's ID.
func checkTeacherChanges(t *testing.T, a *api, schoolID int) string {
	t.Helper()
	up := a.uploadKind(schoolID, "teachers/api-docenten-wissel.csv")
	p := a.groupPreview(up.ID, "ADD", "UPDATE", "ARCHIVE")
	g := p.ArchiveGuard
	if c := p.Counts; c.Added != 1 || c.Updated != 1 || c.Archived != 1 || c.Unchanged != 2 || c.Refused != 1 ||
		!g.ConfirmationRequired || g.ToArchive != 1 || g.ActivePupils != 4 || len(p.Refused) != 1 || p.Refused[0].Code != "not_a_teacher" {
		t.Fatalf("second teacher preview: %+v", p)
	}
	if got := p.user(t, "SMI").change("teaches"); got != "h4.ne1, h4.ne2, h4a → h4.ne1, h4a" && got != "h4.ne1, h4.ne2 → h4.ne1" {
		t.Errorf("SMI's teaches change: %q", got)
	}
	if e := errorOf(t, a.commit(up.ID, nil)); e.Extensions["code"] != "ARCHIVE_CONFIRMATION_REQUIRED" || e.Extensions["toArchive"] != float64(1) {
		t.Fatalf("unconfirmed teacher archive: %+v", e)
	}
	one := 1
	a.commitGroups(up.ID, &one)
	checkTeaching(t, a, map[string]string{"h4.ne1": "SMI", "h4.ne2": "DAM", "h4.wiB1": "", "h4.in1": "HEN"}, map[string]string{"h4a": "SMI"})
	contains(t, "teacher report", downloadReport(t, a, up.ID, "nl"), "Regel;Docentcode;Roepnaam;Tussenvoegsel;Achternaam;Mentor van;Lesgroepen en klassen;Uitkomst",
		"KRS;Mirjam;;Kars", "gearchiveerd", "geweigerd")
	return up.ID
}

// checkTeaching checks the active teachers and the mentors of classes by name, as sorted keys
// joined by ",".
func checkTeaching(t *testing.T, a *api, teachers, mentors map[string]string) {
	t.Helper()
	for name, want := range teachers {
		if _, _, got, _, _ := a.class(name); strings.Join(got, ",") != want {
			t.Errorf("teachers of %s: %v, want %q", name, got, want)
		}
	}
	for name, want := range mentors {
		if _, _, _, got, _ := a.class(name); strings.Join(got, ",") != want {
			t.Errorf("mentors of %s: %v, want %q", name, got, want)
		}
	}
}

// TestImportKindOverride: a teacher export whose headers read as a pupil export (no teacher
// code column) is switched with setMapping(kind: TEACHERS): the mapping is proposed again for
// teacher fields, the admin maps the code, the import adds teachers; the school remembers the
// kind and the mapping for these headers, apart from its pupil mappings.
func TestImportKindOverride(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "44KO")
		up := a.uploadKind(s.ID, "teachers/api-medewerkers-onherkend.csv")
		if up.FileKind != "PUPILS" || !slices.Contains(up.fieldNames(), "class") || len(up.MappingProblems) == 0 {
			t.Fatalf("upload read as pupils: %+v", up)
		}
		const setMapping = `mutation($job: ID!, $cols: [ColumnMappingInput!]!, $kind: ImportKind) { setMapping(jobId: $job, columns: $cols, kind: $kind) {
		  id status fileKind columns { header field confidence } fields { name label required } mappingProblems { code } } }`
		var r struct{ SetMapping kindJob }
		a.c.MustPost(setMapping, &r, client.Var("job", up.ID), client.Var("cols", []any{}), client.Var("kind", "TEACHERS"))
		j := r.SetMapping
		if j.FileKind != "TEACHERS" || j.Status != "UPLOADED" || j.fieldOf()["Lesgroepen"] != "teaches" || j.fieldOf()["Roepnaam"] != "firstName" ||
			slices.Contains(j.fieldNames(), "class") || len(j.MappingProblems) != 1 || j.MappingProblems[0].Code != "required_unmapped" {
			t.Fatalf("switched to teachers: %+v", j)
		}
		cols := []map[string]any{{"column": 0, "field": "key"}, {"column": 1, "field": "firstName"}, {"column": 2, "field": "lastName"},
			{"column": 3, "field": "email"}, {"column": 4, "field": "teaches"}}
		a.c.MustPost(setMapping, &r, client.Var("job", up.ID), client.Var("cols", cols), client.Var("kind", "TEACHERS"))
		if j := r.SetMapping; j.Status != "MAPPED" || j.FileKind != "TEACHERS" || len(j.MappingProblems) != 0 {
			t.Fatalf("teacher mapping: %+v", j)
		}
		// A pupil's field is not a teacher field.
		var bad map[string]any
		withClass := slices.Clone(cols)
		withClass[4] = map[string]any{"column": 4, "field": "class"}
		e := errorOf(t, a.c.Post(setMapping, &bad, client.Var("job", up.ID), client.Var("kind", "TEACHERS"), client.Var("cols", withClass)))
		if e.Extensions["code"] != "MAPPING_INVALID" {
			t.Fatalf("class in a teacher mapping: %+v", e)
		}
		p := a.groupPreview(up.ID, "ADD")
		if c := p.Counts; c.Added != 2 || c.GroupsJoined != 3 || strings.Join(p.user(t, "SMI").Groups, ",") != "h4.ne1,h4.ne2" {
			t.Fatalf("preview as teachers: %+v", p)
		}
		a.commitGroups(up.ID, nil)
		checkTeaching(t, a, map[string]string{"h4.ne1": "SMI", "h4.en1": "VDB"}, nil)
		if _, _, _, _, found := a.class("h4.ne1"); !found {
			t.Fatal("h4.ne1 not created")
		}
		// The same headers again: the school's teacher mapping and kind come first.
		again := a.uploadKind(s.ID, "teachers/api-medewerkers-onherkend.csv")
		if again.FileKind != "TEACHERS" || again.fieldOf()["Medewerker"] != "key" || len(again.MappingProblems) != 0 {
			t.Fatalf("second upload of the same headers: %+v", again)
		}
		// And back: pupils again, proposed from the headers (no pupil mapping remembered).
		a.c.MustPost(setMapping, &r, client.Var("job", again.ID), client.Var("cols", []any{}), client.Var("kind", "PUPILS"))
		if j := r.SetMapping; j.FileKind != "PUPILS" || j.fieldOf()["Lesgroepen"] != "groups" || j.fieldOf()["Medewerker"] != "" || len(j.MappingProblems) == 0 {
			t.Fatalf("switched back to pupils: %+v", j)
		}
	})
}
