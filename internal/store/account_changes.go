package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
)

const changeTable = accountchange.Table

// changeColumns is the column list of a change record, in the order of Change.values.
var changeColumns = []string{accountchange.FieldJobID, accountchange.FieldAccountID, accountchange.FieldAction, accountchange.FieldBefore}

// Change is one change record of an import job: what it did to an account, with the
// account's state before it (nil for an added account).
type Change struct {
	JobID     int
	AccountID int
	Action    accountchange.Action
	Before    *AccountState
}

// appendValues appends the record's column values, in changeColumns' order, to buf (a
// commit reuses one buffer for all its rows).
func (c *Change) appendValues(buf []any) []any {
	var before any
	if c.Before != nil {
		before = c.Before.Encode()
	}
	return append(buf, c.JobID, c.AccountID, c.Action.String(), before)
}

// InsertChanges writes the change records that each passes to put, in one bulk write (COPY on
// PostgreSQL).
func InsertChanges(ctx context.Context, tx Preparer, d string, each func(put func(*Change) error) error) error {
	return bulkInsert(ctx, tx, d, changeTable, changeColumns, func(put func(...any) error) error {
		var buf []any
		return each(func(c *Change) error {
			buf = c.appendValues(buf[:0])
			return put(buf...)
		})
	})
}

// JournalEntry is a stored change record of a job, as a rollback reads it.
type JournalEntry struct {
	AccountID int
	Action    accountchange.Action
	Before    []byte
}

// JobChanges returns up to limit change records of the job, by account.
func JobChanges(ctx context.Context, q Querier, d string, jobID, limit int) ([]JournalEntry, error) {
	var out []JournalEntry
	err := scan(ctx, q, build(d).Select(accountchange.FieldAccountID, accountchange.FieldAction, accountchange.FieldBefore).
		From(entsql.Table(changeTable)).Where(entsql.EQ(accountchange.FieldJobID, jobID)).
		OrderBy(accountchange.FieldAccountID).Limit(limit), func(rows *sql.Rows) error {
		var e JournalEntry
		var b sql.NullString
		if err := rows.Scan(&e.AccountID, &e.Action, &b); err != nil {
			return err
		}
		e.Before = []byte(b.String)
		out = append(out, e)
		return nil
	})
	return out, err
}

// DeleteChange removes the job's change record of the account.
func DeleteChange(ctx context.Context, e Execer, d string, jobID, accountID int) error {
	_, err := exec(ctx, e, build(d).Delete(changeTable).
		Where(entsql.And(entsql.EQ(accountchange.FieldJobID, jobID), entsql.EQ(accountchange.FieldAccountID, accountID))))
	if err != nil {
		return fmt.Errorf("delete change record: %w", err)
	}
	return nil
}

// Touched is an account a job changed, with its change record and its state now.
type Touched struct {
	AccountID int
	Action    accountchange.Action
	Before    []byte // as stored; empty for none
	Now       AccountState
	UpdatedAt time.Time
}

// EachTouched calls fn for every account of the school that the job changed: first those with a
// change record, by account, then those it added (accounts.import_job_id, Action ADDED and no
// Before), by account. An addition of an import from before that field has an ADDED change record.
func EachTouched(ctx context.Context, q Querier, d string, jobID, schoolID int, fn func(*Touched) error) error {
	c, a := entsql.Table(changeTable).As("c"), entsql.Table(account.Table).As("a")
	sel := build(d).Select(append([]string{c.C(accountchange.FieldAccountID), c.C(accountchange.FieldAction), c.C(accountchange.FieldBefore)},
		touchedColumns(a)...)...).
		From(c).Join(a).On(a.C(account.FieldID), c.C(accountchange.FieldAccountID)).
		Where(entsql.And(entsql.EQ(c.C(accountchange.FieldJobID), jobID), entsql.EQ(a.C(account.FieldSchoolID), schoolID))).
		OrderBy(c.C(accountchange.FieldAccountID))
	err := scan(ctx, q, sel, func(rows *sql.Rows) error {
		var t Touched
		if err := scanTouched(rows, &t, &t.AccountID, &t.Action, &t.Before); err != nil {
			return err
		}
		return fn(&t)
	})
	if err != nil {
		return err
	}
	a = entsql.Table(account.Table).As("a")
	added := build(d).Select(append([]string{a.C(account.FieldID)}, touchedColumns(a)...)...).From(a).
		Where(entsql.And(entsql.EQ(a.C(account.FieldImportJobID), jobID), entsql.EQ(a.C(account.FieldSchoolID), schoolID))).
		OrderBy(a.C(account.FieldID))
	return scan(ctx, q, added, func(rows *sql.Rows) error {
		t := Touched{Action: accountchange.ActionADDED}
		if err := scanTouched(rows, &t, &t.AccountID); err != nil {
			return err
		}
		return fn(&t)
	})
}

