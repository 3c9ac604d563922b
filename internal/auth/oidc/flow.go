package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/ent/ssologin"
	"github.com/numo/accounts/ent/ssoprovider"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
)

// The flow is OpenID Connect's authorization code flow with PKCE (S256), state and nonce.
// What the start sends to the provider (state, nonce, PKCE verifier) is kept in the database
// (table sso_logins), not in a cookie: several numo processes share one PostgreSQL and any of
// them may receive the callback; a database row is also what makes a state single-use (the
// callback deletes it, and only the request that deleted it goes on). The row is bound to the
// browser that started: a random value in an HttpOnly cookie (path /api/sso/, 10 minutes),
// whose hash the row keeps, must come back with the callback; so a callback link planted by
// someone else signs nobody in (login CSRF).

// Lifetimes and bounds of a sign-in in progress.
const (
	// LoginTTL is how long a started sign-in may take at the provider.
	LoginTTL = 10 * time.Minute
	// MaxPendingPerAddress bounds the sign-ins in progress from one client address (each is a
	// row), as the address counter bounds password sign-ins.
	MaxPendingPerAddress = 30
	// BrowserCookie binds a sign-in in progress to the browser that started it.
	BrowserCookie = "numo_sso"
	// CallbackPath is the redirect URI's path; register <origin>/api/sso/callback at the provider.
	CallbackPath = "/api/sso/callback"
	// discoveryTTL is how long a provider's discovery document is reused.
	discoveryTTL = 15 * time.Minute
)

// Service runs single sign-on for the schools that configured it.
type Service struct {
	client *ent.Client
	authn  *authn.Service
	log    *slog.Logger
	// HTTPClient talks to the providers (discovery, keys, token endpoint); its timeout bounds
	// a slow provider.
	HTTPClient *http.Client
	// LoginPath is the app's login page, where failures are sent with ?sso_error=CODE.
	LoginPath string
	// AppPath is where a successful sign-in goes.
	AppPath string
	// PublicURL, when set, is the address people open numo at (config's --public-url): the
	// redirect URI is built on it instead of on the request's Host and scheme.
	PublicURL string
	mu        sync.Mutex
	found     map[string]discovered
	options   *addressLimit
}

// discovered is a provider's discovery document, read at a time.
type discovered struct {
	p    *gooidc.Provider
	read time.Time
}

// New returns the service; sessions are opened through a (its cookie flags and audit).
func New(client *ent.Client, a *authn.Service, log *slog.Logger) *Service {
	return &Service{client: client, authn: a, log: log, HTTPClient: &http.Client{Timeout: 10 * time.Second},
		LoginPath: "/inloggen", AppPath: "/", found: map[string]discovered{}, options: newAddressLimit(120, time.Minute)}
}

// WithPublicURL sets PublicURL and returns s.
func (s *Service) WithPublicURL(u string) *Service {
	s.PublicURL = strings.TrimRight(u, "/")
	return s
}

// failure is a refused sign-in: the code the login page shows and what the log says.
type failure struct {
	code   string
	school string // BRIN, for the login page's school field
	log    string
	err    error
}

func (f *failure) Error() string { return f.code + ": " + f.log }

func fail(code, brin, log string, err error) *failure {
	return &failure{code: code, school: brin, log: log, err: err}
}

// provider returns the provider of an issuer, reading its discovery document at most every
// discoveryTTL (go-oidc's key set then fetches and caches the signing keys, and fetches again
// for an unknown key id).
func (s *Service) provider(ctx context.Context, issuer string) (*gooidc.Provider, error) {
	s.mu.Lock()
	d, ok := s.found[issuer]
	s.mu.Unlock()
	if ok && time.Since(d.read) < discoveryTTL {
		return d.p, nil
	}
	// Not the request's context: the provider and its key set outlive the request.
	p, err := gooidc.NewProvider(gooidc.ClientContext(context.WithoutCancel(ctx), s.HTTPClient), issuer)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.found[issuer] = discovered{p: p, read: time.Now()}
	s.mu.Unlock()
	return p, nil
}

// schoolByRef finds a school by its BRIN (case-insensitive) or its id.
func (s *Service) schoolByRef(ctx context.Context, ref string) (*ent.School, error) {
	sys := auth.System(ctx)
	q := s.client.School.Query()
	if id, err := strconv.Atoi(ref); err == nil {
		q.Where(school.Or(school.ID(id), school.BrinEqualFold(ref)))
	} else {
		q.Where(school.BrinEqualFold(strings.TrimSpace(ref)))
	}
	sch, err := q.First(sys)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return sch, err
}

