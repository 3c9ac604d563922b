package authn_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/store"
)

// TestHTTPRefusals: the sign-in route and the middleware answer every refusal in the one
// JSON error shape, with code, Dutch message and messageEn.
func TestHTTPRefusals(t *testing.T) {
	eachService(t, func(t *testing.T, ctx context.Context, _ *store.DB, s *authn.Service, _ *ent.School) {
		ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
		mux := http.NewServeMux()
		mux.Handle("POST /api/login", s.LoginHandler())
		mux.Handle("/", ok)
		h := s.Middleware(nil, mux)
		for _, c := range []struct {
			name, path, contentType, body string
			header                        map[string]string
			status                        int
			code                          string
		}{
			{"login not JSON", "/api/login", "text/plain", "x", nil, 415, "BAD_REQUEST"},
			{"login unreadable", "/api/login", "application/json", "{", nil, 400, "BAD_REQUEST"},
			{"wrong password", "/api/login", "application/json", `{"username":"beheer","password":"fout"}`, nil, 401, "BAD_LOGIN"},
			{"unknown token", "/query", "application/json", "{}", map[string]string{"Authorization": "Bearer numo_tok_onbekend"}, 401, "UNAUTHENTICATED"},
			{"cross-site form with a cookie", "/query", "application/x-www-form-urlencoded", "query=x", map[string]string{"Cookie": authn.CookieName + "=abc"}, 403, "CSRF"},
		} {
			req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != c.status || len(body.Errors) != 1 ||
				body.Errors[0].Extensions["code"] != c.code || body.Errors[0].Message == "" || body.Errors[0].Extensions["messageEn"] == "" ||
				body.Errors[0].Extensions["messageEn"] == nil || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("%s: %d %s %v, want %d %s", c.name, rec.Code, rec.Body, rec.Header(), c.status, c.code)
			}
		}
	})
}
