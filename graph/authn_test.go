package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

func loginStatus(t *testing.T, w *world, user, pw string) int {
	t.Helper()
	status, _, _ := signIn(t, w.srv.URL, schoolOf(t, w, user), user, pw)
	return status
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
	if r := w.do(t, pupil, `{ schools { totalCount } }`, nil); r.code() != "UNAUTHENTICATED" {
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
	if r := w.do(t, admin, deep, nil); r.code() != "DEPTH_LIMIT_EXCEEDED" {
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

// TestAuditTermSetting sets the school's audit term through updateSchoolSettings: only the
// school's admin may; a term outside 30..3650 days is refused with INVALID_INPUT, the field
// and a Dutch and English message, and changes nothing.
func TestAuditTermSetting(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := buildWorld(t, kind)
		school := strconv.Itoa(w.ids["schoolA"])
		set := `mutation($s: ID!, $d: Int) { updateSchoolSettings(schoolId: $s, input: {auditRetentionDays: $d}) { auditRetentionDays } }`
		read := func() int {
			r := w.do(t, w.callers["admin"], `query($s: ID!) { node(id: $s) { ... on School { auditRetentionDays } } }`, map[string]any{"s": school})
			days, _ := r.Data["node"].(map[string]any)["auditRetentionDays"].(float64)
			return int(days)
		}
		if got := read(); got != 365 {
			t.Fatalf("default audit term %d, want 365", got)
		}
		for _, days := range []int{29, 3651, 0, -1} {
			r := w.do(t, w.callers["admin"], set, map[string]any{"s": school, "d": days})
			if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INVALID_INPUT" || r.Errors[0].Extensions["field"] != "auditRetentionDays" ||
				r.Errors[0].Message != "De bewaartermijn van het auditlog moet tussen 30 en 3650 liggen." ||
				r.Errors[0].Extensions["messageEn"] != "The retention of the audit log must be between 30 and 3650." {
				t.Fatalf("audit term %d: %+v", days, r)
			}
		}
		for _, role := range []string{"anonymous", "pupil", "teacherOther", "adminOther", "readToken"} {
			if r := w.do(t, w.callers[role], set, map[string]any{"s": school, "d": 30}); len(r.Errors) == 0 {
				t.Fatalf("%s set the audit term: %+v", role, r)
			}
		}
		if got := read(); got != 365 {
			t.Fatalf("audit term %d after refused changes, want 365", got)
		}
		if r := w.do(t, w.callers["admin"], set, map[string]any{"s": school, "d": 30}); len(r.Errors) != 0 || read() != 30 {
			t.Fatalf("admin sets 30 days: %+v", r)
		}
	})
}

// TestEraseLeavesNoTraceInTheAuditLog signs a pupil in over HTTP, fails a sign-in on her
// account, downloads her data as the admin and erases her with erasePupil: afterwards the
// school's audit log still counts her events, but none names her, her username, her account
// number or the address of her sign-ins.
func TestEraseLeavesNoTraceInTheAuditLog(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := buildWorld(t, kind)
		sys := auth.System(context.Background())
		c := w.app.DB().Client
		pupil := c.Account.Query().Where(account.Username("pupil")).OnlyX(sys)
		w.login(t, "pupil", password("pupil"))
		signIn(t, w.srv.URL, "01AA", "pupil", "fout-wachtwoord-"+kind)
		if status, _, body := w.get(t, w.callers["admin"], "/api/accounts/"+strconv.Itoa(pupil.ID)+"/export.json"); status != 200 {
			t.Fatalf("export: %d %.200s", status, body)
		}
		mine := c.AuditEvent.Query().Where(auditevent.Or(auditevent.ActorAccountID(pupil.ID), auditevent.SubjectAccountID(pupil.ID)))
		if n := mine.Clone().CountX(sys); n < 4 {
			t.Fatalf("%d audit events by or about the pupil before the erasure, want her sign-ins, the failed one and the export", n)
		}
		if a := mine.Clone().Where(auditevent.Action("login_failed")).OnlyX(sys); a.RemoteAddr == "" || strings.Contains(a.Detail, a.RemoteAddr) {
			t.Fatalf("a failed login keeps its address in its column, not in the detail: %+v", a)
		}
		before := c.AuditEvent.Query().CountX(sys)

		r := w.do(t, w.callers["admin"], `mutation($id: ID!) { erasePupil(accountId: $id) }`, map[string]any{"id": strconv.Itoa(pupil.ID)})
		if len(r.Errors) != 0 {
			t.Fatalf("erasePupil: %+v", r.Errors)
		}
		if n := c.AuditEvent.Query().CountX(sys); n != before+1 {
			t.Fatalf("%d audit events after the erasure, want %d", n, before+1)
		}
		number := regexp.MustCompile(fmt.Sprintf(`\b%d\b`, pupil.ID))
		gone := 0
		for _, e := range c.AuditEvent.Query().AllX(sys) {
			if e.ActorAccountID != nil && *e.ActorAccountID == pupil.ID || e.SubjectAccountID != nil && *e.SubjectAccountID == pupil.ID ||
				strings.Contains(e.Actor+e.Detail, "pupil Test") || strings.Contains(e.Detail, "pupil") || number.MatchString(e.Detail) {
				t.Errorf("audit event %d (%s) still names the pupil: %+v", e.ID, e.Action, e)
			}
			if e.Actor == "gewist account" || e.Detail == "gewist account" || strings.Contains(e.Detail, "van gewist account") {
				gone++
				if e.Action != "account_exported" && e.RemoteAddr != "" {
					t.Errorf("audit event %d (%s) of the erased pupil keeps the address %q", e.ID, e.Action, e.RemoteAddr)
				}
			}
		}
		if gone < 4 {
			t.Errorf("%d pseudonymised events, want her sign-ins, the failed one and the export", gone)
		}
	})
}
