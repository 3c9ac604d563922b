package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/numo/accounts/internal/names"
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
//     new classes (a step per batch of classBatch, each marked with the job), then for every
//     account its change record together with the change itself — the record of an update or
//     archive holds the account's state before it. The job's change records are therefore at
//     every moment an exact journal of what the commit has written so far.
//  4. finish: the last step marks the job COMMITTED.
//
// A commit that fails or is cancelled in between is rolled back from that journal (RollBack);
// one whose process died (kill -9, power loss) stays COMMITTING with committed_at set and is
// rolled back when numo starts again (internal/jobs), before the job is marked FAILED. So the
// promise holds after recovery: an import is applied as previewed or not at all. What it does
// cost: between the steps, readers may see part of the new roster for the few seconds the commit
// runs (or until recovery, after a crash).
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
	ph := Placeholder(db.Dialect)
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	start := time.Now()
	var status string
	var committedAt sql.NullTime
	if err := tx.QueryRowContext(ctx, "SELECT status, committed_at FROM import_jobs WHERE id = "+ph(1)+" AND school_id = "+ph(2),
		opt.JobID, schoolID).Scan(&status, &committedAt); err != nil {
		return fmt.Errorf("apply: job %d: %w", opt.JobID, err)
	}
	switch {
	case status == "COMMITTED":
		return ErrAlreadyApplied
	case status != "COMMITTING":
		return fmt.Errorf("apply: job %d is %s: %w", opt.JobID, status, ErrJobNotCommitting)
	case committedAt.Valid:
		return fmt.Errorf("apply: job %d is being applied already: %w", opt.JobID, ErrAlreadyApplied)
	}
	if err := store.LockSchool(ctx, tx, db.Dialect, schoolID); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE import_jobs SET committed_at = "+ph(1)+" WHERE id = "+ph(2)+" AND status = 'COMMITTING'",
		opt.Now, opt.JobID); err != nil {
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
	ph := Placeholder(db.Dialect)
	progress(Progress{Phase: "planning", Total: len(in.Result.Records)})
	// A read transaction: one snapshot of the school, without the write lock.
	rtx, err := db.SQL.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("apply: begin: %w", err)
	}
	st, err := LoadState(ctx, rtx, ph, schoolID)
	rtx.Rollback() //nolint:errcheck // read only
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	plan := MakePlan(in, st, actions)
	if opt.ExpectedHash != "" && plan.Hash != opt.ExpectedHash {
		return nil, ErrStalePreview
	}
	if plan.Guard.ConfirmationRequired && opt.ConfirmArchive != plan.Guard.ToArchive {
		return nil, &ArchiveConfirmationError{Guard: plan.Guard}
	}
	s := &stepper{db: db, ph: ph, jobID: opt.JobID, stats: opt.Stats}
	defer s.abort()
	w := &writer{ctx: ctx, dialect: db.Dialect, ph: ph, now: opt.Now, schoolID: schoolID, jobID: opt.JobID,
		total: plan.Counts.Added + plan.Counts.Updated + plan.Counts.Archived, progress: progress}
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
	classIDs, err := w.createClasses(plan, st, in.Result)
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	classRef := func(class string) any {
		if id, ok := classIDs[names.ClassKey(class)]; ok {
			return id
		}
		return nil
	}
	idx := make(map[int]int, len(st.accounts))
	for i, a := range st.accounts {
		idx[a.id] = i
	}
	for i := range plan.Users {
		u := &plan.Users[i]
		switch u.Outcome {
		case OutcomeNew:
			// LastInsertId, not RETURNING: a query's rows cost a goroutine each under a context.
			res, err := s.ins.ExecContext(ctx, schoolID, "PUPIL", u.Key, u.FirstName, u.Infix, u.LastName, u.Email, u.Username, u.EckID,
				u.Level, nullYear(u.Year), classRef(u.Class), "ACTIVE", opt.Now, opt.Now, names.SortKey(u.LastName, u.FirstName))
			if err != nil {
				return nil, fmt.Errorf("apply: add account %s (line %d): %w", u.Key, u.Line, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return nil, fmt.Errorf("apply: add account %s (line %d): %w", u.Key, u.Line, err)
			}
			if _, err := s.change.ExecContext(ctx, opt.JobID, id, "ADDED", nil); err != nil {
				return nil, fmt.Errorf("apply: record addition of %s: %w", u.Key, err)
			}
		case OutcomeUpdated:
			if _, err := s.change.ExecContext(ctx, opt.JobID, u.AccountID, "UPDATED", beforeJSON(st, idx, u.AccountID)); err != nil {
				return nil, fmt.Errorf("apply: record update of %s: %w", u.Key, err)
			}
			if _, err := s.upd.ExecContext(ctx, u.FirstName, u.Infix, u.LastName, u.Email, u.Username, u.EckID, u.Level,
				nullYear(u.Year), classRef(u.Class), opt.Now, u.AccountID, schoolID, names.SortKey(u.LastName, u.FirstName)); err != nil {
				return nil, fmt.Errorf("apply: update account %s (line %d): %w", u.Key, u.Line, err)
			}
		case OutcomeArchived:
			if _, err := s.change.ExecContext(ctx, opt.JobID, u.AccountID, "ARCHIVED", beforeJSON(st, idx, u.AccountID)); err != nil {
				return nil, fmt.Errorf("apply: record archive of %s: %w", u.Key, err)
			}
			if _, err := s.arch.ExecContext(ctx, opt.Now, u.AccountID, schoolID); err != nil {
				return nil, fmt.Errorf("apply: archive account %s: %w", u.Key, err)
			}
		default:
			continue
		}
		w.step()
		if err := s.next(ctx); err != nil {
			return nil, fmt.Errorf("apply: %w", err)
		}
	}
	w.tx = s.tx
	if err := finishJob(ctx, s.tx, ph, plan, opt, w.total); err != nil {
		return nil, err
	}
	if err := s.commit(); err != nil {
		return nil, fmt.Errorf("apply: commit: %w", err)
	}
	progress(Progress{Phase: "writing", Done: w.total, Total: w.total})
	return plan, nil
}

