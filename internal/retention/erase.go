package retention

import (
	"context"
	"fmt"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// Erase deletes one pupil for good: the account and every trace of it in the import history
// (see forget), in one transaction that holds the school's import lock. The viewer in ctx must
// be an admin account of the pupil's school; for a viewer of another school the pupil is not
// found. The audit log keeps the pupil's events, pseudonymised (see forgetAudit), and records
// the erasure without naming the pupil: not by name, nor by account number.
func Erase(ctx context.Context, db *store.DB, accountID int) error {
	c := db.Client
	sys := auth.System(ctx)
	a, err := c.Account.Query().Where(account.ID(accountID)).Select(account.FieldSchoolID, account.FieldRole).Only(sys)
	if ent.IsNotFound(err) {
		return apperr.NotFound("account", "account", accountID)
	} else if err != nil {
		return fmt.Errorf("erase account %d: %w", accountID, err)
	}
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case v.SchoolID != a.SchoolID:
		return apperr.NotFound("account", "account", accountID)
	case !isAdminAccount(v):
		return auth.ErrForbidden
	case a.Role != account.RolePUPIL:
		return apperr.New(apperr.CodeInvalidState, "Alleen een leerling kan hier worden gewist.", "Only a pupil can be erased here.", nil)
	}
	d := db.Dialect
	t, err := beginSchool(sys, c, d, a.SchoolID)
	if err != nil {
		return fmt.Errorf("erase account %d: %w", accountID, err)
	}
	defer t.Rollback() //nolint:errcheck // a no-op after Commit
	f, err := t.forget([]int{accountID}, feed.OriginErasure)
	if err != nil {
		return fmt.Errorf("erase account %d: %w", accountID, err)
	}
	if f.accounts != 1 {
		return apperr.NotFound("account", "account", accountID)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("erase account %d: commit: %w", accountID, err)
	}
	audit.Record(ctx, c, a.SchoolID, "pupil_erased",
		fmt.Sprintf("een leerling gewist, met %d wijzigingsregels uit de importgeschiedenis; %d gebeurtenissen in het auditlog gepseudonimiseerd", f.changes, f.audit))
	return nil
}
