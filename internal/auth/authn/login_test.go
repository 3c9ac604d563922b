package authn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/store"
)

// TestLoginAndRecheck signs in against a real database on both kinds: wrong and right
// passwords, the BRIN in any case, an archived account, several schools; the session stands
// for the account until it is logged out or the account archived, which Recheck sees.
func TestLoginAndRecheck(t *testing.T) {
	eachService(t, func(t *testing.T, ctx context.Context, db *store.DB, s *authn.Service, sch *ent.School) {
		user, pw, err := s.EnsureAdminPassword(ctx, sch.ID, "Eerste-wachtwoord-1")
		if err != nil || user == "" || pw != "Eerste-wachtwoord-1" {
			t.Fatalf("first admin: %q %q %v", user, pw, err)
		}

		if _, _, err := s.Login(ctx, "", user, "fout-wachtwoord", "192.0.2.1", "test"); !errors.Is(err, authn.ErrBadLogin) {
			t.Fatalf("wrong password: %v, want BAD_LOGIN", err)
		}
		if _, _, err := s.Login(ctx, "", "niemand", pw, "192.0.2.1", "test"); !errors.Is(err, authn.ErrBadLogin) {
			t.Fatalf("unknown username: %v, want BAD_LOGIN", err)
		}
		secret, v, err := s.Login(ctx, "07aa", user, pw, "192.0.2.1", "Mozilla/5.0 \xff")
		if err != nil || v.Role != auth.RoleAdmin || v.SchoolID != sch.ID || !v.MustChangePassword {
			t.Fatalf("sign-in: %+v %v", v, err)
		}
		sv, err := s.FromSession(ctx, secret, "192.0.2.1")
		if err != nil || sv == nil || sv.SessionID == 0 || sv.AccountID != v.AccountID {
			t.Fatalf("session: %+v %v", sv, err)
		}
		if now, err := s.Recheck(ctx, sv); err != nil || now == nil || now.AccountID != v.AccountID {
			t.Fatalf("recheck of a live session: %+v %v", now, err)
		}
		if err := s.Logout(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if now, err := s.Recheck(ctx, sv); err != nil || now != nil {
			t.Fatalf("recheck after logout: %+v %v, want nil", now, err)
		}

		// An archived account loses its session and cannot sign in, with the same answer.
		secret, _, err = s.Login(ctx, "", user, pw, "192.0.2.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		sv, _ = s.FromSession(ctx, secret, "192.0.2.1")
		db.Client.Account.UpdateOneID(v.AccountID).SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Now()).ExecX(ctx)
		if now, err := s.Recheck(ctx, sv); err != nil || now != nil {
			t.Fatalf("recheck of an archived account: %+v %v, want nil", now, err)
		}
		if _, _, err := s.Login(ctx, "", user, pw, "192.0.2.1", "test"); !errors.Is(err, authn.ErrBadLogin) {
			t.Fatalf("archived account: %v, want BAD_LOGIN", err)
		}

		// A viewer that is neither session nor token is returned as it is.
		sys := &auth.Viewer{Role: auth.RoleAdmin, SchoolID: sch.ID}
		if now, err := s.Recheck(ctx, sys); err != nil || now != sys {
			t.Fatalf("recheck of a built viewer: %+v %v", now, err)
		}

		// With a second school, the BRIN is required.
		db.Client.School.Create().SetName("Het Baken").SetBrin("08BB").ExecX(ctx)
		if _, _, err := s.Login(ctx, "", user, pw, "192.0.2.1", "test"); !errors.Is(err, authn.ErrSchoolRequired) {
			t.Fatalf("two schools, no BRIN: %v, want SCHOOL_REQUIRED", err)
		}
	})
}

// TestLoginThrottle: after Max failures for a username from one address, that combination is
// locked, even for the right password; the same account from another address still signs
// in; an unknown username is locked exactly like a known one.
func TestLoginThrottle(t *testing.T) {
	eachService(t, func(t *testing.T, ctx context.Context, _ *store.DB, s *authn.Service, sch *ent.School) {
		long := authn.Limit{Max: 100, Window: time.Hour, LockFor: time.Hour}
		s.Limits = authn.Limits{AccountAddress: authn.Limit{Max: 3, Window: time.Hour, LockFor: time.Hour}, Account: long, Address: long}
		user, pw, err := s.EnsureAdminPassword(ctx, sch.ID, "Eerste-wachtwoord-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{user, "niemand"} {
			for i := range 3 {
				if _, _, err := s.Login(ctx, "", name, "fout-wachtwoord", "192.0.2.7", "test"); !errors.Is(err, authn.ErrBadLogin) {
					t.Fatalf("%s: failure %d: %v, want BAD_LOGIN", name, i+1, err)
				}
			}
			if _, _, err := s.Login(ctx, "", name, pw, "192.0.2.7", "test"); !errors.Is(err, authn.ErrLocked) {
				t.Fatalf("%s after 3 failures: %v, want LOCKED", name, err)
			}
		}
		if _, _, err := s.Login(ctx, "", user, pw, "198.51.100.9", "test"); err != nil {
			t.Fatalf("the same account from another address: %v", err)
		}
		if n, err := s.PurgeThrottles(ctx, time.Now().Add(3*time.Hour)); err != nil || n == 0 {
			t.Fatalf("purge of stale throttles: %d %v", n, err)
		}
		if _, _, err := s.Login(ctx, "", user, pw, "192.0.2.7", "test"); err != nil {
			t.Fatalf("after the lock is purged: %v", err)
		}
	})
}

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
