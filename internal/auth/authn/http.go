package authn

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// Middleware puts the viewer of each request into its context: from an
// `Authorization: Bearer` API token, else from the session cookie. A request whose credentials
// are invalid goes on anonymously (and is refused wherever it needs a viewer). Cookie-borne
// writes must carry proof that they are not a cross-site form: a JSON body or a custom header,
// and an allowed Origin when the browser sends one.
func (s *Service) Middleware(allowedOrigins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := remoteAddr(r)
		ctx := r.Context()
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			v, err := s.FromToken(ctx, strings.TrimSpace(bearer), addr)
			if err != nil {
				s.log.Error("token lookup", "err", err)
				http.Error(w, "interne fout", http.StatusInternalServerError)
				return
			}
			if v == nil {
				writeJSONError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Deze API-sleutel is onbekend of ingetrokken.")
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.NewContext(ctx, v)))
			return
		}
		if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
			if !safeMethod(r.Method) && !csrfSafe(r, allowedOrigins) {
				writeJSONError(w, http.StatusForbidden, "CSRF", "Dit verzoek komt niet van de app van Numo en is geweigerd.")
				return
			}
			v, err := s.FromSession(ctx, c.Value, addr)
			if err != nil {
				s.log.Error("session lookup", "err", err)
				http.Error(w, "interne fout", http.StatusInternalServerError)
				return
			}
			if v != nil {
				ctx = auth.NewContext(ctx, v)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfSafe reports whether a cookie-authenticated write can only come from a page of ours:
// browsers send a JSON content type or a custom header only after a CORS preflight, and the
// Origin, when present, must be this host or an allowed origin.
func csrfSafe(r *http.Request, allowedOrigins []string) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || (u.Host != r.Host && !slices.Contains(allowedOrigins, u.Scheme+"://"+u.Host)) {
			return false
		}
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/graphql-response+json") {
		return true
	}
	return r.Header.Get("X-Requested-With") != "" || r.Header.Get("GraphQL-Preflight") != "" || r.Header.Get("Apollo-Require-Preflight") != ""
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	writeError(w, status, apperr.New(code, msg, "", nil))
}

// writeError answers a refusal in the shape of a GraphQL error response.
func writeError(w http.ResponseWriter, status int, e *apperr.Error) {
	ext := map[string]any{"code": e.Code()}
	if en, _ := e.Extensions()["messageEn"].(string); en != "" {
		ext["messageEn"] = en
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": e.Error(), "extensions": ext}}})
}

// LoginHandler serves POST /api/login with a JSON body {"username": …, "password": …}: it sets
// the session cookie (HttpOnly, SameSite=Lax) and answers the viewer.
func (s *Service) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
			writeJSONError(w, http.StatusUnsupportedMediaType, "BAD_REQUEST", "Stuur de inloggegevens als JSON.")
			return
		}
		var body struct{ Username, Password string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			writeJSONError(w, http.StatusBadRequest, "BAD_REQUEST", "Ongeldig verzoek.")
			return
		}
		secret, v, err := s.Login(r.Context(), body.Username, body.Password, remoteAddr(r), r.UserAgent())
		switch {
		case errors.Is(err, ErrLocked):
			writeError(w, http.StatusTooManyRequests, ErrLocked)
			return
		case errors.Is(err, ErrBadLogin):
			time.Sleep(300 * time.Millisecond) // slows guessing without helping timing attacks
			writeError(w, http.StatusUnauthorized, ErrBadLogin)
			return
		case err != nil:
			s.log.Error("login", "err", err)
			writeJSONError(w, http.StatusInternalServerError, "INTERNAL", "Interne fout; probeer het later opnieuw.")
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

// WebsocketInit authenticates a websocket from its connection_init payload
// ({"Authorization": "Bearer …"}); without one the connection keeps the viewer of its upgrade
// request (the session cookie).
func (s *Service) WebsocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	header := payload.Authorization()
	if header == "" {
		if v, ok := payload["authorization"].(string); ok {
			header = v
		}
	}
	bearer, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return ctx, &payload, nil
	}
	addr := ""
	if v := auth.FromContext(ctx); v != nil {
		addr = v.RemoteAddr
	}
	v, err := s.FromToken(ctx, strings.TrimSpace(bearer), addr)
	if err != nil {
		return ctx, nil, err
	}
	if v == nil {
		return ctx, nil, auth.ErrUnauthenticated
	}
	return auth.NewContext(ctx, v), &payload, nil
}
