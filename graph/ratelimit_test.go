package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// limitWorld is a GraphQL server whose API tokens are rate limited, with a clock the test
// moves: two schools, two tokens of the first and one of the second.
type limitWorld struct {
	srv   *httptest.Server
	clock *testClock
	// serve starts another server, as another process on the same database would be.
	serve  func(t *testing.T, limit ratelimit.Usage) *httptest.Server
	tokens map[string]string // name -> secret
	ids    map[string]int
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func newLimitWorld(t *testing.T, db *store.DB, limit ratelimit.Usage) *limitWorld {
	t.Helper()
	sys := auth.System(context.Background())
	log := slog.New(slog.DiscardHandler)
	svc := tokenService(t, db)
	w := &limitWorld{clock: &testClock{now: time.Date(2026, 3, 2, 9, 30, 10, 0, time.UTC)}, tokens: map[string]string{}, ids: map[string]int{}}
	for _, brin := range []string{"01AA", "02BB"} {
		s := seedSchool(t, db.Client, brin, 1, 3)
		names := map[string][]string{"01AA": {"a1", "a2"}, "02BB": {"b"}}[brin]
		for i, secret := range readTokens(t, db, svc, s.ID, "beheer"+brin, names...) {
			w.tokens[names[i]] = secret
		}
		w.ids[brin] = s.ID
		w.ids["class"+brin] = db.Client.Class.Query().Where(class.SchoolID(s.ID)).FirstIDX(sys)
	}
	w.serve = func(t *testing.T, limit ratelimit.Usage) *httptest.Server {
		lim := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{Limit: limit, Now: w.clock.Now, Logger: log})
		srv := httptest.NewServer(svc.Middleware(nil, graph.NewHandler(graph.Options{
			Client: db.Client, DB: db, Authn: svc, Logger: log, RateLimit: lim})))
		t.Cleanup(srv.Close)
		return srv
	}
	w.srv = w.serve(t, limit)
	return w
}

// httpAnswer is one HTTP answer of /query.
type httpAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

func (a httpAnswer) code() string {
	errs, _ := a.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

func (a httpAnswer) num(t *testing.T, name string) int {
	t.Helper()
	v := a.header.Values(name)
	if len(v) != 1 {
		t.Fatalf("header %s: %q", name, v)
	}
	n, err := strconv.Atoi(v[0])
	if err != nil {
		t.Fatalf("header %s: %q", name, v[0])
	}
	return n
}

// post sends a JSON body to /query with the token (none when ""), under accept.
func post(t *testing.T, url, token, accept string, body any) httpAnswer {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return roundTrip(t, req)
}

// roundTrip sends req and reads its answer as JSON.
func roundTrip(t *testing.T, req *http.Request) httpAnswer {
	t.Helper()
	status, h, raw := fetch(t, req)
	a := httpAnswer{status: status, header: h}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("status %d: %s", status, raw)
	}
	return a
}

