package importer_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

func TestParseYear(t *testing.T) {
	tests := []struct {
		cell, class string
		want        []int // nil = not ok
	}{
		{"3", "", []int{3}},
		{" 3 ", "5A", []int{3}},
		{"03", "", []int{3}},
		{"3e", "", []int{3}},
		{"1ste", "", []int{1}},
		{"1/2", "", []int{1, 2}},
		{"1-2", "", []int{1, 2}},
		{"1 / 2", "", []int{1, 2}},
		{"2/1", "", []int{1, 2}},
		{"6-8", "", []int{6, 7, 8}},
		{"6/8", "", []int{6, 8}},
		{"1 en 2", "", []int{1, 2}},
		{"groep 5", "", []int{5}},
		{"Groep 1/2", "", []int{1, 2}},
		{"jaargroep 5", "", []int{5}},
		{"Leerjaar 3", "", []int{3}},
		{"HV1", "", []int{1}},
		{"havo 4", "", []int{4}},
		{"0", "", nil},
		{"9", "", nil},
		{"12", "", nil},
		{"twee", "2B", nil}, // a value that is there but not understood is not replaced by a guess
		{"?", "", nil},
		{"", "2B", []int{2}},
		{"", "H3a", []int{3}},
		{"", "hv1a", []int{1}},
		{"", "4havo", []int{4}},
		{"", "groep 7a", []int{7}},
		{"", "Groep 8", []int{8}},
		{"", "1/2b", []int{1, 2}},
		{"", "groep 7/8", []int{7, 8}},
		{"", "klas 3c", []int{3}},
		{"", "3.1", []int{3}},
		{"", "VWO 5", []int{5}},
		{"", "B1A", []int{1}},
		{"", "10A", nil},
		{"", "2024-1A", nil},
		{"", "Tijgers 2", nil},
		{"", "Kangoeroes", nil},
		{"", "", nil},
	}
	for _, tt := range tests {
		got, ok := importer.ParseYear(tt.cell, tt.class)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("ParseYear(%q, %q) = %v, %v; want %v", tt.cell, tt.class, got, ok, tt.want)
		}
	}
}

func TestYearFromStudieCode(t *testing.T) {
	tests := map[string]int{
		"HV1": 1, "hv 2": 2, "AG2": 2, "GT3": 3, "H4": 4, "V5": 5, "A5": 5, "G6": 6, "B2": 2, "BB2": 2,
		"K3": 3, "KB3": 3, "M2": 2, "BK1": 1, "1HV": 1, "havo 4": 4, "groep 5": 5, "vmbo-k 3": 3,
		"havo": 0, "HV": 0, "HV9": 0, "X1": 0, "1": 0, "": 0, "technasium 2": 0, "HV12": 0,
	}
	for code, want := range tests {
		got, ok := importer.YearFromStudieCode(code)
		if ok != (want != 0) || got != want {
			t.Errorf("YearFromStudieCode(%q) = %d, %v; want %d", code, got, ok, want)
		}
	}
}

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
		s := importedSchool(t, db, "21YG", "transition/school_2026.csv")
		apply(t, db, prepare(t, "transition/school_2027.csv"), s.ID, all, importer.ApplyOptions{ConfirmArchive: 10})
		for _, tc := range tests {
			p, err := importer.PlanFor(sys, db, s.ID, prepare(t, tc.file), update)
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
			if _, err := importer.Apply(sys, db, back.Input, s.ID, update, importer.ApplyOptions{ConfirmYearDown: confirm}); !errors.As(err, &ye) || ye.Guard.YearDown != 20 {
				t.Fatalf("apply confirming %d: %v, want YearDownConfirmationError of 20", confirm, err)
			}
		}
		if n := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.Year(3), account.StatusEQ(account.StatusACTIVE)).CountX(sys); n != 10 {
			t.Fatalf("a refused apply changed years: %d pupils in year 3, want 10", n)
		}
		done := apply(t, db, back, s.ID, update, importer.ApplyOptions{ConfirmYearDown: 20})
		if done.Counts.Updated != 30 || done.YearGuard.YearDown != 20 {
			t.Fatalf("confirmed apply: %+v, %+v", done.Counts, done.YearGuard)
		}
	})
}
