package ratelimit_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// TestTwoServeProcesses runs two real numo servers (app.New + Serve, as `numo serve` builds
// them) on one database and sends one token's operations to both at once: together they
// answer 200 to at least the limit and at most ratelimit.Tolerance(limit, 2), every other
// answer is 429 with Retry-After, and every answer has the RateLimit-* headers.
func TestTwoServeProcesses(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		u := testdb.URL(t, kind)
		const limit = 60
		args := []string{"--db", u, "--demo=false", "--rate-limit-requests", "60"}
		baseA, _ := testapp.Serve(t, nil, args, nil)
		baseB, _ := testapp.Serve(t, nil, args, nil)
		secret := newToken(t, u)
		// The burst must not straddle two windows.
		if s := time.Now().Second(); s > 45 {
			time.Sleep(time.Duration(61-s) * time.Second)
		}
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range 6 {
			base := []string{baseA, baseB}[i%2]
			wg.Go(func() {
				for range 25 {
					req, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(`{"query":"{ __typename }"}`))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+secret)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.Header.Get("RateLimit-Limit") != "60" || resp.Header.Get("RateLimit-Reset") == "" ||
						(resp.StatusCode == 429) != (resp.Header.Get("Retry-After") != "") {
						t.Errorf("answer %d with headers %v", resp.StatusCode, resp.Header)
					}
					mu.Lock()
					statuses[resp.StatusCode]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if ok := int64(statuses[200]); ok < limit || ok > ratelimit.Tolerance(limit, 2) || statuses[200]+statuses[429] != 150 {
			t.Fatalf("answers %v: want %d to %d times 200, the rest 429", statuses, limit, ratelimit.Tolerance(limit, 2))
		}
		t.Logf("%s: two processes answered %v (limit %d)", kind, statuses, limit)
	})
}

// newToken makes a school, its admin and a READ_ROSTERS token in the database at u.
func newToken(t *testing.T, u string) string {
	t.Helper()
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := auth.System(context.Background())
	s := db.Client.School.Create().SetName("School A").SetBrin("01AA").SaveX(sys)
	admin := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).
		SetFirstName("Ada").SetLastName("Beheer").SetUsername("beheer").SaveX(sys)
	ctx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin})
	_, secret, err := authn.New(db.Client, slog.New(slog.DiscardHandler)).CreateToken(ctx, s.ID, "koppeling", []auth.Scope{auth.ScopeReadRosters})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
