package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestRosterByTokenStatements: an integrator's roster read (one class with its pupils, by API
// token, through the real authentication middleware) costs the class and its pupils and
// nothing more once the token has been seen: the token is not looked up again while the
// process's cache holds it (it was 3 statements per request, the token's lookup first).
func TestRosterByTokenStatements(t *testing.T) {
	counter := &statementCounter{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sys := auth.System(context.Background())
		log := slog.New(slog.DiscardHandler)
		s := seedSchool(t, db.Client, "01AA", 2, 30)
		admin := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).
			SetFirstName("Ada").SetLastName("Beheer").SetUsername("beheer").SaveX(sys)
		svc := authn.New(db.Client, log)
		svc.Bus = pubsub.NewLocal()
		t.Cleanup(svc.StartTokenCache(time.Minute))
		adminCtx := auth.NewContext(context.Background(), &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin})
		_, secret, err := svc.CreateToken(adminCtx, s.ID, "Koppeling", []auth.Scope{auth.ScopeReadRosters})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(svc.Middleware(nil, graph.NewHandler(graph.Options{Client: db.Client, DB: db, Authn: svc, Logger: log})))
		defer srv.Close()
		classID := db.Client.Class.Query().FirstIDX(sys)
		body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { node(id: $id) { ... on Class { name
			pupils(first: 30) { edges { node { externalKey firstName infix lastName email username } } } } } }`,
			"variables": map[string]any{"id": classID}})

		var counts []int64
		for range 3 {
			counter.n.Store(0)
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
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
				t.Fatalf("answer %d %s (%v)", resp.StatusCode, b, err)
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
