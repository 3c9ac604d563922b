package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/internal/testdb"
)

const damagedPreviewMutation = `mutation($job: ID!, $actions: [ImportAction!]!) { preview(jobId: $job, actions: $actions) {
  counts { added updated unchanged kept damaged }
  damagedValues { line column field key stored file kept }
} }`

type damagedValue struct {
	Line                             int
	Column, Field, Key, Stored, File string
	Kept                             bool
}

type damagedPreviewResp struct {
	Preview struct {
		Counts        struct{ Added, Updated, Unchanged, Kept, Damaged int }
		DamagedValues []damagedValue
	}
}

// TestExcelDamageThroughAPI imports a file, then its Excel-damaged copy (issue 12, point 1):
// the preview lists the kept values and the new pupil's damaged names with their counts, the
// report keeps them, and the report download says so in the admin's language with translated
// field names (point 5).
func TestExcelDamageThroughAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "12XD")
		first := a.mustUpload(s.ID, "excel_damage/leerlingen.csv")
		a.commitAndFollow(first.Upload.ID)
		up := a.mustUpload(s.ID, "excel_damage/leerlingen_excel.csv")
		job := up.Upload.ID
		var p damagedPreviewResp
		if err := a.c.Post(damagedPreviewMutation, &p, client.Var("job", job), client.Var("actions", []string{"ADD", "UPDATE"})); err != nil {
			t.Fatalf("preview: %v", err)
		}
		if c := p.Preview.Counts; c.Added != 1 || c.Updated != 1 || c.Unchanged != 4 || c.Kept != 5 || c.Damaged != 2 {
			t.Fatalf("preview counts %+v", c)
		}
		checkDamagedValues(t, p.Preview.DamagedValues)
		a.commitAndFollow(job)
		var r struct {
			Node struct {
				Report struct {
					Counts        struct{ Kept, Damaged int }
					DamagedValues []damagedValue
				}
			}
		}
		if err := a.c.Post(`query($id: ID!) { node(id: $id) { ... on ImportJob { report { counts { kept damaged } damagedValues { line column field key stored file kept } } } } }`,
			&r, client.Var("id", job)); err != nil {
			t.Fatalf("report: %v", err)
		}
		if c := r.Node.Report.Counts; c.Kept != 5 || c.Damaged != 2 {
			t.Fatalf("report counts %+v", c)
		}
		// The history reads the same two counts per job, without the report's lists.
		var h struct {
			ImportJobs struct {
				Edges []struct{ Node struct{ Kept, Damaged int } }
			}
		}
		a.c.MustPost(`{ importJobs(first: 2, orderBy: {field: CREATED_AT, direction: DESC}) { edges { node { kept damaged } } } }`, &h)
		if e := h.ImportJobs.Edges; len(e) != 2 || e[0].Node.Kept != 5 || e[0].Node.Damaged != 2 || e[1].Node.Kept != 0 {
			t.Errorf("history counts %+v, want 5 kept and 2 damaged for the second import, none for the first", e)
		}
		checkDamagedValues(t, r.Node.Report.DamagedValues)
		checkTranslatedReport(t, a, job)
	})
}

// commitAndFollow commits a previewed (or just uploaded) job with add and update and waits for it.
func (a *api) commitAndFollow(job string) {
	a.t.Helper()
	if _, err := a.preview(job, "ADD", "UPDATE"); err != nil {
		a.t.Fatalf("preview: %v", err)
	}
	if err := a.commit(job, nil); err != nil {
		a.t.Fatalf("commit: %v", err)
	}
	if ev := a.follow(job); ev[len(ev)-1].ImportProgress.Status != "COMMITTED" {
		a.t.Fatalf("import ended %+v", ev[len(ev)-1])
	}
}

func checkDamagedValues(t *testing.T, got []damagedValue) {
	t.Helper()
	want := []damagedValue{
		{2, "Roepnaam", "firstName", "5001", "Ayşe", "Ay?e", true},
		{2, "Achternaam", "lastName", "5001", "Yıldız", "Y?ld?z", true},
		{3, "Roepnaam", "firstName", "5002", "Barış", "Bar??", true},
		{4, "Roepnaam", "firstName", "5003", "Łukasz", "?ukasz", true},
		{4, "Achternaam", "lastName", "5003", "Wiśniewski", "Wi?niewski", true},
		{7, "Roepnaam", "firstName", "5006", "", "Gül?ah", false},
		{7, "Achternaam", "lastName", "5006", "", "Ayd?n", false},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("damaged values\n got %+v\nwant %+v", got, want)
	}
}

