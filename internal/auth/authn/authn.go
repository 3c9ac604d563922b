// Package authn signs people and systems in: passwords and sessions for the app, API tokens
// for integrators, the HTTP middleware that puts the viewer into each request's context (with
// CSRF protection for the cookie), and the account management that goes with it.
package authn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/pubsub"
)

// CookieName is the session cookie.
const CookieName = "numo_session"

// Service signs in and identifies viewers.
type Service struct {
	client *ent.Client
	log    *slog.Logger
	// SessionTTL is how long a session lasts without use.
	SessionTTL time.Duration
	// SecureCookie marks the cookie Secure (HTTPS only); off for plain-HTTP development.
	SecureCookie bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed (see ClientAddr);
	// none by default.
	TrustedProxies []netip.Prefix
	// Limits are the throttling rules of signing in (DefaultLimits).
	Limits Limits
	hashes *hashGate
	// attempts counts sign-in attempts, to purge stale throttling rows now and then.
	attempts atomic.Int64
	// Bus carries the end of a credential (logout, revocation) to the websockets of every
	// process; nil means sockets find out at their next operation or periodic recheck.
	Bus pubsub.Bus
	// SocketRecheckEvery overrides how often an idle websocket's credential is checked again.
	SocketRecheckEvery time.Duration
	// tokens caches API tokens (StartTokenCache); nil means every request looks its token up.
	tokens atomic.Pointer[tokenCache]
	// sockets are the open websockets, watched by credential (socketwatch.go).
	sockets socketWatch
}

// New returns the service.
func New(client *ent.Client, log *slog.Logger) *Service {
	return &Service{client: client, log: log, SessionTTL: 12 * time.Hour, Limits: DefaultLimits,
		hashes: newHashGate(DefaultHashConcurrency(), DefaultHashWait)}
}

// SetHashLimit sets how many password hashes are computed at once and how long an attempt
// waits for a free slot before it is answered ErrBusy (defaults DefaultHashConcurrency and
// DefaultHashWait). Call it before the service is used.
func (s *Service) SetHashLimit(n int, wait time.Duration) { s.hashes = newHashGate(max(1, n), wait) }

// Errors of signing in; their messages are for the person at the login page.
var (
	// ErrBadLogin is the one answer to a wrong username or password (no hint which).
	ErrBadLogin = apperr.ErrBadLogin
	// ErrLocked means too many failed attempts: wait a while.
	ErrLocked = apperr.ErrLocked
	// ErrSchoolRequired means the installation has several schools and the sign-in named none.
	// It is the answer whatever the username, so it tells nothing about accounts.
	ErrSchoolRequired = apperr.ErrSchoolRequired
)

// maxCandidates bounds the accounts one sign-in checks the password of (a username and an
// e-mail address may belong to different accounts of a school).
const maxCandidates = 3

