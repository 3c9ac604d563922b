package importer_test

import (
	"slices"
	"testing"

	"github.com/numo/accounts/internal/importer"
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
