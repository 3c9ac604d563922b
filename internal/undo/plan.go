package undo

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
)

// jobRow is the part of an import job that decides whether it can be undone.
type jobRow struct {
	kind        string
	status      string
	fileName    string
	committedAt sql.NullTime
	undoneAt    sql.NullTime
	purgedAt    sql.NullTime
}

// touched is an account the job changed, with its change record and its state now.
type touched struct {
	id        int
	action    accountchange.Action
	before    *state // nil for an added account
	now       state
	updatedAt time.Time
}

// history is what other jobs did to one of the job's accounts.
type history struct {
	// later is the most recent import committed after the job that changed the account and
	// was not undone.
	later *laterJob
	// undoneAt are the commit times of undos of later imports that changed the account: an
	// account last written by one of them is back in the state the job left.
	undoneAt []time.Time
	// archivedAt is when the last import before the job archived the account, zero if none.
	archivedAt time.Time
}

type laterJob struct {
	fileName    string
	committedAt time.Time
}

// makePlan computes what undoing the job does, reading through q (the client, or the undo's
// transaction). ph renders the n-th placeholder of the database's dialect.
func makePlan(ctx context.Context, q importer.Querier, ph func(int) string, jobID, schoolID int) (*Plan, error) {
	job, err := loadJob(ctx, q, ph, jobID, schoolID)
	if err != nil {
		return nil, err
	}
	p := &Plan{JobID: jobID, SchoolID: schoolID, FileName: job.fileName, RemoveClasses: []string{}, Conflicts: []Conflict{}}
	if p.refusal = refuse(job); p.refusal != nil {
		p.Reason, p.ReasonEn = p.refusal.nl, p.refusal.en
		return p, nil
	}
	p.Possible = true
	committed := job.committedAt.Time
	accounts, err := loadTouched(ctx, q, ph, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	hist, err := loadHistory(ctx, q, ph, jobID, schoolID, committed)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	classes, err := loadClasses(ctx, q, ph, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	for _, a := range accounts {
		if a.now.ClassID != nil {
			a.now.Class = classes.names[*a.now.ClassID]
		}
		h := hist[a.id]
		if reason, reasonEn := conflict(a, h, committed, classes); reason != "" {
			p.Conflicts = append(p.Conflicts, Conflict{AccountID: a.id, Key: a.now.Key, Name: fullName(a.now.Person), Reason: reason, ReasonEn: reasonEn})
			continue
		}
		it := item{accountID: a.id, current: a.now}
		switch a.action {
		case accountchange.ActionADDED:
			p.ArchiveAdded++
		case accountchange.ActionUPDATED:
			p.RestoreUpdated++
		case accountchange.ActionARCHIVED:
			p.Reactivate++
		}
		if a.before != nil {
			t := *a.before
			if t.Status == "ARCHIVED" && t.ArchivedAt == nil {
				// A change record without the archiving time (the import engine does not store
				// it): the last import that archived the account set it to its commit time;
				// failing that the account counts as archived when the job ran, so that the
				// retention term never starts earlier than it did.
				at := h.archivedAt
				if at.IsZero() {
					at = committed
				}
				t.ArchivedAt = &at
			}
			it.target = &t
		}
		p.items = append(p.items, it)
	}
	slices.SortFunc(p.Conflicts, func(a, b Conflict) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.AccountID - b.AccountID
	})
	p.removeClassIDs, p.RemoveClasses = emptied(p.items, classes)
	return p, nil
}

// refuse says why the job cannot be undone, nil when it can.
func refuse(j *jobRow) *refusal {
	switch {
	case j.kind == string(importjob.KindUNDO):
		return &refusal{"Dit is zelf het ongedaan maken van een import; dat kan niet ongedaan worden gemaakt. Importeer het bestand opnieuw.",
			"This job undid an import; it cannot be undone itself. Import the file again."}
	case j.status == string(importjob.StatusUNDONE):
		at := ""
		if j.undoneAt.Valid {
			at = " op " + dutchTime(j.undoneAt.Time)
		}
		return &refusal{"Deze import is al ongedaan gemaakt" + at + ".", "This import was undone already."}
	case j.status != string(importjob.StatusCOMMITTED) || !j.committedAt.Valid:
		return &refusal{"Alleen een uitgevoerde import kan ongedaan worden gemaakt.", "Only a committed import can be undone."}
	case j.purgedAt.Valid:
		return &refusal{fmt.Sprintf("De gegevens van deze import zijn na de bewaartermijn verwijderd (op %s). Daarom kan hij niet meer ongedaan worden gemaakt.", dutchTime(j.purgedAt.Time)),
			"The row data of this import was purged after the retention term, so it can no longer be undone."}
	}
	return nil
}

// conflict returns why the account may not be touched by the undo, "" when it may.
func conflict(a touched, h history, committed time.Time, classes *classInfo) (nl, en string) {
	switch {
	case h.later != nil:
		return fmt.Sprintf("gewijzigd door de latere import “%s” van %s", h.later.fileName, dutchTime(h.later.committedAt)),
			fmt.Sprintf("changed by the later import “%s” of %s", h.later.fileName, h.later.committedAt.Format("2 Jan 2006 15:04"))
	case a.updatedAt.After(committed) && !slices.ContainsFunc(h.undoneAt, a.updatedAt.Equal):
		return fmt.Sprintf("gewijzigd na deze import (op %s)", dutchTime(a.updatedAt)),
			fmt.Sprintf("changed after this import (on %s)", a.updatedAt.Format("2 Jan 2006 15:04"))
	case a.before != nil && a.before.ClassID != nil && !classes.exists(*a.before.ClassID):
		return fmt.Sprintf("de klas %s van vóór de import bestaat niet meer", a.before.Class),
			fmt.Sprintf("the class %s it had before the import no longer exists", a.before.Class)
	}
	return "", ""
}

func loadJob(ctx context.Context, q importer.Querier, ph func(int) string, jobID, schoolID int) (*jobRow, error) {
	rows, err := q.QueryContext(ctx, "SELECT kind, status, file_name, committed_at, undone_at, data_purged_at FROM import_jobs WHERE id = "+
		ph(1)+" AND school_id = "+ph(2), jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load job %d: %w", jobID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load job %d: %w", jobID, err)
		}
		return nil, errNotFound(jobID)
	}
	var j jobRow
	if err := rows.Scan(&j.kind, &j.status, &j.fileName, &j.committedAt, &j.undoneAt, &j.purgedAt); err != nil {
		return nil, fmt.Errorf("load job %d: %w", jobID, err)
	}
	return &j, rows.Err()
}

