package oidc

import (
	"context"
	"fmt"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/ssologin"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
)

// callback is what the provider sent back to /api/sso/callback, and the browser's cookie.
type callback struct {
	state, code, providerError string
	browser                    string
	remoteAddr, userAgent      string
}

// signedIn is a finished sign-in: the session secret to put into the cookie.
type signedIn struct {
	secret string
}

// finish completes a sign-in: the state is taken (once), the code exchanged, the ID token
// verified and its claim matched to exactly one active account of the school that started.
func (s *Service) finish(ctx context.Context, cb callback) (*signedIn, error) {
	login, err := s.take(ctx, cb.state, cb.browser)
	if err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	sch, err := s.client.School.Get(sys, login.SchoolID)
	if err != nil {
		return nil, fail(apperr.CodeInternal, "", "school of sign-in", err)
	}
	if cb.providerError != "" {
		return nil, fail(apperr.CodeSSODenied, sch.Brin, "provider answered error "+clip.String(cb.providerError, 60), nil)
	}
	if cb.code == "" {
		return nil, fail(apperr.CodeSSOFailed, sch.Brin, "callback without code", nil)
	}
	p, err := s.enabledProvider(ctx, sch.ID)
	if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "provider lookup", err)
	}
	if p == nil {
		return nil, fail(apperr.CodeSSOUnavailable, sch.Brin, "single sign-on was switched off during the sign-in", nil)
	}
	idt, err := s.exchange(ctx, login, p, cb.code)
	if err != nil {
		audit.Write(sys, s.client, audit.Event{SchoolID: sch.ID, Action: "login_failed", Detail: "SSO: " + clip.String(err.Error(), 300), RemoteAddr: cb.remoteAddr})
		return nil, fail(apperr.CodeSSOFailed, sch.Brin, "verification", err)
	}
	value, unverified, err := claim(idt, p.Claim)
	if err != nil {
		return nil, fail(apperr.CodeSSOFailed, sch.Brin, "claims", err)
	}
	if p.Match == MatchEmail && unverified {
		audit.Write(sys, s.client, audit.Event{SchoolID: sch.ID, Action: "login_failed", Detail: "SSO: e-mail address not verified by the provider", RemoteAddr: cb.remoteAddr})
		return nil, fail(apperr.CodeSSONoAccount, sch.Brin, "email_verified is false", nil)
	}
	a, err := s.match(ctx, sch, p, value, cb.remoteAddr)
	if err != nil {
		return nil, err
	}
	secret, _, err := s.authn.SignInSSO(ctx, a, p.Issuer, cb.remoteAddr, cb.userAgent)
	if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "session", err)
	}
	return &signedIn{secret: secret}, nil
}

// take finds the sign-in of a state and deletes it: only the request whose delete removed the
// row goes on, so a state works once even when two processes receive it at the same moment.
// The row must not have expired and must belong to this browser.
func (s *Service) take(ctx context.Context, state, browser string) (*ent.SSOLogin, error) {
	sys := auth.System(ctx)
	if state == "" {
		return nil, fail(apperr.CodeSSOExpired, "", "callback without state", nil)
	}
	login, err := s.client.SSOLogin.Query().Where(ssologin.StateHash(auth.HashSecret(state))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, fail(apperr.CodeSSOExpired, "", "unknown or used state", nil)
	} else if err != nil {
		return nil, fail(apperr.CodeInternal, "", "state lookup", err)
	}
	n, err := s.client.SSOLogin.Delete().Where(ssologin.ID(login.ID)).Exec(sys)
	if err != nil {
		return nil, fail(apperr.CodeInternal, "", "take state", err)
	}
	if n != 1 {
		return nil, fail(apperr.CodeSSOExpired, "", "state used by a concurrent callback", nil)
	}
	brin := ""
	if sch, err := s.client.School.Get(sys, login.SchoolID); err == nil {
		brin = sch.Brin
	}
	if time.Now().After(login.ExpiresAt) {
		return nil, fail(apperr.CodeSSOExpired, brin, "sign-in expired", nil)
	}
	if browser == "" || !equalStrings(auth.HashSecret(browser), login.BrowserHash) {
		return nil, fail(apperr.CodeSSOExpired, brin, "callback from another browser", nil)
	}
	return login, nil
}

// maxMatches bounds the accounts a claim is looked up in: two tell "exactly one" from "several".
const maxMatches = 2

// match finds the one account of the school whose field equals the claim's value (e-mail and
// username case-insensitively, ECK iD exactly). An account is never created: no match, several
// active matches or only an archived one refuse the sign-in, each with its own code and
// audit event (without the claim's value).
func (s *Service) match(ctx context.Context, sch *ent.School, p *ent.SSOProvider, value, remoteAddr string) (*ent.Account, error) {
	sys := auth.System(ctx)
	refuse := func(code, action, detail string) error {
		audit.Write(sys, s.client, audit.Event{SchoolID: sch.ID, Action: action, Detail: "SSO: " + detail, RemoteAddr: remoteAddr})
		return fail(code, sch.Brin, detail, nil)
	}
	if value == "" {
		return nil, refuse(apperr.CodeSSONoAccount, "login_failed", fmt.Sprintf("the ID token has no claim %q", p.Claim))
	}
	var field = account.EmailEqualFold(value)
	switch p.Match {
	case MatchUsername:
		field = account.UsernameEqualFold(value)
	case MatchEckID:
		field = account.EckID(value)
	}
	active, err := s.client.Account.Query().Where(account.SchoolID(sch.ID), field, account.StatusEQ(account.StatusACTIVE)).
		Order(ent.Asc(account.FieldID)).Limit(maxMatches).All(sys)
	if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "match", err)
	}
	switch len(active) {
	case 1:
		return active[0], nil
	case maxMatches:
		return nil, refuse(apperr.CodeSSONoAccount, "login_failed", fmt.Sprintf("several active accounts match by %s", p.Match))
	}
	archived, err := s.client.Account.Query().Where(account.SchoolID(sch.ID), field).First(sys)
	if ent.IsNotFound(err) {
		return nil, refuse(apperr.CodeSSONoAccount, "login_failed", fmt.Sprintf("no account matches by %s", p.Match))
	} else if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "match", err)
	}
	audit.Write(sys, s.client, audit.Event{SchoolID: sch.ID, Action: "login_refused_archived", Detail: fmt.Sprintf("SSO: account %d", archived.ID),
		Subject: archived.ID, RemoteAddr: remoteAddr})
	return nil, fail(apperr.CodeSSOArchived, sch.Brin, "archived account", nil)
}
