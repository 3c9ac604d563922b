package app_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// firstSignIn signs in through the real POST /api/login and returns its status and whether the
// account must change its password first.
func firstSignIn(t *testing.T, base, brin, user, password string) (int, bool) {
	t.Helper()
	resp := testapp.Login(t, base, brin, user, password)
	defer resp.Body.Close()
	var got struct{ MustChangePassword bool }
	json.NewDecoder(resp.Body).Decode(&got) //nolint:errcheck // a refusal has no such field
	return resp.StatusCode, got.MustChangePassword
}

var printedPassword = regexp.MustCompile(`one-time password:\s+(\S+)`)

// TestFirstAdminPasswordNeverLogged: `numo serve` on a school without an admin who can sign
// in never writes a password to its log. On a terminal it prints the generated one-time
// password there; elsewhere it generates none and warns which school needs
// `numo school first-admin`; with NUMO_ADMIN_PASSWORD that one-time password works.
func TestFirstAdminPasswordNeverLogged(t *testing.T) {
	const shared = "gedeeld-Wachtwoord-42"
	cases := []struct {
		name     string
		terminal bool
		env      map[string]string
		// want: the password beheer signs in with ("" none; "printed": the one on the terminal).
		want     string
		wantLogs []string
	}{
		{"not a terminal", false, nil, "", []string{"level=WARN", "school=99XX", "numo school first-admin --brin 99XX", "NUMO_ADMIN_PASSWORD"}},
		{"terminal", true, nil, "printed", []string{"level=INFO", "printed on the terminal", "school=99XX"}},
		{"NUMO_ADMIN_PASSWORD", false, map[string]string{"NUMO_ADMIN_PASSWORD": shared}, shared, []string{"NUMO_ADMIN_PASSWORD once", "username=beheer"}},
	}
	testdb.EachKind(t, func(t *testing.T, kind string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var term bytes.Buffer
				if c.terminal {
					app.SetTerminal(t, &term)
				} else {
					app.SetTerminal(t, nil)
				}
				logs := &testapp.Logs{}
				base, _ := testapp.Serve(t, slog.New(slog.NewTextHandler(logs, nil)), []string{"--db", testdb.URL(t, kind)}, c.env)
				log := logs.String()
				for _, w := range c.wantLogs {
					if !strings.Contains(log, w) {
						t.Errorf("the log lacks %q:\n%s", w, log)
					}
				}
				if strings.Contains(log, "password=") {
					t.Errorf("the log has a password attribute:\n%s", log)
				}
				pw := c.want
				if pw == "printed" {
					m := printedPassword.FindStringSubmatch(term.String())
					if m == nil || !strings.Contains(term.String(), "99XX") || !strings.Contains(term.String(), "beheer") {
						t.Fatalf("the terminal shows no school, username and one-time password:\n%s", term.String())
					}
					pw = m[1]
				} else if term.Len() > 0 {
					t.Errorf("printed on a terminal that is not there: %q", term.String())
				}
				if pw == "" {
					if code, _ := firstSignIn(t, base, "99XX", "beheer", ""); code != http.StatusUnauthorized {
						t.Errorf("beheer without a password: sign-in %d, want 401", code)
					}
					return
				}
				if strings.Contains(log, pw) {
					t.Errorf("the one-time password is in the log:\n%s", log)
				}
				if code, must := firstSignIn(t, base, "99XX", "beheer", pw); code != http.StatusOK || !must {
					t.Errorf("sign-in with the one-time password: %d mustChangePassword=%v, want 200 true", code, must)
				}
			})
		}
	})
}
