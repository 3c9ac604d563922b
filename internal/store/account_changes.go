package store

import (
	"context"
	"database/sql"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/accountchange"
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

func (c *Change) values() []any {
	var before any
	if c.Before != nil {
		before = c.Before.Encode()
	}
	return []any{c.JobID, c.AccountID, c.Action.String(), before}
}

// InsertChanges writes the change records that each passes to put, in one bulk write (COPY on
// PostgreSQL).
func InsertChanges(ctx context.Context, tx Preparer, d string, each func(put func(*Change) error) error) error {
	return bulkInsert(ctx, tx, d, changeTable, changeColumns, func(put func(...any) error) error {
		return each(func(c *Change) error { return put(c.values()...) })
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
