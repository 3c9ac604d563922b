package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Commit checks the job's preview (the archive guard, and that nothing changed since), claims
// the job for this process and applies it in the background; it returns at once. The work
// survives the client going away.
func (s *Service) Commit(ctx context.Context, jobID int, confirmArchive *int) (*ent.ImportJob, error) {
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	user := ctx
	ctx = auth.System(ctx)
	if job.Status != importjob.StatusPREVIEWED && job.Status != importjob.StatusFAILED {
		return nil, errState("Bekijk eerst het voorbeeld van deze import.", "Preview this import first.")
	}
	plan, err := s.Plan(ctx, job)
	if err != nil {
		return nil, err
	}
	if plan == nil {
		return nil, errState("Bekijk eerst het voorbeeld van deze import.", "Preview this import first.")
	}
	confirm := 0
	if confirmArchive != nil {
		confirm = *confirmArchive
	}
	if plan.Guard.ConfirmationRequired && confirm != plan.Guard.ToArchive {
		return nil, errGuard(plan.Guard)
	}
	p, err := prepare(job, content)
	if err != nil {
		return nil, err
	}
	// Refuse a stale preview now, while the admin is still looking; the commit checks again
	// inside its transaction.
	now, err := importer.PlanFor(ctx, s.db, job.SchoolID, p, plan.Actions)
	if err != nil {
		return nil, fmt.Errorf("commit job %d: %w", jobID, err)
	}
	if now.Hash != plan.Hash {
		return nil, errStale()
	}
	// The commit lock first, so that no reaper sees the job COMMITTING without it (see
	// store.LockJob). Only a committer holds it: taken, the job is being committed already.
	lock, ok, err := s.db.LockJob(ctx, jobID, s.HeartbeatInterval)
	if err != nil {
		return nil, fmt.Errorf("commit job %d: %w", jobID, err)
	}
	if !ok {
		return nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	}
	claimed, err := s.db.Client.ImportJob.Update().
		Where(importjob.ID(jobID), importjob.StatusIn(importjob.StatusPREVIEWED, importjob.StatusFAILED)).
		SetStatus(importjob.StatusCOMMITTING).SetClaimedBy(store.LockedClaim(s.node, 200)).SetHeartbeatAt(time.Now()).
		SetPhase(string(PhaseQueued)).SetProgressDone(0).SetProgressTotal(plan.Counts.Added + plan.Counts.Updated + plan.Counts.Archived).
		SetError("").Save(ctx)
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("commit job %d: claim: %w", jobID, err)
	}
	if claimed == 0 {
		lock.Release()
		return nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	}
	s.log.Info("import commit claimed", "job", jobID, "school", job.SchoolID, "node", s.node)
	audit.Record(user, s.db.Client, job.SchoolID, "import_commit", fmt.Sprintf("job %d: %s, actions %v, confirmed %d", jobID, job.FileName, job.Actions, confirm))
	r := commitRun{jobID: jobID, schoolID: job.SchoolID, in: p.Input, actions: plan.Actions, hash: plan.Hash, confirm: confirm,
		viewer: auth.FromContext(user), lock: lock, stopped: "De server is gestopt tijdens de import. Er is niets gewijzigd; start de import opnieuw."}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer lock.Release() // after the job's final status is written
		s.apply(s.ctx, r)    //nolint:errcheck // the job records the outcome
	}()
	job, err = s.db.Client.ImportJob.Get(ctx, jobID)
	if err != nil {
		return nil, fmt.Errorf("commit job %d: %w", jobID, err)
	}
	return job, nil
}

// commitRun is one claimed commit: what to apply and for whom.
type commitRun struct {
	jobID, schoolID int
	in              importer.PlanInput
	actions         importer.Actions
	hash            string // the previewed plan's; "" when there was no preview (numo import)
	confirm         int
	viewer          *auth.Viewer            // for the audit events
	lock            *store.JobLock          // the job's commit lock, held by the caller
	progress        func(importer.Progress) // besides the job row and the watchers; may be nil
	stopped         string                  // the job's error when ctx is cancelled
}

