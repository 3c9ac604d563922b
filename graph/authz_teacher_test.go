package graph_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/testdb"
)

// teacherWorld adds to the authorization world (buildWorld) lesgroepen and the teachers issue
// 14 is about. School A: stamklas A1 (doelwit, wegwezen), A2 (pupil), A3 (derde); lesgroep
// a.ne1 (members doelwit and pupil), a.en2 (wegwezen). Teachers: docentNe teaches a.ne1;
// mentor is mentor of A1 and teaches nothing else; teacherOther teaches A2 (buildWorld);
// archief taught a.ne1 and A1 and is archived. School B: docentB teaches B1 (anderkind) and,
// against every invariant, holds a teaching row of school A's A1.
func teacherWorld(t *testing.T, kind string) *world {
	t.Helper()
	w := buildWorld(t, kind)
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	user := func(name string) *ent.Account { return c.Account.Query().Where(account.Username(name)).OnlyX(sys) }
	schoolA, a1 := w.ids["schoolA"], w.ids["classA1"]
	bID := c.Account.Query().Where(account.Username("adminOther")).OnlyX(sys).SchoolID
	a3 := c.Class.Create().SetSchoolID(schoolA).SetName("A3").SaveX(sys)
	b1 := c.Class.Create().SetSchoolID(bID).SetName("B1").SaveX(sys)
	c.Account.Create().SetSchoolID(schoolA).SetClassID(a3.ID).SetRole(account.RolePUPIL).SetFirstName("Derde").
		SetLastName("Test").SetUsername("derde").SetExternalKey("derde").SaveX(sys)
	c.Account.Create().SetSchoolID(bID).SetClassID(b1.ID).SetRole(account.RolePUPIL).SetFirstName("Ander").
		SetLastName("Kind").SetUsername("anderkind").SetExternalKey("anderkind").SaveX(sys)
	ne1 := c.Class.Create().SetSchoolID(schoolA).SetName("a.ne1").SetKind(class.KindLESGROEP).SetSubject("ne").
		AddMembers(user("doelwit"), user("pupil")).SaveX(sys)
	c.Class.Create().SetSchoolID(schoolA).SetName("a.en2").SetKind(class.KindLESGROEP).SetSubject("en").
		AddMembers(user("wegwezen")).SaveX(sys)
	teacher := func(school int, username string) *ent.Account {
		hash, err := auth.HashPassword(password(username))
		if err != nil {
			t.Fatal(err)
		}
		return c.Account.Create().SetSchoolID(school).SetRole(account.RoleTEACHER).SetFirstName(username).
			SetLastName("Docent").SetUsername(username).SetPasswordHash(hash).SaveX(sys)
	}
	docentNe, mentor, archief := teacher(schoolA, "docentNe"), teacher(schoolA, "mentor"), teacher(schoolA, "archief")
	docentB := teacher(bID, "docentB")
	c.Teaching.Create().SetClassID(ne1.ID).SetAccountID(docentNe.ID).ExecX(sys)
	c.Teaching.Create().SetClassID(a1).SetAccountID(mentor.ID).SetMentor(true).ExecX(sys)
	c.Teaching.Create().SetClassID(ne1.ID).SetAccountID(archief.ID).ExecX(sys)
	c.Teaching.Create().SetClassID(a1).SetAccountID(archief.ID).SetMentor(true).ExecX(sys)
	c.Teaching.Create().SetClassID(b1.ID).SetAccountID(docentB.ID).ExecX(sys)
	c.Teaching.Create().SetClassID(a1).SetAccountID(docentB.ID).ExecX(sys) // another school's class
	for _, name := range []string{"docentNe", "mentor", "archief", "docentB"} {
		w.callers[name] = caller{cookie: w.login(t, name, password(name))}
	}
	c.Account.UpdateOne(archief).SetStatus(account.StatusARCHIVED).ExecX(sys) // after signing in
	for _, name := range []string{"docentNe", "mentor", "archief", "docentB", "derde", "anderkind", "pupil", "doelwit", "wegwezen", "teacherOther"} {
		w.ids[name] = user(name).ID
	}
	w.ids["classA3"], w.ids["classB1"], w.ids["groupNe1"] = a3.ID, b1.ID, ne1.ID
	return w
}

// sightings is what one viewer saw: usernames of accounts, names of classes.
type sightings struct{ accounts, classes []string }

