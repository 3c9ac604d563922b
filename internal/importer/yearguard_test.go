package importer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestYearGuard: after the step to 2027, the 2026 file again moves 20 of the 30 active pupils
// back a leerjaar: more than the school's 10 %, so the commit needs that number typed back
// (a wrong or missing number changes nothing); one pupil going back stays under the threshold.
func TestYearGuard(t *testing.T) {
	update := importer.Actions{Add: true, Update: true}
	tests := []struct {
		file     string
		yearDown int
		required bool
	}{
		{"transition/school_2026.csv", 20, true},
		{"year_down/one_back.csv", 1, false},
		{"transition/school_2027.csv", 0, false},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		s := importedSchool(t, db, "21YG", "transition/school_2026.csv")
		apply(t, db, prepare(t, "transition/school_2027.csv"), s.ID, all, importer.ApplyOptions{ConfirmArchive: 10})
		for _, tc := range tests {
			p, err := importer.PlanFor(ctx, db, s.ID, prepare(t, tc.file), update)
			if err != nil {
				t.Fatal(err)
			}
			g := p.YearGuard
			if g.YearDown != tc.yearDown || g.ConfirmationRequired != tc.required || g.ActivePupils != 30 || g.ThresholdPercent != 10 {
				t.Fatalf("%s: year guard %+v, want %d down, required %v", tc.file, g, tc.yearDown, tc.required)
			}
		}
		back := prepare(t, "transition/school_2026.csv")
		for _, confirm := range []int{0, 19} {
			var ye *importer.YearDownConfirmationError
			if _, err := importer.Apply(ctx, db, back.Input, s.ID, update, importer.ApplyOptions{ConfirmYearDown: confirm}); !errors.As(err, &ye) || ye.Guard.YearDown != 20 {
				t.Fatalf("apply confirming %d: %v, want YearDownConfirmationError of 20", confirm, err)
			}
		}
		if n := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.Year(3), account.StatusEQ(account.StatusACTIVE)).CountX(ctx); n != 10 {
			t.Fatalf("a refused apply changed years: %d pupils in year 3, want 10", n)
		}
		done := apply(t, db, back, s.ID, update, importer.ApplyOptions{ConfirmYearDown: 20})
		if done.Counts.Updated != 30 || done.YearGuard.YearDown != 20 {
			t.Fatalf("confirmed apply: %+v, %+v", done.Counts, done.YearGuard)
		}
	})
}
