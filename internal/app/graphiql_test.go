package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/graphiql"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// docsQuery is what GraphiQL's docs pane asks, cut down: the types with their descriptions.
const docsQuery = `query IntrospectionQuery { __schema { types { name description fields { name description } } } }`

// TestGraphiQL: /graphiql is served from the binary with its own Content-Security-Policy to
// admins (session), to API tokens (either scope) and to a browser that is not signed in (which
// pastes a token into the Headers tab); signed-in teachers and pupils get 403, an unknown token
// 401. With introspection off, the docs pane's query answers the schema's descriptions to
// admins and tokens only. Both databases.
func TestGraphiQL(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		_, base := serveApp(t, kind, nil) // NUMO_INTROSPECTION unset: on for everyone
		off, offBase := serveApp(t, kind, nil, "--introspection=false")
		sys := auth.System(context.Background())
		pupil := off.DB().Client.Account.Query().Where(account.RoleEQ(account.RolePUPIL)).FirstX(sys).Username
		viewers := []struct {
			name   string
			header []string
			page   int
			docs   bool
		}{
			{"anonymous", nil, 200, false},
			{"pupil", []string{"Cookie", demoSession(t, off, offBase, pupil)}, 403, false},
			{"teacher", []string{"Cookie", demoSession(t, off, offBase, "jkramer")}, 403, false},
			{"admin", []string{"Cookie", demoSession(t, off, offBase, "beheer")}, 200, true},
			{"token READ_ROSTERS", []string{"Authorization", "Bearer " + demoToken(t, off, auth.ScopeReadRosters)}, 200, true},
			{"token RUN_IMPORTS", []string{"Authorization", "Bearer " + demoToken(t, off, auth.ScopeRunImports)}, 200, true},
			{"unknown token", []string{"Authorization", "Bearer numo_not-a-token"}, 401, false},
		}
		for _, v := range viewers {
			code, body := get(t, offBase+"/graphiql", v.header...)
			if code != v.page {
				t.Errorf("%s: /graphiql %d, want %d", v.name, code, v.page)
			}
			if code == 200 && (!strings.Contains(body, `src="/graphiql/init.js"`) && !strings.Contains(body, "make build")) {
				t.Errorf("%s: page %q", v.name, body)
			}
			if v.name == "unknown token" {
				continue
			}
			r := gql(t, offBase, docsQuery, nil, v.header...)
			if got := descriptionOf(r, "Account") != ""; got != v.docs {
				t.Errorf("%s: schema descriptions %v, want %v (%v)", v.name, got, v.docs, r["errors"])
			}
			if !v.docs && !hasCode(r, apperr.CodeIntrospectionDisabled) {
				t.Errorf("%s: introspection refused without its code: %v", v.name, r["errors"])
			}
		}
		if r := gql(t, base, docsQuery, nil); descriptionOf(r, "Account") == "" {
			t.Errorf("introspection on: no descriptions for anonymous: %v", r["errors"])
		}
		checkGraphiQLPage(t, offBase)
		checkTokenScopes(t, offBase, viewers[3].header, viewers[4].header, viewers[5].header)
	})
}

// checkGraphiQLPage checks the headers of the page and its files.
func checkGraphiQLPage(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/graphiql")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); csp != graphiql.CSP || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q", csp)
	}
	files := []string{"init.js", "numo.css"}
	if graphiql.New().Built() {
		files = append(files, "graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js")
	} else {
		t.Log("GraphiQL's npm build is not in this binary (npm run build in graphiql/): its files are not checked")
	}
	for _, f := range files {
		if code, body := get(t, base+"/graphiql/"+f); code != 200 || len(body) == 0 {
			t.Errorf("/graphiql/%s: %d", f, code)
		}
	}
	for _, p := range []string{"/graphiql/nope.js", "/graphiql/static/init.js", "/graphiql/../go.mod"} {
		if code, _ := get(t, base+p); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

// descriptionOf is the descriptions of the type named name and its fields in an
// introspection answer.
func descriptionOf(r map[string]any, name string) string {
	data, _ := r["data"].(map[string]any)
	schema, _ := data["__schema"].(map[string]any)
	types, _ := schema["types"].([]any)
	for _, ty := range types {
		if m, _ := ty.(map[string]any); m["name"] == name {
			d, _ := m["description"].(string)
			fields, _ := m["fields"].([]any)
			for _, f := range fields {
				fd, _ := f.(map[string]any)["description"].(string)
				d += fd
			}
			return d
		}
	}
	return ""
}

// hasCode reports whether an answer carries an error with the code.
func hasCode(r map[string]any, code string) bool {
	errs, _ := r["errors"].([]any)
	for _, e := range errs {
		ext, _ := e.(map[string]any)["extensions"].(map[string]any)
		if ext["code"] == code {
			return true
		}
	}
	return false
}

// checkTokenScopes: what GraphiQL sends with a token is judged by the token's scopes, as for
// any client: both scopes read the classes, neither reads the API tokens (an admin's right).
func checkTokenScopes(t *testing.T, base string, admin, read, imports []string) {
	t.Helper()
	for name, h := range map[string][]string{"READ_ROSTERS": read, "RUN_IMPORTS": imports} {
		if r := gql(t, base, `{ classes(first: 1) { totalCount } }`, nil, h...); r["errors"] != nil {
			t.Errorf("%s token reads classes: %v", name, r["errors"])
		}
		r := gql(t, base, tokensQuery, nil, h...)
		if n := tokenCount(r); n != 0 {
			t.Errorf("%s token reads the API tokens: %v", name, r)
		}
	}
	r := gql(t, base, tokensQuery, nil, admin...)
	if n := tokenCount(r); n < 2 {
		t.Errorf("the admin does not read the API tokens: %v", r)
	}
}

// tokensQuery asks the school's API tokens.
const tokensQuery = `{ schools(first: 1) { edges { node { apiTokens(first: 10) { totalCount } } } } }`

// tokenCount is the totalCount of tokensQuery's answer; 0 when refused or absent.
func tokenCount(r map[string]any) float64 {
	data, _ := r["data"].(map[string]any)
	schools, _ := data["schools"].(map[string]any)
	edges, _ := schools["edges"].([]any)
	if len(edges) == 0 {
		return 0
	}
	node, _ := edges[0].(map[string]any)["node"].(map[string]any)
	tokens, _ := node["apiTokens"].(map[string]any)
	n, _ := tokens["totalCount"].(float64)
	return n
}
