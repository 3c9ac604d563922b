// Package ratelimit owns the rate limit of API tokens: how many GraphQL operations, and how
// many complexity points (graph/cost.go), one token may use per minute, across every
// `numo serve` process on one database.
//
// No request waits for the database on the way in. Each process counts locally and decides
// from the token's total as it last read it from the shared row (table rate_windows) plus
// what it admitted since; every SyncEvery it adds its counts to that row with one atomic
// INSERT … ON CONFLICT DO UPDATE … RETURNING and reads the new total back. So that processes
// that do not yet see each other's counts cannot together run far past the limit, a process
// admits on its own only up to a share (1/ShareDivisor) of the budget it knows is left; past
// that share, and so for every request near the limit, the request itself adds its counts
// with a conditional upsert that refuses to go over the limit (one round trip, exact). See
// Tolerance for what the limit guarantees.
//
// Windows are fixed minutes (Unix time truncated to Window); a refused client is told to
// retry when its window ends. Rows of windows that ended are deleted by every process now
// and then (PruneEvery); a process forgets a window's counts once it has synced them.
package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Window is the length of one counting window.
const Window = time.Minute

// ShareDivisor bounds what a process admits between two syncs to 1/ShareDivisor of the
// budget left in the window as it last read it.
const ShareDivisor = 8

// DefaultSyncEvery is how often a process adds its counts to the shared rows.
const DefaultSyncEvery = 500 * time.Millisecond

// PruneEvery is how often a process deletes the rows of windows that ended.
const PruneEvery = time.Minute

// Tolerance, for the documentation and the tests: with P processes serving one token at the
// same moment, the operations admitted in one window stay within
//
//	limit + P × (limit / ShareDivisor)
//
// in the worst case (every process admitting its whole share before any of them syncs);
// with one process, and with several whose requests spread over a SyncEvery, the limit holds
// exactly, because the last part of the budget is only handed out by the conditional upsert.
func Tolerance(limit int64, processes int) int64 {
	return limit + int64(processes)*(limit/ShareDivisor)
}

// Usage is what a token used: operations and their complexity points.
type Usage struct {
	Requests int64
	Points   int64
}

func (u Usage) plus(v Usage) Usage { return Usage{u.Requests + v.Requests, u.Points + v.Points} }

func (u Usage) minus(v Usage) Usage { return Usage{u.Requests - v.Requests, u.Points - v.Points} }

func (u Usage) within(l Usage) bool { return u.Requests <= l.Requests && u.Points <= l.Points }

func (u Usage) isZero() bool { return u.Requests == 0 && u.Points == 0 }

// maxUsage is the larger of each count: a window's shared total only grows, so of two reads
// the larger one is the later.
func maxUsage(a, b Usage) Usage { return Usage{max(a.Requests, b.Requests), max(a.Points, b.Points)} }

// Store holds the shared counts (internal/store's rate_windows).
type Store interface {
	// AddRateUsage adds n to the token's row of the window (made when missing) and returns
	// the row's totals after it.
	AddRateUsage(ctx context.Context, tokenID int, window int64, n Usage) (Usage, error)
	// AddRateUsageWithin adds n only when the totals stay within limit: ok is false, and
	// nothing is added, otherwise.
	AddRateUsageWithin(ctx context.Context, tokenID int, window int64, n, limit Usage) (total Usage, ok bool, err error)
	// PruneRateWindows deletes the rows of windows that began before before (Unix seconds).
	PruneRateWindows(ctx context.Context, before int64) error
}

// Options configures a Limiter.
type Options struct {
	// Limit is every token's budget per Window; a zero count means no limit on it.
	Limit Usage
	// SyncEvery is how often counts go to the shared rows; 0 means DefaultSyncEvery.
	SyncEvery time.Duration
	// Now is the clock; nil means time.Now. Tests move it across windows.
	Now func() time.Time
	// Logger receives the failures to sync.
	Logger *slog.Logger
}

// Limiter decides, for one process, whether a token's operation may run.
type Limiter struct {
	store     Store
	limit     Usage
	syncEvery time.Duration
	now       func() time.Time
	log       *slog.Logger

	mu        sync.RWMutex
	counters  map[key]*counter
	lastPrune time.Time
	// counted is set when a token's counts were kept since the last prune.
	counted bool

	started  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// key is one token's counts in one window.
type key struct {
	token  int
	window int64 // Unix seconds of the window's start
}

// counter is this process's view of one token's window.
type counter struct {
	mu sync.Mutex
	// global is the shared total as last read; it includes what this process synced.
	global Usage
	// pending was admitted here and not yet added to the shared row; inflight is being added.
	pending, inflight Usage
	// refusedPoints is the fewest points the shared row refused in this window (0: none): an
	// operation of at least as many points is refused without asking, as totals only grow.
	refusedPoints int64
}

// New makes a limiter; Start runs its sync loop.
func New(store Store, o Options) *Limiter {
	if o.SyncEvery <= 0 {
		o.SyncEvery = DefaultSyncEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Limiter{
		store: store, limit: o.Limit, syncEvery: o.SyncEvery, now: o.Now, log: o.Logger,
		counters: map[key]*counter{}, stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// Limit is the budget of every token per Window.
func (l *Limiter) Limit() Usage { return l.limit }

// Start runs the sync loop until Stop.
func (l *Limiter) Start() {
	if l.started.Swap(true) {
		return
	}
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.syncEvery)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				l.syncWithin(5 * time.Second) // what was admitted still counts for the other processes
				return
			case <-t.C:
				l.syncWithin(10 * time.Second)
			}
		}
	}()
}

// syncWithin syncs, giving up after d.
func (l *Limiter) syncWithin(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	l.Sync(ctx)
}

// Stop ends the sync loop after a last sync.
func (l *Limiter) Stop() {
	l.stopOnce.Do(func() {
		close(l.stop)
		if l.started.Load() {
			<-l.done
		}
	})
}
