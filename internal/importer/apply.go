package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

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
}

// ReportOf summarises a plan.
func ReportOf(p *Plan) *Report {
	return &Report{Counts: p.Counts, ClassesCreated: nonNil(p.ClassesToCreate), Refused: nonNil(p.Refused), Warnings: nonNil(p.Warnings)}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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
	ph := Placeholder(db.Dialect)
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
		var status string
		q := "SELECT status FROM import_jobs WHERE id = " + ph(1) + " AND school_id = " + ph(2)
		if err := tx.QueryRowContext(ctx, q, opt.JobID, schoolID).Scan(&status); err != nil {
			return nil, fmt.Errorf("apply: job %d: %w", opt.JobID, err)
		}
		switch status {
		case "COMMITTING":
		case "COMMITTED":
			return nil, ErrAlreadyApplied
		default:
			return nil, fmt.Errorf("apply: job %d is %s: %w", opt.JobID, status, ErrJobNotCommitting)
		}
	}
	progress(Progress{Phase: "planning", Total: len(in.Result.Records)})
	st, err := LoadState(ctx, tx, ph, schoolID)
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
	w := &writer{ctx: ctx, tx: tx, dialect: db.Dialect, ph: ph, now: opt.Now, schoolID: schoolID, jobID: opt.JobID,
		total: plan.Counts.Added + plan.Counts.Updated + plan.Counts.Archived, progress: progress}
	if err := w.write(plan, st, in.Result); err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if opt.JobID != 0 {
		if err := finishJob(ctx, tx, ph, plan, opt, w.total); err != nil {
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

// finishJob marks the applied job COMMITTED with its counts and report and drops its uploaded
// file, in the commit's (last) transaction.
func finishJob(ctx context.Context, tx *sql.Tx, ph func(int) string, plan *Plan, opt ApplyOptions, total int) error {
	report, err := json.Marshal(ReportOf(plan))
	if err != nil {
		return fmt.Errorf("apply: report: %w", err)
	}
	c := plan.Counts
	res, err := tx.ExecContext(ctx, "UPDATE import_jobs SET status = 'COMMITTED', committed_at = "+ph(1)+
		", updated_at = "+ph(1)+", added = "+ph(2)+", updated = "+ph(3)+", archived = "+ph(4)+", unchanged = "+ph(5)+
		", refused = "+ph(6)+", report = "+ph(7)+", phase = 'done', progress_done = "+ph(8)+", progress_total = "+ph(8)+
		", error = '' WHERE id = "+ph(9)+" AND status = 'COMMITTING'", opt.Now, c.Added, c.Updated, c.Archived, c.Unchanged, c.Refused, string(report), total, opt.JobID)
	if err != nil {
		return fmt.Errorf("apply: finish job: %w", err)
	}
	// Another apply of the same job won, or the job was given up as dead meanwhile:
	// then none of this transaction may stay.
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("apply: job %d is no longer committing: %w", opt.JobID, ErrAlreadyApplied)
	}
	// The uploaded file is not kept after the commit: the report and the change log are.
	if _, err := tx.ExecContext(ctx, "DELETE FROM import_blobs WHERE job_id = "+ph(1)+" AND kind = 'FILE'", opt.JobID); err != nil {
		return fmt.Errorf("apply: drop uploaded file: %w", err)
	}
	return nil
}

// updateAccountSQL updates an account from the file: $1–$9 the fields, $10 the time, $11 the
// account, $12 its school, $13 its sort key.
func updateAccountSQL(ph func(int) string) string {
	return "UPDATE accounts SET first_name = " + ph(1) + ", infix = " + ph(2) + ", last_name = " + ph(3) +
		", email = " + ph(4) + ", username = " + ph(5) + ", eck_id = " + ph(6) + ", level = " + ph(7) + ", year = " + ph(8) +
		", class_id = " + ph(9) + ", status = 'ACTIVE', archived_at = NULL, updated_at = " + ph(10) + ", sort_name = " + ph(13) +
		" WHERE id = " + ph(11) + " AND school_id = " + ph(12)
}

// archiveAccountSQL archives an account: $1 the time, $2 the account, $3 its school.
func archiveAccountSQL(ph func(int) string) string {
	return "UPDATE accounts SET status = 'ARCHIVED', archived_at = " + ph(1) + ", updated_at = " + ph(1) +
		" WHERE id = " + ph(2) + " AND school_id = " + ph(3)
}

// Placeholder returns the function that renders the n-th bind parameter for the dialect.
func Placeholder(d string) func(int) string {
	if d == dialect.Postgres {
		return func(n int) string { return "$" + strconv.Itoa(n) }
	}
	return func(n int) string { return "?" + strconv.Itoa(n) }
}

type writer struct {
	ctx      context.Context
	tx       *sql.Tx
	dialect  string
	ph       func(int) string
	now      time.Time
	schoolID int
	jobID    int
	total    int
	done     int
	progress func(Progress)
	// afterClassBatch, when set, runs after each batch of new classes (a commit in steps
	// ends its step there).
	afterClassBatch func() error
}

func (w *writer) step() {
	w.done++
	if w.done%progressStep == 0 {
		w.progress(Progress{Phase: "writing", Done: w.done, Total: w.total})
	}
}

type before struct {
	Person
	Status     string     `json:"status"`
	ClassID    *int       `json:"classId,omitempty"`
	ArchivedAt *time.Time `json:"archivedAt,omitempty"`
	// UpdatedAt lets the rollback of an unfinished commit restore the account exactly.
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

func (w *writer) write(p *Plan, st *State, res *Result) error {
	w.progress(Progress{Phase: "writing", Total: w.total})
	classIDs, err := w.createClasses(p, st, res)
	if err != nil {
		return err
	}
	idx := make(map[int]int, len(st.accounts)) // account id -> index in st.accounts
	for i, a := range st.accounts {
		idx[a.id] = i
	}
	classRef := func(class string) any {
		if id, ok := classIDs[names.ClassKey(class)]; ok {
			return id
		}
		return nil
	}
	// New accounts, in one bulk statement (COPY on PostgreSQL), streamed from the plan: for a
	// large file a copy of all rows as []any would cost more memory than the plan itself.
	var ids map[string]int // key -> id of the new accounts, for the job's change records
	if p.Counts.Added > 0 {
		err := w.bulkInsert("accounts", []string{"school_id", "role", "external_key", "first_name", "infix", "last_name", "email",
			"username", "eck_id", "level", "year", "class_id", "status", "created_at", "updated_at", "sort_name"}, func(put func(...any) error) error {
			for i := range p.Users {
				u := &p.Users[i]
				if u.Outcome != OutcomeNew {
					continue
				}
				if err := put(w.schoolID, "PUPIL", u.Key, u.FirstName, u.Infix, u.LastName, u.Email, u.Username, u.EckID,
					u.Level, nullYear(u.Year), classRef(u.Class), "ACTIVE", w.now, w.now, names.SortKey(u.LastName, u.FirstName)); err != nil {
					return err
				}
				w.step() // progress per added row: the progress bar moves during the bulk insert
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("add accounts: %w", err)
		}
		if w.jobID != 0 {
			if ids, err = w.idsByKey(); err != nil {
				return err
			}
		}
	}
	// Updates and archives, one prepared statement each.
	upd, err := w.tx.PrepareContext(w.ctx, updateAccountSQL(w.ph))
	if err != nil {
		return fmt.Errorf("prepare update: %w", err)
	}
	defer upd.Close()
	arch, err := w.tx.PrepareContext(w.ctx, archiveAccountSQL(w.ph))
	if err != nil {
		return fmt.Errorf("prepare archive: %w", err)
	}
	defer arch.Close()
	for _, u := range p.Users {
		switch u.Outcome {
		case OutcomeUpdated:
			if _, err := upd.ExecContext(w.ctx, u.FirstName, u.Infix, u.LastName, u.Email, u.Username, u.EckID, u.Level,
				nullYear(u.Year), classRef(u.Class), w.now, u.AccountID, w.schoolID, names.SortKey(u.LastName, u.FirstName)); err != nil {
				return fmt.Errorf("update account %s (line %d): %w", u.Key, u.Line, err)
			}
			w.step()
		case OutcomeArchived:
			if _, err := arch.ExecContext(w.ctx, w.now, u.AccountID, w.schoolID); err != nil {
				return fmt.Errorf("archive account %s: %w", u.Key, err)
			}
			w.step()
		}
	}
	// The job's change records: additions first, then every update and archive with the
	// account's state before it, for undo.
	if w.jobID != 0 && p.Counts.Added+p.Counts.Updated+p.Counts.Archived > 0 {
		err := w.bulkInsert("account_changes", []string{"job_id", "account_id", "action", "before"}, func(put func(...any) error) error {
			for i := range p.Users {
				if u := &p.Users[i]; u.Outcome == OutcomeNew {
					if err := put(w.jobID, ids[u.Key], "ADDED", nil); err != nil {
						return err
					}
				}
			}
			for i := range p.Users {
				u := &p.Users[i]
				action := ""
				switch u.Outcome {
				case OutcomeUpdated:
					action = "UPDATED"
				case OutcomeArchived:
					action = "ARCHIVED"
				default:
					continue
				}
				if err := put(w.jobID, u.AccountID, action, beforeJSON(st, idx, u.AccountID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("record changes: %w", err)
		}
	}
	return nil
}

// beforeJSON is the stored state of account id as an account change records it.
func beforeJSON(st *State, idx map[int]int, id int) string {
	a := st.accounts[idx[id]]
	updated := a.updatedAt
	b := before{Person: a.person, Status: a.status, ArchivedAt: a.archivedAt, UpdatedAt: &updated}
	if c, ok := st.classes[a.classKey]; ok && a.classKey != "" {
		b.ClassID = &c.id
	}
	raw, _ := json.Marshal(b) // plain strings and ints: cannot fail
	return string(raw)
}

// createClasses inserts the plan's new classes and returns the id of every class by name key.
func (w *writer) createClasses(p *Plan, st *State, res *Result) (map[string]int, error) {
	ids := make(map[string]int, len(st.classes)+len(p.ClassesToCreate))
	for k, c := range st.classes {
		ids[k] = c.id
	}
	if len(p.ClassesToCreate) == 0 {
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
	// One INSERT per batch of classes: a board's thousands of classes one round trip each
	// took ~0.4 s on PostgreSQL. $1 is the school, $2 the time, $3 the job, then four per class.
	for start := 0; start < len(p.ClassesToCreate); start += classBatch {
		batch := p.ClassesToCreate[start:min(start+classBatch, len(p.ClassesToCreate))]
		var q strings.Builder
		q.WriteString("INSERT INTO classes (school_id, name, name_key, year, level, created_at, updated_at, created_by_job_id) VALUES ")
		args := make([]any, 3, 3+4*len(batch))
		args[0], args[1], args[2] = w.schoolID, w.now, nullID(w.jobID)
		for i, name := range batch {
			k := names.ClassKey(name)
			var year any
			level := ""
			if r := first[k]; r != nil {
				year, level = nullYear(r.Year), string(r.Level)
			}
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			q.WriteString("(" + w.ph(1) + ", " + w.ph(n+1) + ", " + w.ph(n+2) + ", " + w.ph(n+3) + ", " + w.ph(n+4) + ", " + w.ph(2) + ", " + w.ph(2) + ", " + w.ph(3) + ")")
			args = append(args, name, k, year, level)
		}
		q.WriteString(" RETURNING id, name_key")
		if err := w.insertClasses(q.String(), args, len(batch), ids); err != nil {
			return nil, fmt.Errorf("create classes %q to %q: %w", batch[0], batch[len(batch)-1], err)
		}
		if w.afterClassBatch != nil {
			if err := w.afterClassBatch(); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// classBatch is how many classes one INSERT creates; with four parameters each it stays well
// below the parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const classBatch = 1000

// insertClasses runs one batch insert and records the new ids by name key.
func (w *writer) insertClasses(query string, args []any, want int, ids map[string]int) error {
	rows, err := w.tx.QueryContext(w.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var id int
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return err
		}
		ids[k] = id
		got++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%d classes inserted, want %d", got, want)
	}
	return nil
}

func (w *writer) idsByKey() (map[string]int, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT id, external_key FROM accounts WHERE school_id = "+w.ph(1)+" AND external_key IS NOT NULL", w.schoolID)
	if err != nil {
		return nil, fmt.Errorf("read new account ids: %w", err)
	}
	defer rows.Close()
	ids := map[string]int{}
	for rows.Next() {
		var id int
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("read new account ids: %w", err)
		}
		ids[k] = id
	}
	return ids, rows.Err()
}

// bulkInsert writes the rows that each passes to put into table: COPY on PostgreSQL, a prepared
// INSERT per row on SQLite (cheap there: no round trips).
func (w *writer) bulkInsert(table string, cols []string, each func(put func(row ...any) error) error) error {
	var q string
	if w.dialect == dialect.Postgres {
		q = pq.CopyIn(table, cols...)
	} else {
		q = "INSERT INTO " + table + " (" + joinCols(cols) + ") VALUES ("
		for i := range cols {
			if i > 0 {
				q += ", "
			}
			q += w.ph(i + 1)
		}
		q += ")"
	}
	stmt, err := w.tx.PrepareContext(w.ctx, q)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer stmt.Close()
	n := 0
	err = each(func(row ...any) error {
		n++
		if _, err := stmt.ExecContext(w.ctx, row...); err != nil {
			return fmt.Errorf("insert into %s, row %d: %w", table, n, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if w.dialect == dialect.Postgres {
		if _, err := stmt.ExecContext(w.ctx); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	return nil
}

func joinCols(cols []string) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

func nullYear(y int) any {
	if y == 0 {
		return nil
	}
	return y
}

// nullID is NULL for 0, so that an apply without a job records no creating job.
func nullID(id int) any {
	if id == 0 {
		return nil
	}
	return id
}
