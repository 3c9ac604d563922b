package authn_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
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

// schoolAdmin creates the school De Linde (BRIN 07AA) with its admin "beheer" and returns the
// school and the admin acting.
func schoolAdmin(ctx context.Context, db *store.DB) (*ent.School, context.Context) {
	sch := db.Client.School.Create().SetName("De Linde").SetBrin("07AA").SaveX(ctx)
	admin := db.Client.Account.Create().SetSchoolID(sch.ID).SetRole(account.RoleADMIN).
		SetFirstName("Ada").SetLastName("Beheer").SetUsername("beheer").SaveX(ctx)
	return sch, auth.NewContext(context.Background(), &auth.Viewer{AccountID: admin.ID, SchoolID: sch.ID, Role: auth.RoleAdmin})
}

// newToken creates the school's API token "Koppeling" with scope through s as the admin
// acting in adminCtx; it returns the token and its secret.
func newToken(t *testing.T, s *authn.Service, adminCtx context.Context, schoolID int, scope auth.Scope) (*ent.APIToken, string) {
	t.Helper()
	tok, secret, err := s.CreateToken(adminCtx, schoolID, "Koppeling", []auth.Scope{scope})
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}
