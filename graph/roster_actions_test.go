package graph_test

import (
	"archive/zip"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// TestClassRosterCSV downloads a class's roster as every role: the school's admin and read
// token get any class of the school, a teacher only the class they teach; everyone else, and
// a class that does not exist, gets the same 404. Class.rosterCsvUrl is null exactly when the
// download would be refused.
func TestClassRosterCSV(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			a1, a2 := w.ids["classA1"], w.ids["classA2"]
			cases := []struct {
				role  string
				class int
				want  int
			}{
				{"admin", a1, 200}, {"admin", a2, 200}, {"readToken", a1, 200},
				{"teacherOther", a2, 200}, {"teacherOther", a1, 404},
				{"adminOther", a1, 404}, {"pupil", a2, 404}, {"anonymous", a1, 404},
				{"admin", 987654321, 404},
			}
			var notFound string
			for _, c := range cases {
				status, h, body := w.get(t, w.callers[c.role], fmt.Sprintf("/api/classes/%d/roster.csv", c.class))
				if status != c.want {
					t.Errorf("%s, class %d: status %d, want %d: %s", c.role, c.class, status, c.want, body)
					continue
				}
				if status == 404 {
					if notFound == "" {
						notFound = body
					} else if body != notFound {
						t.Errorf("%s, class %d: 404 body %q differs from %q (it must not tell why)", c.role, c.class, body, notFound)
					}
					continue
				}
				if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", c.role, ct)
				}
				if !strings.HasPrefix(body, "\uFEFFLeerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mail;Klas;Niveau;Leerjaar\r\n") {
					t.Errorf("%s: CSV starts %q", c.role, body[:min(len(body), 120)])
				}
			}
			_, _, body := w.get(t, w.callers["admin"], fmt.Sprintf("/api/classes/%d/roster.csv?lang=en", a1))
			if !strings.HasPrefix(body, "\uFEFFStudent number;First name;Infix;Last name;E-mail;Class;Level;Year\r\n") ||
				!strings.Contains(body, "doelwit;doelwit;;Test;;A1;;\r\n") {
				t.Errorf("English CSV of A1:\n%s", body)
			}
			checkRosterCSVURL(t, w)
		})
	}
}

// checkRosterCSVURL reads Class.rosterCsvUrl as the admin (every class) and as a teacher (the
// classes they teach, through their own account).
func checkRosterCSVURL(t *testing.T, w *world) {
	t.Helper()
	r := w.do(t, w.callers["admin"], fmt.Sprintf(`{ node(id: %d) { ... on Class { rosterCsvUrl } } }`, w.ids["classA1"]), nil)
	if got := fmt.Sprint(r.Data["node"]); got != fmt.Sprintf("map[rosterCsvUrl:/api/classes/%d/roster.csv]", w.ids["classA1"]) {
		t.Errorf("admin: rosterCsvUrl %s (errors %v)", got, r.Errors)
	}
	r = w.do(t, w.callers["teacherOther"], `{ viewer { account { teachingClasses(first: 10) { edges { node { name rosterCsvUrl } } } } } }`, nil)
	want := fmt.Sprintf("[map[node:map[name:A2 rosterCsvUrl:/api/classes/%d/roster.csv]]]", w.ids["classA2"])
	acc, _ := r.Data["viewer"].(map[string]any)["account"].(map[string]any)
	if got := fmt.Sprint(acc["teachingClasses"].(map[string]any)["edges"]); got != want {
		t.Errorf("teacher: %s, want %s (errors %v)", got, want, r.Errors)
	}
}

