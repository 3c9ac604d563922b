package names_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/names"
)

func TestClassKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2HV", "2hv"},
		{" 2hv ", "2hv"},
		{"Groep  7\tA", "groep 7 a"},
		{"e\u0301xtra", "éxtra"},
	}
	for _, tt := range tests {
		if got := names.ClassKey(tt.in); got != tt.want {
			t.Errorf("ClassKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSortKey(t *testing.T) {
	people := [][2]string{{"Yılmaz", "Mehmet"}, {"Çelik", "Emre"}, {"Brouwer", "Finn"}, {"Böhm", "Mila"}, {"Bakker", "Daan"}, {"Dijk", "Zoë"}, {"dijk", "Anna"}, {"Østergaard", "Lars"}}
	want := []string{"Bakker", "Böhm", "Brouwer", "Çelik", "dijk", "Dijk", "Østergaard", "Yılmaz"}
	slices.SortFunc(people, func(a, b [2]string) int {
		return strings.Compare(names.SortKey(a[0], a[1]), names.SortKey(b[0], b[1]))
	})
	for i, p := range people {
		if p[0] != want[i] {
			t.Fatalf("sorted %v, want last names %v", people, want)
		}
	}
}
