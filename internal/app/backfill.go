package app

import (
	"context"
	"fmt"

	"github.com/numo/accounts/internal/store"
)

// backfillSortNames gives accounts from before the sort key existed their key (see
// store.DB.BackfillSortNames).
func backfillSortNames(ctx context.Context, db *store.DB) error {
	if err := db.BackfillSortNames(ctx); err != nil {
		return fmt.Errorf("backfill sort names: %w", err)
	}
	return nil
}
