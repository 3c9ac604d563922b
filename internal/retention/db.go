package retention

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// schoolTx is a transaction of the purge or an erasure that holds the school's import lock
// (on PostgreSQL; SQLite's write lock serialises by itself), so that it never interleaves with
// an import commit or an undo of the same school.
type schoolTx struct {
	*ent.Tx
	ctx      context.Context
	ph       func(int) string
	schoolID int
}

func beginSchool(ctx context.Context, c *ent.Client, d string, schoolID int) (*schoolTx, error) {
	tx, err := c.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if err := store.LockSchool(ctx, tx, d, schoolID); err != nil {
		tx.Rollback() //nolint:errcheck // the lock error is what counts
		return nil, err
	}
	return &schoolTx{Tx: tx, ctx: ctx, ph: importer.Placeholder(d), schoolID: schoolID}, nil
}

// exec runs a statement and returns how many rows it changed.
func (t *schoolTx) exec(query string, args ...any) (int, error) {
	res, err := t.ExecContext(t.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// in renders "IN (…)" with placeholders from..from+n-1.
func (t *schoolTx) in(from, n int) string {
	var b strings.Builder
	b.WriteString("IN (")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.ph(from + i))
	}
	b.WriteString(")")
	return b.String()
}

// idBatch is how many ids one IN list holds.
const idBatch = 500

// batches calls fn with ids in slices of at most idBatch, as []any for the statement.
func batches(ids []int, fn func(args []any) error) error {
	for start := 0; start < len(ids); start += idBatch {
		batch := ids[start:min(start+idBatch, len(ids))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// scanRows runs a query and calls fn for every row; the rows are closed before it returns.
func scanRows(ctx context.Context, q importer.Querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
