package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// costServer runs the real numo server (app.New, introspection off) behind real HTTP and
// keeps its log.
func costServer(t *testing.T, kind string) (*httptest.Server, *testapp.Logs) {
	t.Helper()
	logs := &testapp.Logs{}
	a := testapp.New(t, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		[]string{"--db", testdb.URL(t, kind), "--demo=false", "--introspection=false"}, nil)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv, logs
}

// ask sends a GraphQL operation anonymously, by POST or by GET.
func ask(t *testing.T, srv *httptest.Server, method, query string, vars map[string]any) gqlResult {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		v := url.Values{"query": {query}}
		if vars != nil {
			b, _ := json.Marshal(vars)
			v.Set("variables", string(b))
		}
		req, _ = http.NewRequest(http.MethodGet, srv.URL+"/query?"+v.Encode(), nil)
	} else {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	}
	status, _, body := fetch(t, req)
	var r gqlResult
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s answered %d, not JSON: %v", method, status, err)
	}
	return r
}

// fragmentBomb is the attack of issue 10: fragments that each spread the next twice.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("query { viewer { ...F0 } }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Viewer { role ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Viewer { role }\n", levels)
	return b.String()
}

// aliases repeats a selection under n distinct aliases.
func aliases(n int, sel string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, sel)
	}
	b.WriteString("}")
	return b.String()
}

// TestOperationCostRefusals sends, anonymously and over real HTTP, operations that once made
// the server work for seconds or return 150,001 rows, and expects each refused with its code
// before any resolver ran (no data, one error).
func TestOperationCostRefusals(t *testing.T) {
	srv, _ := costServer(t, "sqlite")
	ids := make([]string, graph.MaxPageSize+1)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	bigAliases := aliases(40_000, "viewer { role }") // ~1 MB, under the body limit
	if len(bigAliases) < 900_000 || len(bigAliases) > 1<<20-1000 {
		t.Fatalf("the aliases document is %d bytes", len(bigAliases))
	}
	fullPages := aliases(100, "accounts(first: 1000) { edges { node { id email firstName lastName } } }")
	deep := `{ viewer { school { classes(first: 1) { edges { node { pupils(first: 1) { edges { node {
		class { pupils(first: 1) { edges { node { class { name } } } } } } } } } } } } } }`
	for _, c := range []struct {
		name   string
		method string
		query  string
		vars   map[string]any
		code   string
		ext    map[string]any
	}{
		{name: "fragment bomb of 26 levels in 1 KB", query: fragmentBomb(26), code: apperr.CodeQueryTooLarge},
		{name: "4,000 times __typename", query: "{ " + strings.Repeat("__typename ", 4000) + "}", code: apperr.CodeQueryTooLarge},
		{name: "1 MB of aliases", query: bigAliases, code: apperr.CodeQueryTooLarge, ext: map[string]any{"limit": float64(graph.MaxQueryTokens)}},
		{name: "200 KB of aliases by GET", method: http.MethodGet, query: aliases(8_000, "viewer { role }"), code: apperr.CodeQueryTooLarge},
		{name: "a list without first", query: `{ accounts { edges { node { id email } } } }`, code: apperr.CodePageSize, ext: map[string]any{"field": "Query.accounts"}},
		{name: "nodes without first", query: `{ schools(first: 1) { edges { node { accounts { totalCount edges { node { id } } } } } } }`, code: apperr.CodePageSize, ext: map[string]any{"field": "School.accounts"}},
		{name: "first over the maximum", query: `{ accounts(first: 1001) { edges { node { id } } } }`, code: apperr.CodePageSize},
		{name: "first over the maximum by variable", query: `query($n: Int) { classes(first: $n) { totalCount } }`, vars: map[string]any{"n": 150_001}, code: apperr.CodePageSize},
		{name: "negative last", query: `{ schools(last: -1) { edges { node { id } } } }`, code: apperr.CodePageSize},
		{name: "1,001 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": ids}, code: apperr.CodePageSize},
		{name: "twenty aliases of undoPreview", query: aliases(20, `undoPreview(jobId: "1") { possible conflicts { key } }`), code: apperr.CodeComplexity,
			ext: map[string]any{"limit": float64(graph.DefaultComplexityLimit)}},
		{name: "a hundred full pages", query: fullPages, code: apperr.CodeComplexity},
		{name: "a hundred full pages by GET", method: http.MethodGet, query: fullPages, code: apperr.CodeComplexity},
		{name: "fourteen levels", query: deep, code: apperr.CodeDepth},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodPost
			}
			r := ask(t, srv, method, c.query, c.vars)
			if len(r.Errors) != 1 || r.Data != nil {
				t.Fatalf("want one error and no data, got %d errors, data %v: %+v", len(r.Errors), r.Data, r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["code"] != c.code || e.Extensions["messageEn"] == nil || e.Message == "" {
				t.Fatalf("want code %s with both messages, got %q %v", c.code, e.Message, e.Extensions)
			}
			for k, v := range c.ext {
				if e.Extensions[k] != v {
					t.Errorf("extensions.%s = %v, want %v", k, e.Extensions[k], v)
				}
			}
			if c.code == apperr.CodeComplexity && e.Extensions["cost"].(float64) <= e.Extensions["limit"].(float64) {
				t.Errorf("cost %v not over limit %v", e.Extensions["cost"], e.Extensions["limit"])
			}
		})
	}
}

