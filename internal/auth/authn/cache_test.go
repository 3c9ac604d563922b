package authn_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// statements counts the SQL statements ent sends.
type statements struct{ n atomic.Int64 }

func (c *statements) wrap(d dialect.Driver) dialect.Driver {
	return dialect.DebugWithContext(d, func(_ context.Context, v ...any) {
		if s := fmt.Sprint(v...); strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") {
			c.n.Add(1)
		}
	})
}

// TestTokenCacheRevocation: two processes on one database (on PostgreSQL each with its own
// LISTEN connection; on SQLite, which one process serves, sharing its in-process bus). A
// token seen once is not looked up again, and a revocation in one process ends the token in
// the other within a second, however long the cache would otherwise keep it.
func TestTokenCacheRevocation(t *testing.T) {
	count := &statements{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		log := slog.New(slog.DiscardHandler)
		sch, adminCtx := schoolAdmin(ctx, db)

		buses := processBuses(t, db, log)
		procs := make([]*authn.Service, 2)
		for i := range procs {
			procs[i] = cachingService(t, db, buses[i], time.Hour) // only a push may end a token here
		}
		a, b := procs[0], procs[1]
		tok, secret := newToken(t, a, adminCtx, sch.ID, auth.ScopeReadRosters)

		if v, err := b.FromToken(ctx, secret, "192.0.2.1"); err != nil || v == nil || v.TokenID != tok.ID {
			t.Fatalf("first use: %+v %v", v, err)
		}
		count.n.Store(0)
		v, err := b.FromToken(ctx, secret, "192.0.2.2")
		if err != nil || v == nil || v.TokenID != tok.ID || v.SchoolID != sch.ID || v.RemoteAddr != "192.0.2.2" ||
			len(v.Scopes) != 1 || v.Scopes[0] != auth.ScopeReadRosters {
			t.Fatalf("second use: %+v %v", v, err)
		}
		if n := count.n.Load(); n != 0 {
			t.Errorf("a token used again within the cache's lifetime sent %d statements, want 0", n)
		}
		if v, err := b.FromToken(ctx, secret+"x", "192.0.2.2"); err != nil || v != nil {
			t.Fatalf("unknown token: %+v %v", v, err)
		}

		start := time.Now()
		if _, err := a.RevokeToken(adminCtx, tok.ID); err != nil {
			t.Fatal(err)
		}
		for _, p := range procs {
			for {
				v, err := p.FromToken(ctx, secret, "192.0.2.2")
				if err != nil {
					t.Fatal(err)
				}
				if v == nil {
					break
				}
				if time.Since(start) > time.Second {
					t.Fatalf("revoked token still accepted after %v", time.Since(start))
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		t.Logf("revoked token refused by both processes after %v", time.Since(start))
	}, store.WithDriver(count.wrap))
}

// TestTokenCacheLifetime: without a push, a cached token is looked up again once its lifetime
// is over, and a service without a bus caches nothing.
func TestTokenCacheLifetime(t *testing.T) {
	count := &statements{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		sch, adminCtx := schoolAdmin(ctx, db)

		short := cachingService(t, db, pubsub.NewLocal(), 50*time.Millisecond)
		busless := cachingService(t, db, nil, time.Hour)
		_, secret := newToken(t, short, adminCtx, sch.ID, auth.ScopeReadRosters)
		for _, c := range []struct {
			name  string
			s     *authn.Service
			sleep time.Duration
			want  int64
		}{
			{"first use", short, 0, 1},
			{"within the lifetime", short, 0, 0},
			{"after the lifetime", short, 60 * time.Millisecond, 1},
			{"no bus, first use", busless, 0, 1},
			{"no bus, again", busless, 0, 1},
		} {
			time.Sleep(c.sleep)
			count.n.Store(0)
			if v, err := c.s.FromToken(ctx, secret, "192.0.2.1"); err != nil || v == nil {
				t.Fatalf("%s: %+v %v", c.name, v, err)
			}
			// The first use of each service also records last_used_at (one statement more).
			if n := count.n.Load(); n < c.want || (c.want == 0 && n != 0) {
				t.Errorf("%s: %d statements, want %d", c.name, n, c.want)
			}
		}
	}, store.WithDriver(count.wrap))
}

// cachingService is a sign-in service over db with bus (nil: none) whose token cache keeps a
// token for lifetime, until the test ends.
func cachingService(t *testing.T, db *store.DB, bus pubsub.Bus, lifetime time.Duration) *authn.Service {
	s := authn.New(db.Client, slog.New(slog.DiscardHandler))
	s.Bus = bus
	t.Cleanup(s.StartTokenCache(lifetime))
	return s
}

// processBuses is the bus of each of two processes on db: on PostgreSQL two LISTEN
// connections, on SQLite (served by one process) one in-process bus.
func processBuses(t *testing.T, db *store.DB, log *slog.Logger) []pubsub.Bus {
	t.Helper()
	if db.Dialect != dialect.Postgres {
		bus := pubsub.NewLocal()
		return []pubsub.Bus{bus, bus}
	}
	buses := make([]pubsub.Bus, 2)
	for i := range buses {
		bus, err := db.Bus(log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		buses[i] = bus
	}
	return buses
}

// TestTokenCacheSharedLookup: 32 requests that carry a token the cache does not hold (first
// use, or its entry ran out) read it once between them and record its use once, instead of
// 32 reads and 32 writes of last_used_at to the same row at the same moment.
func TestTokenCacheSharedLookup(t *testing.T) {
	count := &statements{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		sch, adminCtx := schoolAdmin(ctx, db)
		svc := cachingService(t, db, pubsub.NewLocal(), time.Hour)
		_, secret := newToken(t, svc, adminCtx, sch.ID, auth.ScopeReadRosters)
		count.n.Store(0)
		start := make(chan struct{})
		var wg sync.WaitGroup
		var failed atomic.Int64
		for range 32 {
			wg.Go(func() {
				<-start
				if v, err := svc.FromToken(ctx, secret, "192.0.2.1"); err != nil || v == nil {
					failed.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if failed.Load() != 0 {
			t.Fatalf("%d of 32 requests were refused", failed.Load())
		}
		if n := count.n.Load(); n > 2 {
			t.Fatalf("32 concurrent first uses sent %d statements, want the token's read and its last_used_at (2)", n)
		}
	}, store.WithDriver(count.wrap))
}
