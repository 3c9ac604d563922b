// Package undo undoes a committed import job: every account the job touched gets its state from
// before the job back (archived accounts become active again, updated fields get their old
// values, added accounts are deleted with their change records, as if the import never ran),
// and the classes the job created that are left empty are removed — all in one transaction,
// with a preview of the same plan first.
//
// An account that changed after the job, by a later import or by hand (its updated_at is after
// the job's commit), is a conflict: the undo lists it and never silently overwrites it. So is
// an added account that someone signed in with, that got a password or that the audit log
// tells of: deleting it would lose more than the import brought. The
// undo is itself an import job (kind UNDO) in the school's history, with its own change
// records, and an entry in the audit log.
package undo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/list"
	"github.com/numo/accounts/internal/store"
)

// Plan is what undoing one import job does, computed against the school's live accounts.
type Plan struct {
	JobID    int
	SchoolID int
	// FileName is the name of the job's uploaded file.
	FileName string
	// FileKind is what the job's file held (pupils or teachers); its UNDO job says the same.
	FileKind importjob.FileKind `json:"-"`
	// Possible reports whether the job can be undone; when not, Reason says why (Dutch) and
	// ReasonEn the same in English, and the counts below are zero.
	Possible bool
	Reason   string
	ReasonEn string
	// RemoveAdded is how many accounts the job added that the undo deletes.
	RemoveAdded int
	// RestoreUpdated is how many accounts the job updated that get their old values back.
	RestoreUpdated int
	// Reactivate is how many accounts the job archived that become active again.
	Reactivate int
	// RemoveClasses are the names of the classes (stamklassen and lesgroepen) the job created
	// that the undo leaves empty and removes.
	RemoveClasses []string
	// GroupsJoined and GroupsLeft count the memberships and teaching assignments the undo gives
	// back and takes away: the restored accounts' changes to the sets their change records
	// kept, and the links of the added accounts it deletes.
	GroupsJoined int
	GroupsLeft   int
	// Conflicts are the accounts that changed after the job: the undo leaves them as they are.
	Conflicts []Conflict

	items          []item
	removeClassIDs []int
	refusal        *refusal
}

