package store_test

import (
	"testing"

	"github.com/numo/accounts/internal/store"
)

func TestMostCommon(t *testing.T) {
	type fc = store.FactCount[string]
	for _, tc := range []struct {
		name    string
		counts  []fc
		current string
		want    string
		ok      bool
	}{
		{"no pupils keeps the class's value", nil, "havo/vwo", "havo/vwo", false},
		{"the most common wins", []fc{{"vmbo-b/k", 2}, {"havo", 1}}, "havo/vwo", "vmbo-b/k", true},
		{"a single pupil decides", []fc{{"vwo", 1}}, "", "vwo", true},
		{"a tie keeps the class's value when it is tied", []fc{{"havo", 2}, {"vwo", 2}}, "vwo", "vwo", true},
		{"a tie without it takes the smallest", []fc{{"vwo", 2}, {"havo", 2}}, "vmbo-k", "havo", true},
		{"zero counts do not count", []fc{{"vwo", 0}}, "havo", "havo", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := store.MostCommon(tc.counts, tc.current)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("MostCommon(%v, %q) = %q, %v; want %q, %v", tc.counts, tc.current, got, ok, tc.want, tc.ok)
			}
		})
	}
	if y, ok := store.MostCommon([]store.FactCount[int]{{1, 3}, {2, 3}}, 0); y != 1 || !ok {
		t.Fatalf("years tie = %d, %v; want 1, true", y, ok)
	}
}
