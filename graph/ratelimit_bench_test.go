package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/testdb"
)

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
			admin := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).
				SetFirstName("Ada").SetLastName("Beheer").SetUsername("beheer").SaveX(sys)
			svc := authn.New(db.Client, log)
			svc.Bus = pubsub.NewLocal()
			b.Cleanup(svc.StartTokenCache(time.Minute))
			ctx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin})
			_, secret, err := svc.CreateToken(ctx, s.ID, "Koppeling", []auth.Scope{auth.ScopeReadRosters})
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { node(id: $id) { ... on Class { name
				pupils(first: 30) { edges { node { externalKey firstName infix lastName email username } } } } } }`,
				"variables": map[string]any{"id": cl.ID}})
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
