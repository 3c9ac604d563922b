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
		resp, err := http.Post(w.srv.URL+"/api/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"school":"01AA","username":"pupil","password":"fout-wachtwoord-%s"}`, kind)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/api/accounts/"+strconv.Itoa(pupil.ID)+"/export.json", nil)
		w.callers["admin"].header(req.Header)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
			t.Fatalf("export: %v %v", resp, err)
		} else {
			resp.Body.Close()
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
