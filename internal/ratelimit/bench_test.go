package ratelimit_test

import (
	"context"
	"testing"

	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/testdb"
)

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
