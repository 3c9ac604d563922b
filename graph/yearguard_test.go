package graph_test

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/internal/testdb"
)

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