// Login checks a username (or e-mail address) and password at a school (its BRIN, case
// insensitive; "" when the installation has one school) and opens a session. Only active
// accounts with a password can sign in.
//
// Every attempt first reserves its place in the throttling counters (see throttle.go) and is
// refused with ErrLocked when one is locked; then the password is checked, by at most a few
// hashes at once (ErrBusy when none comes free in time). An unknown username goes through the
// same counters and a hash of a dummy password, so its answers and their timing are those of
// a wrong password.
func (s *Service) Login(ctx context.Context, brin, username, password, remoteAddr, userAgent string) (string, *auth.Viewer, error) {
	sys := auth.System(ctx)
	username = strings.TrimSpace(username)
	sch, brin, err := s.schoolFor(sys, brin)
	if err != nil {
		return "", nil, err
	}
	if username == "" || password == "" {
		return "", nil, ErrBadLogin
	}
	if s.attempts.Add(1)%200 == 0 {
		go func() {
			if _, err := s.PurgeThrottles(context.WithoutCancel(sys), time.Now()); err != nil {
				s.log.Warn("login: purge throttles", "err", err)
			}
		}()
	}
	now := time.Now()
	held, err := s.reserveAll(ctx, s.Limits.countersFor(brin, username, remoteAddr), now)
	if err != nil {
		return "", nil, err
	}
	found, unknown, err := s.matchPassword(ctx, sch, username, password, remoteAddr)
	if errors.Is(err, ErrStartCodeExpired) {
		s.settle(ctx, held, outcomeFailed)
		return "", nil, err
	}
	if err != nil {
		s.settle(ctx, held, outcomeUnchecked)
		return "", nil, err
	}
	switch {
	case found == nil:
		if unknown && sch != nil {
			audit.Write(sys, s.client, audit.Event{SchoolID: sch.ID, Action: "login_failed", Detail: "unknown username", RemoteAddr: remoteAddr})
		}
		s.settle(ctx, held, outcomeFailed)
		return "", nil, ErrBadLogin
	case found.Status != account.StatusACTIVE:
		audit.Write(sys, s.client, audit.Event{SchoolID: found.SchoolID, Action: "login_refused_archived", Detail: fmt.Sprintf("account %d", found.ID),
			Subject: found.ID, RemoteAddr: remoteAddr})
		s.settle(ctx, held, outcomeFailed)
		return "", nil, ErrBadLogin
	}
	a := found
	secret := auth.NewSecret("numo_ses_")
	if err := s.client.Session.Create().SetAccountID(a.ID).SetTokenHash(auth.HashSecret(secret)).
		SetExpiresAt(now.Add(s.SessionTTL)).SetRemoteAddr(remoteAddr).SetUserAgent(clip.String(userAgent, 500)).Exec(sys); err != nil {
		s.settle(ctx, held, outcomeUnchecked)
		return "", nil, fmt.Errorf("login: %w", err)
	}
	s.settle(ctx, held, outcomeSucceeded)
	v := viewerOf(a, remoteAddr)
	audit.Record(auth.NewContext(sys, v), s.client, a.SchoolID, "login", "")
	return secret, v, nil
}

// reserveAll reserves a place in each of the counters; when one fails or is locked it settles
// those already held as unchecked and returns the error (ErrLocked for a lock).
func (s *Service) reserveAll(ctx context.Context, counters []counter, now time.Time) ([]counter, error) {
	var held []counter
	for _, c := range counters {
		ok, err := s.reserve(ctx, c, now)
		if err != nil {
			s.settle(ctx, held, outcomeUnchecked)
			return nil, fmt.Errorf("login: %w", err)
		}
		if !ok {
			// Not audited: a refusal costs the attacker nothing, a row each would flood the log.
			// The failures that led to the lock are in it (login_failed).
			s.settle(ctx, held, outcomeUnchecked)
			return nil, ErrLocked
		}
		held = append(held, c)
	}
	return held, nil
}