// TestTokenRateLimitOverHTTP: a token gets its budget of operations per minute with the
// RateLimit-* headers counting down, then 429 RATE_LIMITED with Retry-After (under both media
// types, without data); another token of the same school and a token of another school have
// budgets of their own; callers without a token get no headers; the next minute the budget is
// whole again; a websocket opened with a token counts every operation it starts.
func TestTokenRateLimitOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newLimitWorld(t, db, ratelimit.Usage{Requests: 4})
		q := map[string]any{"query": "{ __typename }"}
		for i := 1; i <= 4; i++ {
			a := post(t, w.srv.URL, w.tokens["a1"], "", q)
			if a.status != 200 || a.code() != "" || a.num(t, "RateLimit-Limit") != 4 || a.num(t, "RateLimit-Remaining") != 4-i || a.num(t, "RateLimit-Reset") != 50 {
				t.Fatalf("operation %d: %d %v %v", i, a.status, a.header, a.body)
			}
		}
		for _, accept := range []string{"application/json", "application/graphql-response+json"} {
			a := post(t, w.srv.URL, w.tokens["a1"], accept, q)
			if _, hasData := a.body["data"]; a.status != 429 || a.code() != "RATE_LIMITED" || hasData ||
				a.num(t, "Retry-After") != 50 || a.num(t, "RateLimit-Remaining") != 0 {
				t.Fatalf("over the limit (%s): %d %v %v", accept, a.status, a.header, a.body)
			}
		}
		for _, other := range []string{"a2", "b"} {
			if a := post(t, w.srv.URL, w.tokens[other], "", q); a.status != 200 || a.num(t, "RateLimit-Remaining") != 3 {
				t.Fatalf("token %s: %d %v %v", other, a.status, a.header, a.body)
			}
		}
		if a := post(t, w.srv.URL, "", "", q); a.status != 200 || a.header.Get("RateLimit-Limit") != "" {
			t.Fatalf("without a token: %d %v", a.status, a.header)
		}
		w.clock.Add(time.Minute)
		if a := post(t, w.srv.URL, w.tokens["a1"], "", q); a.status != 200 || a.num(t, "RateLimit-Remaining") != 3 {
			t.Fatalf("next minute: %d %v %v", a.status, a.header, a.body)
		}
		ws := (&world{srv: w.srv}).dialSocket(t, caller{token: w.tokens["b"]})
		for i := 1; i <= 4; i++ { // b's earlier operation was in the minute before
			if r, closed := ws.do("{ __typename }"); closed || len(r.Errors) > 0 {
				t.Fatalf("socket operation %d: closed %v, %+v", i, closed, r)
			}
		}
		r, _ := ws.do("{ __typename }")
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "RATE_LIMITED" {
			t.Fatalf("fifth operation on the socket: %+v", r)
		}
	})
}

// TestPointsBudget: a token's operations spend complexity points by their cost: a large page
// uses far more of the budget than a small query.
func TestPointsBudget(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newLimitWorld(t, db, ratelimit.Usage{Requests: 1000, Points: 600_000})
		small := post(t, w.srv.URL, w.tokens["a1"], "", map[string]any{"query": "{ __typename }"})
		big := post(t, w.srv.URL, w.tokens["a1"], "", map[string]any{
			"query":     `query($id: ID!) { node(id: $id) { ... on Class { pupils(first: 1000) { edges { node { firstName lastName username email } } } } } }`,
			"variables": map[string]any{"id": w.ids["class01AA"]}})
		if small.status != 200 || big.status != 200 || big.code() != "" {
			t.Fatalf("answers %d %v / %d %v", small.status, small.body, big.status, big.body)
		}
		// After the big query the points are nearer to running out than the requests.
		spentBig := 600_000 - big.num(t, "RateLimit-Remaining")
		if big.num(t, "RateLimit-Limit") != 600_000 || spentBig < 1000 {
			t.Fatalf("after a 1000-row page: limit %s, %d points spent", big.header.Get("RateLimit-Limit"), spentBig)
		}
		t.Logf("points spent: a 1000-row page and {__typename} together %d", spentBig)
	})
}

// An integrator's roster read: one class with its pupils, by a READ_ROSTERS API token through
// the real authentication middleware and the GraphQL handler.

// tokenService is a token service of its own on db, its cache started.
func tokenService(tb testing.TB, db *store.DB) *authn.Service {
	svc := authn.New(db.Client, slog.New(slog.DiscardHandler))
	svc.Bus = pubsub.NewLocal()
	tb.Cleanup(svc.StartTokenCache(time.Minute))
	return svc
}

