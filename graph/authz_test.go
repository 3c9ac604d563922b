package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// The roles every field is tried as.
var roles = []string{"anonymous", "pupil", "teacherOther", "adminOther", "readToken", "admin"}

// caller is one role's credentials.
type caller struct {
	cookie string
	token  string
}

func (c caller) header(h http.Header) {
	if c.cookie != "" {
		h.Set("Cookie", c.cookie)
		h.Set("X-Requested-With", "numo")
	}
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	}
}

// internal reports an unexpected server error, which never counts as allowed.
func internal(r gqlResult) bool {
	for _, e := range r.Errors {
		if e.Extensions["code"] == nil || e.Extensions["code"] == "INTERNAL" {
			return true
		}
	}
	return false
}

// world is a school A with everything a rule can be about, a school B, and a caller per role.
type world struct {
	srv     *httptest.Server
	app     *app.App
	callers map[string]caller
	ids     map[string]int
}

func password(role string) string { return "wachtwoord-" + role + "-123" }

func buildWorld(t *testing.T, kind string) *world {
	t.Helper()
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--demo=false", "--introspection=false"}, nil)
	w := &world{srv: httptest.NewServer(a.Handler()), app: a, callers: map[string]caller{}, ids: map[string]int{}}
	t.Cleanup(w.srv.Close)
	sys := auth.System(context.Background())
	c := a.DB().Client
	schoolA := c.School.Create().SetName("School A").SetBrin("01AA").SaveX(sys)
	schoolB := c.School.Create().SetName("School B").SetBrin("02BB").SaveX(sys)
	a1 := c.Class.Create().SetSchoolID(schoolA.ID).SetName("A1").SaveX(sys)
	a2 := c.Class.Create().SetSchoolID(schoolA.ID).SetName("A2").SaveX(sys)
	person := func(school, class int, role account.Role, username string) *ent.Account {
		cr := c.Account.Create().SetSchoolID(school).SetRole(role).SetFirstName(username).SetLastName("Test").SetUsername(username)
		if class != 0 {
			cr.SetClassID(class).SetExternalKey(username)
		}
		if role != account.RolePUPIL || username == "pupil" {
			hash, err := auth.HashPassword(password(username))
			if err != nil {
				t.Fatal(err)
			}
			cr.SetPasswordHash(hash)
		}
		return cr.SaveX(sys)
	}
	target := person(schoolA.ID, a1.ID, account.RolePUPIL, "doelwit") // the pupil every rule is about
	person(schoolA.ID, a2.ID, account.RolePUPIL, "pupil")             // a pupil of another class
	erasable := person(schoolA.ID, a1.ID, account.RolePUPIL, "wegwezen")
	teacherOther := person(schoolA.ID, 0, account.RoleTEACHER, "teacherOther")
	c.Class.UpdateOne(a2).AddTeachers(teacherOther).ExecX(sys) // teaches A2, not A1
	admin := person(schoolA.ID, 0, account.RoleADMIN, "admin")
	person(schoolB.ID, 0, account.RoleADMIN, "adminOther")
	for _, role := range []string{"pupil", "teacherOther", "adminOther", "admin"} {
		w.callers[role] = caller{cookie: w.login(t, role, password(role))}
	}
	adminCtx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: schoolA.ID, Role: auth.RoleAdmin, Name: "admin"})
	_, readSecret, err := a.Authn().CreateToken(adminCtx, schoolA.ID, "lezen", []auth.Scope{auth.ScopeReadRosters})
	if err != nil {
		t.Fatal(err)
	}
	w.callers["readToken"] = caller{token: readSecret}
	w.callers["anonymous"] = caller{}
	spare, _, err := a.Authn().CreateToken(adminCtx, schoolA.ID, "reserve", []auth.Scope{auth.ScopeReadRosters})
	if err != nil {
		t.Fatal(err)
	}
	// A committed import of school A, and an uploaded one.
	data, err := os.ReadFile(filepath.Join("..", "testdata", "transition", "school_2026.csv"))
	if err != nil {
		t.Fatal(err)
	}
	prep, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := c.ImportJob.Create().SetSchoolID(schoolA.ID).SetFileName("a.csv").SetFileSize(1).SetSha256("x").SetStatus(importjob.StatusCOMMITTING).SaveX(sys)
	if _, err := importer.Apply(sys, a.DB(), prep.Input, schoolA.ID, importer.Actions{Add: true}, importer.ApplyOptions{JobID: done.ID}); err != nil {
		t.Fatal(err)
	}
	uploaded, err := a.Jobs().Upload(adminCtx, schoolA.ID, "b.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	draft, err := a.Jobs().Upload(adminCtx, schoolA.ID, "draft.csv", data) // for discardImport alone
	if err != nil {
		t.Fatal(err)
	}
	w.ids = map[string]int{"schoolA": schoolA.ID, "classA1": a1.ID, "classA2": a2.ID, "target": target.ID,
		"teacherOther": teacherOther.ID, "job": done.ID, "uploaded": uploaded.ID, "spareToken": spare.ID, "erasable": erasable.ID,
		"draft": draft.ID}
	return w
}

