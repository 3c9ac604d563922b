package app

import (
	"context"
	"fmt"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
)

// backfillSortNames gives accounts from before the sort key existed their key. It leaves
// updated_at alone (the roster did not change) and is safe to run from several processes.
func backfillSortNames(ctx context.Context, db *store.DB) error {
	rows, err := db.SQL.QueryContext(ctx, "SELECT id, last_name, first_name FROM accounts WHERE sort_name = ''")
	if err != nil {
		return fmt.Errorf("backfill sort names: %w", err)
	}
	type todo struct {
		id          int
		last, first string
	}
	var list []todo
	for rows.Next() {
		var t todo
		if err := rows.Scan(&t.id, &t.last, &t.first); err != nil {
			rows.Close()
			return fmt.Errorf("backfill sort names: %w", err)
		}
		list = append(list, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("backfill sort names: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	ph := importer.Placeholder(db.Dialect)
	stmt, err := tx.PrepareContext(ctx, "UPDATE accounts SET sort_name = "+ph(1)+" WHERE id = "+ph(2))
	if err != nil {
		return fmt.Errorf("backfill sort names: %w", err)
	}
	defer stmt.Close()
	for _, t := range list {
		if _, err := stmt.ExecContext(ctx, names.SortKey(t.last, t.first), t.id); err != nil {
			return fmt.Errorf("backfill sort name of account %d: %w", t.id, err)
		}
	}
	return tx.Commit()
}
