package graph_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// asViewer serves h to the viewer, as the authentication middleware would.
func asViewer(v *auth.Viewer, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), v)))
	})
}

// statementCounter counts the SQL statements ent sends.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) wrap(d dialect.Driver) dialect.Driver {
	return dialect.DebugWithContext(d, func(_ context.Context, v ...any) {
		if s := fmt.Sprint(v...); strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") {
			c.n.Add(1)
		}
	})
}

// seedSchool creates a school with the given classes of n active pupils each (plus archived
// ones that a roster must not show).
func seedSchool(t *testing.T, c *ent.Client, brin string, classes, n int) *ent.School {
	t.Helper()
	ctx := auth.System(context.Background())
	s := c.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(ctx)
	for i := range classes {
		cl := c.Class.Create().SetSchoolID(s.ID).SetName(fmt.Sprintf("%d%c", i+1, 'A'+i)).SaveX(ctx)
		bulk := make([]*ent.AccountCreate, 0, n+1)
		for j := range n {
			bulk = append(bulk, c.Account.Create().SetSchoolID(s.ID).SetClassID(cl.ID).
				SetExternalKey(fmt.Sprintf("%s-%d-%03d", brin, i, j)).
				SetFirstName(fmt.Sprintf("Voornaam%03d", (j*7)%n)).SetLastName(fmt.Sprintf("Achternaam%03d", (j*13)%n)))
		}
		bulk = append(bulk, c.Account.Create().SetSchoolID(s.ID).SetClassID(cl.ID).
			SetExternalKey(fmt.Sprintf("%s-%d-archived", brin, i)).SetFirstName("Oud").SetLastName("AAA Gearchiveerd").
			SetStatus(account.StatusARCHIVED))
		c.Account.CreateBulk(bulk...).SaveX(ctx)
	}
	return s
}

const rosterQuery = `query Roster($id: ID!, $first: Int!) {
  node(id: $id) {
    ... on Class {
      name
      pupils(first: $first, where: {status: ACTIVE}, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) {
        totalCount
        edges { node { id externalKey firstName infix lastName status class { name } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`

const schoolRostersQuery = `query Rosters($first: Int!) {
  schools(first: 10) { edges { node { name classes(first: 10) { edges { node { name
    pupils(first: $first, where: {status: ACTIVE}, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) {
      totalCount edges { node { lastName firstName } } } } } } } } }
}`

// TestRosterStatementCount proves that a roster costs a constant number of SQL statements,
// whatever the page size and however many classes are nested.
func TestRosterStatementCount(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := seedSchool(t, db.Client, "01AA", 3, 60)
		seedSchool(t, db.Client, "02BB", 2, 10)
		classID := db.Client.Class.Query().FirstIDX(auth.System(context.Background()))
		admin := &auth.Viewer{AccountID: 1, SchoolID: s.ID, Role: auth.RoleAdmin}
		c := client.New(asViewer(admin, graph.NewHandler(graph.Options{Client: db.Client, ComplexityLimit: 100000, Logger: slog.New(slog.DiscardHandler)})))

		var counts []int64
		for _, first := range []int{1, 10, 50} {
			var resp struct {
				Node struct {
					Name   string
					Pupils struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								ID, ExternalKey, Infix      string
								LastName, FirstName, Status string
								Class                       struct{ Name string }
							}
						}
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
					}
				}
			}
			counter.n.Store(0)
			c.MustPost(rosterQuery, &resp, client.Var("id", classID), client.Var("first", first))
			counts = append(counts, counter.n.Load())
			if resp.Node.Pupils.TotalCount != 60 || len(resp.Node.Pupils.Edges) != first {
				t.Fatalf("first %d: got totalCount %d and %d edges", first, resp.Node.Pupils.TotalCount, len(resp.Node.Pupils.Edges))
			}
			edges := resp.Node.Pupils.Edges
			for i := 1; i < len(edges); i++ {
				a, b := edges[i-1].Node, edges[i].Node
				if a.LastName > b.LastName || (a.LastName == b.LastName && a.FirstName > b.FirstName) {
					t.Fatalf("roster not sorted by last name, first name: %v before %v", a, b)
				}
			}
			for _, e := range edges {
				if e.Node.Status != "ACTIVE" || e.Node.Class.Name != resp.Node.Name {
					t.Fatalf("roster shows %+v", e.Node)
				}
			}
		}
		if counts[0] != counts[1] || counts[1] != counts[2] || counts[0] > 5 {
			t.Fatalf("roster statements for first=1,10,50: %v; want the same small number", counts)
		}
		t.Logf("roster query: %d statements at every page size", counts[0])

		var nested []int64
		for _, first := range []int{2, 40} {
			var resp map[string]any
			counter.n.Store(0)
			c.MustPost(schoolRostersQuery, &resp, client.Var("first", first))
			nested = append(nested, counter.n.Load())
		}
		if nested[0] != nested[1] || nested[0] > 8 {
			t.Fatalf("nested school -> classes -> pupils statements: %v; want constant", nested)
		}
		t.Logf("nested schools/classes/pupils: %d statements", nested[0])
	}, store.WithDriver(counter.wrap))
}