// teacherSees is, per viewer, exactly which accounts and classes it reads.
var teacherSees = map[string]sightings{
	"docentNe":     {accounts: []string{"docentNe", "doelwit", "pupil"}, classes: []string{"a.ne1"}},
	"mentor":       {accounts: []string{"doelwit", "mentor", "wegwezen"}, classes: []string{"A1"}},
	"teacherOther": {accounts: []string{"pupil", "teacherOther"}, classes: []string{"A2"}},
	"docentB":      {accounts: []string{"anderkind", "docentB"}, classes: []string{"B1"}},
	"pupil":        {accounts: []string{"pupil"}, classes: []string{"A2", "a.ne1"}},
	"archief":      {}, // signed in before the archive: the session ends at the next request
}

// TestTeacherSeesTheirGroups asserts exactly which pupils and groups each kind of teacher and a
// pupil in a lesgroep read, through the root lists, through viewer, and through every field of
// Class and Account that leads to accounts or classes (read from the schema, so a new edge is
// covered without a new case).
func TestTeacherSeesTheirGroups(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := teacherWorld(t, kind)
		names := w.namesByID(t)
		schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
		probe := edgeProbe(schema)
		for who, want := range teacherSees {
			r := w.do(t, w.callers[who], `{ accounts(first: 1000) { edges { node { username } } } classes(first: 1000) { edges { node { name } } } }`, nil)
			if who == "archief" {
				if !r.authError() {
					t.Errorf("archived teacher: not refused: %+v %+v", r.Errors, r.Data)
				}
				continue
			}
			if r.Errors != nil {
				t.Fatalf("%s: %+v", who, r.Errors)
			}
			got := sightings{accounts: collect(r.Data["accounts"], "username"), classes: collect(r.Data["classes"], "name")}
			if !slices.Equal(got.accounts, want.accounts) || !slices.Equal(got.classes, want.classes) {
				t.Errorf("%s sees accounts %v and classes %v; want %v and %v", who, got.accounts, got.classes, want.accounts, want.classes)
			}
			// Every edge of every class and account it reads, and of its own account.
			r = w.do(t, w.callers[who], probe, nil)
			if r.Errors != nil {
				t.Fatalf("%s: edge probe: %+v", who, r.Errors)
			}
			seen := map[string]map[string]bool{"Account": {}, "Class": {}}
			walkNodes(r.Data, func(typ string, id string) {
				if seen[typ] != nil {
					seen[typ][names[typ+":"+id]] = true
				}
			})
			for typ, list := range map[string][]string{"Account": want.accounts, "Class": want.classes} {
				for name := range seen[typ] {
					if !slices.Contains(list, name) {
						t.Errorf("%s reads %s %q through an edge; it may read only %v", who, typ, name, list)
					}
				}
			}
		}
		w.checkArchivedRule(t)
		t.Logf("%d Class and Account fields lead to accounts or classes; every viewer's reads agree with its list", strings.Count(probe, "__typename")-2)
	})
}

// checkArchivedRule asks the rules directly as the archived teacher (as a request that began
// before the archive would): they read nothing, not even themselves.
func (w *world) checkArchivedRule(t *testing.T) {
	t.Helper()
	c := w.app.DB().Client
	v := &auth.Viewer{AccountID: w.ids["archief"], SchoolID: w.ids["schoolA"], Role: auth.RoleTeacher}
	ctx := auth.NewContext(context.Background(), v)
	if n := c.Account.Query().CountX(ctx); n != 0 {
		t.Errorf("archived teacher reads %d accounts", n)
	}
	if n := c.Class.Query().CountX(ctx); n != 0 {
		t.Errorf("archived teacher reads %d classes", n)
	}
	if n := c.Teaching.Query().CountX(ctx); n != 0 {
		t.Errorf("archived teacher reads %d teaching rows", n)
	}
}

// namesByID maps "Account:<id>" to a username and "Class:<id>" to a class name.
func (w *world) namesByID(t *testing.T) map[string]string {
	t.Helper()
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	out := map[string]string{}
	for _, a := range c.Account.Query().AllX(sys) {
		out[fmt.Sprintf("Account:%d", a.ID)] = a.Username
	}
	for _, cl := range c.Class.Query().AllX(sys) {
		out[fmt.Sprintf("Class:%d", cl.ID)] = cl.Name
	}
	return out
}