// apply applies a claimed job in parent; it owns the job until it is COMMITTED or FAILED and
// records the outcome on the job, for its watchers and in the audit log. When the connection
// holding the job's commit lock fails, the commit stops: another process may take the job for
// dead at any moment.
func (s *Service) apply(parent context.Context, r commitRun) (*importer.Plan, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	go func() {
		select {
		case <-r.lock.Lost():
			s.log.Error("import commit lock lost: stopping the commit", "job", r.jobID)
			cancel(store.ErrLockLost)
		case <-ctx.Done():
		}
	}()
	actx := auth.NewContext(auth.System(context.WithoutCancel(parent)), r.viewer)
	pub := newPublisher(s, r.jobID)
	defer pub.stop()
	progress := pub.progress
	if r.progress != nil {
		progress = func(p importer.Progress) {
			pub.progress(p)
			r.progress(p)
		}
	}
	start := time.Now()
	var stats importer.ApplyStats
	applied, err := importer.Apply(ctx, s.db, r.in, r.schoolID, r.actions, importer.ApplyOptions{
		JobID: r.jobID, ExpectedHash: r.hash, ConfirmArchive: r.confirm, Progress: progress, Stats: &stats,
	})
	pub.stop()
	if err != nil {
		s.failed(ctx, actx, r, err)
		return nil, err
	}
	s.dropSamples(r.jobID)
	audit.Record(actx, s.db.Client, r.schoolID, "import_committed", fmt.Sprintf("job %d: %d added, %d updated, %d archived",
		r.jobID, applied.Counts.Added, applied.Counts.Updated, applied.Counts.Archived))
	total := applied.Counts.Added + applied.Counts.Updated + applied.Counts.Archived
	s.log.Info("import committed", "job", r.jobID, "added", applied.Counts.Added, "updated", applied.Counts.Updated,
		"archived", applied.Counts.Archived, "ms", time.Since(start).Milliseconds(),
		"transactions", stats.Transactions, "longest_tx_ms", stats.Longest.Milliseconds())
	s.publish(r.jobID, Progress{Status: string(importjob.StatusCOMMITTED), Phase: PhaseDone, Done: total, Total: total, Final: true})
	return applied, nil
}

// failed records a failed commit: on the job, for its watchers and in the audit log.
func (s *Service) failed(ctx, actx context.Context, r commitRun, err error) {
	msg := failureMessage(err)
	switch {
	case errors.Is(context.Cause(ctx), store.ErrLockLost):
		msg = "De verbinding met de database viel weg tijdens de import. Er is niets gewijzigd; probeer het opnieuw."
	case errors.Is(err, context.Canceled) && r.stopped != "":
		msg = r.stopped
	}
	s.log.Error("import commit failed", "job", r.jobID, "err", err)
	if errors.Is(err, importer.ErrRollBack) {
		// The job stays COMMITTING with what it wrote; the next start rolls it back.
		s.log.Error("import commit not rolled back yet: numo rolls it back at its next start", "job", r.jobID)
	}
	if _, ferr := s.fail(r.jobID, msg); ferr != nil {
		s.log.Error("mark import failed", "job", r.jobID, "err", ferr)
	}
	s.publish(r.jobID, Progress{Status: string(importjob.StatusFAILED), Phase: PhaseFailed, Final: true, Error: msg})
	audit.Record(actx, s.db.Client, r.schoolID, "import_failed", fmt.Sprintf("job %d: %v", r.jobID, err))
}

// failureMessage is what the admin reads when a commit fails.
func failureMessage(err error) string {
	var ce *importer.ArchiveConfirmationError
	switch {
	case errors.Is(err, importer.ErrStalePreview):
		return errStale().Error()
	case errors.As(err, &ce):
		return errGuard(ce.Guard).Error()
	case errors.Is(err, store.ErrSchoolBusy):
		return "Er werd al een andere import van deze school uitgevoerd. Er is niets gewijzigd; probeer het opnieuw."
	case errors.Is(err, context.Canceled):
		return "De server is gestopt tijdens de import. Er is niets gewijzigd; start de import opnieuw."
	}
	return "De import is mislukt. Er is niets gewijzigd; probeer het opnieuw."
}

// fail marks a job FAILED unless it was committed after all, or its commit (in steps, on
// SQLite) has written something that is not rolled back yet (committed_at is set until then):
// such a job stays COMMITTING, so that the next reap rolls it back.
// It reports whether it marked the job.
func (s *Service) fail(jobID int, msg string) (bool, error) {
	ctx, cancel := context.WithTimeout(auth.System(context.Background()), 10*time.Second)
	defer cancel()
	n, err := s.db.Client.ImportJob.Update().Where(importjob.ID(jobID), importjob.StatusEQ(importjob.StatusCOMMITTING),
		importjob.CommittedAtIsNil()).
		SetStatus(importjob.StatusFAILED).SetPhase(string(PhaseFailed)).SetError(msg).Save(ctx)
	return n == 1, err
}

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

