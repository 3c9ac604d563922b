package authn

import (
	"context"
	"fmt"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/startcode"
)

// Signing in with the start code of a login letter (package startcode). The code goes where
// the password goes, through the same throttling counters and hash gate; it works until it
// expires or the account chooses a password (setPassword clears it), and a new letter
// replaces it. An account that signed in with it must choose a password before anything else
// (MustChangePassword, enforced by the middleware and graph/mustchange.go), and may give the
// code as its current password when it does (ChangePassword).

// ErrStartCodeExpired answers a sign-in with the right start code after it expired: the pupil
// needs a new letter. Only someone holding the code learns this.
var ErrStartCodeExpired = apperr.ErrStartCodeExpired

// startCodeUsable reports whether the account has a start code that still works at now.
func startCodeUsable(a *ent.Account, now time.Time) bool {
	return a.StartCodeHash != "" && !startcode.Expired(a.StartCodeExpiresAt, now)
}

// matchStartCode checks typed against the account's start code: ok when it is the code and
// still works, expired when it is the code but too old. A typed value that cannot be a start
// code (most passwords) costs no hash.
func (s *Service) matchStartCode(ctx context.Context, a *ent.Account, typed string, now time.Time) (ok, expired bool, err error) {
	if a.StartCodeHash == "" {
		return false, false, nil
	}
	code, isCode := startcode.Normalize(typed)
	if !isCode {
		return false, false, nil
	}
	if ok, err = s.checkPassword(ctx, a.StartCodeHash, code); err != nil || !ok {
		return false, false, err
	}
	if startcode.Expired(a.StartCodeExpiresAt, now) {
		return false, true, nil
	}
	return true, false, nil
}

// useStartCode marks an active account that signed in with its start code: it must choose a
// password first. The roster's version (updated_at) stays.
func (s *Service) useStartCode(ctx context.Context, a *ent.Account, remoteAddr string) error {
	if a.Status != account.StatusACTIVE {
		return nil // refused by Login
	}
	sys := auth.System(ctx)
	if err := s.client.Account.UpdateOne(a).SetMustChangePassword(true).SetUpdatedAt(a.UpdatedAt).Exec(sys); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	a.MustChangePassword = true
	audit.Write(sys, s.client, audit.Event{SchoolID: a.SchoolID, Action: "login_start_code", Detail: fmt.Sprintf("account %d", a.ID),
		Subject: a.ID, RemoteAddr: remoteAddr})
	return nil
}
