package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// A commit on SQLite runs in steps. SQLite has one writer: a commit of 100,000 pupils in one
// transaction held the write lock for seconds, and every sign-in (its session row, its audit
// entry, its throttle counters) waited for it and failed with SQLITE_BUSY. So there a commit is
// one logical job in a series of short transactions:
//
//  1. reserve: the job gets committed_at (still COMMITTING). From now on store.LockSchool
//     refuses every other write of the school's accounts as a whole (another commit, an undo,
//     the purge, an erasure), so that none interleaves with the steps.
//  2. plan again, in a read transaction (no write lock), and check it against the preview.
//  3. write in steps of at most stepRows accounts or stepTime, each its own transaction: the
//     new classes (a step per batch of classBatch, each marked with the job), then every added
//     account marked with the job (accounts.import_job_id), and for every updated or archived
//     account its change record, with its state before, together with the change itself. The
//     job's marks and change records are therefore at every moment an exact journal of what the
//     commit has written so far. Each step also appends the roster changes of what it wrote to
//     the school's change log (package feed): the new classes in the step of the last class
//     batch, the accounts in their own step. Writing all 100,000 entries of a large commit in
//     its last step held the write lock for 2.1 s.
//  4. finish: the last step writes the classes' level and year, their roster changes, and
//     marks the job COMMITTED.
//
// A commit that fails or is cancelled in between is rolled back from that journal (RollBack);
// one whose process died (kill -9, power loss) stays COMMITTING with committed_at set and is
// rolled back when numo starts again (internal/jobs), before the job is marked FAILED. So the
// promise holds after recovery: an import is applied as previewed or not at all. What it does
// cost: between the steps, readers may see part of the new roster for the few seconds the commit
// runs (or until recovery, after a crash), and so may the change log: a rollback appends the
// roster changes that take the written part back (a DELETE for an added account or class, the
// state before for an updated or archived account), so that a reader of the log ends where a
// full read does.
//
// Between two steps a sign-in's writes take their turn: the process's SQLite writers queue in
// store's write gate, first come first served, so a waiting writer gets the lock before the
// commit's next step.
//
// PostgreSQL does not need this: writers do not block each other's unrelated rows there, so
// its commit stays one transaction with COPY.
const (
	stepRows = 1000
	stepTime = 50 * time.Millisecond
)

// busyWait is how long a commit waits for another commit of the same school to end before it
// gives up with store.ErrSchoolBusy.
const busyWait = 2 * time.Minute

// rollBackTimeout bounds the rollback of a failed or cancelled commit; when it is not done by
// then, the next start of numo finishes it.
const rollBackTimeout = 2 * time.Minute

// ErrRollBack means a failed commit could not be rolled back yet: its job stays COMMITTING, and
// the next start of numo (or its reaper of dead commits) rolls it back.
var ErrRollBack = errors.New("the unfinished import could not be rolled back yet")

// ApplyStats is how Apply used the database's write lock.
type ApplyStats struct {
	// Transactions is how many write transactions the commit used.
	Transactions int
	// Longest is the longest of them, from BEGIN to COMMIT: how long a sign-in may have
	// waited for the write lock on SQLite.
	Longest time.Duration
}

func (s *ApplyStats) add(d time.Duration) {
	if s == nil {
		return
	}
	s.Transactions++
	s.Longest = max(s.Longest, d)
}

// applyInSteps is Apply on SQLite for a job: see the comment on stepRows.
func applyInSteps(ctx context.Context, db *store.DB, in PlanInput, schoolID int, actions Actions, opt ApplyOptions, progress func(Progress)) (*Plan, error) {
	if err := reserve(ctx, db, schoolID, opt); err != nil {
		return nil, err
	}
	plan, err := applyReserved(ctx, db, in, schoolID, actions, opt, progress)
	if err == nil {
		return plan, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollBackTimeout)
	defer cancel()
	if _, rerr := RollBack(rctx, db, opt.JobID); rerr != nil {
		return nil, fmt.Errorf("%w (%w: %v)", err, ErrRollBack, rerr)
	}
	return nil, err
}

