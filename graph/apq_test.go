package graph_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

func sha(q string) string {
	s := sha256.Sum256([]byte(q))
	return hex.EncodeToString(s[:])
}

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

// get sends an operation with GET, as Apollo's and urql's clients send hashed queries.
func get(t *testing.T, base, token string, params map[string]any) httpAnswer {
	t.Helper()
	v := url.Values{}
	for k, p := range params {
		if s, ok := p.(string); ok {
			v.Set(k, s)
			continue
		}
		b, _ := json.Marshal(p)
		v.Set(k, string(b))
	}
	req, _ := http.NewRequest(http.MethodGet, base+"?"+v.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return roundTrip(t, req)
}

// TestPersistedQueries: the hash-first flow of automatic persisted queries over real HTTP —
// an unknown hash is PERSISTED_QUERY_NOT_FOUND, the query sent with its (checked) hash runs
// and is kept, the hash alone then runs it over POST and GET; a wrong hash is refused and
// nothing kept; a persisted mutation is refused over GET; a persisted query is bounded and
// authorized like a sent one (another school's token sees nothing of the class, a page over
// the maximum is refused); a query over MaxPersistedQueryBytes runs but is not kept; another
// process does not know the hash, and the client sends its query there once more.
func TestPersistedQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newLimitWorld(t, db, ratelimit.Usage{})
		tokA, tokB := w.tokens["a1"], w.tokens["b"]
		q := `query Klas($id: ID!) { node(id: $id) { ... on Class { name pupils(first: 10) { edges { node { firstName } } } } } }`
		vars := map[string]any{"id": w.ids["class01AA"]}
		h := sha(q)

		a := post(t, w.srv.URL, tokA, "", map[string]any{"variables": vars, "extensions": persisted(h)})
		if a.code() != "PERSISTED_QUERY_NOT_FOUND" || a.body["errors"].([]any)[0].(map[string]any)["message"] != "PersistedQueryNotFound" {
			t.Fatalf("unknown hash: %d %v", a.status, a.body)
		}
		if a := post(t, w.srv.URL, tokA, "application/graphql-response+json", map[string]any{"extensions": persisted(h)}); a.status != 400 || a.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unknown hash (graphql-response+json): %d %v", a.status, a.body)
		}
		if a := post(t, w.srv.URL, tokA, "", map[string]any{"query": q, "variables": vars, "extensions": persisted(sha(q + " "))}); a.code() != "BAD_REQUEST" {
			t.Fatalf("wrong hash: %d %v", a.status, a.body)
		}
		if a := post(t, w.srv.URL, tokA, "", map[string]any{"variables": vars, "extensions": persisted(sha(q + " "))}); a.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("the wrong hash was kept: %v", a.body)
		}
		sent := post(t, w.srv.URL, tokA, "", map[string]any{"query": q, "variables": vars, "extensions": persisted(h)})
		if sent.status != 200 || sent.code() != "" {
			t.Fatalf("query with its hash: %d %v", sent.status, sent.body)
		}
		byPost := post(t, w.srv.URL, tokA, "", map[string]any{"variables": vars, "extensions": persisted(strings.ToUpper(h))})
		byGet := get(t, w.srv.URL, tokA, map[string]any{"variables": vars, "extensions": persisted(h), "operationName": "Klas"})
		for name, a := range map[string]httpAnswer{"POST": byPost, "GET": byGet} {
			if a.status != 200 || fmt.Sprint(a.body["data"]) != fmt.Sprint(sent.body["data"]) {
				t.Fatalf("hash alone over %s: %d %v, want %v", name, a.status, a.body, sent.body["data"])
			}
		}
		// The same hash for another school's token: the class is not visible to it.
		if a := get(t, w.srv.URL, tokB, map[string]any{"variables": vars, "extensions": persisted(h)}); fmt.Sprint(a.body["data"]) != "map[node:<nil>]" {
			t.Fatalf("another school's token ran the persisted query: %d %v", a.status, a.body)
		}
		// A mutation may be persisted (over POST) but not run over GET.
		m := `mutation { revokeApiToken(id: "0") { id } }` // a READ_ROSTERS token may not: refused when run
		post(t, w.srv.URL, tokA, "", map[string]any{"query": m, "extensions": persisted(sha(m))})
		if a := get(t, w.srv.URL, tokA, map[string]any{"extensions": persisted(sha(m))}); a.status != 405 || a.code() != "METHOD_NOT_ALLOWED" {
			t.Fatalf("persisted mutation over GET: %d %v", a.status, a.body)
		}
		// Bounds hold for the hash alone as for the query (a validated query is kept even when
		// its cost is refused, as the next request by its hash is refused again).
		big := strings.Replace(q, "first: 10", "first: 100000", 1)
		post(t, w.srv.URL, tokA, "", map[string]any{"query": big, "variables": vars, "extensions": persisted(sha(big))})
		if a := get(t, w.srv.URL, tokA, map[string]any{"variables": vars, "extensions": persisted(sha(big))}); a.code() != "PAGE_SIZE" {
			t.Fatalf("page over the maximum by hash: %d %v", a.status, a.body)
		}
		// A query over the size kept runs, and is not kept.
		long := "# " + strings.Repeat("x", graph.MaxPersistedQueryBytes) + "\n" + q
		if a := post(t, w.srv.URL, tokA, "", map[string]any{"query": long, "variables": vars, "extensions": persisted(sha(long))}); a.status != 200 || a.code() != "" {
			t.Fatalf("long query: %d %v", a.status, a.body)
		}
		if a := post(t, w.srv.URL, tokA, "", map[string]any{"variables": vars, "extensions": persisted(sha(long))}); a.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("long query kept: %v", a.body)
		}
		// Another process has a cache of its own: not found, then the query once more.
		other := w.serve(t, ratelimit.Usage{})
		if a := post(t, other.URL, tokA, "", map[string]any{"variables": vars, "extensions": persisted(h)}); a.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("other process: %v", a.body)
		}
	})
}
