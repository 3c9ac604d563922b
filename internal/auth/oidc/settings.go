// Package oidc signs people in with their school's OpenID Connect provider (single sign-on):
// the per-school settings (settings.go), the authorization code flow with PKCE, state and
// nonce (flow.go) and its HTTP routes (http.go). It never creates an account: the provider's
// identity must match exactly one active account of the school.
//
// The client side is github.com/coreos/go-oidc (discovery, JWKS, ID token verification) and
// golang.org/x/oauth2 (the code exchange with PKCE): both maintained and widely used, so no
// JOSE or OAuth code is written here.
package oidc

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/ssoprovider"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
)

// Match is the account field a provider's claim is compared with.
type Match = ssoprovider.Match

// The account fields a claim can match.
const (
	MatchEmail    = ssoprovider.MatchEMAIL
	MatchUsername = ssoprovider.MatchUSERNAME
	MatchEckID    = ssoprovider.MatchECK_ID
)

// DefaultClaim is the ID token claim compared for a match when the admin names none.
func DefaultClaim(m Match) string {
	switch m {
	case MatchUsername:
		return "preferred_username"
	case MatchEckID:
		return "eckid"
	}
	return "email"
}

// Limits of the settings' values (the schema's MaxLen, in characters for the person).
const (
	maxIssuer = 500
	maxClient = 255
	maxSecret = 1000
	maxClaim  = 100
	maxLabel  = 60
)

// Input is what an admin sets. ClientSecret nil keeps the stored secret, "" removes it; Claim
// "" means DefaultClaim(Match).
type Input struct {
	Issuer, ClientID string
	ClientSecret     *string
	Match            Match
	Claim            string
	Enabled          bool
	Label            string
}

// Get returns the school's settings for its admin account; nil when none are set.
func Get(ctx context.Context, c *ent.Client, schoolID int) (*ent.SSOProvider, error) {
	if err := requireAdminAccount(ctx, schoolID); err != nil {
		return nil, err
	}
	p, err := c.SSOProvider.Query().Where(ssoprovider.SchoolID(schoolID)).Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sso settings: %w", err)
	}
	return p, nil
}

// requireAdminAccount allows an admin account of the school that has chosen its password: an
// API token (even one that runs imports) may not change how people sign in.
func requireAdminAccount(ctx context.Context, schoolID int) error {
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case v.SchoolID != schoolID:
		return apperr.NotFound("school", "school", schoolID)
	case !v.IsAdminAccount():
		return auth.ErrForbidden
	}
	return nil
}

// Set stores the school's settings (its admin accounts only) and writes an audit event that
// names what changed, never the secret.
func Set(ctx context.Context, c *ent.Client, schoolID int, in Input) (*ent.SSOProvider, error) {
	if err := requireAdminAccount(ctx, schoolID); err != nil {
		return nil, err
	}
	in.Issuer = strings.TrimRight(strings.TrimSpace(in.Issuer), "/")
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.Claim = strings.TrimSpace(in.Claim)
	in.Label = strings.TrimSpace(in.Label)
	if in.Claim == "" {
		in.Claim = DefaultClaim(in.Match)
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	old, err := c.SSOProvider.Query().Where(ssoprovider.SchoolID(schoolID)).Only(sys)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("sso settings: %w", err)
	}
	if in.Enabled && in.ClientSecret == nil && (old == nil || old.ClientSecret == "") {
		// A public client (PKCE alone) is possible, but an empty secret is far more often a
		// forgotten one: switching on asks for it, or for an explicit "" to go without.
		return nil, invalid("clientSecret", "Vul het clientgeheim in.", "Enter the client secret.")
	}
	var p *ent.SSOProvider
	if old == nil {
		cr := c.SSOProvider.Create().SetSchoolID(schoolID).SetIssuer(in.Issuer).SetClientID(in.ClientID).
			SetMatch(in.Match).SetClaim(in.Claim).SetEnabled(in.Enabled).SetLabel(in.Label)
		if in.ClientSecret != nil {
			cr.SetClientSecret(*in.ClientSecret)
		}
		p, err = cr.Save(sys)
	} else {
		up := old.Update().SetIssuer(in.Issuer).SetClientID(in.ClientID).SetMatch(in.Match).SetClaim(in.Claim).
			SetEnabled(in.Enabled).SetLabel(in.Label)
		if in.ClientSecret != nil {
			up.SetClientSecret(*in.ClientSecret)
		}
		p, err = up.Save(sys)
	}
	if err != nil {
		return nil, fmt.Errorf("sso settings: %w", err)
	}
	audit.Record(ctx, c, schoolID, "sso_settings", auditDetail(p, in.ClientSecret != nil))
	return p, nil
}

// auditDetail describes the settings for the audit log: everything but the secret, of which
// only whether it changed.
func auditDetail(p *ent.SSOProvider, secretChanged bool) string {
	state := "uit"
	if p.Enabled {
		state = "aan"
	}
	d := fmt.Sprintf("single sign-on %s: issuer %s, client %s, %s = claim %s", state, p.Issuer, p.ClientID, p.Match, p.Claim)
	if secretChanged {
		d += ", clientgeheim gewijzigd"
	}
	return d
}

func (in Input) validate() error {
	if err := validIssuer(in.Issuer); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value, nl, en string
		max                 int
	}{
		{"clientId", in.ClientID, "de client-id", "the client id", maxClient},
		{"claim", in.Claim, "de claim", "the claim", maxClaim},
	} {
		if f.value == "" || utf8.RuneCountInString(f.value) > f.max {
			return invalid(f.name, fmt.Sprintf("Vul %s in (hoogstens %d tekens).", f.nl, f.max),
				fmt.Sprintf("Enter %s (at most %d characters).", f.en, f.max))
		}
	}
	if in.ClientSecret != nil && utf8.RuneCountInString(*in.ClientSecret) > maxSecret {
		return invalid("clientSecret", fmt.Sprintf("Het clientgeheim is te lang (hoogstens %d tekens).", maxSecret),
			fmt.Sprintf("The client secret is too long (at most %d characters).", maxSecret))
	}
	if utf8.RuneCountInString(in.Label) > maxLabel {
		return invalid("label", fmt.Sprintf("De knoptekst is te lang (hoogstens %d tekens).", maxLabel),
			fmt.Sprintf("The button label is too long (at most %d characters).", maxLabel))
	}
	if ssoprovider.MatchValidator(in.Match) != nil {
		return invalid("match", "Kies e-mail, gebruikersnaam of ECK iD.", "Choose e-mail, username or ECK iD.")
	}
	return nil
}

// validIssuer accepts an absolute https URL without query or fragment; plain http only for a
// provider on this machine (loopback), as in development and tests.
func validIssuer(issuer string) error {
	bad := invalid("issuer", fmt.Sprintf("Vul de issuer-URL van de provider in, met https:// (hoogstens %d tekens), bijvoorbeeld https://login.microsoftonline.com/<tenant>/v2.0.", maxIssuer),
		fmt.Sprintf("Enter the provider's issuer URL, with https:// (at most %d characters), e.g. https://login.microsoftonline.com/<tenant>/v2.0.", maxIssuer))
	if issuer == "" || utf8.RuneCountInString(issuer) > maxIssuer {
		return bad
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return bad
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return bad
}

func invalid(field, nl, en string) error {
	return apperr.New(apperr.CodeInvalidInput, nl, en, map[string]any{"field": field})
}
