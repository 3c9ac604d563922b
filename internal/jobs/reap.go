package jobs

import (
	"context"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// reap fails the commits whose process died and rolls back what they wrote. On PostgreSQL it
// takes for dead those without a recent heartbeat: the fallback of reapUnlocked, for a
// committer that is stuck or took no commit lock; their transaction was rolled back with the
// dead connection. On SQLite it takes for dead those whose commit lock it can take (see
// store.LockJob; it holds the lock while it rolls back, so that no new commit of the job
// overlaps) — while it runs, only when their heartbeat is silent too (sqliteSilence) — and at
// start also those claimed without a lock (an older numo), as before; the
// steps such a commit had written are rolled back from its change records (importer.RollBack)
// before the job is marked failed. So in both cases nothing of it stays.
func (s *Service) reap(ctx context.Context, atStart bool) {
	s.rollBackFailed(ctx)
	q := s.db.Client.ImportJob.Query().Where(importjob.StatusEQ(importjob.StatusCOMMITTING))
	switch {
	case s.db.Dialect == dialect.Postgres:
		// A job that has not beaten yet is dead only once it has been silent as long since
		// it was last written (claimed): not in the moment between its claim and first beat.
		dead := time.Now().Add(-s.DeadAfter)
		q = q.Where(importjob.Or(importjob.And(importjob.HeartbeatAtIsNil(), importjob.UpdatedAtLT(dead)), importjob.HeartbeatAtLT(dead)))
	case !atStart:
		// Besides a free lock, a silent heartbeat: should the lock file be lost (deleted
		// by hand), a live commit still shows it is alive.
		q = q.Where(importjob.Or(importjob.HeartbeatAtIsNil(), importjob.HeartbeatAtLT(time.Now().Add(-sqliteSilence))))
	}
	found, err := q.Select(importjob.FieldID, importjob.FieldClaimedBy).All(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("look for interrupted imports", "err", err)
		}
		return
	}
	for _, j := range found {
		var lock *store.JobLock
		if s.db.Dialect != dialect.Postgres {
			locked := strings.HasSuffix(j.ClaimedBy, store.LockedMark)
			if !locked && !atStart {
				continue
			}
			if locked && s.db.SeesDeadCommits() {
				l, ok, err := s.db.LockJob(ctx, j.ID, 0)
				if err != nil {
					s.log.Warn("look for interrupted imports: lock", "job", j.ID, "err", err)
					continue
				}
				if !ok {
					continue // its committer is alive
				}
				lock = l
			}
		}
		s.rollBackDead(ctx, j.ID)
		lock.Release()
	}
}

// sqliteSilence is how long the heartbeat of a commit on SQLite must be silent, besides its
// commit lock being free, for a running numo to take it for dead: numo serve and numo import
// beat at least every 2 s, between the commit's steps.
const sqliteSilence = 5 * time.Second

// rollBackDead rolls back and fails a commit whose process died, and tells its watchers.
func (s *Service) rollBackDead(ctx context.Context, id int) {
	n, err := importer.RollBack(ctx, s.db, id)
	if err != nil {
		s.log.Error("roll back interrupted import", "job", id, "rolled_back", n, "err", err)
		return
	}
	if n > 0 {
		s.log.Warn("import interrupted: rolled back", "job", id, "accounts", n)
	}
	failed, err := s.fail(id, interruptedMsg)
	if err != nil {
		s.log.Warn("fail interrupted import", "job", id, "err", err)
		return
	}
	if !failed {
		return // it ended meanwhile, before its lock was free
	}
	s.log.Warn("import interrupted: marked failed", "job", id)
	s.publish(id, Progress{Status: string(importjob.StatusFAILED), Phase: PhaseFailed, Final: true, Error: interruptedMsg})
}

// interruptedMsg is the error of a job whose committing process died.
const interruptedMsg = "Het importproces is onderbroken. Er is niets gewijzigd; start de import opnieuw."

// reapUnlocked fails the commits whose process died, seen from their free commit lock
// (PostgreSQL, see store.FailUnlockedCommits), and tells their watchers.
func (s *Service) reapUnlocked(ctx context.Context) {
	dead, err := s.db.FailUnlockedCommits(ctx, interruptedMsg)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("look for dead commits", "err", err)
		}
		return
	}
	for _, id := range dead {
		s.log.Warn("import interrupted: its commit lock is free, marked failed", "job", id)
		s.publish(id, Progress{Status: string(importjob.StatusFAILED), Phase: PhaseFailed, Final: true, Error: interruptedMsg})
	}
}

// rollBackFailed rolls back the jobs that were marked FAILED although what their commit wrote
// could not be rolled back then (committed_at is still set): `numo import` marks its job
// failed whatever happened.
func (s *Service) rollBackFailed(ctx context.Context) {
	ids, err := s.db.Client.ImportJob.Query().Where(importjob.StatusEQ(importjob.StatusFAILED), importjob.CommittedAtNotNil()).IDs(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("look for failed imports to roll back", "err", err)
		}
		return
	}
	for _, id := range ids {
		n, err := importer.RollBack(ctx, s.db, id)
		if err != nil {
			s.log.Error("roll back failed import", "job", id, "rolled_back", n, "err", err)
			continue
		}
		s.log.Warn("failed import rolled back", "job", id, "accounts", n)
	}
}
