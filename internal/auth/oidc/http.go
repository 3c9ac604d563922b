package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// Handler serves the plain HTTP routes of single sign-on, everything under /api/sso/:
// GET /api/sso/options, GET /api/sso/{school}/start and GET /api/sso/callback.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/sso/options", s.serveOptions)
	mux.HandleFunc("GET /api/sso/{school}/start", s.serveStart)
	mux.HandleFunc("GET "+CallbackPath, s.serveCallback)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apperr.Write(w, http.StatusNotFound, apperr.ErrUnknownRoute)
	})
	return mux
}

// serveStart serves GET /api/sso/{school}/start ({school} is the BRIN or the school's id): a
// redirect to the school's provider, with the browser-binding cookie.
func (s *Service) serveStart(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	st, err := s.begin(r.Context(), r.PathValue("school"), s.redirectURI(r), s.authn.ClientAddr(r))
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: st.browser, Path: "/api/sso/", HttpOnly: true,
		Secure: s.authn.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: int(LoginTTL.Seconds())})
	http.Redirect(w, r, st.authURL, http.StatusFound)
}

// serveCallback serves GET /api/sso/callback: the provider sends the browser back here with a
// code (or an error). On success the session cookie is set and the browser goes to the app;
// else to the login page with ?sso_error=CODE.
func (s *Service) serveCallback(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	q := r.URL.Query()
	cb := callback{state: q.Get("state"), code: q.Get("code"), providerError: q.Get("error"),
		remoteAddr: s.authn.ClientAddr(r), userAgent: r.UserAgent()}
	if c, err := r.Cookie(BrowserCookie); err == nil {
		cb.browser = c.Value
	}
	// The binding cookie has done its work, whatever the outcome.
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: "", Path: "/api/sso/", HttpOnly: true,
		Secure: s.authn.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	done, err := s.finish(r.Context(), cb)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	s.authn.SetSessionCookie(w, done.secret)
	http.Redirect(w, r, s.AppPath, http.StatusFound)
}

// refuse logs a failed sign-in (never a token, code or secret: the failures carry none) and
// sends the browser to the login page with the failure's code.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var f *failure
	if !errors.As(err, &f) {
		f = fail(apperr.CodeInternal, "", "unexpected", err)
	}
	attrs := []any{"code", f.code, "reason", f.log, "remote", s.authn.ClientAddr(r)}
	if f.err != nil {
		attrs = append(attrs, "err", f.err)
	}
	if f.code == apperr.CodeInternal {
		s.log.Error("sso sign-in", attrs...)
	} else {
		s.log.Info("sso sign-in refused", attrs...)
	}
	v := url.Values{"sso_error": {f.code}}
	if f.school != "" {
		v.Set("school", f.school)
	}
	http.Redirect(w, r, s.LoginPath+"?"+v.Encode(), http.StatusFound)
}

// redirectURI is this server's callback URL: on PublicURL when configured, else as the browser
// reaches it, https when the request came over TLS or the cookies are Secure (numo behind an
// HTTPS proxy). A forged Host only produces a redirect URI the provider does not know, which it
// refuses.
func (s *Service) redirectURI(r *http.Request) string {
	if s.PublicURL != "" {
		return s.PublicURL + CallbackPath
	}
	scheme := "http"
	if r.TLS != nil || s.authn.SecureCookie {
		scheme = "https"
	}
	return scheme + "://" + r.Host + CallbackPath
}

// Option is what the login page learns about a school's single sign-on: the button's label and
// where it starts. Nothing else about the provider is public.
type Option struct {
	Label    string `json:"label"`
	StartURL string `json:"startUrl"`
}

// serveOptions serves GET /api/sso/options?school=BRIN (school optional when the installation
// has one school): the school's sign-in button, or 404 SSO_UNAVAILABLE. Anonymous, so bounded
// per client address like the sign-in.
func (s *Service) serveOptions(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if !s.options.allow(s.authn.ClientAddr(r), time.Now()) {
		w.Header().Set("Retry-After", "60")
		apperr.Write(w, http.StatusTooManyRequests, apperr.ErrLocked)
		return
	}
	sys := auth.System(r.Context())
	ref := strings.TrimSpace(r.URL.Query().Get("school"))
	var sch *ent.School
	var err error
	if ref == "" {
		schools, qerr := s.client.School.Query().Order(ent.Asc(school.FieldID)).Limit(2).All(sys)
		if err = qerr; err == nil && len(schools) == 1 {
			sch = schools[0]
		}
	} else if len(ref) <= 8 {
		sch, err = s.client.School.Query().Where(school.BrinEqualFold(ref)).First(sys)
		if ent.IsNotFound(err) {
			sch, err = nil, nil
		}
	}
	var p *ent.SSOProvider
	if err == nil && sch != nil {
		p, err = s.enabledProvider(r.Context(), sch.ID)
	}
	switch {
	case err != nil:
		s.log.Error("sso options", "err", err)
		apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
	case p == nil:
		apperr.Write(w, http.StatusNotFound, ErrUnavailable)
	default:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(Option{Label: p.Label, StartURL: "/api/sso/" + url.PathEscape(sch.Brin) + "/start"})
	}
}

// ErrUnavailable answers a school without (enabled) single sign-on.
var ErrUnavailable = apperr.New(apperr.CodeSSOUnavailable, "Deze school heeft geen inloggen via de schoolaccount ingesteld.",
	"This school has not set up signing in with the school account.", nil)

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// addressLimit allows each client address n requests per window (one process's count).
type addressLimit struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	start  time.Time
	seen   map[string]int
}

func newAddressLimit(n int, window time.Duration) *addressLimit {
	return &addressLimit{n: n, window: window, seen: map[string]int{}}
}

func (l *addressLimit) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window {
		l.start, l.seen = now, map[string]int{}
	}
	l.seen[addr]++
	return l.seen[addr] <= l.n
}