// stepper runs the write transactions of a commit in steps, with its statements prepared in
// each.
type stepper struct {
	db    *store.DB
	ph    func(int) string
	jobID int
	stats *ApplyStats

	tx                     *sql.Tx
	started                time.Time
	rows                   int
	ins, upd, arch, change *sql.Stmt
}

// begin starts the next step. The job must still be the reserved commit: the reaper of dead
// commits (or a second numo at start) may have rolled it back and failed it meanwhile.
func (s *stepper) begin(ctx context.Context) error {
	tx, err := s.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	s.tx, s.started, s.rows = tx, time.Now(), 0
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM import_jobs WHERE id = "+s.ph(1)+
		" AND status = 'COMMITTING' AND committed_at IS NOT NULL", s.jobID).Scan(&n); err != nil {
		return fmt.Errorf("job %d: %w", s.jobID, err)
	}
	if n != 1 {
		return fmt.Errorf("job %d: %w", s.jobID, ErrJobNotCommitting)
	}
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	ph := s.ph
	s.ins = prep("INSERT INTO accounts (school_id, role, external_key, first_name, infix, last_name, email, username, eck_id, level, year, class_id, status, created_at, updated_at, sort_name) VALUES (" +
		ph(1) + ", " + ph(2) + ", " + ph(3) + ", " + ph(4) + ", " + ph(5) + ", " + ph(6) + ", " + ph(7) + ", " + ph(8) + ", " + ph(9) + ", " + ph(10) +
		", " + ph(11) + ", " + ph(12) + ", " + ph(13) + ", " + ph(14) + ", " + ph(15) + ", " + ph(16) + ")")
	s.upd = prep(updateAccountSQL(ph))
	s.arch = prep(archiveAccountSQL(ph))
	s.change = prep("INSERT INTO account_changes (job_id, account_id, action, before) VALUES (" + ph(1) + ", " + ph(2) + ", " + ph(3) + ", " + ph(4) + ")")
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
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
	if err := s.commit(); err != nil {
		return err
	}
	return s.begin(ctx)
}

func (s *stepper) commit() error {
	s.closeStmts()
	err := s.tx.Commit()
	s.stats.add(time.Since(s.started))
	s.tx = nil
	return err
}

