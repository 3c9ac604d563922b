// Package jobs owns the import-job lifecycle for the app, the API and numo import: upload
// (upload.go), mapping with the school's remembered mappings (mapping.go), preview and its
// plan cache (preview.go), commit (commit.go), its heartbeat and progress events and their
// subscribers (progress.go), who share one reader per job and process (hub.go), the reaping of dead committers (reap.go), a direct import start
// to end in one process for the command line (direct.go), and reading jobs (read.go). A job's phase is a Phase (phase.go). Everything
// about a job lives in the database, so any process can continue any job.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Service runs import jobs.
type Service struct {
	db     *store.DB
	bus    pubsub.Bus
	log    *slog.Logger
	node   string // this process, as written into a job it claims
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// HeartbeatInterval is how often a committing process shows it is alive (PostgreSQL).
	HeartbeatInterval time.Duration
	// DeadAfter is how long a commit may go without a heartbeat before it counts as dead.
	DeadAfter time.Duration
	// LockPollInterval is how often the commits whose process died are looked for by their
	// free commit lock (PostgreSQL): a dead committer is seen within about this long.
	LockPollInterval time.Duration
	// Phases are told about each commit's phases (metrics, traces); set before Start.
	Phases []PhaseObserver

	plans planCache
	hub   hub
}

// New starts the service: it fails the commits that a dead process left behind, and keeps
// doing so (PostgreSQL) while it runs.
func New(db *store.DB, bus pubsub.Bus, log *slog.Logger) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	var b [4]byte
	rand.Read(b[:])
	s := &Service{db: db, bus: bus, log: log, node: hex.EncodeToString(b[:]), ctx: auth.System(ctx), cancel: cancel,
		HeartbeatInterval: 2 * time.Second, DeadAfter: 20 * time.Second, LockPollInterval: time.Second}
	s.plans.max = 8
	s.hub = hub{s: s, feeds: map[int]*feed{}}
	return s
}

// Start begins the background reaper of dead commits. On PostgreSQL it looks every
// LockPollInterval for commits whose commit lock is free (their process died: seen in about a
// second), and every DeadAfter/2 for commits without a recent heartbeat (a committer that is
// stuck, or one that took no lock).
//
// On SQLite it looks every LockPollInterval for commits whose commit lock it can take (with a
// lock file, see store.LockJob) and whose heartbeat has been silent for 5 s: a `numo import`
// or another `numo serve` on the same file that died, seen within about 5–7 s. Without a lock
// file, what was left COMMITTING is found at the next start only.
func (s *Service) Start() {
	s.reap(s.ctx, true)
	switch {
	case s.db.Dialect == dialect.Postgres:
		s.reapUnlocked(s.ctx)
		s.poll(func() { s.reapUnlocked(s.ctx) }, func() { s.reap(s.ctx, false) })
	case s.db.SeesDeadCommits():
		s.poll(func() { s.reap(s.ctx, false) }, nil)
	}
}

// poll runs onLock every LockPollInterval and onHeartbeat (when not nil) every DeadAfter/2, one
// at a time in one goroutine, until the service closes.
func (s *Service) poll(onLock, onHeartbeat func()) {
	lock := time.NewTicker(s.LockPollInterval)
	var heartbeat <-chan time.Time // nil: never ready
	stopHeartbeat := func() {}
	if onHeartbeat != nil {
		t := time.NewTicker(s.DeadAfter / 2)
		heartbeat, stopHeartbeat = t.C, t.Stop
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer lock.Stop()
		defer stopHeartbeat()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-lock.C:
				onLock()
			case <-heartbeat:
				onHeartbeat()
			}
		}
	}()
}

// Close stops running commits (their transactions roll back and the jobs are marked failed)
// and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}
