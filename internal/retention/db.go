package retention

import (
	"context"
	"fmt"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/store"
)

// schoolTx is a transaction of the purge or an erasure that holds the school's import lock
// (on PostgreSQL; SQLite's write lock serialises by itself), so that it never interleaves with
// an import commit or an undo of the same school. Its statements are in package store.
type schoolTx struct {
	*ent.Tx
	ctx      context.Context
	d        string
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
	return &schoolTx{Tx: tx, ctx: ctx, d: d, schoolID: schoolID}, nil
}

// idBatch is how many ids one IN list holds.
const idBatch = 500

// batches calls fn with ids in slices of at most idBatch.
func batches(ids []int, fn func(batch []int) error) error {
	for start := 0; start < len(ids); start += idBatch {
		if err := fn(ids[start:min(start+idBatch, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}