func (s *stepper) closeStmts() {
	for _, st := range []*sql.Stmt{s.ins, s.upd, s.arch, s.change} {
		if st != nil {
			st.Close()
		}
	}
	s.ins, s.upd, s.arch, s.change = nil, nil, nil, nil
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
// records: added accounts are deleted, updated and archived ones get their state from before
// the job back, the classes the job created are deleted, and the job's committed_at is cleared
// (it stays COMMITTING: the caller marks it FAILED). It works in steps too, each removing the
// change records it rolled back, so that a rollback that is itself interrupted can simply run
// again. Only a COMMITTING job is rolled back, or a FAILED one that still has committed_at (a
// caller marked it failed although its rollback had failed); the change records of a committed
// job are its undo log. It returns how many accounts it rolled back.
func RollBack(ctx context.Context, db *store.DB, jobID int) (int, error) {
	ph := Placeholder(db.Dialect)
	total := 0
	for {
		n, done, err := rollBackStep(ctx, db, ph, jobID)
		total += n
		if err != nil || done {
			return total, err
		}
	}
}

type journalEntry struct {
	accountID int
	action    string
	before    []byte
}

// rollBackStep rolls back up to stepRows change records of the job in one transaction; done
// reports that none were left and the job's classes and mark are gone too.
func rollBackStep(ctx context.Context, db *store.DB, ph func(int) string, jobID int) (int, bool, error) {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("roll back job %d: begin: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var status string
	var schoolID int
	var committedAt sql.NullTime
	if err := tx.QueryRowContext(ctx, "SELECT status, school_id, committed_at FROM import_jobs WHERE id = "+ph(1), jobID).Scan(&status, &schoolID, &committedAt); err != nil {
		return 0, false, fmt.Errorf("roll back job %d: %w", jobID, err)
	}
	if status != "COMMITTING" && (status != "FAILED" || !committedAt.Valid) {
		return 0, true, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT account_id, action, before FROM account_changes WHERE job_id = "+ph(1)+
		" ORDER BY account_id LIMIT "+fmt.Sprint(stepRows), jobID)
	if err != nil {
		return 0, false, fmt.Errorf("roll back job %d: read changes: %w", jobID, err)
	}
	var entries []journalEntry
	for rows.Next() {
		var e journalEntry
		var b sql.NullString
		if err := rows.Scan(&e.accountID, &e.action, &b); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("roll back job %d: read changes: %w", jobID, err)
		}
		e.before = []byte(b.String)
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("roll back job %d: read changes: %w", jobID, err)
	}
	for _, e := range entries {
		if err := rollBackAccount(ctx, tx, ph, jobID, schoolID, e); err != nil {
			return 0, false, fmt.Errorf("roll back job %d: account %d: %w", jobID, e.accountID, err)
		}
	}
	done := len(entries) == 0
	if done {
		for _, q := range []string{
			"DELETE FROM class_teachers WHERE class_id IN (SELECT id FROM classes WHERE created_by_job_id = " + ph(1) + ")",
			"DELETE FROM classes WHERE created_by_job_id = " + ph(1),
			"UPDATE import_jobs SET committed_at = NULL WHERE id = " + ph(1) + " AND status IN ('COMMITTING', 'FAILED')",
		} {
			if _, err := tx.ExecContext(ctx, q, jobID); err != nil {
				return 0, false, fmt.Errorf("roll back job %d: %w", jobID, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("roll back job %d: commit: %w", jobID, err)
	}
	return len(entries), done, nil
}

// rollBackAccount undoes the job's change of one account and removes its change record.
func rollBackAccount(ctx context.Context, tx *sql.Tx, ph func(int) string, jobID, schoolID int, e journalEntry) error {
	switch e.action {
	case "ADDED":
		// Nothing else may point at an account only this unfinished commit made but its
		// sessions (none: it has no password yet) and its change record.
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = "+ph(1), e.accountID); err != nil {
			return err
		}
	case "UPDATED", "ARCHIVED":
		var b before
		if err := json.Unmarshal(e.before, &b); err != nil {
			return fmt.Errorf("read state before the job: %w", err)
		}
		var year any
		if b.Year != 0 {
			year = b.Year
		}
		var classID, archivedAt, updatedAt any
		if b.ClassID != nil {
			classID = *b.ClassID
		}
		if b.ArchivedAt != nil {
			archivedAt = *b.ArchivedAt
		}
		if b.UpdatedAt != nil {
			updatedAt = *b.UpdatedAt
		}
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET first_name = "+ph(1)+", infix = "+ph(2)+", last_name = "+ph(3)+
			", email = "+ph(4)+", username = "+ph(5)+", eck_id = "+ph(6)+", level = "+ph(7)+", year = "+ph(8)+", class_id = "+ph(9)+
			", status = "+ph(10)+", archived_at = "+ph(11)+", updated_at = COALESCE("+ph(12)+", updated_at), sort_name = "+ph(13)+
			" WHERE id = "+ph(14)+" AND school_id = "+ph(15),
			b.FirstName, b.Infix, b.LastName, b.Email, b.Username, b.EckID, b.Level, year, classID, b.Status, archivedAt, updatedAt,
			names.SortKey(b.LastName, b.FirstName), e.accountID, schoolID); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown change %q", e.action)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM account_changes WHERE job_id = "+ph(1)+" AND account_id = "+ph(2), jobID, e.accountID); err != nil {
		return err
	}
	if e.action == "ADDED" {
		if _, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE id = "+ph(1)+" AND school_id = "+ph(2), e.accountID, schoolID); err != nil {
			return err
		}
	}
	return nil
}
