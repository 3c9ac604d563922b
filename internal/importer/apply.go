package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/list"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
)

var (
	// ErrSchoolNotFound means the school of an import does not exist.
	ErrSchoolNotFound = errors.New("school not found")
	// ErrStalePreview means the school's accounts changed after the preview: preview again.
	ErrStalePreview = errors.New("the accounts changed since the preview")
	// ErrAlreadyApplied means the job was committed before; applying it again does nothing.
	ErrAlreadyApplied = errors.New("this import was applied already")
	// ErrJobNotCommitting means the job is not claimed for a commit.
	ErrJobNotCommitting = errors.New("the import job is not being committed")
)

// ArchiveConfirmationError is returned when the archive guard applies and the confirmation
// does not repeat the number of accounts to archive.
type ArchiveConfirmationError struct{ Guard Guard }

func (e *ArchiveConfirmationError) Error() string {
	return fmt.Sprintf("deze import archiveert %d van de %d actieve leerlingen (meer dan %d %%): bevestig met dat aantal",
		e.Guard.ToArchive, e.Guard.ActivePupils, e.Guard.ThresholdPercent)
}

// Progress is how far an apply is.
type Progress struct {
	Phase string `json:"phase"` // "planning" or "writing"
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Report is the outcome of an applied import, as stored on its job.
type Report struct {
	Counts         Counts    `json:"counts"`
	ClassesCreated []string  `json:"classesCreated"`
	Refused        []Problem `json:"refused"`
	Warnings       []Problem `json:"warnings"`
	// Damaged lists the file's values that lost letters to "?" (none in reports stored before).
	Damaged []DamagedValue `json:"damaged,omitempty"`
	// GroupsCreated are the lesgroepen the import created (none in reports stored before).
	GroupsCreated []string `json:"groupsCreated,omitempty"`
}

// ReportOf summarises a plan.
func ReportOf(p *Plan) *Report {
	return &Report{Counts: p.Counts, ClassesCreated: list.NonNil(p.ClassesToCreate), Refused: list.NonNil(p.Refused), Warnings: list.NonNil(p.Warnings),
		Damaged: p.Damaged, GroupsCreated: p.GroupsToCreate}
}

// ApplyOptions control Apply.
type ApplyOptions struct {
	// JobID is the import job the writes belong to: it must be COMMITTING, and becomes
	// COMMITTED with its counts and report in the same transaction. 0 applies without a job.
	JobID int
	// ExpectedHash is the previewed plan's hash; when set, a different plan is refused as stale.
	ExpectedHash string
	// ConfirmArchive must equal the number of accounts to archive when the guard applies.
	ConfirmArchive int
	// ConfirmYearDown must equal the number of pupils going down a leerjaar when the year
	// guard applies (Plan.YearGuard).
	ConfirmYearDown int
	// Progress, when set, is called as the work advances (often enough for a progress bar).
	Progress func(Progress)
	// Now is the commit time; zero means time.Now.
	Now time.Time
	// Stats, when set, receives how the commit used the write lock.
	Stats *ApplyStats
}

// progressStep is how many rows pass between two progress reports.
const progressStep = 500

// Apply plans the import again, checks it against the preview and the archive guard, and
// writes all of it or nothing: classes, new accounts, updates, archives, the before-state of
// every changed account and the job's result. On PostgreSQL (and without a job) that is one
// transaction; on SQLite a job's commit runs in short steps so that sign-ins are not locked out,
// and what a failed commit wrote is rolled back from its change records (see stepRows).
func Apply(ctx context.Context, db *store.DB, in PlanInput, schoolID int, actions Actions, opt ApplyOptions) (*Plan, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(Progress) {}
	}
	if db.Dialect != dialect.Postgres && opt.JobID != 0 {
		return applyInSteps(ctx, db, in, schoolID, actions, opt, progress)
	}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("apply: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	start := time.Now()
	if err := store.LockSchool(ctx, tx, db.Dialect, schoolID); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if opt.JobID != 0 {
		// No row lock here: the committing process writes progress and heartbeats to this row
		// meanwhile. The status is checked again when the job is marked committed.
		job, err := store.LoadJobState(ctx, tx, db.Dialect, opt.JobID, schoolID)
		if err != nil {
			return nil, fmt.Errorf("apply: job %d: %w", opt.JobID, err)
		}
		switch job.Status {
		case importjob.StatusCOMMITTING:
		case importjob.StatusCOMMITTED:
			return nil, ErrAlreadyApplied
		default:
			return nil, fmt.Errorf("apply: job %d is %s: %w", opt.JobID, job.Status, ErrJobNotCommitting)
		}
	}
	progress(Progress{Phase: "planning", Total: len(in.Result.Records)})
	st, plan, err := planChecked(ctx, tx, db.Dialect, in, schoolID, actions, opt)
	if err != nil {
		return nil, err
	}
	w := &writer{ctx: ctx, tx: tx, dialect: db.Dialect, now: opt.Now, schoolID: schoolID, jobID: opt.JobID,
		total: plan.Counts.Added + plan.Counts.Updated + plan.Counts.Archived, progress: progress, role: plan.role()}
	if err := w.write(plan, st, in.Result); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	// A class's level and year follow its pupils, in the same transaction.
	facts, err := store.RefreshClassFactsOf(ctx, tx, db.Dialect, schoolID, opt.Now)
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if err := recordChanges(ctx, tx, db.Dialect, schoolID, opt, facts); err != nil {
		return nil, err
	}
	if opt.JobID != 0 {
		if err := finishJob(ctx, tx, db.Dialect, plan, opt, w.total); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("apply: commit: %w", err)
	}
	opt.Stats.add(time.Since(start))
	progress(Progress{Phase: "writing", Done: w.total, Total: w.total})
	return plan, nil
}

// recordChanges appends the commit's roster changes to the school's change log (package
// feed), in the commit's one transaction: every account the job added, updated or archived
// with its links, the classes it created and those whose level or year followed their pupils.
// A commit in steps (SQLite) logs each step's writes in that step instead (stepper.record).
func recordChanges(ctx context.Context, tx store.Execer, d string, schoolID int, opt ApplyOptions, facts []int) error {
	accounts, classes, err := store.JobTouched(ctx, tx, d, opt.JobID, schoolID)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if _, err := feed.Record(ctx, tx, d, schoolID, feed.OriginImport, opt.JobID, opt.Now,
		feed.Touched{Accounts: accounts, Classes: append(classes, facts...)}); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return nil
}

// planChecked loads the school's state through q, plans the import against it and checks the
// plan against the preview, the archive guard and the year guard.
func planChecked(ctx context.Context, q store.Querier, d string, in PlanInput, schoolID int, actions Actions, opt ApplyOptions) (*State, *Plan, error) {
	st, err := LoadState(ctx, q, d, schoolID)
	if err != nil {
		return nil, nil, fmt.Errorf("apply: %w", err)
	}
	plan := MakePlan(in, st, actions)
	if opt.ExpectedHash != "" && plan.Hash != opt.ExpectedHash {
		return nil, nil, ErrStalePreview
	}
	if plan.Guard.ConfirmationRequired && opt.ConfirmArchive != plan.Guard.ToArchive {
		return nil, nil, &ArchiveConfirmationError{Guard: plan.Guard}
	}
	if plan.YearGuard.ConfirmationRequired && opt.ConfirmYearDown != plan.YearGuard.YearDown {
		return nil, nil, &YearDownConfirmationError{Guard: plan.YearGuard}
	}
	return st, plan, nil
}

// finishJob marks the applied job COMMITTED with its counts and report and drops its uploaded
// file, in the commit's (last) transaction.
func finishJob(ctx context.Context, tx store.Execer, d string, plan *Plan, opt ApplyOptions, total int) error {
	report, err := json.Marshal(ReportOf(plan))
	if err != nil {
		return fmt.Errorf("apply: report: %w", err)
	}
	c := plan.Counts
	ok, err := store.FinishCommit(ctx, tx, d, opt.JobID, opt.Now, &store.JobResult{Added: c.Added, Updated: c.Updated,
		Archived: c.Archived, Unchanged: c.Unchanged, Refused: c.Refused, Report: report, Total: total})
	if err != nil {
		return fmt.Errorf("apply: finish job: %w", err)
	}
	// Another apply of the same job won, or the job was given up as dead meanwhile:
	// then none of this transaction may stay.
	if !ok {
		return fmt.Errorf("apply: job %d is no longer committing: %w", opt.JobID, ErrAlreadyApplied)
	}
	// The uploaded file is not kept after the commit: the report and the change log are.
	if _, err := store.DeleteJobFile(ctx, tx, d, opt.JobID); err != nil {
		return fmt.Errorf("apply: drop uploaded file: %w", err)
	}
	return nil
}

type writer struct {
	ctx      context.Context
	tx       *sql.Tx
	dialect  string
	now      time.Time
	schoolID int
	jobID    int
	total    int
	done     int
	progress func(Progress)
	// afterClassBatch, when set, runs after each batch of new classes (a commit in steps
	// ends its step there).
	afterClassBatch func() error
	// added is the one value newAccount fills for every added account (100,000 allocations
	// of it cost 10 % more memory per commit).
	added store.NewAccount
	// role is the role of the plan's new accounts.
	role account.Role
	// linkStmts, in a commit's step (SQLite), write one account's links.
	linkStmts *store.LinkStmts
}

func (w *writer) step() {
	w.done++
	if w.done%progressStep == 0 {
		w.progress(Progress{Phase: "writing", Done: w.done, Total: w.total})
	}
}

// classIDs are the ids of the school's classes by name key.
type classIDs map[string]int

// ref is the id of the class, nil for none.
func (c classIDs) ref(class string) *int {
	if id, ok := c[names.ClassKey(class)]; ok {
		return &id
	}
	return nil
}

// newAccount is the account a new user of the plan becomes: w.added, valid until the next
// call (the store writes it before it asks for the next).
func (w *writer) newAccount(u *PlannedUser, classes classIDs) *store.NewAccount {
	w.added = store.NewAccount{SchoolID: w.schoolID, Role: w.role, Key: u.Key, FirstName: u.FirstName, Infix: u.Infix, LastName: u.LastName,
		Email: u.Email, Username: u.Username, EckID: u.EckID, Level: u.Level, Year: u.Year, ClassID: classes.ref(u.Class), JobID: w.jobID,
		Now: w.now}
	return &w.added
}

// updatedState is the state an updated user of the plan gets: active, in its class.
func updatedState(u *PlannedUser, classes classIDs) *store.AccountState {
	return &store.AccountState{Person: store.Person{FirstName: u.FirstName, Infix: u.Infix, LastName: u.LastName, Email: u.Email,
		Username: u.Username, EckID: u.EckID, Level: u.Level, Year: u.Year}, ClassID: classes.ref(u.Class), Status: account.StatusACTIVE.String()}
}

// write writes the plan in the writer's one transaction (PostgreSQL, or without a job).
func (w *writer) write(p *Plan, st *State, res *Result) error {
	w.progress(Progress{Phase: "writing", Total: w.total})
	classes, err := w.createClasses(p, st, res)
	if err != nil {
		return err
	}
	if err := w.addAccounts(p, classes); err != nil {
		return err
	}
	if err := w.updateAccounts(p, classes); err != nil {
		return err
	}
	if w.jobID != 0 && p.Counts.Updated+p.Counts.Archived > 0 {
		if err := w.recordChanges(p, st); err != nil {
			return fmt.Errorf("record changes: %w", err)
		}
	}
	return w.writeLinks(p, st, classes)
}

// addAccounts inserts the plan's new accounts in one bulk statement (COPY on PostgreSQL),
// streamed from the plan: for a large file a copy of all rows as []any would cost more memory
// than the plan itself. Each new account carries the job (accounts.import_job_id): that is the
// record of its addition, for undo and history. A change record per addition cost a commit of
// 100,000 pupils 1.5 s on PostgreSQL (two foreign-key checks per row) and a read of every id.
func (w *writer) addAccounts(p *Plan, classes classIDs) error {
	if p.Counts.Added == 0 {
		return nil
	}
	err := store.InsertAccounts(w.ctx, w.tx, w.dialect, func(put func(*store.NewAccount) error) error {
		for i := range p.Users {
			if u := &p.Users[i]; u.Outcome == OutcomeNew {
				if err := put(w.newAccount(u, classes)); err != nil {
					return err
				}
				w.step() // progress per added row: the progress bar moves during the bulk insert
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add accounts: %w", err)
	}
	return nil
}

// updateAccounts updates and archives the plan's accounts: on PostgreSQL in batches of
// store.UpdateBatch accounts per statement (one round trip per account made a new timetable
// for a board, 100,000 updated pupils, take 19-29 s), elsewhere one prepared statement each.
func (w *writer) updateAccounts(p *Plan, classes classIDs) error {
	if w.dialect != dialect.Postgres {
		return w.updateAccountsOneByOne(p, classes)
	}
	b := accountBatch{w: w}
	for i := range p.Users {
		u := &p.Users[i]
		switch u.Outcome {
		case OutcomeUpdated:
			if err := b.update(u, classes); err != nil {
				return err
			}
		case OutcomeArchived:
			b.archived = append(b.archived, u.AccountID)
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	if err := store.ArchiveAccounts(w.ctx, w.tx, w.dialect, w.schoolID, w.now, b.archived); err != nil {
		return err
	}
	for range b.archived {
		w.step()
	}
	return nil
}

// accountBatch collects a batch of updated accounts (their states reused between batches)
// and the ids of the archived ones.
type accountBatch struct {
	w        *writer
	ids      []int
	states   []store.AccountState
	ptrs     []*store.AccountState
	archived []int
}

// update adds an updated user to the batch, writing the batch when it is full.
func (b *accountBatch) update(u *PlannedUser, classes classIDs) error {
	if err := b.w.writeKey(u); err != nil {
		return err
	}
	if !changesRow(u) {
		b.w.step()
		return nil
	}
	if b.states == nil {
		b.states = make([]store.AccountState, store.UpdateBatch)
	}
	n := len(b.ids)
	b.states[n] = *updatedState(u, classes)
	b.ids, b.ptrs = append(b.ids, u.AccountID), append(b.ptrs, &b.states[n])
	if len(b.ids) == store.UpdateBatch {
		return b.flush()
	}
	return nil
}

// flush writes the batch's updated accounts.
func (b *accountBatch) flush() error {
	if len(b.ids) == 0 {
		return nil
	}
	if err := store.UpdateAccounts(b.w.ctx, b.w.tx, b.w.dialect, b.w.schoolID, b.w.now, b.ids, b.ptrs); err != nil {
		return err
	}
	for range b.ids {
		b.w.step()
	}
	b.ids, b.ptrs = b.ids[:0], b.ptrs[:0]
	return nil
}

// updateAccountsOneByOne updates and archives the plan's accounts with one prepared
// statement each (SQLite: a statement costs no round trip there).
func (w *writer) updateAccountsOneByOne(p *Plan, classes classIDs) error {
	stmts, err := store.PrepareAccountStmts(w.ctx, w.tx, w.dialect, false)
	if err != nil {
		return err
	}
	defer stmts.Close()
	for i := range p.Users {
		u := &p.Users[i]
		switch u.Outcome {
		case OutcomeUpdated:
			if err := w.updateOne(stmts, u, classes); err != nil {
				return err
			}
			if err := w.writeKey(u); err != nil {
				return err
			}
		case OutcomeArchived:
			if err := stmts.Archive(u.AccountID, w.schoolID, w.now); err != nil {
				return fmt.Errorf("archive account %s: %w", u.Key, err)
			}
		default:
			continue
		}
		w.step()
	}
	return nil
}

// updateOne writes an updated user's account row, when the plan changes it (see changesRow).
func (w *writer) updateOne(stmts *store.AccountStmts, u *PlannedUser, classes classIDs) error {
	if !changesRow(u) {
		return nil
	}
	if err := stmts.Update(u.AccountID, w.schoolID, updatedState(u, classes), w.now); err != nil {
		return fmt.Errorf("update account %s (line %d): %w", u.Key, u.Line, err)
	}
	return nil
}

// recordChanges writes the job's change records: every update and archive with the account's
// state before it, for undo (an added account records its job itself, see addAccounts).
func (w *writer) recordChanges(p *Plan, st *State) error {
	idx := st.index()
	return store.InsertChanges(w.ctx, w.tx, w.dialect, func(put func(*store.Change) error) error {
		for i := range p.Users {
			u := &p.Users[i]
			action, ok := changeAction(u.Outcome)
			if !ok || u.Outcome == OutcomeNew {
				continue
			}
			if err := put(&store.Change{JobID: w.jobID, AccountID: u.AccountID, Action: action, Before: st.beforeOf(p, idx, u)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// changeAction is the change record of an outcome; ok is false for an outcome that writes nothing.
func changeAction(o Outcome) (a accountchange.Action, ok bool) {
	switch o {
	case OutcomeNew:
		return accountchange.ActionADDED, true
	case OutcomeUpdated:
		return accountchange.ActionUPDATED, true
	case OutcomeArchived:
		return accountchange.ActionARCHIVED, true
	}
	return "", false
}

// index maps account ids to their index in st.accounts.
func (st *State) index() map[int]int {
	idx := make(map[int]int, len(st.accounts))
	for i, a := range st.accounts {
		idx[a.id] = i
	}
	return idx
}

// before is the stored state of account id as an account change records it.
func (st *State) before(idx map[int]int, id int) *store.AccountState {
	a := &st.accounts[idx[id]]
	updated := a.updatedAt
	b := &store.AccountState{Person: a.person, Status: a.status, ArchivedAt: a.archivedAt, UpdatedAt: &updated}
	if c, ok := st.classes[a.classKey]; ok && a.classKey != "" {
		b.ClassID = &c.id
	}
	return b
}

// beforeOf is the before-state of a planned user's account, with its groups when the plan
// replaces them.
func (st *State) beforeOf(p *Plan, idx map[int]int, u *PlannedUser) *store.AccountState {
	b := st.before(idx, u.AccountID)
	st.withGroups(b, p.linkKind(), u, idx[u.AccountID])
	return b
}

// createClasses inserts the plan's new classes and returns the id of every class by name key.
func (w *writer) createClasses(p *Plan, st *State, res *Result) (classIDs, error) {
	ids := make(classIDs, len(st.classes)+len(p.ClassesToCreate)+len(p.GroupsToCreate))
	for k, c := range st.classes {
		ids[k] = c.id
	}
	if len(p.ClassesToCreate)+len(p.GroupsToCreate) == 0 {
		return ids, nil
	}
	// A new class takes the year and level of its first pupil in the file.
	first := map[string]*Record{}
	for i := range res.Records {
		k := names.ClassKey(res.Records[i].Class)
		if _, ok := first[k]; !ok {
			first[k] = &res.Records[i]
		}
	}
	classes := newClasses(p, first)
	tx := func() store.Execer { return w.tx }
	if err := store.InsertClasses(w.ctx, tx, w.dialect, w.schoolID, w.jobID, w.now, classes, ids, w.afterClassBatch); err != nil {
		return nil, err
	}
	return ids, nil
}
