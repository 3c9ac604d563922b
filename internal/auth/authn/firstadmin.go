package authn

import (
	"context"
	"errors"
	"fmt"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
)

// ErrNoFirstAdmin: the school has no active admin account to give a new password.
var ErrNoFirstAdmin = errors.New("the school has no active admin account")

// AdminCanSignIn reports whether an active admin of the school has a password (one-time or
// their own). It changes nothing: `numo serve` asks it when it may not print a password.
func (s *Service) AdminCanSignIn(ctx context.Context, schoolID int) (bool, error) {
	ok, err := s.client.Account.Query().Where(account.SchoolID(schoolID), account.RoleEQ(account.RoleADMIN),
		account.StatusEQ(account.StatusACTIVE), account.PasswordHashNEQ("")).Exist(auth.System(ctx))
	if err != nil {
		return false, fmt.Errorf("first admin: %w", err)
	}
	return ok, nil
}

// ResetFirstAdmin gives the school's first admin (its oldest active admin account, the one
// EnsureAdminPassword chose) a new one-time password, returned this once, as ResetPassword
// does for an admin in the app: every session of the account ends. It is for the operator
// (`numo school first-admin --reset`), who holds the database: ctx is the system's.
func (s *Service) ResetFirstAdmin(ctx context.Context, schoolID int) (string, string, error) {
	sys := auth.System(ctx)
	a, err := s.client.Account.Query().Where(account.SchoolID(schoolID), account.RoleEQ(account.RoleADMIN),
		account.StatusEQ(account.StatusACTIVE)).Order(ent.Asc(account.FieldID)).First(sys)
	if ent.IsNotFound(err) {
		return "", "", ErrNoFirstAdmin
	}
	if err != nil {
		return "", "", fmt.Errorf("first admin: %w", err)
	}
	pw := auth.NewPassword()
	if err := s.setPassword(sys, a, pw, true); err != nil {
		return "", "", err
	}
	audit.RecordAbout(sys, s.client, schoolID, a.ID, "first_admin_reset", fmt.Sprintf("account %d (%s)", a.ID, a.Username))
	return a.Username, pw, nil
}
