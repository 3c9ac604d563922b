package graph_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// TestLoginStoresRequestTextSafely: the session row keeps the client's User-Agent, which may
// carry any bytes and any length. Cut in the middle of a character or left invalid, PostgreSQL
// refused it and the sign-in answered 500 (issue 10.15, the same class as the file name).
func TestLoginStoresRequestTextSafely(t *testing.T) {
	agents := map[string]string{
		"cut inside é at 500 bytes": strings.Repeat("a", 499) + "é" + strings.Repeat("b", 100),
		"invalid UTF-8":             "Mozilla/5.0 \xff\xfe\xc3(",
	}
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := newSigninWorld(t, kind)
			s := w.school(t, "08UA")
			w.person(t, s, account.RoleADMIN, "ua", "wachtwoord-ua-123")
			for name, agent := range agents {
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/login",
					strings.NewReader(`{"username":"ua","password":"wachtwoord-ua-123"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", agent)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: sign-in answered %d", name, resp.StatusCode)
				}
			}
			for _, ses := range w.c.Session.Query().AllX(auth.System(context.Background())) {
				if !utf8.ValidString(ses.UserAgent) || len(ses.UserAgent) > 500 {
					t.Errorf("stored user agent %q (%d bytes)", ses.UserAgent, len(ses.UserAgent))
				}
			}
		})
	}
}