func (w *world) login(t *testing.T, user, pw string) string {
	t.Helper()
	status, _, cookie := signIn(t, w.srv.URL, schoolOf(t, w, user), user, pw)
	if cookie == "" {
		t.Fatalf("login as %s: status %d", user, status)
	}
	return cookie
}

func (w *world) do(t *testing.T, c caller, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return w.send(t, c, req)
}

// send sends req as the caller and reads the GraphQL answer.
func (w *world) send(t *testing.T, c caller, req *http.Request) gqlResult {
	t.Helper()
	c.header(req.Header)
	status, _, body := fetch(t, req)
	return decodeResult(t, status, body)
}

// get downloads path as the caller over the world's real HTTP server.
func (w *world) get(t *testing.T, c caller, path string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
	c.header(req.Header)
	status, h, body := fetch(t, req)
	return status, h, string(body)
}

func (w *world) upload(t *testing.T, c caller) gqlResult {
	t.Helper()
	ops := fmt.Sprintf(`{"query":"mutation($f: Upload!) { upload(schoolId: %d, file: $f) { id } }","variables":{"f":null}}`, w.ids["schoolA"])
	return w.send(t, c, uploadForm(w.srv.URL+"/query", ops, `{"0":["variables.f"]}`,
		formFile{"c.csv", []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n1;Een;Test;A1\r\n")}))
}

// uploadSet sends a one-file roster set that is no set: an admin of the school gets
// ROSTER_SET_REJECTED (the rules let it through), anyone else is refused before it is read.
func (w *world) uploadSet(t *testing.T, c caller) gqlResult {
	t.Helper()
	ops := fmt.Sprintf(`{"query":"mutation($f: [Upload!]!) { uploadRosterSet(schoolId: %d, files: $f) { format jobs { id } } }","variables":{"f":[null]}}`, w.ids["schoolA"])
	return w.send(t, c, uploadForm(w.srv.URL+"/query", ops, `{"0":["variables.f.0"]}`,
		formFile{"users.csv", []byte("sourcedId,givenName\r\nu1,Een\r\n")}))
}

// subscribe opens an importProgress subscription and returns its first message.
func (w *world) subscribe(t *testing.T, c caller) gqlResult {
	t.Helper()
	return firstMessage(t, w.srv.URL, c, fmt.Sprintf(`subscription { importProgress(jobId: %d) { status final } }`, w.ids["job"]), nil)
}

// authzCase is how one field is tried and how success is recognised.
type authzCase struct {
	run func(t *testing.T, w *world, c caller) gqlResult
	// sees reports, for queries, whether the response shows the protected data.
	sees func(data map[string]any) bool
	// allowed are the roles that may use the field.
	allowed []string
}

func query(q string) func(t *testing.T, w *world, c caller) gqlResult {
	return func(t *testing.T, w *world, c caller) gqlResult {
		op := q
		for k, v := range w.ids {
			op = strings.ReplaceAll(op, "$"+k, fmt.Sprint(v))
		}
		return w.do(t, c, op, nil)
	}
}

func has(path ...string) func(map[string]any) bool {
	return func(d map[string]any) bool {
		var cur any = d
		for _, p := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			cur = m[p]
		}
		switch v := cur.(type) {
		case nil:
			return false
		case []any:
			return len(v) > 0
		case float64:
			return v > 0
		}
		return true
	}
}

var (
	adminOnly  = []string{"admin"}
	rosterRead = []string{"readToken", "admin"}
	peopleOnly = []string{"pupil", "teacherOther", "adminOther", "admin"}
	ownSchool  = []string{"pupil", "teacherOther", "readToken", "admin"}
	everyone   = roles
	authzCases = map[string]authzCase{
		"Query.node": {run: query(`{ node(id: $target) { id } }`), sees: has("node"), allowed: rosterRead},
		"Query.nodes": {run: query(`{ nodes(ids: [$target, $classA1, $job]) { id } }`), sees: func(d map[string]any) bool {
			nodes, _ := d["nodes"].([]any)
			return slices.ContainsFunc(nodes, func(n any) bool { return n != nil })
		}, allowed: rosterRead},
		"Query.accounts":    {run: query(`{ accounts(where: {externalKey: "doelwit"}) { totalCount } }`), sees: has("accounts", "totalCount"), allowed: rosterRead},
		"Query.classes":     {run: query(`{ classes(where: {name: "A1"}) { totalCount } }`), sees: has("classes", "totalCount"), allowed: rosterRead},
		"Query.importJobs":  {run: query(`{ importJobs { totalCount } }`), sees: has("importJobs", "totalCount"), allowed: adminOnly},
		"Query.schools":     {run: query(`{ schools(where: {brin: "01AA"}) { totalCount } }`), sees: has("schools", "totalCount"), allowed: ownSchool},
		"Query.viewer":      {run: query(`{ viewer { school { brin } } }`), sees: func(map[string]any) bool { return true }, allowed: everyone},
		"Query.undoPreview": {run: query(`{ undoPreview(jobId: $job) { possible } }`), allowed: adminOnly},
		"Mutation.upload":   {run: func(t *testing.T, w *world, c caller) gqlResult { return w.upload(t, c) }, allowed: adminOnly},
		// A roster set (graph/rosterset_test.go tries the formats): admins of the school only.
		"Mutation.uploadRosterSet": {run: func(t *testing.T, w *world, c caller) gqlResult { return w.uploadSet(t, c) }, allowed: adminOnly},
		"Mutation.setMapping": {run: query(`mutation { setMapping(jobId: $uploaded, columns: [{column: 0, field: "key"}, {column: 1, field: "firstName"}, {column: 3, field: "lastName"}, {column: 4, field: "class"}], otherLevels: NO_LEVEL) { id } }`),
			allowed: adminOnly},
		"Mutation.preview":    {run: query(`mutation { preview(jobId: $uploaded, actions: [ADD]) { counts { added } } }`), allowed: adminOnly},
		"Mutation.correctRow": {run: query(`mutation { correctRow(jobId: $uploaded, line: 2, values: [{column: 1, value: "Anna"}]) { accepted } }`), allowed: adminOnly},
		"Mutation.commit":     {run: query(`mutation { commit(jobId: $job, confirmArchive: 0, confirmYearDown: 0) { id } }`), allowed: adminOnly},
		"Mutation.undoImport": {run: query(`mutation { undoImport(jobId: $uploaded) { id } }`), allowed: adminOnly},
		// Work on the roster from a class page (issue 17): planning only; the target stays in A1.
		"Mutation.planRosterChange": {run: query(`mutation { planRosterChange(schoolId: $schoolA, accountIds: [$target], moveToClassId: $classA2) { id status } }`),
			allowed: adminOnly},
		"Mutation.discardImport":        {run: query(`mutation { discardImport(jobId: $draft) }`), allowed: adminOnly},
		"Mutation.updateSchoolSettings": {run: query(`mutation { updateSchoolSettings(schoolId: $schoolA, input: {archiveThreshold: 12}) { id } }`), allowed: adminOnly},
		"Mutation.erasePupil":           {run: query(`mutation { erasePupil(accountId: $erasable) }`), allowed: adminOnly},
		"Mutation.createApiToken":       {run: query(`mutation { createApiToken(schoolId: $schoolA, name: "x", scopes: [RUN_IMPORTS]) { secret } }`), allowed: adminOnly},
		"Mutation.revokeApiToken":       {run: query(`mutation { revokeApiToken(id: $spareToken) { id } }`), allowed: adminOnly},
		"Mutation.createTeacher": {run: func(t *testing.T, w *world, c caller) gqlResult {
			return w.do(t, c, `mutation($s: ID!, $u: String!) { createTeacher(schoolId: $s, input: {firstName: "Nieuwe", lastName: "Docent", email: "n@school.invalid", username: $u}) { id } }`,
				map[string]any{"s": w.ids["schoolA"], "u": fmt.Sprintf("docent-%d", time.Now().UnixNano())})
		}, allowed: adminOnly},
		"Mutation.setTeacherClasses":  {run: query(`mutation { setTeacherClasses(teacherId: $teacherOther, classIds: [$classA2]) { id } }`), allowed: adminOnly},
		"Mutation.resetPassword":      {run: query(`mutation { resetPassword(accountId: $target) }`), allowed: adminOnly},
		"Mutation.changePassword":     {run: query(`mutation { changePassword(oldPassword: "fout", newPassword: "nieuw-wachtwoord-1") }`), allowed: peopleOnly},
		"Subscription.importProgress": {run: func(t *testing.T, w *world, c caller) gqlResult { return w.subscribe(t, c) }, sees: has("importProgress"), allowed: adminOnly},

		// The roster change log (graph/feed_test.go): admin accounts and READ_ROSTERS tokens of the school.
		"Query.rosterChanges": {run: query(`{ rosterChanges(schoolId: $schoolA, first: 5) { nodes { position } } }`), sees: has("rosterChanges", "nodes"),
			allowed: rosterRead},
		"Subscription.rosterChanges": {run: func(t *testing.T, w *world, c caller) gqlResult { return w.subscribeFeed(t, c) }, sees: has("rosterChanges"),
			allowed: rosterRead},

		// Login letters: admin accounts of the school only, no token (graph/startcodes_test.go tries the downloads).
		"Mutation.generateStartCodes": {run: query(`mutation { generateStartCodes(input: {schoolId: $schoolA, classId: $classA1}) { letters } }`), allowed: adminOnly},
		"Mutation.updateStartCodeSettings": {run: query(`mutation { updateStartCodeSettings(schoolId: $schoolA, input: {startCodeValidDays: 14}) { id } }`),
			allowed: adminOnly},
	}
)

// TestAuthorization tries every query, mutation and subscription field of the schema as every
// role and checks that exactly the rightful ones get through. The fields are read from the
// schema itself: a new field without a case here fails the test.
func TestAuthorization(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
			var fields []string
			for _, typ := range []string{"Query", "Mutation", "Subscription"} {
				for _, f := range schema.Types[typ].Fields {
					if !strings.HasPrefix(f.Name, "__") {
						fields = append(fields, typ+"."+f.Name)
					}
				}
			}
			for _, name := range fields {
				c, ok := authzCases[name]
				if !ok {
					t.Errorf("%s has no authorization case: add one to authzCases", name)
					continue
				}
				// The rightful admin goes last: its call may change what the others would see.
				for _, role := range roles {
					r := c.run(t, w, w.callers[role])
					// A query is allowed when it shows the data; anything else when it was
					// not refused for who asked (a domain error such as INVALID_STATE
					// means the rules let it through).
					got := !r.authError() && !internal(r)
					if c.sees != nil {
						got = r.Data != nil && c.sees(r.Data)
					}
					if want := slices.Contains(c.allowed, role); got != want {
						t.Errorf("%s as %s: allowed=%v, want %v (errors %v, data %v)", name, role, got, want, r.Errors, r.Data)
					}
				}
			}
		})
	}
}
