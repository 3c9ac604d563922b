package authn_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// eachService runs fn on both kinds of database, each fresh with the school De Linde (BRIN
// 07AA) and a sign-in service over it; ctx is the system context.
func eachService(t *testing.T, fn func(t *testing.T, ctx context.Context, db *store.DB, s *authn.Service, sch *ent.School)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		s := authn.New(db.Client, slog.New(slog.DiscardHandler))
		fn(t, ctx, db, s, db.Client.School.Create().SetName("De Linde").SetBrin("07AA").SaveX(ctx))
	})
}
