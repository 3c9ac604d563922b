package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
	"github.com/numo/accounts/internal/store"
)

// Commit checks the job's preview (the archive guard, the year guard, and that nothing changed
// since), claims the job for this process and applies it in the background; it returns at
// once. The work survives the client going away. confirmArchive and confirmYearDown repeat the
// numbers the guards ask for (nil when not given).
func (s *Service) Commit(ctx context.Context, jobID int, confirmArchive, confirmYearDown *int) (*ent.ImportJob, error) {
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
	confirm, confirmDown, err := checkGuards(plan, confirmArchive, confirmYearDown)
	if err != nil {
		return nil, err
	}
	p, err := s.commitInput(ctx, job, content)
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
	audit.Record(user, s.db.Client, job.SchoolID, "import_commit", fmt.Sprintf("job %d: %s, actions %v, confirmed %d, year down confirmed %d", jobID, job.FileName, job.Actions, confirm, confirmDown))
	r := commitRun{jobID: jobID, schoolID: job.SchoolID, in: p.Input, actions: plan.Actions, hash: plan.Hash, confirm: confirm, confirmYearDown: confirmDown,
		viewer: auth.FromContext(user), lock: lock, stopped: "De server is gestopt tijdens de import. Er is niets gewijzigd; start de import opnieuw.",
		origin: context.WithoutCancel(ctx)}
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

// commitInput is the job's file as the commit applies it: with the corrections made in the
// app, and for a roster set's job the subjects of the lesgroepen it creates.
func (s *Service) commitInput(ctx context.Context, job *ent.ImportJob, content []byte) (*importer.Prepared, error) {
	corr, err := s.JobCorrections(ctx, job)
	if err != nil {
		return nil, err
	}
	p, err := prepareCorrected(job, content, corr)
	if err != nil {
		return nil, err
	}
	if o, err := s.Origins(ctx, job); err != nil {
		return nil, err
	} else if o != nil {
		p.Input.GroupSubjects = o.Subjects
	}
	return p, nil
}

// checkGuards refuses a commit whose confirmations do not repeat the numbers the plan's archive
// guard and year guard ask for, and returns the confirmations (0 when not given).
func checkGuards(plan *importer.Plan, confirmArchive, confirmYearDown *int) (archive, yearDown int, err error) {
	if confirmArchive != nil {
		archive = *confirmArchive
	}
	if confirmYearDown != nil {
		yearDown = *confirmYearDown
	}
	if plan.Guard.ConfirmationRequired && archive != plan.Guard.ToArchive {
		return 0, 0, errGuard(plan.Guard)
	}
	if plan.YearGuard.ConfirmationRequired && yearDown != plan.YearGuard.YearDown {
		return 0, 0, errYearGuard(plan.YearGuard)
	}
	return archive, yearDown, nil
}

// commitRun is one claimed commit: what to apply and for whom.
type commitRun struct {
	jobID, schoolID int
	in              importer.PlanInput
	actions         importer.Actions
	hash            string // the previewed plan's; "" when there was no preview (numo import)
	confirm         int
	confirmYearDown int
	viewer          *auth.Viewer            // for the audit events
	lock            *store.JobLock          // the job's commit lock, held by the caller
	progress        func(importer.Progress) // besides the job row and the watchers; may be nil
	stopped         string                  // the job's error when ctx is cancelled
	// origin is the request that started the commit, without its cancellation: the phase
	// observers see its values (its trace); nil for a commit that no request started.
	origin context.Context
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
	phaseCtx := ctx
	if r.origin != nil {
		phaseCtx = r.origin
	}
	phases := newPhaseTrack(phaseCtx, s.Phases, r.jobID)
	progress := func(p importer.Progress) {
		pub.progress(p)
		phases.progress(p)
		if r.progress != nil {
			r.progress(p)
		}
	}
	start := time.Now()
	var stats importer.ApplyStats
	applied, err := importer.Apply(ctx, s.db, r.in, r.schoolID, r.actions, importer.ApplyOptions{
		JobID: r.jobID, ExpectedHash: r.hash, ConfirmArchive: r.confirm, ConfirmYearDown: r.confirmYearDown, Progress: progress, Stats: &stats,
	})
	pub.stop()
	phases.finish(err)
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
	var ye *importer.YearDownConfirmationError
	switch {
	case errors.Is(err, importer.ErrStalePreview):
		return errStale().Error()
	case errors.As(err, &ce):
		return errGuard(ce.Guard).Error()
	case errors.As(err, &ye):
		return errYearGuard(ye.Guard).Error()
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