// matchPassword checks password against the accounts of sch that username names, auditing
// each wrong one; found is nil when none matches, unknown is true when nobody has that name
// (then a dummy hash is checked so the work is that of a wrong password). An error means the
// attempt was not decided.
func (s *Service) matchPassword(ctx context.Context, sch *ent.School, username, password, remoteAddr string) (found *ent.Account, unknown bool, err error) {
	sys := auth.System(ctx)
	var candidates []*ent.Account
	if sch != nil {
		candidates, err = s.client.Account.Query().
			Where(account.SchoolID(sch.ID), account.Or(account.UsernameEqualFold(username), account.EmailEqualFold(username)),
				account.Or(account.PasswordHashNEQ(""), account.StartCodeHashNEQ(""))).
			Order(ent.Asc(account.FieldID)).Limit(maxCandidates).All(sys)
		if err != nil {
			return nil, false, fmt.Errorf("login: %w", err)
		}
	}
	if len(candidates) == 0 {
		// Nobody by that name: the same work as a wrong password.
		if _, err := s.checkPassword(ctx, dummyHash(), password); err != nil {
			return nil, true, err
		}
		return nil, true, nil
	}
	for _, a := range candidates {
		hash := a.PasswordHash
		if hash == "" {
			hash = dummyHash() // only a start code: the same work as a wrong password first
		}
		ok, err := s.checkPassword(ctx, hash, password)
		if errors.Is(err, ErrBusy) || ctx.Err() != nil {
			return nil, false, cmp.Or(ctx.Err(), err)
		}
		if err != nil {
			s.log.Error("login: stored hash", "account", a.ID, "err", err)
			continue
		}
		if ok && a.PasswordHash != "" {
			return a, false, nil
		}
		codeOK, expired, err := s.matchStartCode(ctx, a, password, time.Now())
		switch {
		case errors.Is(err, ErrBusy) || ctx.Err() != nil:
			return nil, false, cmp.Or(ctx.Err(), err)
		case (codeOK || expired) && a.Status != account.StatusACTIVE:
			return a, false, nil // refused as archived by Login
		case expired:
			return nil, false, ErrStartCodeExpired
		case codeOK:
			return a, false, s.useStartCode(ctx, a, remoteAddr)
		}
		audit.Write(sys, s.client, audit.Event{SchoolID: a.SchoolID, Action: "login_failed", Detail: fmt.Sprintf("account %d", a.ID),
			Subject: a.ID, RemoteAddr: remoteAddr})
	}
	return nil, false, nil
}

// schoolFor finds the school of a sign-in by its BRIN (case insensitive). Without a BRIN the
// installation's only school is meant; with several, ErrSchoolRequired. An unknown BRIN is no
// error: the sign-in fails like an unknown username. brin is the school's part of the
// throttling keys, the same whether the BRIN was typed or implied.
func (s *Service) schoolFor(ctx context.Context, typed string) (sch *ent.School, brin string, err error) {
	typed = strings.ToUpper(strings.TrimSpace(typed))
	if typed == "" {
		schools, err := s.client.School.Query().Order(ent.Asc(school.FieldID)).Limit(2).All(ctx)
		switch {
		case err != nil:
			return nil, "", fmt.Errorf("login: %w", err)
		case len(schools) > 1:
			return nil, "", ErrSchoolRequired
		case len(schools) == 0:
			return nil, "", nil
		}
		return schools[0], strings.ToUpper(schools[0].Brin), nil
	}
	sch, err = s.client.School.Query().Where(school.BrinEqualFold(typed)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, typed, nil
	case err != nil:
		return nil, "", fmt.Errorf("login: %w", err)
	}
	return sch, typed, nil
}

func viewerOf(a *ent.Account, remoteAddr string) *auth.Viewer {
	name := strings.Join(strings.Fields(a.FirstName+" "+a.Infix+" "+a.LastName), " ")
	return &auth.Viewer{AccountID: a.ID, SchoolID: a.SchoolID, Role: auth.Role(a.Role), Name: name,
		RemoteAddr: remoteAddr, MustChangePassword: a.MustChangePassword}
}

// Logout ends the session of the secret.
func (s *Service) Logout(ctx context.Context, secret string) error {
	sys := auth.System(ctx)
	_, err := s.client.Session.Delete().Where(session.TokenHash(auth.HashSecret(secret))).Exec(sys)
	if err == nil {
		if v := auth.FromContext(ctx); v != nil {
			if v.SessionID != 0 {
				s.SessionEnded(ctx, v.SessionID)
			}
			audit.Record(sys, s.client, v.SchoolID, "logout", "")
		}
	}
	return err
}

