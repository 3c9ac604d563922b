// Package authn signs people and systems in: passwords and sessions for the app, API tokens
// for integrators, the HTTP middleware that puts the viewer into each request's context (with
// CSRF protection for the cookie), and the account management that goes with it.
package authn

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
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
	addr         *addrLimiter
}

// New returns the service.
func New(client *ent.Client, log *slog.Logger) *Service {
	return &Service{client: client, log: log, SessionTTL: 12 * time.Hour, addr: newAddrLimiter(10, 10*time.Minute)}
}

// Errors of signing in; their messages are for the person at the login page.
var (
	// ErrBadLogin is the one answer to a wrong username or password (no hint which).
	ErrBadLogin = apperr.New("BAD_LOGIN", "Onjuiste gebruikersnaam of wachtwoord.", "Wrong username or password.", nil)
	// ErrLocked means too many failed attempts: wait a while.
	ErrLocked = apperr.New("LOCKED", "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
		"Too many failed attempts. Try again in a quarter of an hour.", nil)
)

// maxFailures is how many wrong passwords an account takes before it is locked for a while.
const maxFailures = 5

// lockFor is how long an account stays locked after maxFailures wrong passwords.
const lockFor = 15 * time.Minute

// Login checks a username (or e-mail address) and password and opens a session. Only active
// accounts with a password can sign in; failures are slowed per account and per address.
func (s *Service) Login(ctx context.Context, username, password, remoteAddr, userAgent string) (string, *auth.Viewer, error) {
	sys := auth.System(ctx)
	username = strings.TrimSpace(username)
	if !s.addr.allow(remoteAddr) {
		audit.Record(sys, s.client, 0, "login_throttled", "address "+remoteAddr)
		return "", nil, ErrLocked
	}
	if username == "" || password == "" {
		return "", nil, ErrBadLogin
	}
	candidates, err := s.client.Account.Query().
		Where(account.Or(account.UsernameEqualFold(username), account.EmailEqualFold(username)), account.PasswordHashNEQ("")).
		All(sys)
	if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	now := time.Now()
	for _, a := range candidates {
		if a.LockedUntil != nil && a.LockedUntil.After(now) {
			s.addr.fail(remoteAddr)
			return "", nil, ErrLocked
		}
		ok, err := auth.CheckPassword(a.PasswordHash, password)
		if err != nil {
			s.log.Error("login: stored hash", "account", a.ID, "err", err)
			continue
		}
		if !ok {
			// Sign-in bookkeeping keeps updated_at: it is the roster's version, which a
			// previewed import and an undo compare against.
			upd := s.client.Account.UpdateOne(a).AddFailedLogins(1).SetUpdatedAt(a.UpdatedAt)
			if a.FailedLogins+1 >= maxFailures {
				upd = upd.SetLockedUntil(now.Add(lockFor)).SetFailedLogins(0)
			}
			if err := upd.Exec(sys); err != nil {
				return "", nil, fmt.Errorf("login: %w", err)
			}
			audit.Record(sys, s.client, a.SchoolID, "login_failed", fmt.Sprintf("account %d from %s", a.ID, remoteAddr))
			continue
		}
		if a.Status != account.StatusACTIVE {
			audit.Record(sys, s.client, a.SchoolID, "login_refused_archived", fmt.Sprintf("account %d", a.ID))
			break
		}
		secret := auth.NewSecret("numo_ses_")
		if err := s.client.Session.Create().SetAccountID(a.ID).SetTokenHash(auth.HashSecret(secret)).
			SetExpiresAt(now.Add(s.SessionTTL)).SetRemoteAddr(remoteAddr).SetUserAgent(truncate(userAgent, 500)).Exec(sys); err != nil {
			return "", nil, fmt.Errorf("login: %w", err)
		}
		if a.FailedLogins != 0 || a.LockedUntil != nil {
			if err := s.client.Account.UpdateOne(a).SetFailedLogins(0).ClearLockedUntil().SetUpdatedAt(a.UpdatedAt).Exec(sys); err != nil {
				return "", nil, fmt.Errorf("login: %w", err)
			}
		}
		v := viewerOf(a, remoteAddr)
		audit.Record(auth.NewContext(sys, v), s.client, a.SchoolID, "login", "")
		return secret, v, nil
	}
	s.addr.fail(remoteAddr)
	return "", nil, ErrBadLogin
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
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
	ses, err := s.client.Session.Query().Where(session.TokenHash(auth.HashSecret(secret))).WithAccount().Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := time.Now()
	a := ses.Edges.Account
	if ses.ExpiresAt.Before(now) || a == nil || a.Status != account.StatusACTIVE || a.PasswordHash == "" {
		s.client.Session.DeleteOne(ses).Exec(sys) //nolint:errcheck // best effort: it is unusable anyway
		return nil, nil
	}
	// Sliding expiry, written at most every few minutes.
	if ses.ExpiresAt.Sub(now) < s.SessionTTL-5*time.Minute {
		s.client.Session.UpdateOne(ses).SetExpiresAt(now.Add(s.SessionTTL)).Exec(sys) //nolint:errcheck // best effort
	}
	v := viewerOf(a, remoteAddr)
	v.SessionID = ses.ID
	return v, nil
}

// FromToken returns the viewer of an API token secret, nil when unknown or revoked.
func (s *Service) FromToken(ctx context.Context, secret, remoteAddr string) (*auth.Viewer, error) {
	sys := auth.System(ctx)
	t, err := s.client.APIToken.Query().Where(apitoken.TokenHash(auth.HashSecret(secret))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if t.RevokedAt != nil {
		return nil, nil
	}
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		s.client.APIToken.UpdateOne(t).SetLastUsedAt(time.Now()).Exec(sys) //nolint:errcheck // best effort
	}
	scopes := make([]auth.Scope, len(t.Scopes))
	for i, sc := range t.Scopes {
		scopes[i] = auth.Scope(sc)
	}
	return &auth.Viewer{TokenID: t.ID, SchoolID: t.SchoolID, Scopes: scopes, Name: "token " + t.Name + " (" + t.Prefix + "…)", RemoteAddr: remoteAddr}, nil
}

// addrLimiter counts failed logins per address in this process.
type addrLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newAddrLimiter(max int, window time.Duration) *addrLimiter {
	return &addrLimiter{max: max, window: window, fails: map[string][]time.Time{}}
}

func (l *addrLimiter) recent(addr string, now time.Time) []time.Time {
	ts := l.fails[addr]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, addr)
	} else {
		l.fails[addr] = ts
	}
	return ts
}

func (l *addrLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(addr, time.Now())) < l.max
}

func (l *addrLimiter) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.fails[addr] = append(l.recent(addr, now), now)
}