// touchedColumns are the columns of an account's state now that scanTouched reads.
func touchedColumns(a *entsql.SelectTable) []string {
	return []string{a.C(account.FieldExternalKey), a.C(account.FieldFirstName), a.C(account.FieldInfix), a.C(account.FieldLastName),
		a.C(account.FieldEmail), a.C(account.FieldUsername), a.C(account.FieldEckID), a.C(account.FieldLevel), a.C(account.FieldYear),
		a.C(account.FieldClassID), a.C(account.FieldStatus), a.C(account.FieldArchivedAt), a.C(account.FieldUpdatedAt)}
}

// scanTouched scans a row of the leading columns head followed by touchedColumns into t.
func scanTouched(rows *sql.Rows, t *Touched, head ...any) error {
	var (
		key        sql.NullString
		year       sql.NullInt64
		classID    sql.NullInt64
		archivedAt sql.NullTime
	)
	n := &t.Now
	if err := rows.Scan(append(head, &key, &n.FirstName, &n.Infix, &n.LastName, &n.Email, &n.Username,
		&n.EckID, &n.Level, &year, &classID, &n.Status, &archivedAt, &t.UpdatedAt)...); err != nil {
		return err
	}
	n.Key, n.Year = key.String, int(year.Int64)
	if classID.Valid {
		id := int(classID.Int64)
		n.ClassID = &id
	}
	if archivedAt.Valid {
		at := archivedAt.Time
		n.ArchivedAt = &at
	}
	return nil
}

// OtherChange is a change record of another job of the school to one of a job's accounts.
type OtherChange struct {
	AccountID int
	Action    accountchange.Action
	Kind      importjob.Kind
	Status    importjob.Status
	FileName  string
	// CommittedAt is the other job's commit time; UndidCommit, for an undo, that of the job it undid.
	CommittedAt, UndidCommit sql.NullTime
}

// EachOtherChange calls fn for every change record of the school's other jobs to the
// accounts that the job changed or added.
func EachOtherChange(ctx context.Context, q Querier, d string, jobID, schoolID int, fn func(*OtherChange)) error {
	c, j, o := entsql.Table(changeTable).As("c"), entsql.Table(importjob.Table).As("j"), entsql.Table(importjob.Table).As("o")
	mine := build(d).Select(accountchange.FieldAccountID).From(entsql.Table(changeTable)).Where(entsql.EQ(accountchange.FieldJobID, jobID))
	added := build(d).Select(account.FieldID).From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldImportJobID, jobID))
	sel := build(d).Select(c.C(accountchange.FieldAccountID), c.C(accountchange.FieldAction), j.C(importjob.FieldKind),
		j.C(importjob.FieldStatus), j.C(importjob.FieldFileName), j.C(importjob.FieldCommittedAt), o.C(importjob.FieldCommittedAt)).
		From(c).Join(j).On(j.C(importjob.FieldID), c.C(accountchange.FieldJobID)).
		LeftJoin(o).On(o.C(importjob.FieldID), j.C(importjob.FieldUndoOfID)).
		Where(entsql.And(entsql.EQ(j.C(importjob.FieldSchoolID), schoolID), entsql.NEQ(c.C(accountchange.FieldJobID), jobID),
			entsql.In(c.C(accountchange.FieldAccountID), mine.UnionAll(added))))
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var x OtherChange
		if err := rows.Scan(&x.AccountID, &x.Action, &x.Kind, &x.Status, &x.FileName, &x.CommittedAt, &x.UndidCommit); err != nil {
			return err
		}
		fn(&x)
		return nil
	})
}
