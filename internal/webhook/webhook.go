// Package webhook delivers a school's roster change feed (package feed) to the URLs that
// integrators registered per API token: POSTed as JSON, signed with HMAC-SHA256
// (Numo-Signature), at least once and in order, with an Idempotency-Key per batch, retried with
// exponential backoff and logged per attempt (WebhookDelivery).
//
// The outbox is the database: the feed itself plus each endpoint's cursor (the last position
// its receiver acknowledged with a 2xx). A Dispatcher runs in every numo serve process; it takes
// a due endpoint with a lease (a conditional UPDATE, the same on SQLite and PostgreSQL), so two
// processes never deliver one endpoint at once, and a crash loses nothing: the lease runs out
// and another dispatcher continues from the cursor.
package webhook

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/numo/accounts/internal/feed"
)

// Source is the change feed a dispatcher delivers: package feed over the database.
type Source interface {
	// After returns the school's changes with a position greater than after, in order, at
	// most limit.
	After(ctx context.Context, schoolID int, after int64, limit int) ([]feed.Change, error)
	// Head is the position of the school's last change (0 when none).
	Head(ctx context.Context, schoolID int) (int64, error)
}

// Defaults of the dispatcher (Options).
const (
	DefaultBatchSize  = 100
	DefaultTimeout    = 10 * time.Second
	DefaultLease      = time.Minute
	DefaultPoll       = 30 * time.Second
	DefaultWorkers    = 4
	DefaultPauseAfter = 72 * time.Hour
	// MinFailuresToPause is how many attempts in a row must fail (besides PauseAfter) before
	// an endpoint is paused.
	MinFailuresToPause = 10
	// PruneAfter is how long the delivery log keeps an attempt.
	PruneAfter = 30 * 24 * time.Hour
	// KeepPerEndpoint is how many attempts the log keeps per endpoint at most.
	KeepPerEndpoint = 1000
	// MaxPerToken is how many webhooks one API token may have.
	MaxPerToken = 5
	// maxBatchesPerClaim bounds the batches one claim delivers before it lets other endpoints go.
	maxBatchesPerClaim = 20
)

// Backoff is the default wait after the n-th failure in a row (n ≥ 1): 10 s doubling to at
// most an hour, with ±20 % jitter so that endpoints failing together do not retry together.
func Backoff(n int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