// readTokens makes READ_ROSTERS tokens with svc, one for each name, as a new admin account of
// the school called username, and answers their secrets.
func readTokens(tb testing.TB, db *store.DB, svc *authn.Service, schoolID int, username string, names ...string) []string {
	tb.Helper()
	sys := auth.System(context.Background())
	admin := db.Client.Account.Create().SetSchoolID(schoolID).SetRole(account.RoleADMIN).
		SetFirstName("Ada").SetLastName("Beheer").SetUsername(username).SaveX(sys)
	ctx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: schoolID, Role: auth.RoleAdmin})
	var secrets []string
	for _, name := range names {
		_, secret, err := svc.CreateToken(ctx, schoolID, name, []auth.Scope{auth.ScopeReadRosters})
		if err != nil {
			tb.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	return secrets
}

// tokenRosterQuery is the body of the roster read of a class: its name and its first 30 pupils.
func tokenRosterQuery(classID int) []byte {
	body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { node(id: $id) { ... on Class { name
		pupils(first: 30) { edges { node { externalKey firstName infix lastName email username } } } } } }`,
		"variables": map[string]any{"id": classID}})
	return body
}

// TestRosterByTokenStatements: an integrator's roster read (one class with its pupils, by API
// token, through the real authentication middleware) costs the class and its pupils and
// nothing more once the token has been seen: the token is not looked up again while the
// process's cache holds it (it was 3 statements per request, the token's lookup first).
func TestRosterByTokenStatements(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := seedSchool(t, db.Client, "01AA", 2, 30)
		svc := tokenService(t, db)
		secret := readTokens(t, db, svc, s.ID, "beheer", "Koppeling")[0]
		srv := httptest.NewServer(svc.Middleware(nil, graph.NewHandler(graph.Options{Client: db.Client, DB: db, Authn: svc, Logger: slog.New(slog.DiscardHandler)})))
		defer srv.Close()
		body := tokenRosterQuery(db.Client.Class.Query().FirstIDX(auth.System(context.Background())))

		var counts []int64
		for range 3 {
			counter.n.Store(0)
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			status, _, b := fetch(t, req)
			counts = append(counts, counter.n.Load())
			var out struct {
				Data struct {
					Node struct {
						Pupils struct {
							Edges []struct{ Node struct{ ExternalKey string } }
						}
					}
				}
				Errors []any
			}
			if err := json.Unmarshal(b, &out); err != nil || out.Errors != nil || len(out.Data.Node.Pupils.Edges) != 30 {
				t.Fatalf("answer %d %s (%v)", status, b, err)
			}
		}
		// PostgreSQL reads the class with its pupils in one statement (graph/class_reads.go).
		want := int64(2)
		if db.Dialect == "postgres" {
			want = 1
		}
		if counts[1] != want || counts[2] != want {
			t.Fatalf("statements per roster read by token: %v; want the class and its pupils (%d) once the token is known", counts, want)
		}
		t.Logf("statements per roster read by token: first %d (token looked up and its use recorded), then %d", counts[0], counts[1])
	}, store.WithDriver(counter.wrap))
}

// BenchmarkRosterByTokenRateLimit reads one class with its 30 pupils by API token through
// the authentication middleware and the GraphQL handler, without a rate limit and with one
// whose budget is never reached: the limiter's cost on an admitted request (the benchmark of
// issue 13 reads rosters this way). Run with -benchmem; on PostgreSQL with
// NUMO_TEST_DATABASE_URL set.
func BenchmarkRosterByTokenRateLimit(b *testing.B) {
	for _, kind := range testdb.Kinds {
		b.Run(kind, func(b *testing.B) {
			db := testdb.New(b, kind)
			sys := auth.System(context.Background())
			log := slog.New(slog.DiscardHandler)
			s := db.Client.School.Create().SetName("School 01AA").SetBrin("01AA").SaveX(sys)
			cl := db.Client.Class.Create().SetSchoolID(s.ID).SetName("1A").SaveX(sys)
			for j := range 30 {
				db.Client.Account.Create().SetSchoolID(s.ID).SetClassID(cl.ID).SetExternalKey(fmt.Sprintf("p%03d", j)).
					SetFirstName(fmt.Sprintf("Voornaam%03d", j)).SetLastName(fmt.Sprintf("Achternaam%03d", j)).SaveX(sys)
			}
			svc := tokenService(b, db)
			secret := readTokens(b, db, svc, s.ID, "beheer", "Koppeling")[0]
			body := tokenRosterQuery(cl.ID)
			for _, limited := range []bool{false, true} {
				o := graph.Options{Client: db.Client, DB: db, Authn: svc, Logger: log}
				name := "limiter=off"
				if limited {
					lim := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{Limit: ratelimit.Usage{Requests: 1 << 50, Points: 1 << 55}})
					lim.Start()
					b.Cleanup(lim.Stop)
					o.RateLimit, name = lim, "limiter=on"
				}
				h := svc.Middleware(nil, graph.NewHandler(o))
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(string(body)))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+secret)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != 200 || strings.Contains(rec.Body.String(), `"errors"`) {
							b.Fatalf("%d %s", rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}