// edgeProbe is a query that reads, as the viewer, every field of Class and Account whose type is
// an account or a class (a connection, a list or one), from the root lists and from viewer.
func edgeProbe(schema *ast.Schema) string {
	fields := func(typ string) string {
		var sel []string
		for _, f := range schema.Types[typ].Fields {
			switch base := f.Type.Name(); base {
			case "AccountConnection", "ClassConnection":
				sel = append(sel, f.Name+"(first: 50) { edges { node { __typename id } } }")
			case "Account", "Class":
				sel = append(sel, f.Name+" { __typename id }")
			}
		}
		sort.Strings(sel)
		return "__typename id " + strings.Join(sel, " ")
	}
	return fmt.Sprintf(`{ classes(first: 100) { edges { node { %s } } } accounts(first: 100) { edges { node { %s } } }
  viewer { account { %s } } }`, fields("Class"), fields("Account"), fields("Account"))
}

// walkNodes calls fn for every object of the answer with a __typename and an id.
func walkNodes(v any, fn func(typ, id string)) {
	switch v := v.(type) {
	case map[string]any:
		if typ, ok := v["__typename"].(string); ok {
			if id, ok := v["id"].(string); ok {
				fn(typ, id)
			}
		}
		for _, x := range v {
			walkNodes(x, fn)
		}
	case []any:
		for _, x := range v {
			walkNodes(x, fn)
		}
	}
}

// collect is the sorted values of key of the nodes of a connection in an answer.
func collect(conn any, key string) []string {
	var out []string
	m, _ := conn.(map[string]any)
	edges, _ := m["edges"].([]any)
	for _, e := range edges {
		node, _ := e.(map[string]any)["node"].(map[string]any)
		if s, ok := node[key].(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// TestSetTeacherClassesKeepsMentors: the Teachers panel's setTeacherClasses replaces the taught
// set; a kept class keeps its mentor flag, a dropped one loses it, a new one is taught without
// it, and more than MaxTeacherClasses ids are refused with a clear error, not cut short.
func TestSetTeacherClassesKeepsMentors(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := teacherWorld(t, kind)
		sys := auth.System(context.Background())
		c := w.app.DB().Client
		mentor := w.ids["mentor"]
		state := func() map[string]bool {
			out := map[string]bool{}
			for _, tc := range c.Teaching.Query().Where(teaching.AccountID(mentor)).WithClass().AllX(sys) {
				out[tc.Edges.Class.Name] = tc.Mentor
			}
			return out
		}
		set := func(ids ...int) gqlResult {
			return w.do(t, w.callers["admin"], `mutation($t: ID!, $c: [ID!]!) { setTeacherClasses(teacherId: $t, classIds: $c) { id teachingClasses(first: 10) { totalCount } } }`,
				map[string]any{"t": mentor, "c": ids})
		}
		steps := []struct {
			ids  []int
			want map[string]bool
		}{
			{[]int{w.ids["classA1"], w.ids["groupNe1"]}, map[string]bool{"A1": true, "a.ne1": false}},
			{[]int{w.ids["groupNe1"], w.ids["classA1"], w.ids["classA1"]}, map[string]bool{"A1": true, "a.ne1": false}},
			{[]int{w.ids["groupNe1"]}, map[string]bool{"a.ne1": false}},
			{[]int{w.ids["classA1"]}, map[string]bool{"A1": false}},
			{[]int{}, map[string]bool{}},
		}
		for i, s := range steps {
			before := c.Account.GetX(sys, mentor).UpdatedAt
			if r := set(s.ids...); r.Errors != nil {
				t.Fatalf("step %d: %+v", i, r.Errors)
			}
			if after := c.Account.GetX(sys, mentor).UpdatedAt; !after.After(before) {
				t.Errorf("step %d: the teacher's updated_at stayed %v (an undo would not see the hand edit)", i, before)
			}
			if got := state(); fmt.Sprint(got) != fmt.Sprint(s.want) {
				t.Errorf("step %d: teaches %v, want %v", i, got, s.want)
			}
		}
		many := make([]int, authn.MaxTeacherClasses+1)
		for i := range many {
			many[i] = 1_000_000 + i
		}
		r := set(many...)
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "INVALID_INPUT" || !strings.Contains(fmt.Sprint(r.Errors[0].Extensions["messageEn"]), "at most 1000") {
			t.Errorf("%d classes: %+v", len(many), r.Errors)
		}
	})
}
