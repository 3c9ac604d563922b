package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/ratewindow"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// clock is a settable time for the limiters of a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// start is 10 s into a window.
var start = time.Date(2026, 3, 2, 9, 30, 10, 0, time.UTC)

// openTwice opens the same new database twice, as two numo processes do.
func openTwice(t *testing.T, kind string) (*store.DB, *store.DB) {
	t.Helper()
	u := testdb.URL(t, kind)
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if i == 0 {
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// rowTotal is what the shared row of the token's window holds.
func rowTotal(t *testing.T, db *store.DB, token int, window time.Time) ratelimit.Usage {
	t.Helper()
	var u ratelimit.Usage
	r, p, ok, err := db.AddRateUsageWithin(context.Background(), token, window.Truncate(ratelimit.Window).Unix(), 0, 0, 1<<62, 1<<62)
	if err != nil || !ok {
		t.Fatalf("read row: ok %v, %v", ok, err)
	}
	u.Requests, u.Points = r, p
	return u
}

// TestTwoProcessesShareOneBudget hammers one token through two limiters on two connections
// to one database, each syncing in the background: together they admit at least the limit
// (no budget lost) and at most ratelimit.Tolerance(limit, 2); once synced, the shared row
// holds exactly what they admitted.
func TestTwoProcessesShareOneBudget(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		dbA, dbB := openTwice(t, kind)
		clk := &clock{now: start}
		const limit = 300
		var lims []*ratelimit.Limiter
		for _, db := range []*store.DB{dbA, dbB} {
			l := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{
				Limit: ratelimit.Usage{Requests: limit}, SyncEvery: 5 * time.Millisecond, Now: clk.Now})
			l.Start()
			lims = append(lims, l)
		}
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				l := lims[i%2]
				for range 200 {
					if l.Allow(context.Background(), 7, 3).Allowed {
						allowed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		for _, l := range lims {
			l.Stop() // syncs what is pending
		}
		got := allowed.Load()
		if got < limit || got > ratelimit.Tolerance(limit, 2) {
			t.Fatalf("two processes admitted %d of 1600, want %d to %d", got, limit, ratelimit.Tolerance(limit, 2))
		}
		if row := rowTotal(t, dbA, 7, start); row.Requests != got || row.Points != 3*got {
			t.Fatalf("shared row %+v, want %d requests and %d points", row, got, 3*got)
		}
		t.Logf("%s: admitted %d with a limit of %d (tolerance %d)", kind, got, limit, ratelimit.Tolerance(limit, 2))
	})
}

// TestBudget: one process admits exactly the limit, in requests and in points (a 10,000-point
// operation uses a thousand times the budget of a 10-point one); the headers' numbers count
// down; other tokens have budgets of their own; the next window starts whole, and the rows of
// windows that ended are pruned.
func TestBudget(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{now: start}
		l := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{
			Limit: ratelimit.Usage{Requests: 100, Points: 30_000}, Now: clk.Now})
		cases := []struct {
			name   string
			token  int
			points int
			want   int // admitted before the first refusal
			quota  string
		}{
			{"big operations spend points", 1, 10_000, 3, "points"},
			{"small operations spend requests", 2, 10, 100, "requests"},
			{"an operation over the whole budget", 3, 30_001, 0, "points"},
		}
		for _, tc := range cases {
			n := 0
			var d ratelimit.Decision
			for {
				d = l.Allow(ctx, tc.token, tc.points)
				if !d.Allowed {
					break
				}
				n++
				if d.Remaining < 0 || n > 1000 {
					t.Fatalf("%s: remaining %d after %d", tc.name, d.Remaining, n)
				}
			}
			if n != tc.want || d.Quota != tc.quota || d.Reset != 50*time.Second {
				t.Errorf("%s: admitted %d (want %d), refused on %q (want %q), reset %v (want 50s)",
					tc.name, n, tc.want, d.Quota, tc.quota, d.Reset)
			}
		}
		if d := l.Allow(ctx, 4, 10); !d.Allowed || d.Remaining != 99 || d.Limit != 100 {
			t.Errorf("another token: %+v, want allowed with 99 of 100 left", d)
		}
		l.Sync(ctx)
		if row := rowTotal(t, db, 2, start); row.Requests != 100 || row.Points != 1000 {
			t.Errorf("token 2's row: %+v, want 100 requests and 1000 points", row)
		}
		clk.Set(start.Add(ratelimit.Window))
		if d := l.Allow(ctx, 2, 10); !d.Allowed || d.Remaining != 99 || d.Reset != 50*time.Second {
			t.Errorf("next window: %+v, want allowed with 99 left", d)
		}
		clk.Set(start.Add(3 * ratelimit.Window))
		l.Sync(ctx) // prunes the windows that ended more than a window ago
		_, rows := testdb.Rows(t, db, entsql.Dialect(db.Dialect).Select(ratewindow.FieldWindowStart).From(entsql.Table(ratewindow.Table)))
		if len(rows) != 1 {
			t.Errorf("after the prune %d rows are left, want 1 (token 2's second window)", len(rows))
		}
	})
}

// TestNoLimit: a zero limit counts nothing against that budget.
func TestNoLimit(t *testing.T) {
	db := testdb.New(t, "sqlite")
	l := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{Limit: ratelimit.Usage{Requests: 5}})
	for i := range 5 {
		if d := l.Allow(context.Background(), 1, 1<<30); !d.Allowed || d.Quota != "requests" {
			t.Fatalf("operation %d: %+v", i, d)
		}
	}
	if l.Allow(context.Background(), 1, 1).Allowed {
		t.Fatal("the sixth operation was admitted")
	}
}

// BenchmarkAllow is the limiter's cost on an admitted operation whose budget is far from
// used (no database round trip): what every request of a token pays.
func BenchmarkAllow(b *testing.B) {
	db := testdb.New(b, "sqlite")
	l := ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{Limit: ratelimit.Usage{Requests: 1 << 50, Points: 1 << 55}})
	l.Start()
	defer l.Stop()
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !l.Allow(ctx, 7, 150).Allowed {
				b.Fatal("refused")
			}
		}
	})
}
