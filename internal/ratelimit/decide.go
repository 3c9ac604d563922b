package ratelimit

import (
	"context"
	"time"
)

// Decision is the answer for one operation, with what the RateLimit-* headers tell.
type Decision struct {
	// Allowed is false when the operation must be refused (429, RATE_LIMITED).
	Allowed bool
	// Quota names the budget the other fields describe: "requests" or "points", whichever is
	// nearer to running out (the one that refused, when refused).
	Quota string
	// Limit and Remaining are that budget's size and what is left of it in this window.
	Limit, Remaining int64
	// Reset is how long until the window ends and the budget is whole again; a refused
	// client should retry after it.
	Reset time.Duration
}

// Allow counts one operation of a token that costs points, and tells whether it may run.
// Only near the limit does it ask the database (see the package comment).
func (l *Limiter) Allow(ctx context.Context, tokenID int, points int) Decision {
	now := l.now()
	start := now.Truncate(Window)
	k := key{token: tokenID, window: start.Unix()}
	lim := l.effective()
	req := Usage{Requests: 1, Points: int64(points)}
	c := l.counter(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	d := Decision{Reset: start.Add(Window).Sub(now)}
	known := c.global.plus(c.pending).plus(c.inflight)
	switch {
	case !req.within(lim), !known.plus(req).within(lim),
		c.refusedPoints > 0 && req.Points >= c.refusedPoints:
		return d.describe(lim, known, req, false)
	case c.pending.plus(c.inflight).plus(req).within(share(lim, c.global)):
		c.pending = c.pending.plus(req)
		return d.describe(lim, known.plus(req), req, true)
	}
	// Past this process's share: the request adds its own counts and the pending ones
	// itself, only if the shared total stays within the limit.
	total, ok, err := l.store.AddRateUsageWithin(ctx, tokenID, k.window, c.pending.plus(req), lim)
	switch {
	case err != nil:
		// The database is what every request needs anyway; a failing sync must not turn
		// into refusals. The counts stay pending for the next sync.
		l.log.WarnContext(ctx, "rate limit: sync", "err", err)
		c.pending = c.pending.plus(req)
		return d.describe(lim, known.plus(req), req, true)
	case !ok:
		if c.refusedPoints == 0 || req.Points < c.refusedPoints {
			c.refusedPoints = req.Points
		}
		// Read the totals once, to tell which budget refused; the next refusals of this
		// window are then decided here.
		if total, err := l.store.AddRateUsage(ctx, tokenID, k.window, Usage{}); err == nil {
			c.global = maxUsage(c.global, total)
		}
		return d.describe(lim, c.global.plus(c.pending).plus(c.inflight), req, false)
	}
	c.pending = Usage{}
	c.global = maxUsage(c.global, total)
	return d.describe(lim, c.global.plus(c.inflight), req, true)
}

// effective is the limit with "no limit" (0) as the largest count.
func (l *Limiter) effective() Usage {
	const unlimited = 1 << 62
	lim := l.limit
	if lim.Requests <= 0 {
		lim.Requests = unlimited
	}
	if lim.Points <= 0 {
		lim.Points = unlimited
	}
	return lim
}

// share is what a process may admit without asking: 1/ShareDivisor of what is left of lim
// after the shared total global.
func share(lim, global Usage) Usage {
	left := lim.minus(global)
	return Usage{left.Requests / ShareDivisor, left.Points / ShareDivisor}
}

// describe fills the decision's budget from the usage after it (used, which includes req
// when allowed): the budget nearer to running out, or when refused the one that refused.
func (d Decision) describe(lim, used, req Usage, allowed bool) Decision {
	d.Allowed = allowed
	left := lim.minus(used)
	pointsNearer := float64(max(left.Points, 0))/float64(lim.Points) < float64(max(left.Requests, 0))/float64(lim.Requests)
	if !allowed {
		pointsNearer = used.Requests+req.Requests <= lim.Requests // requests would fit: points refused
	}
	d.Quota, d.Limit, d.Remaining = "requests", lim.Requests, left.Requests
	if pointsNearer {
		d.Quota, d.Limit, d.Remaining = "points", lim.Points, left.Points
	}
	d.Remaining = max(d.Remaining, 0)
	return d
}

// counter returns the counts of k, made when missing.
func (l *Limiter) counter(k key) *counter {
	l.mu.RLock()
	c := l.counters[k]
	l.mu.RUnlock()
	if c != nil {
		return c
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c = l.counters[k]; c == nil {
		c = &counter{}
		l.counters[k] = c
		l.counted = true
	}
	return c
}

// Sync adds every pending count to the shared rows and reads the totals back, forgets the
// windows that ended once their counts are synced, and now and then deletes the rows of
// windows that ended.
func (l *Limiter) Sync(ctx context.Context) {
	now := l.now()
	current := now.Truncate(Window).Unix()
	l.mu.RLock()
	keys := make([]key, 0, len(l.counters))
	for k := range l.counters {
		keys = append(keys, k)
	}
	l.mu.RUnlock()
	for _, k := range keys {
		l.mu.RLock()
		c := l.counters[k]
		l.mu.RUnlock()
		if l.syncOne(ctx, k, c) && k.window < current {
			l.mu.Lock()
			delete(l.counters, k)
			l.mu.Unlock()
		}
	}
	// A process that counted nothing since its last prune writes nothing: on SQLite every
	// write queues behind an import's commit.
	l.mu.Lock()
	prune := l.counted && now.Sub(l.lastPrune) >= PruneEvery
	if prune {
		l.lastPrune, l.counted = now, len(l.counters) > 0
	}
	l.mu.Unlock()
	if prune {
		// A window ended at least one Window ago is of no use to anyone.
		if err := l.store.PruneRateWindows(ctx, now.Add(-2*Window).Truncate(Window).Unix()); err != nil {
			l.log.WarnContext(ctx, "rate limit: prune", "err", err)
		}
	}
}

// syncOne adds c's pending counts to the shared row; it reports whether nothing is left
// pending.
func (l *Limiter) syncOne(ctx context.Context, k key, c *counter) bool {
	c.mu.Lock()
	n := c.pending
	if n.isZero() {
		c.mu.Unlock()
		return c.inflight.isZero()
	}
	c.pending, c.inflight = Usage{}, c.inflight.plus(n)
	c.mu.Unlock()
	total, err := l.store.AddRateUsage(ctx, k.token, k.window, n)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = c.inflight.minus(n)
	if err != nil {
		l.log.WarnContext(ctx, "rate limit: sync", "err", err)
		c.pending = c.pending.plus(n)
		return false
	}
	c.global = maxUsage(c.global, total)
	return c.pending.isZero() && c.inflight.isZero()
}