// loadTouched reads every account the job changed, with its change record.
func loadTouched(ctx context.Context, q importer.Querier, ph func(int) string, jobID, schoolID int) ([]touched, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.account_id, c.action, c.before, a.external_key, a.first_name, a.infix, a.last_name,
		a.email, a.username, a.eck_id, a.level, a.year, a.class_id, a.status, a.archived_at, a.updated_at
		FROM account_changes c JOIN accounts a ON a.id = c.account_id
		WHERE c.job_id = `+ph(1)+` AND a.school_id = `+ph(2)+` ORDER BY c.account_id`, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load changed accounts: %w", err)
	}
	defer rows.Close()
	var out []touched
	for rows.Next() {
		var (
			t          touched
			before     []byte
			key        sql.NullString
			year       sql.NullInt64
			classID    sql.NullInt64
			archivedAt sql.NullTime
		)
		if err := rows.Scan(&t.id, &t.action, &before, &key, &t.now.FirstName, &t.now.Infix, &t.now.LastName, &t.now.Email,
			&t.now.Username, &t.now.EckID, &t.now.Level, &year, &classID, &t.now.Status, &archivedAt, &t.updatedAt); err != nil {
			return nil, fmt.Errorf("load changed accounts: %w", err)
		}
		t.now.Key, t.now.Year = key.String, int(year.Int64)
		if classID.Valid {
			id := int(classID.Int64)
			t.now.ClassID = &id
		}
		if archivedAt.Valid {
			at := archivedAt.Time
			t.now.ArchivedAt = &at
		}
		if t.action != accountchange.ActionADDED {
			if len(before) == 0 || string(before) == "null" {
				return nil, fmt.Errorf("account %d: change record without a before-state", t.id)
			}
			t.before = new(state)
			if err := json.Unmarshal(before, t.before); err != nil {
				return nil, fmt.Errorf("account %d: decode before-state: %w", t.id, err)
			}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// loadHistory reads what other jobs of the school did to the job's accounts.
func loadHistory(ctx context.Context, q importer.Querier, ph func(int) string, jobID, schoolID int, committed time.Time) (map[int]history, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.account_id, c.action, j.kind, j.status, j.file_name, j.committed_at, o.committed_at
		FROM account_changes c JOIN import_jobs j ON j.id = c.job_id LEFT JOIN import_jobs o ON o.id = j.undo_of_id
		WHERE j.school_id = `+ph(1)+` AND c.job_id <> `+ph(2)+`
		AND c.account_id IN (SELECT account_id FROM account_changes WHERE job_id = `+ph(2)+`)`, schoolID, jobID)
	if err != nil {
		return nil, fmt.Errorf("load later changes: %w", err)
	}
	defer rows.Close()
	out := map[int]history{}
	for rows.Next() {
		var (
			id                   int
			action, kind, status string
			fileName             string
			at, undid            sql.NullTime
		)
		if err := rows.Scan(&id, &action, &kind, &status, &fileName, &at, &undid); err != nil {
			return nil, fmt.Errorf("load later changes: %w", err)
		}
		if !at.Valid {
			continue
		}
		h := out[id]
		switch {
		case kind == string(importjob.KindIMPORT) && at.Time.Before(committed):
			if action == string(accountchange.ActionARCHIVED) && at.Time.After(h.archivedAt) {
				h.archivedAt = at.Time
			}
		case kind == string(importjob.KindIMPORT) && status == string(importjob.StatusCOMMITTED) && at.Time.After(committed):
			if h.later == nil || at.Time.After(h.later.committedAt) {
				h.later = &laterJob{fileName: fileName, committedAt: at.Time}
			}
		case kind == string(importjob.KindUNDO) && undid.Valid && undid.Time.After(committed):
			h.undoneAt = append(h.undoneAt, at.Time)
		}
		out[id] = h
	}
	return out, rows.Err()
}