// Conflict is an account the undo will not touch, because it changed after the import.
type Conflict struct {
	AccountID int    `json:"accountId"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	// Reason explains the conflict in Dutch, e.g. "gewijzigd na deze import (op 3 september 2026 om 14:05)".
	Reason string `json:"reason"`
	// ReasonEn is the same in English.
	ReasonEn string `json:"reasonEn"`
}

// Options control Undo.
type Options struct {
	// SkipConflicts undoes the job for every account except the conflicting ones; without it
	// any conflict refuses the whole undo (apperr.CodeUndoConflict).
	SkipConflicts bool
	// Now is the time of the undo; zero means time.Now.
	Now time.Time
}

// Result is a done undo.
type Result struct {
	// Job is the new import job of kind UNDO that records the undo in the school's history.
	Job *ent.ImportJob
	// Plan is what the undo did; its conflicts were left as they are.
	Plan *Plan
}

// item is one account the undo changes.
type item struct {
	accountID int
	current   store.AccountState  // as it is now, recorded as the undo's before-state
	target    *store.AccountState // what it gets back; nil for an added account (deleted)
}

// Preview returns what undoing the job would do, without doing it. The viewer in ctx must
// administer the job's school.
func Preview(ctx context.Context, db *store.DB, jobID int) (*Plan, error) {
	c := db.Client
	d, schoolID, err := prepare(ctx, db, jobID)
	if err != nil {
		return nil, err
	}
	return makePlan(auth.System(ctx), c, d, jobID, schoolID)
}

// Undo undoes a committed import job in one transaction and returns the new UNDO job. The
// viewer in ctx must administer the job's school. It refuses with an *apperr.Error: apperr.CodeInvalidState
// for a job that is not a committed import (any more), apperr.CodeUndoConflict when accounts changed
// after the job and opt.SkipConflicts is not set. On PostgreSQL it holds the school's import
// lock, so an undo and a commit of one school never interleave.
func Undo(ctx context.Context, db *store.DB, jobID int, opt Options) (*Result, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	c := db.Client
	d, schoolID, err := prepare(ctx, db, jobID)
	if err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	tx, err := c.Tx(sys)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: begin: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := store.LockSchool(sys, tx, d, schoolID); err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	// The plan is made again under the lock: what the preview showed may have changed.
	p, err := makePlan(sys, tx, d, jobID, schoolID)
	if err != nil {
		return nil, err
	}
	if p.refusal != nil {
		return nil, p.refusal.err()
	}
	if len(p.Conflicts) > 0 && !opt.SkipConflicts {
		return nil, errConflict(p.Conflicts)
	}
	w := &writer{ctx: sys, dialect: d, tx: tx, now: opt.Now, schoolID: schoolID}
	if err := w.accounts(p); err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	if err := w.removeClasses(p); err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	// A class's level and year follow its pupils back (issue 12).
	facts, err := store.RefreshClassFactsOf(sys, tx, d, schoolID, opt.Now)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	job, err := w.record(p, auth.FromContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	if _, err := feed.Record(sys, tx, d, schoolID, feed.OriginUndo, job.ID, opt.Now, p.touched(facts)); err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	ok, err := store.MarkUndone(sys, tx, d, jobID, opt.Now)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: mark undone: %w", jobID, err)
	}
	if !ok {
		return nil, (&refusal{"Deze import is intussen al ongedaan gemaakt.", "This import was undone meanwhile."}).err()
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("undo job %d: commit: %w", jobID, err)
	}
	audit.Record(ctx, c, schoolID, "import_undone", fmt.Sprintf(
		"import %d (%s) ongedaan gemaakt als import %d: %d toegevoegde accounts verwijderd, %d bijgewerkte teruggezet, %d gearchiveerde weer actief, %d klassen verwijderd, %d accounts met een latere wijziging overgeslagen",
		jobID, p.FileName, job.ID, p.RemoveAdded, p.RestoreUpdated, p.Reactivate, len(p.RemoveClasses), len(p.Conflicts)))
	return &Result{Job: job.Unwrap(), Plan: p}, nil
}

// prepare finds the job's school and authorises the viewer for it: an admin of the school
// (or a token of it that runs imports). A job of another school is not found.
func prepare(ctx context.Context, db *store.DB, jobID int) (dialectName string, schoolID int, err error) {
	c, d := db.Client, db.Dialect
	v := auth.FromContext(ctx)
	if v == nil {
		return "", 0, auth.ErrUnauthenticated
	}
	ids, err := c.ImportJob.Query().Where(importjob.ID(jobID)).Select(importjob.FieldSchoolID).Ints(auth.System(ctx))
	if err != nil {
		return "", 0, fmt.Errorf("load job %d: %w", jobID, err)
	}
	if len(ids) == 0 || ids[0] != v.SchoolID {
		return "", 0, errNotFound(jobID)
	}
	if err := auth.RequireAdmin(ctx, ids[0]); err != nil {
		return "", 0, err
	}
	return d, ids[0], nil
}

// writer writes an undo inside its transaction.
type writer struct {
	ctx      context.Context
	dialect  string
	tx       *ent.Tx
	now      time.Time
	schoolID int
}

// accounts restores the accounts of the plan and deletes those the job added, with every
// change record, session and link of them (store.DeleteAccounts). The audit log names none of
// them: the undo's own entry counts them.
func (w *writer) accounts(p *Plan) error {
	var added, ids []int
	var states []*store.AccountState
	for _, it := range p.items {
		if it.target == nil {
			added = append(added, it.accountID)
		} else {
			ids, states = append(ids, it.accountID), append(states, it.target)
		}
	}
	for start := 0; start < len(added); start += changeBatch {
		batch := added[start:min(start+changeBatch, len(added))]
		n, _, err := store.DeleteAccounts(w.ctx, w.tx, w.dialect, w.schoolID, batch)
		if err != nil {
			return fmt.Errorf("delete added accounts: %w", err)
		}
		if n != len(batch) {
			return fmt.Errorf("delete added accounts: %d of %d deleted", n, len(batch))
		}
	}
	if err := store.UpdateAccounts(w.ctx, w.tx, w.dialect, w.schoolID, w.now, ids, states); err != nil {
		return err
	}
	return w.links(p)
}

// links gives the restored accounts back the memberships and teaching assignments their change
// records kept (a record without them, from before lesgroepen or of a file without the
// column, leaves them as they are), and the keyless teachers the job gave a code their lack
// of one. Links to groups removed since are left out; links that come back carry no import
// (import_job_id NULL): a change record keeps the classes only.
func (w *writer) links(p *Plan) error {
	groups, teaches := map[int][]store.Link{}, map[int][]store.Link{}
	for _, it := range p.items {
		t := it.target
		if t == nil {
			continue
		}
		if t.Groups != nil {
			groups[it.accountID] = store.GroupLinks(t.Groups)
		}
		if t.Teaches != nil {
			teaches[it.accountID] = store.TeachingLinks(t.Teaches)
		}
		if t.Key == "" && it.current.Key != "" {
			if err := store.SetAccountKey(w.ctx, w.tx, w.dialect, it.accountID, w.schoolID, ""); err != nil {
				return err
			}
		}
	}
	if err := store.ReplaceLinks(w.ctx, w.tx, w.dialect, store.Memberships, w.schoolID, 0, groups); err != nil {
		return fmt.Errorf("restore lesgroepen: %w", err)
	}
	if err := store.ReplaceLinks(w.ctx, w.tx, w.dialect, store.Teachings, w.schoolID, 0, teaches); err != nil {
		return fmt.Errorf("restore teaching: %w", err)
	}
	return nil
}

// removeClasses deletes the classes the job created that the undo leaves empty.
func (w *writer) removeClasses(p *Plan) error {
	for _, id := range p.removeClassIDs {
		if err := store.DeleteClass(w.ctx, w.tx, w.dialect, id, w.schoolID); err != nil {
			return fmt.Errorf("remove class %d: %w", id, err)
		}
	}
	return nil
}

// touched is what the undo changes in the roster (package feed): the accounts it restores or
// deletes, the classes it removes and those whose facts followed their pupils back.
func (p *Plan) touched(facts []int) feed.Touched {
	t := feed.Touched{Classes: append(slices.Clone(p.removeClassIDs), facts...)}
	for _, it := range p.items {
		t.Accounts = append(t.Accounts, it.accountID)
	}
	return t
}

// changeBatch is how many change records one INSERT writes (four parameters each).
const changeBatch = 1000

// record adds the UNDO job to the school's import history, with a change record of every
// account the undo changed and kept (its state before the undo).
func (w *writer) record(p *Plan, v *auth.Viewer) (*ent.ImportJob, error) {
	updated := p.RestoreUpdated + p.Reactivate
	total := updated + p.RemoveAdded
	rep := report{
		Counts:         importer.Counts{Updated: updated, Unchanged: len(p.Conflicts), GroupsJoined: p.GroupsJoined, GroupsLeft: p.GroupsLeft},
		ClassesCreated: []string{},
		Refused:        []importer.Problem{},
		Warnings:       make([]importer.Problem, 0, len(p.Conflicts)),
		Undo: summary{JobID: p.JobID, RemoveAdded: p.RemoveAdded, RestoreUpdated: p.RestoreUpdated, Reactivate: p.Reactivate,
			RemovedClasses: list.NonNil(p.RemoveClasses), Conflicts: list.NonNil(p.Conflicts), GroupsJoined: p.GroupsJoined, GroupsLeft: p.GroupsLeft},
	}
	for _, c := range p.Conflicts {
		rep.Warnings = append(rep.Warnings, importer.Problem{Code: "undo_conflict",
			NL: fmt.Sprintf("%s (%s) is niet teruggezet: %s.", c.Name, c.Key, c.Reason),
			EN: fmt.Sprintf("%s (%s) was left as it is: it changed after the import.", c.Name, c.Key)})
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	create := w.tx.ImportJob.Create().SetSchoolID(w.schoolID).SetKind(importjob.KindUNDO).SetUndoOfID(p.JobID).SetFileKind(p.FileKind).
		SetStatus(importjob.StatusCOMMITTED).SetFileName(clip.String("Ongedaan: "+p.FileName, 255)).SetFileSize(0).SetSha256("").
		SetCommittedAt(w.now).SetCreatedAt(w.now).SetUpdatedAt(w.now).
		SetUpdated(updated).SetRemoved(p.RemoveAdded).SetUnchanged(len(p.Conflicts)).SetReport(raw).
		SetPhase("done").SetProgressDone(total).SetProgressTotal(total)
	if v != nil && v.AccountID != 0 {
		create.SetStartedByID(v.AccountID)
	}
	job, err := create.Save(w.ctx)
	if err != nil {
		return nil, fmt.Errorf("record undo job: %w", err)
	}
	kept := slices.DeleteFunc(slices.Clone(p.items), func(it item) bool { return it.target == nil })
	for start := 0; start < len(kept); start += changeBatch {
		batch := kept[start:min(start+changeBatch, len(kept))]
		builders := make([]*ent.AccountChangeCreate, len(batch))
		for i, it := range batch {
			action := accountchange.ActionUPDATED
			if it.target.Archived() {
				action = accountchange.ActionARCHIVED
			}
			builders[i] = w.tx.AccountChange.Create().SetJobID(job.ID).SetAccountID(it.accountID).SetAction(action).SetBefore([]byte(it.current.Encode()))
		}
		if err := w.tx.AccountChange.CreateBulk(builders...).Exec(w.ctx); err != nil {
			return nil, fmt.Errorf("record changes: %w", err)
		}
	}
	return job, nil
}

// report is the result report of an UNDO job. It has the shape of an import's report (counts,
// refused rows, warnings: one per conflict left as it is) plus what the undo did.
type report struct {
	Counts         importer.Counts    `json:"counts"`
	ClassesCreated []string           `json:"classesCreated"`
	Refused        []importer.Problem `json:"refused"`
	Warnings       []importer.Problem `json:"warnings"`
	Undo           summary            `json:"undo"`
}

// summary is what an undo did, in its job's report.
type summary struct {
	JobID          int        `json:"jobId"`
	RemoveAdded    int        `json:"removeAdded"`
	RestoreUpdated int        `json:"restoreUpdated"`
	Reactivate     int        `json:"reactivate"`
	RemovedClasses []string   `json:"removedClasses"`
	Conflicts      []Conflict `json:"conflicts"`
	GroupsJoined   int        `json:"groupsJoined,omitempty"`
	GroupsLeft     int        `json:"groupsLeft,omitempty"`
}

// fullName is how a conflict names the account: first name, infix and last name.
func fullName(p *store.AccountState) string {
	return strings.Join(slices.DeleteFunc([]string{p.FirstName, p.Infix, p.LastName}, func(s string) bool { return s == "" }), " ")
}