// TestPlanRosterChange moves a pupil to another class and archives another, each as an import
// the app makes from the selection: previewed at once, committed with the ordinary commit,
// undone with the ordinary undo. Choices that are not allowed are refused with nothing made.
func TestPlanRosterChange(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			sys := auth.System(context.Background())
			c := w.app.DB().Client
			admin := w.callers["admin"]
			target, a1, a2 := w.ids["target"], w.ids["classA1"], w.ids["classA2"]

			r := w.do(t, admin, fmt.Sprintf(`mutation { planRosterChange(schoolId: %d, accountIds: [%d], moveToClassId: %d) { id status source updated archived preview { counts { updated archived unchanged } users(outcome: UPDATED) { total items { changes { field before after } } } } } }`,
				w.ids["schoolA"], target, a2), nil)
			job := field(t, r, "planRosterChange")
			if job["status"] != "PREVIEWED" || job["source"] != "app: verplaatsen" || job["updated"] != 1.0 || job["archived"] != 0.0 {
				t.Fatalf("move planned as %v (errors %v)", job, r.Errors)
			}
			if got := fmt.Sprint(job["preview"].(map[string]any)["users"]); !strings.Contains(got, "before:A1") || !strings.Contains(got, "after:A2") {
				t.Errorf("move preview users %s, want A1 → A2", got)
			}
			// Its actions are its own: archiving everyone else through the wizard is refused.
			r = w.do(t, admin, fmt.Sprintf(`mutation { preview(jobId: %s, actions: [UPDATE, ARCHIVE]) { counts { archived } } }`, job["id"]), nil)
			if r.code() != "INVALID_INPUT" {
				t.Errorf("preview with other actions: %v, want INVALID_INPUT", r.Errors)
			}
			commitAndWait(t, w, job["id"].(string))
			if got := c.Account.GetX(sys, target); got.ClassID == nil || *got.ClassID != a2 || got.FirstName != "doelwit" {
				t.Fatalf("after the move the pupil is in class %v, want %d", got.ClassID, a2)
			}
			r = w.do(t, admin, fmt.Sprintf(`mutation { undoImport(jobId: %s) { id status } }`, job["id"]), nil)
			if len(r.Errors) > 0 {
				t.Fatalf("undo the move: %v", r.Errors)
			}
			waitPupil(t, c, target, func(p *ent.Account) bool { return p.ClassID != nil && *p.ClassID == a1 })

			erasable := w.ids["erasable"]
			r = w.do(t, admin, fmt.Sprintf(`mutation { planRosterChange(schoolId: %d, accountIds: [%d], archive: true) { id status source archived updated } }`, w.ids["schoolA"], erasable), nil)
			job = field(t, r, "planRosterChange")
			if job["status"] != "PREVIEWED" || job["source"] != "app: archiveren" || job["archived"] != 1.0 || job["updated"] != 0.0 {
				t.Fatalf("archive planned as %v (errors %v)", job, r.Errors)
			}
			commitAndWait(t, w, job["id"].(string))
			if got := c.Account.GetX(sys, erasable); got.Status != account.StatusARCHIVED {
				t.Errorf("after the archive the pupil is %s", got.Status)
			}
			if n := c.Account.Query().Where(account.RoleEQ(account.RolePUPIL), account.StatusEQ(account.StatusARCHIVED)).CountX(sys); n != 1 {
				t.Errorf("%d pupils archived, want only the selected one", n)
			}
			checkRosterChangeRefusals(t, w)
		})
	}
}

// checkRosterChangeRefusals tries what planRosterChange refuses; none of it makes a job.
func checkRosterChangeRefusals(t *testing.T, w *world) {
	t.Helper()
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	before := c.ImportJob.Query().CountX(sys)
	school, target := w.ids["schoolA"], w.ids["target"]
	for _, tc := range []struct{ name, args, want string }{
		{"both", fmt.Sprintf("accountIds: [%d], moveToClassId: %d, archive: true", target, w.ids["classA2"]), "INVALID_INPUT"},
		{"neither", fmt.Sprintf("accountIds: [%d]", target), "INVALID_INPUT"},
		{"none", fmt.Sprintf("accountIds: [], moveToClassId: %d", w.ids["classA2"]), "INVALID_INPUT"},
		{"too many", fmt.Sprintf("accountIds: [%s], archive: true", manyIDs(2001)), "INVALID_INPUT"},
		{"not a pupil", fmt.Sprintf("accountIds: [%d], archive: true", w.ids["teacherOther"]), "NOT_FOUND"},
		{"unknown class", fmt.Sprintf("accountIds: [%d], moveToClassId: 987654321", target), "NOT_FOUND"},
	} {
		r := w.do(t, w.callers["admin"], fmt.Sprintf(`mutation { planRosterChange(schoolId: %d, %s) { id } }`, school, tc.args), nil)
		if got := r.code(); got != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, got, r.Errors, tc.want)
		}
	}
	if after := c.ImportJob.Query().CountX(sys); after != before {
		t.Errorf("refused roster changes made %d jobs", after-before)
	}
	// discardImport: a draft goes, a committed import stays.
	draft := w.ids["draft"]
	if r := w.do(t, w.callers["admin"], fmt.Sprintf(`mutation { discardImport(jobId: %d) }`, draft), nil); len(r.Errors) > 0 {
		t.Errorf("discard a draft: %v", r.Errors)
	}
	if n := c.ImportJob.Query().Where(importjob.ID(draft)).CountX(sys); n != 0 {
		t.Errorf("the discarded draft is still there")
	}
	if r := w.do(t, w.callers["admin"], fmt.Sprintf(`mutation { discardImport(jobId: %d) }`, w.ids["job"]), nil); r.code() != "INVALID_STATE" {
		t.Errorf("discard a committed import: %v, want INVALID_STATE", r.Errors)
	}
}

