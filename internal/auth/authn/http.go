package authn

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/httpserver/origin"
)

// Middleware puts the viewer of each request into its context: from an
// `Authorization: Bearer` API token, else from the session cookie. A request whose credentials
// are invalid goes on anonymously (and is refused wherever it needs a viewer). Cookie-borne
// writes must carry proof that they are not a cross-site form: a JSON body or a custom header,
// and an allowed Origin when the browser sends one. An account that still has to change its
// one-time password is refused every /api/ route but logging in and out (GraphQL refuses it
// everything but changing the password, see graph/mustchange.go).
func (s *Service) Middleware(allowedOrigins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := s.ClientAddr(r)
		ctx := r.Context()
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			v, err := s.FromToken(ctx, strings.TrimSpace(bearer), addr)
			if err != nil {
				s.log.Error("token lookup", "err", err)
				apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
				return
			}
			if v == nil {
				apperr.Write(w, http.StatusUnauthorized, apperr.ErrUnknownToken)
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.NewContext(ctx, v)))
			return
		}
		if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
			if !safeMethod(r.Method) && !csrfSafe(r, allowedOrigins) {
				apperr.Write(w, http.StatusForbidden, apperr.ErrCSRF)
				return
			}
			v, err := s.FromSession(ctx, c.Value, addr)
			if err != nil {
				s.log.Error("session lookup", "err", err)
				apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
				return
			}
			if v != nil {
				if v.MustChangePassword && mustChangeRefuses(r.URL.Path) {
					apperr.Write(w, http.StatusForbidden, ErrPasswordChangeRequired)
					return
				}
				ctx = auth.NewContext(ctx, v)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ErrPasswordChangeRequired refuses everything but changing the password, the viewer and
// logging out to an account that signed in with a one-time password.
var ErrPasswordChangeRequired = apperr.ErrPasswordChangeRequired

// mustChangeRefuses reports whether a path is refused to an account that must change its
// password: every /api/ route (reports, exports, and any added later) but login and logout.
// /query decides per field; the app's pages themselves hold no data.
func mustChangeRefuses(path string) bool {
	switch path {
	case "/api/login", "/api/logout":
		return false
	}
	if strings.HasPrefix(path, "/api/sso/") {
		return false // single sign-on only opens a new session (internal/auth/oidc)
	}
	return strings.HasPrefix(path, "/api/")
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfSafe reports whether a cookie-authenticated write can only come from a page of ours:
// browsers send a JSON content type or a custom header only after a CORS preflight, and the
// Origin, when present, must be this host or an allowed origin.
func csrfSafe(r *http.Request, allowedOrigins []string) bool {
	// Scheme included: a page at http://<our host> may not write to an HTTPS deployment.
	if o := r.Header.Get("Origin"); o != "" && !origin.Allowed(r, o, origin.NewList(allowedOrigins)) {
		return false
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/graphql-response+json") {
		return true
	}
	return r.Header.Get("X-Requested-With") != "" || r.Header.Get("GraphQL-Preflight") != "" || r.Header.Get("Apollo-Require-Preflight") != ""
}

// ClientAddr is the address of the client that sent r, for rate limits and the audit log: the
// connection's address, unless that is one of the trusted proxies (TrustedProxies); then the
// right-most address of X-Forwarded-For that is not a trusted proxy. Everything left of it was
// written by the client and may be forged.
func (s *Service) ClientAddr(r *http.Request) string { return ClientAddr(r, s.TrustedProxies) }

// ClientAddr is the address of the client that sent r when the proxies in trusted are
// trusted: see Service.ClientAddr.
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break // not an address: the hop after it (a trusted proxy) is the last we know
		}
		peer = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return peer.String()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// LoginHandler serves POST /api/login with a JSON body {"school": …, "username": …,
// "password": …} (school is the BRIN, optional when the installation has one school): it sets
// the session cookie (HttpOnly, SameSite=Lax) and answers the viewer.
func (s *Service) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
			apperr.Write(w, http.StatusUnsupportedMediaType, apperr.ErrLoginNotJSON)
			return
		}
		var body struct{ School, Username, Password string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			apperr.Write(w, http.StatusBadRequest, apperr.ErrBadRequest)
			return
		}
		secret, v, err := s.Login(r.Context(), body.School, body.Username, body.Password, s.ClientAddr(r), r.UserAgent())
		switch {
		case errors.Is(err, ErrLocked):
			apperr.Write(w, http.StatusTooManyRequests, ErrLocked)
			return
		case errors.Is(err, ErrBadLogin):
			time.Sleep(300 * time.Millisecond) // slows guessing without helping timing attacks
			apperr.Write(w, http.StatusUnauthorized, ErrBadLogin)
			return
		case errors.Is(err, ErrSchoolRequired):
			apperr.Write(w, http.StatusBadRequest, ErrSchoolRequired)
			return
		case errors.Is(err, ErrStartCodeExpired):
			time.Sleep(300 * time.Millisecond) // as a wrong password
			apperr.Write(w, http.StatusUnauthorized, ErrStartCodeExpired)
			return
		case errors.Is(err, ErrBusy):
			w.Header().Set("Retry-After", "5")
			apperr.Write(w, http.StatusServiceUnavailable, ErrBusy)
			return
		case err != nil:
			if r.Context().Err() == nil {
				s.log.Error("login", "err", err)
			}
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true,
			Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode, MaxAge: int(s.SessionTTL.Seconds())})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"role": v.Role, "schoolId": v.SchoolID, "name": v.Name, "mustChangePassword": v.MustChangePassword})
	})
}

// LogoutHandler serves POST /api/logout: it ends the session and clears the cookie.
func (s *Service) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
			if err := s.Logout(r.Context(), c.Value); err != nil {
				s.log.Error("logout", "err", err)
			}
		}
		http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: s.SecureCookie,
			SameSite: http.SameSiteLaxMode, MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	})
}