// TestFragmentsArePricedOnce prices a fragment bomb far deeper than issue 10's: walking it
// without memoised fragments would visit 2^40 fields and never end. Validation itself
// (gqlparser) is linear on it, which the same test shows by validating it first.
func TestFragmentsArePricedOnce(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, fragmentBomb(40), nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	p, err := graph.PriceOperation(doc, doc.Operations[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cost < 1<<40 {
		t.Fatalf("the bomb costs %d, want at least 2^40", p.Cost)
	}
	if err := graph.CheckDocument(fragmentBomb(40), graph.DefaultComplexityLimit); err == nil || err.Extensions["code"] != apperr.CodeQueryTooLarge {
		t.Fatalf("CheckDocument let the bomb through: %v", err)
	}
}

// TestPrices pins the cost model on small operations.
func TestPrices(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	for _, c := range []struct {
		query string
		vars  map[string]any
		cost  int
		depth int
	}{
		{query: `{ viewer { role } }`, cost: 2, depth: 2},
		// 1 for the connection, 1 for totalCount, 10 rows of edges+node+id.
		{query: `{ accounts(first: 10) { totalCount edges { node { id } } } }`, cost: 1 + 1 + 10*3, depth: 4},
		{query: `query($n: Int) { accounts(last: $n) { edges { node { id } } } }`, vars: map[string]any{"n": 5}, cost: 1 + 5*3, depth: 4},
		// Only totalCount: no page size needed, nothing multiplied.
		{query: `{ accounts { totalCount } }`, cost: 2, depth: 2},
		// Nested connections multiply.
		{query: `{ classes(first: 10) { edges { node { pupils(first: 20) { edges { node { id } } } } } } }`, cost: 1 + 10*(1+1+1+20*3), depth: 7},
		// A class's mentors repeat their selection up to 20 times (issue 14).
		{query: `{ classes(first: 10) { edges { node { mentors { id } } } } }`, cost: 1 + 10*(1+1+1+20*1), depth: 5},
		// A teacher's groups with their members: the nested connection multiplies like any other.
		{query: `{ viewer { account { teachingClasses(first: 10) { edges { node { members(first: 20) { edges { node { id } } } } } } } } }`,
			cost: 1 + 1 + 1 + 10*(1+1+1+20*3), depth: 9},
		// Fragments and inline fragments count like their fields.
		{query: `query { ...Q } fragment Q on Query { viewer { ... on Viewer { role } } }`, cost: 2, depth: 2},
		// An expensive field carries its weight.
		{query: `{ undoPreview(jobId: "1") { possible } }`, cost: 1 + graph.FieldWeights()["Query.undoPreview"] + 1, depth: 2},
		// nodes(ids:) repeats its selection per id.
		{query: `{ nodes(ids: ["1", "2", "3"]) { id } }`, cost: 1 + 3*1, depth: 2},
		// Introspection does not count toward depth.
		{query: `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }`, cost: 13, depth: 1},
	} {
		doc, errs := gqlparser.LoadQueryWithRules(schema, c.query, nil)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", c.query, errs)
		}
		p, err := graph.PriceOperation(doc, doc.Operations[0], c.vars)
		if err != nil || p.Cost != c.cost || p.Depth != c.depth {
			t.Errorf("%s: cost %d depth %d (%v), want cost %d depth %d", c.query, p.Cost, p.Depth, err, c.cost, c.depth)
		}
	}
}

// TestFieldWeightsExistInSchema fails when a weighted field is renamed or removed, so that
// the weights table cannot silently stop applying.
func TestFieldWeightsExistInSchema(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	for key, w := range graph.FieldWeights() {
		typ, field, _ := strings.Cut(key, ".")
		def := schema.Types[typ]
		if def == nil || def.Fields.ForName(field) == nil {
			t.Errorf("weighted field %s (weight %d) is not in the schema", key, w)
		}
	}
	if len(graph.FieldWeights()) < 10 {
		t.Fatalf("only %d weighted fields", len(graph.FieldWeights()))
	}
}

// TestIntrospectionOff refuses __schema with its own code and a Dutch message, not as an
// internal error, and logs no ERROR; an admin still gets it.
func TestIntrospectionOff(t *testing.T) {
	srv, logs := costServer(t, "sqlite")
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, q := range []string{
			`{ __schema { queryType { name } } }`,
			`{ __type(name: "Account") { name } }`,
			`query { ...I } fragment I on Query { __schema { types { name } } }`,
		} {
			r := ask(t, srv, method, q, nil)
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != apperr.CodeIntrospectionDisabled ||
				!strings.Contains(r.Errors[0].Message, "Introspectie") || r.Errors[0].Extensions["messageEn"] == nil {
				t.Fatalf("%s %s: %+v", method, q, r.Errors)
			}
		}
	}
	if r := ask(t, srv, http.MethodPost, `{ __typename viewer { role } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("__typename is not introspection: %+v", r.Errors)
	}
	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Fatalf("refused introspection logged an error:\n%s", l)
	}

	db := testdb.New(t, "sqlite")
	admin := &auth.Viewer{AccountID: 1, SchoolID: 1, Role: auth.RoleAdmin}
	c := client.New(asViewer(admin, graph.NewHandler(graph.Options{Client: db.Client, Logger: slog.New(slog.DiscardHandler)})))
	var resp struct {
		Schema struct{ QueryType struct{ Name string } } `json:"__schema"`
	}
	c.MustPost(`{ __schema { queryType { name } } }`, &resp)
	if resp.Schema.QueryType.Name != "Query" {
		t.Fatalf("admin introspection: %+v", resp)
	}
}

// TestUndoPreviewSharedByAliases asks the undo preview of one job under four aliases (as
// many as the cost limit allows) and expects the statements of one preview, on both
// databases: aliases share the plan within the operation. A second operation computes it
// again: nothing is kept across requests.
func TestUndoPreviewSharedByAliases(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		s := db.Client.School.Create().SetName("School").SetBrin("07GG").SaveX(ctx)
		adminAcc := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).SetFirstName("B").SetLastName("H").SaveX(ctx)
		jobID := commitFixture(t, db, s.ID, "school_2026.csv")
		admin := &auth.Viewer{AccountID: adminAcc.ID, SchoolID: s.ID, Role: auth.RoleAdmin}
		c := client.New(asViewer(admin, graph.NewHandler(graph.Options{Client: db.Client, DB: db, Logger: slog.New(slog.DiscardHandler)})))

		one := `query($j: ID!) { a: undoPreview(jobId: $j) { possible removeAdded restoreUpdated reactivate } }`
		four := `query($j: ID!) { a: undoPreview(jobId: $j) { possible removeAdded restoreUpdated reactivate }
			b: undoPreview(jobId: $j) { possible removeAdded restoreUpdated reactivate }
			c: undoPreview(jobId: $j) { possible removeAdded restoreUpdated reactivate }
			d: undoPreview(jobId: $j) { possible removeAdded restoreUpdated reactivate } }`
		type preview struct {
			Possible                                bool
			RemoveAdded, RestoreUpdated, Reactivate int
		}
		var r1 struct{ A preview }
		var r4 struct{ A, B, C, D preview }
		counter.n.Store(0)
		c.MustPost(one, &r1, client.Var("j", jobID))
		n1 := counter.n.Load()
		counter.n.Store(0)
		c.MustPost(four, &r4, client.Var("j", jobID))
		n4 := counter.n.Load()
		if !r1.A.Possible || r1.A.RemoveAdded == 0 {
			t.Fatalf("preview of the committed job: %+v", r1.A)
		}
		for _, p := range []preview{r4.A, r4.B, r4.C, r4.D} {
			if p != r1.A {
				t.Fatalf("aliases answered %+v, alone %+v", p, r1.A)
			}
		}
		if n1 == 0 || n4 != n1 {
			t.Fatalf("one alias took %d statements, four took %d", n1, n4)
		}
		counter.n.Store(0)
		c.MustPost(one, &r1, client.Var("j", jobID))
		if again := counter.n.Load(); again != n1 {
			t.Fatalf("a second request took %d statements, the first %d: something is kept across requests", again, n1)
		}
	}, store.WithDriver(counter.wrap))
}

// commitFixture commits a file of testdata/transition into a school as an import job, now.
func commitFixture(t *testing.T, db *store.DB, schoolID int, name string) int {
	t.Helper()
	return commitFixtureAt(t, db, schoolID, name, time.Now())
}

// TestEveryConnectionNeedsAPageSize reads every connection field from the schema, so that a
// connection added later is covered without a change here: asking its rows without first or
// last is PAGE_SIZE, asking them with first is priced by it, asking only totalCount is free.
func TestEveryConnectionNeedsAPageSize(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	found := 0
	for _, typ := range schema.Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			conn := schema.Types[f.Type.Name()]
			if !strings.HasSuffix(conn.Name, "Connection") {
				continue
			}
			found++
			key := typ.Name + "." + f.Name
			edges := conn.Fields.ForName("edges")
			if edges == nil || f.Arguments.ForName("first") == nil || f.Arguments.ForName("last") == nil {
				t.Errorf("%s returns %s without edges, first or last", key, conn.Name)
				continue
			}
			field := func(args string, sel *ast.Field) *ast.Field {
				fl := &ast.Field{Name: f.Name, Definition: f, ObjectDefinition: typ, SelectionSet: ast.SelectionSet{sel}}
				if args != "" {
					fl.Arguments = ast.ArgumentList{{Name: args, Value: &ast.Value{Kind: ast.IntValue, Raw: "7"}}}
				}
				return fl
			}
			rows := &ast.Field{Name: "edges", Definition: edges, ObjectDefinition: conn}
			total := &ast.Field{Name: "totalCount", Definition: conn.Fields.ForName("totalCount"), ObjectDefinition: conn}
			price := func(fl *ast.Field) (graph.Price, error) {
				op := &ast.OperationDefinition{Operation: ast.Query, SelectionSet: ast.SelectionSet{fl}}
				p, err := graph.PriceOperation(&ast.QueryDocument{Operations: ast.OperationList{op}}, op, nil)
				if err != nil { // a nil *gqlerror.Error is not a nil error
					return p, err
				}
				return p, nil
			}
			if _, err := price(field("", rows)); err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s without first: %v", key, err)
			}
			for _, arg := range []string{"first", "last"} {
				if p, err := price(field(arg, rows)); err != nil || p.Cost != 1+7*1 {
					t.Errorf("%s(%s: 7) { edges }: cost %d, %v", key, arg, p.Cost, err)
				}
			}
			if p, err := price(field("", total)); err != nil || p.Cost != 2 {
				t.Errorf("%s { totalCount }: cost %d, %v", key, p.Cost, err)
			}
		}
	}
	if found < 10 {
		t.Fatalf("only %d connection fields found", found)
	}
	t.Logf("%d connection fields", found)
}