// enabledProvider is the school's provider when single sign-on is on.
func (s *Service) enabledProvider(ctx context.Context, schoolID int) (*ent.SSOProvider, error) {
	p, err := s.client.SSOProvider.Query().Where(ssoprovider.SchoolID(schoolID), ssoprovider.Enabled(true)).Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return p, err
}

func oauthConfig(p *ent.SSOProvider, op *gooidc.Provider, redirectURI string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: redirectURI, Scopes: []string{gooidc.ScopeOpenID, "profile", "email"}}
}

// started is a sign-in sent to the provider.
type started struct {
	authURL string
	browser string // the browser-binding cookie's value
}

// begin starts a sign-in at the school named by ref (BRIN or id): it stores state, nonce and
// PKCE verifier and returns the provider's authorization URL.
func (s *Service) begin(ctx context.Context, ref, redirectURI, remoteAddr string) (*started, error) {
	sys := auth.System(ctx)
	sch, err := s.schoolByRef(ctx, ref)
	if err != nil {
		return nil, fail(apperr.CodeInternal, "", "school lookup", err)
	}
	if sch == nil {
		return nil, fail(apperr.CodeSSOUnavailable, "", "unknown school", nil)
	}
	p, err := s.enabledProvider(ctx, sch.ID)
	if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "provider lookup", err)
	}
	if p == nil {
		return nil, fail(apperr.CodeSSOUnavailable, sch.Brin, "single sign-on is off", nil)
	}
	now := time.Now()
	// Finished and abandoned sign-ins go; then the address's bound is checked.
	if _, err := s.client.SSOLogin.Delete().Where(ssologin.ExpiresAtLT(now)).Exec(sys); err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "purge sign-ins", err)
	}
	pending, err := s.client.SSOLogin.Query().Where(ssologin.RemoteAddr(remoteAddr)).Count(sys)
	if err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "count sign-ins", err)
	}
	if pending >= MaxPendingPerAddress {
		return nil, fail(apperr.CodeLocked, sch.Brin, "too many sign-ins in progress from this address", nil)
	}
	op, err := s.provider(ctx, p.Issuer)
	if err != nil {
		return nil, fail(apperr.CodeSSOFailed, sch.Brin, "provider discovery", err)
	}
	state, nonce, browser, verifier := random(), random(), random(), oauth2.GenerateVerifier()
	if err := s.client.SSOLogin.Create().SetStateHash(auth.HashSecret(state)).SetBrowserHash(auth.HashSecret(browser)).
		SetSchoolID(sch.ID).SetNonce(nonce).SetVerifier(verifier).SetRedirectURI(redirectURI).
		SetRemoteAddr(remoteAddr).SetExpiresAt(now.Add(LoginTTL)).Exec(sys); err != nil {
		return nil, fail(apperr.CodeInternal, sch.Brin, "store sign-in", err)
	}
	u := oauthConfig(p, op, redirectURI).AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return &started{authURL: u, browser: browser}, nil
}

// random is 32 random bytes, URL-safe.
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// claim reads the identifying claim: a string, or a number an ECK iD provider may send.
func claim(tok *gooidc.IDToken, name string) (value string, verifiedFalse bool, err error) {
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return "", false, err
	}
	switch v := claims[name].(type) {
	case string:
		value = strings.TrimSpace(v)
	case float64:
		value = strconv.FormatFloat(v, 'f', -1, 64)
	}
	ev, ok := claims["email_verified"].(bool)
	return value, ok && !ev, nil
}

// equalStrings compares two secrets in constant time.
func equalStrings(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// errNoIDToken means the token response carried no ID token.
var errNoIDToken = errors.New("token response without id_token")

// errNonce means the ID token's nonce is not the one this sign-in sent.
var errNonce = errors.New("id token nonce does not match")

// exchange redeems the code with the PKCE verifier and verifies the ID token: signature (the
// provider's JWKS), issuer, audience (the client id), expiry and nonce.
func (s *Service) exchange(ctx context.Context, login *ent.SSOLogin, p *ent.SSOProvider, code string) (*gooidc.IDToken, error) {
	op, err := s.provider(ctx, p.Issuer)
	if err != nil {
		return nil, fmt.Errorf("provider discovery: %w", err)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, s.HTTPClient)
	tok, err := oauthConfig(p, op, login.RedirectURI).Exchange(hctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) { // the provider's error code only: never its body
			return nil, fmt.Errorf("code exchange refused: status %d, error %q", re.Response.StatusCode, re.ErrorCode)
		}
		return nil, errors.New("code exchange failed: the token endpoint could not be reached")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, errNoIDToken
	}
	idt, err := op.VerifierContext(gooidc.ClientContext(context.WithoutCancel(ctx), s.HTTPClient),
		&gooidc.Config{ClientID: p.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	if !equalStrings(idt.Nonce, login.Nonce) {
		return nil, errNonce
	}
	return idt, nil
}
