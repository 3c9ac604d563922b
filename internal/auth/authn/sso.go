package authn

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
)

// SignInSSO opens a session for an account that the school's identity provider vouched for
// (internal/auth/oidc verified the provider's ID token and matched it to a). It is the same
// session as Login's, marked as opened by single sign-on: it stays valid while the account is
// active, with or without a password, and does not ask for a new password (the provider holds
// the person's credentials). The audit log records "login" via SSO with the issuer.
func (s *Service) SignInSSO(ctx context.Context, a *ent.Account, issuer, remoteAddr, userAgent string) (string, *auth.Viewer, error) {
	sys := auth.System(ctx)
	if a.Status != account.StatusACTIVE {
		return "", nil, ErrBadLogin
	}
	secret := auth.NewSecret("numo_ses_")
	if err := s.client.Session.Create().SetAccountID(a.ID).SetTokenHash(auth.HashSecret(secret)).SetSSO(true).
		SetExpiresAt(time.Now().Add(s.SessionTTL)).SetRemoteAddr(remoteAddr).SetUserAgent(clip.String(userAgent, 500)).Exec(sys); err != nil {
		return "", nil, fmt.Errorf("sso login: %w", err)
	}
	v := viewerOf(a, remoteAddr)
	v.MustChangePassword = false
	audit.Write(auth.NewContext(sys, v), s.client, audit.Event{SchoolID: a.SchoolID, Action: "login",
		Detail: "signed in via SSO (" + clip.String(issuer, 200) + ")", Subject: a.ID, RemoteAddr: remoteAddr})
	return secret, v, nil
}

// SetSessionCookie sets the session cookie of secret with the flags of LoginHandler's
// (HttpOnly, SameSite=Lax, Secure when configured).
func (s *Service) SetSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: int(s.SessionTTL.Seconds())})
}