// classInfo is what the undo needs to know about the school's classes.
type classInfo struct {
	names    map[int]string // every class of the school
	created  []int          // the classes the job created, by id
	members  map[int][]int  // class the job created -> accounts in it now
	teachers map[int]bool   // class the job created -> has teachers
}

func (c *classInfo) exists(id int) bool { _, ok := c.names[id]; return ok }

func loadClasses(ctx context.Context, q importer.Querier, ph func(int) string, jobID, schoolID int) (*classInfo, error) {
	ci := &classInfo{names: map[int]string{}, members: map[int][]int{}, teachers: map[int]bool{}}
	rows, err := q.QueryContext(ctx, "SELECT id, name, created_by_job_id FROM classes WHERE school_id = "+ph(1)+" ORDER BY id", schoolID)
	if err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	for rows.Next() {
		var (
			id    int
			name  string
			jobBy sql.NullInt64
		)
		if err := rows.Scan(&id, &name, &jobBy); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load classes: %w", err)
		}
		ci.names[id] = name
		if jobBy.Valid && int(jobBy.Int64) == jobID {
			ci.created = append(ci.created, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	if len(ci.created) == 0 {
		return ci, nil
	}
	created := "SELECT id FROM classes WHERE created_by_job_id = " + ph(1) + " AND school_id = " + ph(2)
	if err := scanPairs(ctx, q, "SELECT class_id, id FROM accounts WHERE class_id IN ("+created+")", []any{jobID, schoolID}, func(class, account int) {
		ci.members[class] = append(ci.members[class], account)
	}); err != nil {
		return nil, fmt.Errorf("load members of new classes: %w", err)
	}
	if err := scanPairs(ctx, q, "SELECT class_id, account_id FROM class_teachers WHERE class_id IN ("+created+")", []any{jobID, schoolID}, func(class, _ int) {
		ci.teachers[class] = true
	}); err != nil {
		return nil, fmt.Errorf("load teachers of new classes: %w", err)
	}
	return ci, nil
}

func scanPairs(ctx context.Context, q importer.Querier, query string, args []any, fn func(a, b int)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// emptied returns the classes the job created that nobody is in after the undo: no teacher,
// and every account in it now leaves it (conflicting accounts stay where they are).
func emptied(items []item, ci *classInfo) (ids []int, names []string) {
	leaving := make(map[int]*int, len(items)) // account -> its class after the undo
	for _, it := range items {
		var to *int
		if it.target != nil {
			to = it.target.ClassID
		}
		leaving[it.accountID] = to
	}
	names = []string{}
	for _, c := range ci.created {
		if ci.teachers[c] {
			continue
		}
		empty := true
		for _, a := range ci.members[c] {
			to, ok := leaving[a]
			if !ok || (to != nil && *to == c) {
				empty = false
				break
			}
		}
		if empty {
			ids = append(ids, c)
			names = append(names, ci.names[c])
		}
	}
	slices.Sort(names)
	return ids, names
}

var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// amsterdam is the time zone the admins read times in; the server's own when it is unknown.
var amsterdam = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return loc
	}
	return time.Local
})

// dutchTime writes t as a Dutch admin reads it, e.g. "3 september 2026 om 14:05".
func dutchTime(t time.Time) string {
	t = t.In(amsterdam())
	return fmt.Sprintf("%d %s %d om %02d:%02d", t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