// FromSession returns the viewer of a session secret, nil when the session is unknown,
// expired, or its account is no longer active (an account archived during a session loses
// access at its next request).
func (s *Service) FromSession(ctx context.Context, secret, remoteAddr string) (*auth.Viewer, error) {
	sys := auth.System(ctx)
	ses, err := orNil(s.client.Session.Query().Where(session.TokenHash(auth.HashSecret(secret))).WithAccount().Only(sys))
	if ses == nil || err != nil {
		return nil, wrapErr("session", err)
	}
	now := time.Now()
	a := ses.Edges.Account
	if ses.ExpiresAt.Before(now) || a == nil || a.Status != account.StatusACTIVE || (a.PasswordHash == "" && !startCodeUsable(a, now) && !ses.SSO) {
		s.client.Session.DeleteOne(ses).Exec(sys) //nolint:errcheck // best effort: it is unusable anyway
		return nil, nil
	}
	// Sliding expiry, written at most every few minutes.
	if ses.ExpiresAt.Sub(now) < s.SessionTTL-5*time.Minute {
		s.client.Session.UpdateOne(ses).SetExpiresAt(now.Add(s.SessionTTL)).Exec(sys) //nolint:errcheck // best effort
	}
	v := viewerOf(a, remoteAddr)
	v.SessionID = ses.ID
	v.MustChangePassword = v.MustChangePassword && !ses.SSO // see SignInSSO
	return v, nil
}

// FromToken returns the viewer of an API token secret, nil when unknown or revoked. With the
// token cache started, a token seen in the last few seconds is not looked up again (see
// cache.go).
func (s *Service) FromToken(ctx context.Context, secret, remoteAddr string) (*auth.Viewer, error) {
	sys := auth.System(ctx)
	hash := auth.HashSecret(secret)
	now := time.Now()
	c := s.tokens.Load()
	if c == nil {
		e, err := s.lookupToken(sys, hash, now)
		if e == nil || err != nil {
			return nil, err
		}
		s.touchToken(sys, e, now)
		return e.viewer(remoteAddr), nil
	}
	e, gen := c.get(hash, now)
	if e == nil {
		var err error
		e, err = c.share(hash, func() (*cachedToken, error) {
			e, err := s.lookupToken(sys, hash, now)
			if e != nil {
				c.put(hash, gen, e)
			}
			return e, err
		})
		if e == nil || err != nil {
			return nil, err
		}
	}
	s.touchToken(sys, e, now)
	return e.viewer(remoteAddr), nil
}

// orNil is v, or nil without an error when the row was not found.
func orNil[T any](v *T, err error) (*T, error) {
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// wrapErr is err (nil stays nil) wrapped with what.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// lookupToken reads the token of hash: nil when unknown or revoked.
func (s *Service) lookupToken(sys context.Context, hash string, now time.Time) (*cachedToken, error) {
	t, err := orNil(s.client.APIToken.Query().Where(apitoken.TokenHash(hash)).Only(sys))
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if t == nil || t.RevokedAt != nil {
		return nil, nil
	}
	e := &cachedToken{token: t, read: now, template: tokenViewer(t, "")}
	if t.LastUsedAt != nil {
		e.lastUsed.Store(t.LastUsedAt.UnixNano())
	}
	return e, nil
}

// touchToken records that the token was used, at most once a minute (best effort).
func (s *Service) touchToken(sys context.Context, e *cachedToken, now time.Time) {
	last := e.lastUsed.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) <= time.Minute {
		return
	}
	if !e.lastUsed.CompareAndSwap(last, now.UnixNano()) {
		return // another request of this process writes it
	}
	s.client.APIToken.Update().Where(apitoken.ID(e.token.ID)).SetLastUsedAt(now).Exec(sys) //nolint:errcheck // best effort
}

func tokenViewer(t *ent.APIToken, remoteAddr string) *auth.Viewer {
	scopes := make([]auth.Scope, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = auth.Scope(sc)
	}
	return &auth.Viewer{TokenID: t.ID, SchoolID: t.SchoolID, Scopes: scopes, Name: "token " + t.Name + " (" + t.Prefix + "…)", RemoteAddr: remoteAddr}
}
