package undo

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// querier is what the undo reads through: the ent client or one of its transactions
// (both pass raw SQL to the driver).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// dialects caches the SQL dialect of each root client: the API's resolvers hold an ent
// client, not a *store.DB.
var dialects sync.Map // *ent.Client -> string

// dialectOf returns the dialect of the database behind c (dialect.SQLite or dialect.Postgres),
// read from the SQL builder of one tiny query.
func dialectOf(ctx context.Context, c *ent.Client) (string, error) {
	if d, ok := dialects.Load(c); ok {
		return d.(string), nil
	}
	var d string
	_, err := c.School.Query().Limit(1).Select(school.FieldID).
		Modify(func(s *entsql.Selector) { d = s.Dialect() }).Ints(auth.System(ctx))
	if err != nil {
		return "", fmt.Errorf("find the database dialect: %w", err)
	}
	dialects.Store(c, d)
	return d, nil
}

// schoolLock is the advisory lock key that an import commit of the school takes: an undo takes
// the same one, so that the two never interleave.
func schoolLock(schoolID int) int64 {
	return store.AdvisoryKey("import:school:" + strconv.Itoa(schoolID))
}
