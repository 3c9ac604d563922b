package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

func loginStatus(t *testing.T, w *world, user, pw string) int {
	t.Helper()
	resp, err := http.Post(w.srv.URL+"/api/login", "application/json", strings.NewReader(fmt.Sprintf(`{"school":%q,"username":%q,"password":%q}`, schoolOf(t, w, user), user, pw)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func code(r gqlResult) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["code"]
}

// TestSessionsAndTokens covers the life of a login and a token: archived accounts, revocation,
// logout, lockout, and the API's limits.
func TestSessionsAndTokens(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			checkArchivedMidSession(t, w)
			checkRevokedToken(t, w)
			checkAuditAndLockout(t, w)
			checkLogout(t, w)
			checkAPILimits(t, w)
		})
	}
}

// checkArchivedMidSession checks that a pupil sees only themselves, and that once archived
// the pupil's session ends and the pupil cannot sign in again.
func checkArchivedMidSession(t *testing.T, w *world) {
	t.Helper()
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	pupil := w.callers["pupil"]

	// A pupil sees only themselves, also through a class they do not belong to.
	r := w.do(t, pupil, `{ viewer { account { username } } accounts { totalCount } }`, nil)
	if n := r.Data["accounts"].(map[string]any)["totalCount"]; n != float64(1) {
		t.Fatalf("a pupil sees %v accounts", n)
	}

	// An account archived during its session loses access at its next request...
	c.Account.Update().Where(account.Username("pupil")).SetStatus(account.StatusARCHIVED).ExecX(sys)
	if r := w.do(t, pupil, `{ schools { totalCount } }`, nil); code(r) != "UNAUTHENTICATED" {
		t.Fatalf("archived pupil's session: %+v", r)
	}
	// ...and cannot sign in again.
	if st := loginStatus(t, w, "pupil", password("pupil")); st != http.StatusUnauthorized {
		t.Fatalf("archived pupil's login answered %d", st)
	}
}

// checkRevokedToken checks that a revoked token stops working at once.
func checkRevokedToken(t *testing.T, w *world) {
	t.Helper()
	// A revoked token stops working at once.
	token := w.callers["readToken"]
	if r := w.do(t, token, `{ classes { totalCount } }`, nil); r.Errors != nil {
		t.Fatalf("read token: %+v", r.Errors)
	}
	admin := w.callers["admin"]
	var tokenID any
	r := w.do(t, admin, `{ schools(first: 10) { edges { node { apiTokens(first: 100) { edges { node { id name } } } } } } }`, nil)
	for _, e := range r.Data["schools"].(map[string]any)["edges"].([]any) {
		for _, te := range e.(map[string]any)["node"].(map[string]any)["apiTokens"].(map[string]any)["edges"].([]any) {
			if n := te.(map[string]any)["node"].(map[string]any); n["name"] == "lezen" {
				tokenID = n["id"]
			}
		}
	}
	if r := w.do(t, admin, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, map[string]any{"id": tokenID}); r.Errors != nil {
		t.Fatalf("revoke: %+v", r.Errors)
	}
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/query", strings.NewReader(`{"query":"{ classes { totalCount } }"}`))
	req.Header.Set("Content-Type", "application/json")
	token.header(req.Header)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token answered %v %v", resp.StatusCode, err)
	}
}

// checkAuditAndLockout checks the audit log of the logins and the token change, and that five
// wrong passwords lock an account.
func checkAuditAndLockout(t *testing.T, w *world) {
	t.Helper()
	admin := w.callers["admin"]
	// The audit log saw the logins and the token change.
	r := w.do(t, admin, `{ schools(first: 10) { edges { node { auditEvents(first: 50) { edges { node { action actor } } } } } } }`, nil)
	log := fmt.Sprint(r.Data)
	for _, want := range []string{"login", "token_revoked", "import_uploaded", "login_refused_archived"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %s: %s", want, log)
		}
	}

	// Five wrong passwords lock the account for a while, even for the right one.
	for range 5 {
		loginStatus(t, w, "teacherOther", "verkeerd")
	}
	if st := loginStatus(t, w, "teacherOther", password("teacherOther")); st != http.StatusTooManyRequests {
		t.Fatalf("login after five failures answered %d, want 429", st)
	}
}

// checkLogout checks that logout needs the app's header and ends the session.
func checkLogout(t *testing.T, w *world) {
	t.Helper()
	// Logout ends the session.
	cookie := w.login(t, "adminOther", password("adminOther"))
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/logout", nil)
	req.Header.Set("Cookie", cookie)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without the app's header (a cross-site form) answered %v %v, want 403", resp.StatusCode, err)
	}
	req, _ = http.NewRequest(http.MethodPost, w.srv.URL+"/api/logout", nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("X-Requested-With", "numo")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout answered %v %v", resp.StatusCode, err)
	}
	if r := w.do(t, caller{cookie: cookie}, `{ viewer { school { brin } } }`, nil); r.Data["viewer"] != nil {
		t.Fatalf("viewer after logout: %+v", r.Data)
	}
}

// checkAPILimits checks the nesting depth limit, and introspection only for admins when it is off.
func checkAPILimits(t *testing.T, w *world) {
	t.Helper()
	admin := w.callers["admin"]
	// Limits: nesting depth, and introspection only for admins when it is off.
	deep := `{ schools { edges { node { classes { edges { node { pupils { edges { node { class { pupils { edges { node { class { name } } } } } } } } } } } } } } }`
	if r := w.do(t, admin, deep, nil); code(r) != "DEPTH_LIMIT_EXCEEDED" {
		t.Fatalf("deep query: %+v", r.Errors)
	}
	intro := `{ __schema { queryType { name } } }`
	if r := w.do(t, w.callers["teacherOther"], intro, nil); r.Errors == nil {
		t.Fatalf("introspection for a teacher: %+v", r.Data)
	}
	if r := w.do(t, caller{}, intro, nil); r.Errors == nil {
		t.Fatalf("introspection for anonymous: %+v", r.Data)
	}
	if r := w.do(t, admin, intro, nil); r.Errors != nil {
		t.Fatalf("introspection for an admin: %+v", r.Errors)
	}
}
