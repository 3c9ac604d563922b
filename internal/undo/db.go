package undo

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/numo/accounts/internal/store"
)

// querier is what the undo reads through: the ent client or one of its transactions
// (both pass raw SQL to the driver).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// schoolLock is the advisory lock key that an import commit of the school takes: an undo takes
// the same one, so that the two never interleave.
func schoolLock(schoolID int) int64 {
	return store.AdvisoryKey("import:school:" + strconv.Itoa(schoolID))
}
