package retention

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// DefaultInterval is how often the scheduled purge runs when StartScheduler is given no
// interval.
const DefaultInterval = time.Hour

// firstDelay is how long after the start the first scheduled purge runs, at most.
const firstDelay = time.Minute

// purgeLock is the advisory lock that lets one numo process at a time run the scheduled purge.
var purgeLock = store.AdvisoryKey("numo:retention-purge")

// StartScheduler runs the purge a minute after it starts (or after every, when that is
// shorter: the server's start is not slowed down, and a short-lived process such as a test
// purges nothing) and then every interval (DefaultInterval when every is not positive), until
// ctx ends or stop is called; stop waits for a running purge to end.
// It is safe with several numo processes on one PostgreSQL database: a round runs only in the
// process that gets pg_try_advisory_lock on a dedicated connection, the others skip it. SQLite
// has one process.
//
// Each round also prunes the roster change feed to feed.DefaultKeepDays (StartSchedulerFeed
// sets another term).
func StartScheduler(ctx context.Context, db *store.DB, log *slog.Logger, every time.Duration) (stop func()) {
	return StartSchedulerFeed(ctx, db, log, every, feed.DefaultKeepDays)
}

// StartSchedulerFeed is StartScheduler with the days the roster change feed keeps its entries
// (feed.DefaultKeepDays when not positive).
func StartSchedulerFeed(ctx context.Context, db *store.DB, log *slog.Logger, every time.Duration, feedKeepDays int) (stop func()) {
	if feedKeepDays <= 0 {
		feedKeepDays = feed.DefaultKeepDays
	}
	if every <= 0 {
		every = DefaultInterval
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.NewTimer(min(every, firstDelay))
		defer wait.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wait.C:
			}
			runScheduled(ctx, db, log, feedKeepDays)
			wait.Reset(every)
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// runScheduled runs one scheduled purge, unless another process is running one.
func runScheduled(ctx context.Context, db *store.DB, log *slog.Logger, feedKeepDays int) {
	if ctx.Err() != nil {
		return
	}
	if db.Dialect == dialect.Postgres {
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			log.Error("retention purge: connect", "err", err)
			return
		}
		defer conn.Close()
		got, err := store.TryAdvisoryLock(ctx, conn, purgeLock)
		if err != nil {
			log.Error("retention purge: take lock", "err", err)
			return
		}
		if !got {
			log.Debug("retention purge skipped: another process is purging")
			return
		}
		// Closing the connection would release the lock too, but it goes back to the pool.
		defer store.AdvisoryUnlock(context.WithoutCancel(ctx), conn, purgeLock) //nolint:errcheck // see above
	}
	start := time.Now()
	rep, err := Purge(ctx, db, start, Options{})
	if rep != nil {
		for _, s := range rep.Schools {
			if s.Skipped {
				log.Info("retention purge: school skipped, an import of it is being committed; the next purge takes it", "school", s.Brin)
				continue
			}
			if !s.Empty() {
				log.Info("retention purge", "school", s.Brin, "accounts", s.Accounts, "jobs", s.Jobs, "changes", s.Changes,
					"abandoned", s.Abandoned, "files", s.Files, "sessions", s.Sessions, "auditEvents", s.AuditEvents)
			}
		}
	}
	if rep != nil && rep.NoSchoolAuditEvents > 0 {
		log.Info("retention purge: audit events of no school", "auditEvents", rep.NoSchoolAuditEvents)
	}
	if err != nil && ctx.Err() == nil {
		log.Error("retention purge", "err", err)
		return
	}
	pruned, err := feed.Prune(ctx, db, start.AddDate(0, 0, -feedKeepDays))
	for school, n := range pruned {
		log.Info("retention purge: roster changes pruned", "school", school, "changes", n, "keepDays", feedKeepDays)
	}
	if err != nil && ctx.Err() == nil {
		log.Error("retention purge: roster changes", "err", err)
	}
	log.Debug("retention purge done", "ms", time.Since(start).Milliseconds())
}