// seedTeacher gives school s a teacher who teaches `groups` lesgroepen of n pupils each (pupils
// of the school's first stamklas) and mentors that stamklas, and returns the teacher.
func seedTeacher(t *testing.T, c *ent.Client, s *ent.School, groups, n int) *ent.Account {
	t.Helper()
	ctx := auth.System(context.Background())
	stamklas := c.Class.Query().Where(class.SchoolID(s.ID)).Order(ent.Asc(class.FieldID)).FirstX(ctx)
	pupils := c.Account.Query().Where(account.ClassID(stamklas.ID), account.StatusEQ(account.StatusACTIVE)).Order(ent.Asc(account.FieldID)).AllX(ctx)
	teacher := c.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").
		SetLastName("Groepen").SetUsername(fmt.Sprintf("docent-%d", groups)).SaveX(ctx)
	c.Teaching.Create().SetClassID(stamklas.ID).SetAccountID(teacher.ID).SetMentor(true).ExecX(ctx)
	for g := range groups {
		grp := c.Class.Create().SetSchoolID(s.ID).SetName(fmt.Sprintf("h4a.g%d-%d", groups, g)).SetKind(class.KindLESGROEP).
			SetSubject("ne").AddMembers(pupils[g*7 : g*7+n]...).SaveX(ctx)
		c.Teaching.Create().SetClassID(grp.ID).SetAccountID(teacher.ID).ExecX(ctx)
	}
	return teacher
}

// page is a connection of pupils as teacherGroupsQuery reads it.
type page struct {
	TotalCount int
	Edges      []struct {
		Node struct {
			FirstName, LastName string
			Class               *struct{ Name string }
		}
	}
}

const teacherGroupsQuery = `query TeacherGroups($first: Int!) {
  viewer { account { teachingClasses(first: 100, orderBy: [{field: KIND}, {field: NAME}]) { totalCount edges { node {
    kind name subject mentors { lastName }
    members(first: $first, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) { totalCount edges { node { firstName lastName class { name } } } }
    pupils(first: $first, where: {status: ACTIVE}, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) { totalCount edges { node { firstName lastName } } }
  } } } } }
}`

