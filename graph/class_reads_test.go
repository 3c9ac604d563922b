package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// pupilFields are every plain field of a pupil that class_reads.go answers from the class's
// own row.
const pupilFields = `id createdAt updatedAt schoolID role externalKey firstName infix lastName email
	username eckID level year classID status archivedAt __typename`

// classReadPairs are roster reads by node(id:) that one statement answers (class_reads.go),
// each with the same read made ineligible by an extra `... on School { id }` (the node is then
// not asked for as a Class only), which entgql answers with its own two statements.
var classReadPairs = []struct{ name, fast, vars string }{
	{"every plain field, a short page", `query($id: ID!) { node(id: $id) { id ... on Class { name kind
		pupils(first: 2) { __typename edges { cursor node { ` + pupilFields + ` } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`, `{}`},
	{"a fragment, an alias and a variable page size", `query($id: ID!, $n: Int) { node(id: $id) { ...C } }
		fragment C on Class { id name roster: pupils(first: $n) { edges { node { username lastName } } } }`, `{"n": 1000}`},
	{"the integrator's read", `query($id: ID!) { node(id: $id) { id ... on Class { name
		pupils(first: 30) { edges { node { externalKey firstName infix lastName email username } } } } } }`, `{}`},
}

// TestClassReadOneStatement: for every caller of the authorization world (admins, tokens of
// both schools, teachers, a mentor, an archived teacher, pupils) and every class, lesgroep
// and a pupil's id, the one-statement read answers exactly what entgql's two statements
// answer: the same pupils, fields, cursors, page info and errors.
func TestClassReadOneStatement(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := teacherWorld(t, kind)
		// A classmate of the pupil in A2, whom the pupil does not read and A2's teacher does,
		// and a teacher's account with a class, whom no teacher reads as a pupil.
		sys := auth.System(context.Background())
		c := w.app.DB().Client
		school := c.Class.GetX(sys, w.ids["classA2"]).SchoolID
		for _, role := range []account.Role{account.RolePUPIL, account.RoleTEACHER} {
			c.Account.Create().SetSchoolID(school).SetClassID(w.ids["classA2"]).SetRole(role).SetFirstName("Klasgenoot").
				SetLastName(string(role)).SetUsername("klasgenoot-" + string(role)).SaveX(sys)
		}
		ids := []string{"classA1", "classA2", "classA3", "classB1", "groupNe1", "pupil"}
		callers := make([]string, 0, len(w.callers))
		for name := range w.callers {
			callers = append(callers, name)
		}
		sort.Strings(callers)
		seen := 0
		for _, pair := range classReadPairs {
			slow := strings.Replace(pair.fast, "node(id: $id) {", "node(id: $id) { ... on School { id }", 1)
			for _, who := range callers {
				for _, id := range ids {
					vars := map[string]any{}
					if err := json.Unmarshal([]byte(pair.vars), &vars); err != nil {
						t.Fatal(err)
					}
					vars["id"] = w.ids[id]
					got := readAnswer(w.do(t, w.callers[who], pair.fast, vars))
					want := readAnswer(w.do(t, w.callers[who], slow, vars))
					if got != want {
						t.Errorf("%s, %s reads %s:\none statement: %s\nentgql:        %s", pair.name, who, id, got, want)
					}
					if strings.Contains(got, `"username"`) || strings.Contains(got, `"firstName"`) {
						seen++
					}
				}
			}
		}
		if seen == 0 {
			t.Fatal("no caller saw a pupil: the comparison proves nothing")
		}
	})
}

// readAnswer is a GraphQL answer as comparable text: its data and its errors' codes.
func readAnswer(r gqlResult) string {
	codes := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		codes[i] = fmt.Sprint(e.Extensions["code"])
	}
	b, _ := json.Marshal(r.Data)
	return fmt.Sprintf("%s %v", b, codes)
}