// checkTranslatedReport downloads the report in Dutch and in English: field names, values and
// outcomes in the one language, the kept values and the totals on it.
func checkTranslatedReport(t *testing.T, a *api, job string) {
	t.Helper()
	for _, tc := range []struct {
		query, acceptLanguage string
		want, notWant         []string
	}{
		{"", "", []string{"\ufeffRegel;Leerlingnummer", "klas: 1A → 2A; leerjaar: 1 → 2", `roepnaam: ""Ayşe"" behouden`, "bijgewerkt", "totaal",
			"5 waarden behouden (bestand beschadigd)"}, []string{"class:", "firstName", "lastName", "updated"}},
		{"?lang=en", "", []string{"\ufeffLine;Student number", "class: 1A → 2A; year: 1 → 2", `first name: ""Ayşe"" kept`, ";updated;", ";total;",
			"5 values kept (file damaged)", "2 names with lost letters imported"}, []string{"klas", "bijgewerkt", "behouden", "firstName"}},
		{"", "en-GB,en;q=0.9", []string{"\ufeffLine;Student number", "class: 1A → 2A"}, []string{"klas"}},
	} {
		var lang []string
		if tc.acceptLanguage != "" {
			lang = []string{"Accept-Language", tc.acceptLanguage}
		}
		rec := a.getAs("/api/import-jobs/"+job+"/report.csv"+tc.query, lang...)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("report %s: %d %s", tc.query, rec.Code, body)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("report %q %q lacks %q:\n%s", tc.query, tc.acceptLanguage, w, body)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(body, w) {
				t.Errorf("report %q %q has %q:\n%s", tc.query, tc.acceptLanguage, w, body)
			}
		}
	}
}

// TestYearGuardAPI uploads the 2026 file again after the step to 2027: the preview's year
// guard counts the 20 of 30 active pupils going back a leerjaar, and commit is refused with
// YEAR_DOWN_CONFIRMATION_REQUIRED until confirmYearDown repeats that number.
func TestYearGuardAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "78YG")
		now := time.Now()
		commitFixtureAt(t, a.app.DB(), s.ID, "school_2026.csv", now.AddDate(0, 0, -2))
		commitFixtureAt(t, a.app.DB(), s.ID, "school_2027.csv", now.AddDate(0, 0, -1))
		up := a.mustUpload(s.ID, "transition/school_2026.csv")
		job := up.Upload.ID
		var p struct {
			Preview struct {
				Counts    struct{ Added, Updated int }
				YearGuard struct {
					ConfirmationRequired                     bool
					YearDown, ActivePupils, ThresholdPercent int
				}
			}
		}
		a.c.MustPost(`mutation($job: ID!) { preview(jobId: $job, actions: [ADD, UPDATE]) {
			  counts { added updated } yearGuard { confirmationRequired yearDown activePupils thresholdPercent } } }`, &p, client.Var("job", job))
		if g := p.Preview.YearGuard; !g.ConfirmationRequired || g.YearDown != 20 || g.ActivePupils != 30 || g.ThresholdPercent != 10 || p.Preview.Counts.Updated != 30 {
			t.Fatalf("preview of last year's file: %+v", p.Preview)
		}
		commit := func(confirm *int) error {
			var r map[string]any
			return a.c.Post(`mutation($job: ID!, $down: Int) { commit(jobId: $job, confirmYearDown: $down) { id } }`, &r,
				client.Var("job", job), client.Var("down", confirm))
		}
		wrong, right := 19, 20
		for _, c := range []*int{nil, &wrong} {
			e := errorOf(t, commit(c))
			if e.Extensions["code"] != "YEAR_DOWN_CONFIRMATION_REQUIRED" || e.Extensions["yearDown"] != float64(20) || e.Extensions["activePupils"] != float64(30) {
				t.Fatalf("commit confirming %v answered %+v", c, e)
			}
		}
		if err := commit(&right); err != nil {
			t.Fatalf("confirmed commit: %v", err)
		}
		fin := a.follow(job)
		if r := fin[len(fin)-1].ImportProgress; r.Status != "COMMITTED" || r.Report == nil || r.Report.Counts.Updated != 30 {
			t.Fatalf("confirmed commit ended as %+v", r)
		}
	})
}