// Progress is one progress event of a job.
type Progress struct {
	JobID  int    `json:"jobId"`
	Status string `json:"status"`
	Phase  Phase  `json:"phase"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Final  bool   `json:"final"`
	Error  string `json:"error,omitempty"`
}

func (s *Service) publish(jobID int, p Progress) {
	p.JobID = jobID
	data, _ := json.Marshal(p) // plain fields: cannot fail
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.bus.Publish(ctx, pubsub.Event{Topic: jobID, Data: data}); err != nil {
		s.log.Warn("publish import progress", "job", jobID, "err", err)
	}
}

// publisher sends a commit's progress at most every publishEvery, and also writes it (and the
// heartbeat) to the job row, so that late subscribers and other processes see it. On SQLite
// it writes between the commit's steps.
type publisher struct {
	s      *Service
	jobID  int
	mu     sync.Mutex
	latest importer.Progress
	dirty  bool
	wake   chan struct{}
	done   chan struct{}
	once   sync.Once
	exited chan struct{}
}

const publishEvery = 100 * time.Millisecond

func newPublisher(s *Service, jobID int) *publisher {
	p := &publisher{s: s, jobID: jobID, wake: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	go p.loop()
	return p
}

func (p *publisher) progress(pr importer.Progress) {
	p.mu.Lock()
	p.latest, p.dirty = pr, true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *publisher) stop() {
	p.once.Do(func() { close(p.done) })
	<-p.exited
}

func (p *publisher) loop() {
	defer close(p.exited)
	heartbeat := time.NewTicker(p.s.HeartbeatInterval)
	defer heartbeat.Stop()
	last := time.Time{}
	for {
		select {
		case <-p.done:
			return
		case <-heartbeat.C:
			p.write(nil)
			continue
		case <-p.wake:
		}
		if wait := publishEvery - time.Since(last); wait > 0 {
			select {
			case <-p.done:
				return
			case <-time.After(wait):
			}
		}
		p.mu.Lock()
		pr, dirty := p.latest, p.dirty
		p.dirty = false
		p.mu.Unlock()
		if !dirty {
			continue
		}
		last = time.Now()
		p.s.log.Debug("import progress", "job", p.jobID, "phase", pr.Phase, "done", pr.Done, "total", pr.Total)
		p.write(&pr)
		p.s.publish(p.jobID, Progress{Status: string(importjob.StatusCOMMITTING), Phase: Phase(pr.Phase), Done: pr.Done, Total: pr.Total})
	}
}

// write stores the progress and the heartbeat on the job row.
func (p *publisher) write(pr *importer.Progress) {
	ctx, cancel := context.WithTimeout(p.s.ctx, 5*time.Second)
	defer cancel()
	u := p.s.db.Client.ImportJob.Update().Where(importjob.ID(p.jobID), importjob.StatusEQ(importjob.StatusCOMMITTING)).
		SetHeartbeatAt(time.Now())
	if pr != nil {
		u = u.SetPhase(pr.Phase).SetProgressDone(pr.Done).SetProgressTotal(pr.Total)
	}
	if err := u.Exec(ctx); err != nil && ctx.Err() == nil {
		p.s.log.Warn("write import progress", "job", p.jobID, "err", err)
	}
}

// Current is a job's progress as stored.
func Current(j *ent.ImportJob) Progress {
	p := Progress{JobID: j.ID, Status: string(j.Status), Phase: Phase(j.Phase), Done: j.ProgressDone, Total: j.ProgressTotal, Error: j.Error}
	switch j.Status {
	case importjob.StatusCOMMITTED, importjob.StatusFAILED, importjob.StatusUNDONE:
		p.Final = true
	}
	if j.Status == importjob.StatusCOMMITTED && p.Total == 0 {
		p.Done, p.Total = 0, 0
	}
	return p
}

// pollEvery is how often a subscription also reads the job row, in case a notification was
// lost (a listener reconnect) or the job ended in a process that could not tell.
const pollEvery = 3 * time.Second

// Subscribe streams a job's progress: the current state first, then every change, ending
// with the final event. The channel closes after the final event or when ctx ends.
func (s *Service) Subscribe(ctx context.Context, jobID int) (<-chan Progress, error) {
	if _, err := s.Job(ctx, jobID); err != nil {
		return nil, err
	}
	events, unsubscribe := s.bus.Subscribe(ctx, jobID)
	// Read the state after subscribing, so that nothing falls between the two.
	job, err := s.db.Client.ImportJob.Get(ctx, jobID)
	if err != nil {
		unsubscribe()
		return nil, fmt.Errorf("subscribe job %d: %w", jobID, err)
	}
	out := make(chan Progress, 1)
	first := Current(job)
	go func() {
		defer close(out)
		defer unsubscribe()
		send := func(p Progress) bool {
			select {
			case out <- p:
				return !p.Final
			case <-ctx.Done():
				return false
			}
		}
		if !send(first) {
			return
		}
		poll := time.NewTicker(pollEvery)
		defer poll.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				var p Progress
				if err := json.Unmarshal(e.Data, &p); err != nil {
					continue
				}
				if !send(p) {
					return
				}
			case <-poll.C:
				j, err := s.db.Client.ImportJob.Get(ctx, jobID)
				if err != nil {
					continue
				}
				if cur := Current(j); cur.Final {
					send(cur)
					return
				}
			}
		}
	}()
	return out, nil
}

// dropSamples removes the example values of the file's columns from a committed job: they
// were needed for the mapping only, and may hold data the product does not keep (a birth date
// in an unmapped column).
func (s *Service) dropSamples(jobID int) {
	job, err := s.db.Client.ImportJob.Get(s.ctx, jobID)
	if err != nil {
		s.log.Warn("drop example values", "job", jobID, "err", err)
		return
	}
	raw, changed, err := jobfile.DropStoredSamples(job.Mapping, nil)
	if err == nil && changed {
		err = s.db.Client.ImportJob.UpdateOneID(jobID).SetMapping(raw).Exec(s.ctx)
	}
	if err != nil {
		s.log.Warn("drop example values", "job", jobID, "err", err)
	}
}