// manyIDs is n ids, as a GraphQL list's inside.
func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(ids, ",")
}

// field is the answer's top-level field name, failing the test when there is none.
func field(t *testing.T, r gqlResult, name string) map[string]any {
	t.Helper()
	m, ok := r.Data[name].(map[string]any)
	if !ok {
		t.Fatalf("%s: no answer (errors %v)", name, r.Errors)
	}
	return m
}

// commitAndWait commits a previewed job as the admin and waits until it is COMMITTED.
func commitAndWait(t *testing.T, w *world, id string) {
	t.Helper()
	if r := w.do(t, w.callers["admin"], fmt.Sprintf(`mutation { commit(jobId: %s) { id } }`, id), nil); len(r.Errors) > 0 {
		t.Fatalf("commit %s: %v", id, r.Errors)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r := w.do(t, w.callers["admin"], fmt.Sprintf(`{ node(id: %s) { ... on ImportJob { status error } } }`, id), nil)
		n, _ := r.Data["node"].(map[string]any)
		switch n["status"] {
		case "COMMITTED":
			return
		case "FAILED":
			t.Fatalf("commit %s failed: %v", id, n["error"])
		}
	}
	t.Fatalf("commit %s did not finish", id)
}

// waitPupil waits until the pupil satisfies ok (an undo runs in the background).
func waitPupil(t *testing.T, c *ent.Client, id int, ok func(*ent.Account) bool) {
	t.Helper()
	sys := auth.System(context.Background())
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok(c.Account.GetX(sys, id)) {
			return
		}
	}
	t.Fatalf("pupil %d: not as expected after 20 s", id)
}

// TestOnerosterExportURL tries School.onerosterExportUrl as every role of the authorization
// world and downloads what it names: only the school's admin and its READ_ROSTERS token get a
// URL, and the zip from it; everyone else reads null (when they see the school at all) and
// gets 404 from the download itself.
func TestOnerosterExportURL(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			path := "/api/schools/" + strconv.Itoa(w.ids["schoolA"]) + "/oneroster.zip"
			for _, role := range roles {
				r := w.do(t, w.callers[role], `{ schools(first: 10) { edges { node { brin onerosterExportUrl } } } }`, nil)
				var url any
				if s, ok := r.Data["schools"].(map[string]any); ok {
					for _, e := range s["edges"].([]any) {
						n := e.(map[string]any)["node"].(map[string]any)
						if n["brin"] == "01AA" {
							url = n["onerosterExportUrl"]
						}
					}
				}
				allowed := slices.Contains(rosterRead, role)
				if allowed && url != path || !allowed && url != nil || internal(r) {
					t.Errorf("%s: onerosterExportUrl %v, want allowed=%v (errors %v)", role, url, allowed, r.Errors)
				}
				status, _, body := w.get(t, w.callers[role], path)
				want := map[bool]int{true: 200, false: 404}[allowed]
				if status != want {
					t.Errorf("%s: download %d, want %d: %.200s", role, status, want, body)
					continue
				}
				if allowed {
					if _, err := zip.NewReader(strings.NewReader(body), int64(len(body))); err != nil {
						t.Errorf("%s: not a zip: %v", role, err)
					}
				}
			}
		})
	}
}