// TestTeacherGroupsStatementCount: viewer gives a teacher their groups with their pupils (a
// lesgroep's members, a mentored stamklas's pupils, each group's mentors) in a constant number
// of SQL statements, whatever the page size and however many groups they teach.
func TestTeacherGroupsStatementCount(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := seedSchool(t, db.Client, "01AA", 3, 60)
		counts := map[[2]int]int64{}
		for _, groups := range []int{1, 4} {
			teacher := seedTeacher(t, db.Client, s, groups, 30)
			v := &auth.Viewer{AccountID: teacher.ID, SchoolID: s.ID, Role: auth.RoleTeacher}
			c := client.New(asViewer(v, graph.NewHandler(graph.Options{Client: db.Client, ComplexityLimit: 100000, Logger: slog.New(slog.DiscardHandler)})))
			for _, first := range []int{2, 40} {
				var resp struct {
					Viewer struct {
						Account struct {
							TeachingClasses struct {
								TotalCount int
								Edges      []struct {
									Node struct {
										Kind, Name, Subject string
										Mentors             []struct{ LastName string }
										Members, Pupils     page
									}
								}
							}
						}
					}
				}
				counter.n.Store(0)
				c.MustPost(teacherGroupsQuery, &resp, client.Var("first", first))
				counts[[2]int{groups, first}] = counter.n.Load()
				tc := resp.Viewer.Account.TeachingClasses
				if tc.TotalCount != groups+1 || len(tc.Edges) != groups+1 {
					t.Fatalf("%d groups: teacher reads %d classes (%d edges)", groups, tc.TotalCount, len(tc.Edges))
				}
				for _, e := range tc.Edges {
					switch n := e.Node; n.Kind {
					case "STAMKLAS":
						if n.Pupils.TotalCount != 60 || len(n.Mentors) != 1 || n.Mentors[0].LastName != "Groepen" || n.Members.TotalCount != 0 {
							t.Fatalf("mentored stamklas: %+v", n)
						}
					case "LESGROEP":
						if n.Members.TotalCount != 30 || len(n.Members.Edges) != min(first, 30) || len(n.Mentors) != 0 || n.Pupils.TotalCount != 0 {
							t.Fatalf("lesgroep: %+v", n)
						}
						// The members' stamklas is the one the teacher mentors (class_id beside the
						// join table's class_id: PostgreSQL once refused this page as ambiguous).
						for _, m := range n.Members.Edges {
							if m.Node.Class == nil || m.Node.Class.Name != "1A" {
								t.Fatalf("lesgroep member %+v: stamklas not read", m.Node)
							}
						}
					}
				}
			}
		}
		first := counts[[2]int{1, 2}]
		for _, n := range counts {
			if n != first || n > 12 {
				t.Fatalf("teacher's groups with pupils: statements by (groups, page size) %v; want the same small number", counts)
			}
		}
		t.Logf("teacher's groups -> members, pupils, mentors: %d statements for 2 and 5 groups at page sizes 2 and 40", first)
	}, store.WithDriver(counter.wrap))
}

// TestMentorsStatementCount: Class.mentors reads the mentors of a whole list of classes at
// once, in a page of classes and in nodes(ids:) alike.
func TestMentorsStatementCount(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := seedSchool(t, db.Client, "01AA", 5, 2)
		ctx := auth.System(context.Background())
		ids := db.Client.Class.Query().Order(ent.Asc(class.FieldID)).IDsX(ctx)
		for i, id := range ids {
			m := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Mentor").
				SetLastName(fmt.Sprintf("M%d", i)).SetUsername(fmt.Sprintf("mentor%d", i)).SaveX(ctx)
			db.Client.Teaching.Create().SetClassID(id).SetAccountID(m.ID).SetMentor(true).ExecX(ctx)
		}
		admin := &auth.Viewer{AccountID: 1, SchoolID: s.ID, Role: auth.RoleAdmin}
		c := client.New(asViewer(admin, graph.NewHandler(graph.Options{Client: db.Client, ComplexityLimit: 100000, Logger: slog.New(slog.DiscardHandler)})))
		for _, q := range []string{
			`query($n: Int!) { classes(first: $n, orderBy: [{field: NAME}]) { edges { node { name mentors { lastName } } } } }`,
			`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Class { name mentors { lastName } } } }`,
		} {
			var counts []int64
			for _, n := range []int{1, 5} {
				var resp map[string]any
				counter.n.Store(0)
				vars := client.Var("n", n)
				if strings.Contains(q, "$ids") {
					vars = client.Var("ids", ids[:n])
				}
				c.MustPost(q, &resp, vars)
				counts = append(counts, counter.n.Load())
				if got := strings.Count(fmt.Sprint(resp), "lastName:M"); got != n {
					t.Fatalf("%d classes show %d mentors: %v", n, got, resp)
				}
			}
			if counts[0] != counts[1] {
				t.Fatalf("mentors of 1 and 5 classes: %v statements; want the same", counts)
			}
			t.Logf("mentors of 1 or 5 classes: %d statements (%.20s…)", counts[0], q[strings.Index(q, "{ ")+2:])
		}
	}, store.WithDriver(counter.wrap))
}
