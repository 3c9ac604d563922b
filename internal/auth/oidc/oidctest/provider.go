// Package oidctest is a real OpenID provider for tests and the e2e, listening on loopback:
// zitadel's op package (github.com/zitadel/oidc/v3/pkg/op, a maintained and OpenID-certified
// provider library) serves discovery, the authorization and token endpoints and the JWKS over
// a small in-memory storage written here. Its login page is a form that asks a username.
//
// For the refusals a correct provider never causes, Provider.Tamper makes the token endpoint
// misbehave: the real ID token is decoded, changed (audience, expiry, nonce, issuer) and signed
// again with the provider's own key, whose public half the real JWKS endpoint serves, or its
// signature is spoiled, or it is signed with a key the JWKS does not have.
//
// Never linked into numo: only tests and cmd/numo-test-op import it.
package oidctest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is an account at the provider.
type User struct {
	// Subject is the provider's id of the user (sub); Username is what the login form asks
	// and preferred_username says.
	Subject, Username, Name, Email string
	// EmailUnverified sends email_verified: false.
	EmailUnverified bool
	// Claims are extra claims in the ID token, e.g. {"eckid": "https://ketenid.nl/201703/…"}.
	Claims map[string]any
}

// Tamper is how the token endpoint misbehaves.
type Tamper int

// The ways the token endpoint can misbehave.
const (
	// Honest leaves the ID token as the library made it.
	Honest Tamper = iota
	// WrongAudience re-signs the token for another client.
	WrongAudience
	// Expired re-signs the token with an expiry an hour ago.
	Expired
	// WrongNonce re-signs the token with another nonce.
	WrongNonce
	// WrongIssuer re-signs the token naming another issuer.
	WrongIssuer
	// BadSignature changes the payload without signing again.
	BadSignature
	// UnknownKey signs the token with a key the JWKS does not publish.
	UnknownKey
)

// Provider is a running OpenID provider.
type Provider struct {
	// Issuer is the provider's URL, http://127.0.0.1:port.
	Issuer       string
	ClientID     string
	ClientSecret string
	store        *storage
	srv          *http.Server
	ln           net.Listener
	mu           sync.Mutex
	tamper       Tamper
}

// Options configure Start.
type Options struct {
	// Addr is where to listen; "" is a free port on 127.0.0.1.
	Addr string
	// ClientID and ClientSecret are numo's registration.
	ClientID, ClientSecret string
	// RedirectURIs are numo's callback URLs.
	RedirectURIs []string
}

// Start starts a provider on loopback.
func Start(o Options) (*Provider, error) {
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		ln.Close()
		return nil, err
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), ClientID: o.ClientID, ClientSecret: o.ClientSecret, ln: ln}
	p.store = &storage{users: map[string]User{}, requests: map[string]*authRequest{}, codes: map[string]string{},
		tokens: map[string]string{}, key: key, keyID: "oidctest-1",
		client: &client{id: o.ClientID, secret: o.ClientSecret, issuer: p.Issuer, redirects: o.RedirectURIs}}
	cfg := &op.Config{CryptoKey: sha256.Sum256([]byte(o.ClientSecret + "oidctest")), CodeMethodS256: true}
	openid, err := op.NewProvider(cfg, p.store, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", p.login)
	mux.Handle("/", p.tampering(openid))
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go p.srv.Serve(ln) //nolint:errcheck // ends with Close
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() error { return p.srv.Close() }

// AddUser adds (or replaces) a user.
func (p *Provider) AddUser(u User) {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	p.store.users[u.Subject] = u
}

// AddRedirectURI registers another callback URL of the client.
func (p *Provider) AddRedirectURI(uri string) {
	p.store.client.mu.Lock()
	defer p.store.client.mu.Unlock()
	p.store.client.redirects = append(p.store.client.redirects, uri)
}

// SetTamper sets how the token endpoint misbehaves from now on.
func (p *Provider) SetTamper(t Tamper) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = t
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider — sign in</title></head>
<body><h1>Test provider</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<label>Username <input name="username" autocomplete="username" autofocus></label>
<button type="submit">Sign in at the provider</button>
</form></body></html>`))

// login is the provider's login page: GET shows the form, POST signs the user in (a test
// provider has no passwords) and sends the browser to the library's callback, which answers
// numo with the code.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("authRequestID")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method != http.MethodPost {
		loginPage.Execute(w, map[string]string{"ID": id}) //nolint:errcheck // best effort
		return
	}
	name := strings.TrimSpace(r.FormValue("username"))
	var subject string
	p.store.mu.Lock()
	for _, u := range p.store.users {
		if strings.EqualFold(u.Username, name) {
			subject = u.Subject
		}
	}
	p.store.mu.Unlock()
	if subject == "" {
		w.WriteHeader(http.StatusUnauthorized)
		loginPage.Execute(w, map[string]string{"ID": id, "Error": "Unknown user"}) //nolint:errcheck // best effort
		return
	}
	if err := p.store.login(id, subject); err != nil {
		http.Error(w, "unknown authorization request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, p.Issuer+"/authorize/callback?id="+id, http.StatusFound)
}

// tampering lets the token endpoint's answer through Tamper.
func (p *Provider) tampering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		t := p.tamper
		p.mu.Unlock()
		if t == Honest || r.URL.Path != "/oauth/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var resp map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &resp) == nil {
			if raw, ok := resp["id_token"].(string); ok {
				if forged, err := p.forge(raw, t); err == nil {
					resp["id_token"] = forged
					body, _ = json.Marshal(resp)
				}
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body) //nolint:errcheck // best effort
	})
}

// forge changes an ID token as t says.
func (p *Provider) forge(raw string, t Tamper) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	key, kid := p.store.key, p.store.keyID
	switch t {
	case WrongAudience:
		claims["aud"] = []string{"another-client"}
		claims["azp"] = "another-client"
	case Expired:
		claims["exp"] = time.Now().Add(-time.Hour).Unix()
		claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	case WrongNonce:
		claims["nonce"] = "not-the-nonce"
	case WrongIssuer:
		claims["iss"] = "http://issuer.invalid"
	case BadSignature:
		claims["email"] = "someone.else@example.invalid"
		claims["preferred_username"] = "someone.else"
		changed, _ := json.Marshal(claims)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(changed) + "." + parts[2], nil
	case UnknownKey:
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return "", err
		}
	}
	return sign(claims, key, kid)
}

func sign(claims map[string]any, key *rsa.PrivateKey, kid string) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), kid))
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(claims); err != nil {
		return "", err
	}
	jws, err := signer.Sign(bytes.TrimSpace(buf.Bytes()))
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