// reserve claims the school for the job's commit: it sets the job's committed_at, the mark
// that store.LockSchool honours. While another commit of the school runs it waits, up to busyWait.
func reserve(ctx context.Context, db *store.DB, schoolID int, opt ApplyOptions) error {
	deadline := time.Now().Add(busyWait)
	for {
		err := tryReserve(ctx, db, schoolID, opt)
		if !errors.Is(err, store.ErrSchoolBusy) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("apply: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func tryReserve(ctx context.Context, db *store.DB, schoolID int, opt ApplyOptions) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	start := time.Now()
	job, err := store.LoadJobState(ctx, tx, db.Dialect, opt.JobID, schoolID)
	if err != nil {
		return fmt.Errorf("apply: job %d: %w", opt.JobID, err)
	}
	switch {
	case job.Status == importjob.StatusCOMMITTED:
		return ErrAlreadyApplied
	case job.Status != importjob.StatusCOMMITTING:
		return fmt.Errorf("apply: job %d is %s: %w", opt.JobID, job.Status, ErrJobNotCommitting)
	case job.CommittedAt.Valid:
		return fmt.Errorf("apply: job %d is being applied already: %w", opt.JobID, ErrAlreadyApplied)
	}
	if err := store.LockSchool(ctx, tx, db.Dialect, schoolID); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if err := store.ReserveCommit(ctx, tx, db.Dialect, opt.JobID, opt.Now); err != nil {
		return fmt.Errorf("apply: reserve school: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply: reserve school: %w", err)
	}
	opt.Stats.add(time.Since(start))
	return nil
}

// applyReserved plans, checks and writes a reserved commit in steps.
func applyReserved(ctx context.Context, db *store.DB, in PlanInput, schoolID int, actions Actions, opt ApplyOptions, progress func(Progress)) (*Plan, error) {
	progress(Progress{Phase: "planning", Total: len(in.Result.Records)})
	// A read transaction: one snapshot of the school, without the write lock.
	rtx, err := db.SQL.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("apply: begin: %w", err)
	}
	st, plan, err := planChecked(ctx, rtx, db.Dialect, in, schoolID, actions, opt)
	rtx.Rollback() //nolint:errcheck // read only
	if err != nil {
		return nil, err
	}
	s := &stepper{db: db, jobID: opt.JobID, schoolID: schoolID, now: opt.Now, stats: opt.Stats}
	if plan.setsGroups() {
		k := plan.linkKind()
		s.links = &k
	}
	defer s.abort()
	w := &writer{ctx: ctx, dialect: db.Dialect, now: opt.Now, schoolID: schoolID, jobID: opt.JobID,
		total: plan.Counts.Added + plan.Counts.Updated + plan.Counts.Archived, progress: progress, role: plan.role()}
	if err := s.begin(ctx); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	w.tx = s.tx
	w.afterClassBatch = func() error {
		if err := s.cut(ctx); err != nil {
			return err
		}
		w.tx = s.tx
		return nil
	}
	w.progress(Progress{Phase: "writing", Total: w.total})
	classes, err := w.createClasses(plan, st, in.Result)
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	// The new classes' roster changes, in the step of their last batch: before any account's.
	if err := s.recordJobClasses(ctx); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if err := w.writeSteps(s, plan, st, classes); err != nil {
		return nil, err
	}
	// A class's level and year follow its pupils: read with every account written and outside
	// the write lock (the reservation keeps other imports of the school out; a grouped read of
	// 100,000 pupils takes about 0.3 s), written in the step that marks the job committed.
	if err := s.commit(ctx); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	facts, err := store.ClassFactChanges(ctx, db.SQL, db.Dialect, schoolID)
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if err := s.begin(ctx); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if err := store.SetClassFacts(ctx, s.tx, db.Dialect, schoolID, facts, opt.Now); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	factIDs := make([]int, len(facts))
	for i, f := range facts {
		factIDs[i] = f.ID
	}
	if err := s.record(ctx, feed.Touched{Classes: factIDs}); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if err := finishJob(ctx, s.tx, db.Dialect, plan, opt, w.total); err != nil {
		return nil, err
	}
	if err := s.commit(ctx); err != nil {
		return nil, fmt.Errorf("apply: commit: %w", err)
	}
	progress(Progress{Phase: "writing", Done: w.total, Total: w.total})
	return plan, nil
}

// writeSteps writes every account of the plan with its change record, in steps.
func (w *writer) writeSteps(s *stepper, plan *Plan, st *State, classes classIDs) error {
	idx := st.index()
	for i := range plan.Users {
		u := &plan.Users[i]
		if _, ok := changeAction(u.Outcome); !ok {
			continue
		}
		w.tx, w.linkStmts = s.tx, s.linkStmts
		id, err := w.writeOne(s.stmts, plan, u, st, idx, classes)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		s.touched = append(s.touched, id)
		w.step()
		if err := s.next(w.ctx); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
	}
	return nil
}

// writeOne writes one account of the plan, its groups and its change record (the record of an
// update or archive first, with the account's state and groups before it), and returns the
// account's id.
func (w *writer) writeOne(stmts *store.AccountStmts, p *Plan, u *PlannedUser, st *State, idx map[int]int, classes classIDs) (int, error) {
	if u.Outcome == OutcomeNew {
		// The account carries its job: that is the journal entry of its addition (its
		// groups go with it when it is deleted).
		id, err := stmts.Insert(w.newAccount(u, classes))
		if err != nil {
			return 0, fmt.Errorf("add account %s (line %d): %w", u.Key, u.Line, err)
		}
		return id, w.writeLinksOf(p, u, id, st, idx, classes)
	}
	return u.AccountID, w.writeChanged(stmts, p, u, st, idx, classes)
}

// writeChanged writes an updated or archived account of the plan with its change record.
func (w *writer) writeChanged(stmts *store.AccountStmts, p *Plan, u *PlannedUser, st *State, idx map[int]int, classes classIDs) error {
	action, _ := changeAction(u.Outcome)
	if err := stmts.Change(&store.Change{JobID: w.jobID, AccountID: u.AccountID, Action: action, Before: st.beforeOf(p, idx, u)}); err != nil {
		what := "update"
		if u.Outcome == OutcomeArchived {
			what = "archive"
		}
		return fmt.Errorf("record %s of %s: %w", what, u.Key, err)
	}
	if u.Outcome == OutcomeUpdated {
		if err := w.updateOne(stmts, u, classes); err != nil {
			return err
		}
		if err := w.writeKey(u); err != nil {
			return err
		}
		return w.writeLinksOf(p, u, u.AccountID, st, idx, classes)
	}
	if err := stmts.Archive(u.AccountID, w.schoolID, w.now); err != nil {
		return fmt.Errorf("archive account %s: %w", u.Key, err)
	}
	return nil
}

// stepper runs the write transactions of a commit in steps, with its statements prepared in
// each.
type stepper struct {
	db       *store.DB
	jobID    int
	schoolID int
	now      time.Time
	stats    *ApplyStats

	tx      *sql.Tx
	started time.Time
	rows    int
	// touched are the accounts the step wrote: their roster changes go into the log when
	// the step commits.
	touched []int
	stmts   *store.AccountStmts
	// links, when set, is the kind of link the commit writes, and linkStmts its statements.
	links     *store.LinkKind
	linkStmts *store.LinkStmts
}

// begin starts the next step. The job must still be the reserved commit: the reaper of dead
// commits (or a second numo at start) may have rolled it back and failed it meanwhile.
func (s *stepper) begin(ctx context.Context) error {
	tx, err := s.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	s.tx, s.started, s.rows, s.touched = tx, time.Now(), 0, s.touched[:0]
	ok, err := store.CommitReserved(ctx, tx, s.db.Dialect, s.jobID)
	if err != nil {
		return fmt.Errorf("job %d: %w", s.jobID, err)
	}
	if !ok {
		return fmt.Errorf("job %d: %w", s.jobID, ErrJobNotCommitting)
	}
	if s.stmts, err = store.PrepareAccountStmts(ctx, tx, s.db.Dialect, true); err != nil || s.links == nil {
		return err
	}
	s.linkStmts, err = store.PrepareLinkStmts(ctx, tx, s.db.Dialect, *s.links)
	return err
}

// next ends the step after stepRows accounts or stepTime, and begins the next one.
func (s *stepper) next(ctx context.Context) error {
	s.rows++
	if s.rows < stepRows && time.Since(s.started) < stepTime {
		return nil
	}
	return s.cut(ctx)
}

// cut ends the step and begins the next one.
func (s *stepper) cut(ctx context.Context) error {
	if err := s.commit(ctx); err != nil {
		return err
	}
	return s.begin(ctx)
}

// commit appends the roster changes of the accounts the step wrote and commits it.
func (s *stepper) commit(ctx context.Context) error {
	s.closeStmts()
	if len(s.touched) > 0 {
		if err := s.record(ctx, feed.Touched{Accounts: s.touched}); err != nil {
			s.tx.Rollback() //nolint:errcheck // the error that ended the step is what counts
			s.tx = nil
			return err
		}
		s.touched = s.touched[:0]
	}
	err := s.tx.Commit()
	s.stats.add(time.Since(s.started))
	s.tx = nil
	return err
}

func (s *stepper) closeStmts() {
	if s.stmts != nil {
		s.stmts.Close()
		s.stmts = nil
	}
	if s.linkStmts != nil {
		s.linkStmts.Close()
		s.linkStmts = nil
	}
}

// record appends the roster changes of touched to the log in the step's transaction.
func (s *stepper) record(ctx context.Context, touched feed.Touched) error {
	if _, err := feed.Record(ctx, s.tx, s.db.Dialect, s.schoolID, feed.OriginImport, s.jobID, s.now, touched); err != nil {
		return err
	}
	return nil
}

// recordJobClasses appends the roster changes of the classes the job created, in the open step.
func (s *stepper) recordJobClasses(ctx context.Context) error {
	classes, err := store.JobClasses(ctx, s.tx, s.db.Dialect, s.jobID, s.schoolID)
	if err != nil {
		return err
	}
	return s.record(ctx, feed.Touched{Classes: classes})
}

// abort rolls back the open step, if any.
func (s *stepper) abort() {
	if s.tx != nil {
		s.closeStmts()
		s.tx.Rollback() //nolint:errcheck // the error that ended the commit is what counts
		s.tx = nil
	}
}

// RollBack undoes what an unfinished commit of the job wrote — a commit that failed, was
// cancelled or whose process died in the middle of its steps on SQLite — from the job's change
// records and marks: added accounts (marked with the job) are deleted, updated and archived ones get their state from before
// the job back, the classes the job created are deleted, and the job's committed_at is cleared
// (it stays COMMITTING: the caller marks it FAILED). It works in steps too, each removing the
// change records it rolled back, so that a rollback that is itself interrupted can simply run
// again. Only a COMMITTING job is rolled back, or a FAILED one that still has committed_at (a
// caller marked it failed although its rollback had failed); the change records of a committed
// job are its undo log. It returns how many accounts it rolled back.
func RollBack(ctx context.Context, db *store.DB, jobID int) (int, error) {
	total := 0
	for {
		n, done, err := rollBackStep(ctx, db, jobID)
		total += n
		if err != nil || done {
			return total, err
		}
	}
}

// rollBackStep rolls back up to stepRows change records of the job in one transaction; done
// reports that none were left and the job's classes and mark are gone too.
func rollBackStep(ctx context.Context, db *store.DB, jobID int) (int, bool, error) {
	d := db.Dialect
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("roll back job %d: begin: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	job, err := store.LoadJobState(ctx, tx, d, jobID, 0)
	if err != nil {
		return 0, false, fmt.Errorf("roll back job %d: %w", jobID, err)
	}
	if job.Status != importjob.StatusCOMMITTING && (job.Status != importjob.StatusFAILED || !job.CommittedAt.Valid) {
		return 0, true, nil
	}
	entries, err := store.JobChanges(ctx, tx, d, jobID, stepRows)
	if err != nil {
		return 0, false, fmt.Errorf("roll back job %d: read changes: %w", jobID, err)
	}
	var touched feed.Touched
	for _, e := range entries {
		if err := rollBackAccount(ctx, tx, d, jobID, job.SchoolID, e); err != nil {
			return 0, false, fmt.Errorf("roll back job %d: account %d: %w", jobID, e.AccountID, err)
		}
		touched.Accounts = append(touched.Accounts, e.AccountID)
	}
	n := len(entries)
	if n < stepRows {
		// The accounts the job added are marked with it, not journalled as change records.
		added, err := deleteAdded(ctx, tx, d, jobID, job.SchoolID, stepRows-n, &touched)
		if err != nil {
			return 0, false, fmt.Errorf("roll back job %d: delete added accounts: %w", jobID, err)
		}
		n += added
	}
	done := n == 0
	if done {
		if err := deleteClasses(ctx, tx, d, jobID, job.SchoolID, &touched); err != nil {
			return 0, false, fmt.Errorf("roll back job %d: %w", jobID, err)
		}
	}
	// The steps of the commit logged what they wrote (stepper.record): the log takes it back too.
	if _, err := feed.Record(ctx, tx, d, job.SchoolID, feed.OriginImport, jobID, time.Now(), touched); err != nil {
		return 0, false, fmt.Errorf("roll back job %d: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("roll back job %d: commit: %w", jobID, err)
	}
	return n, done, nil
}

// deleteAdded deletes up to limit accounts the unfinished job added, adding them to touched.
func deleteAdded(ctx context.Context, tx *sql.Tx, d string, jobID, schoolID, limit int, touched *feed.Touched) (int, error) {
	ids, err := store.JobAddedFirst(ctx, tx, d, jobID, schoolID, limit)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	touched.Accounts = append(touched.Accounts, ids...)
	return store.DeleteUnfinishedAdded(ctx, tx, d, jobID, schoolID, limit)
}

// deleteClasses deletes the classes the unfinished job created, adding them to touched, and
// clears its commit mark.
func deleteClasses(ctx context.Context, tx *sql.Tx, d string, jobID, schoolID int, touched *feed.Touched) error {
	classes, err := store.JobClasses(ctx, tx, d, jobID, schoolID)
	if err != nil {
		return err
	}
	touched.Classes = classes
	if err := store.DeleteJobClasses(ctx, tx, d, jobID); err != nil {
		return err
	}
	return store.ClearCommitMark(ctx, tx, d, jobID)
}

// rollBackAccount undoes the job's change of one account and removes its change record.
func rollBackAccount(ctx context.Context, tx *sql.Tx, d string, jobID, schoolID int, e store.JournalEntry) error {
	switch e.Action {
	case accountchange.ActionADDED:
		// Nothing else may point at an account only this unfinished commit made but its
		// sessions (none: it has no password yet) and its change record.
		if err := store.DeleteChange(ctx, tx, d, jobID, e.AccountID); err != nil {
			return err
		}
		return store.DeleteUnfinishedAccount(ctx, tx, d, e.AccountID, schoolID)
	case accountchange.ActionUPDATED, accountchange.ActionARCHIVED:
		b, err := store.DecodeAccountState(e.Before)
		if err != nil {
			return fmt.Errorf("read state before the job: %w", err)
		}
		if err := store.UpdateAccount(ctx, tx, d, e.AccountID, schoolID, b, b.UpdatedAt); err != nil {
			return err
		}
		if err := restoreLinks(ctx, tx, d, schoolID, e.AccountID, b); err != nil {
			return err
		}
		if b.Key == "" { // a keyless teacher the commit gave a code
			if err := store.SetAccountKey(ctx, tx, d, e.AccountID, schoolID, ""); err != nil {
				return err
			}
		}
		return store.DeleteChange(ctx, tx, d, jobID, e.AccountID)
	}
	return fmt.Errorf("unknown change %q", e.Action)
}

// restoreLinks gives an account back the groups its before-state recorded (nothing when it
// recorded none: the commit did not change them). Links that were removed come back without
// the import that once made them (import_job_id NULL): the before-state keeps the classes only.
func restoreLinks(ctx context.Context, tx *sql.Tx, d string, schoolID, accountID int, b *store.AccountState) error {
	if b.Groups != nil {
		if err := store.ReplaceLinks(ctx, tx, d, store.Memberships, schoolID, 0, map[int][]store.Link{accountID: store.GroupLinks(b.Groups)}); err != nil {
			return fmt.Errorf("restore lesgroepen: %w", err)
		}
	}
	if b.Teaches != nil {
		if err := store.ReplaceLinks(ctx, tx, d, store.Teachings, schoolID, 0, map[int][]store.Link{accountID: store.TeachingLinks(b.Teaches)}); err != nil {
			return fmt.Errorf("restore teaching: %w", err)
		}
	}
	return nil
}
