package importer_test

import (
	"testing"

	"github.com/numo/accounts/internal/importer"
)

func TestNormalizeLevel(t *testing.T) {
	tests := map[importer.Level][]string{
		"vmbo-b/k":     {"vmbo-bk", "VMBO BK", "basis/kader", "Basis-kader", "BK", "bb/kb", "BB/KB", "vmbo-b/k", "BK1", "1BK", "vmbo bk 2"},
		"vmbo-b":       {"basis", "vmbo-bb", "bb", "BB", "vmbo-b", "vmbo b", "B2", "BB2", "vmbo-bbl"},
		"vmbo-k":       {"kader", "kb", "KB", "vmbo-kb", "vmbo-k", "K3", "KB3", "Vmbo-K 3"},
		"vmbo-gt":      {"mavo", "MAVO", "vmbo-tl", "tl", "gl", "gl/tl", "GL/TL", "vmbo-gl/tl", "vmbo-t", "vmbo-gt", "vmbo-g", "GT3", "M2", "T1", "mavo 4", "4 mavo"},
		"vmbo-k/gt":    {"k/gt", "kader/mavo", "K/TL", "vmbo-k/gt", "kb/tl"},
		"vmbo-gt/havo": {"mavo/havo", "tl/havo", "gt/havo", "MAVO-HAVO", "vmbo-gt/havo", "MH1"},
		"havo/vwo":     {"h/v", "HAVO/VWO", "hv", "HV", "havo-vwo", "HV1", "1hv", "h/v 2"},
		"havo":         {"havo", "HAVO", "Havo", "H4", "havo 4", "4havo", "tto havo"},
		"vwo":          {"vwo", "atheneum", "Atheneum", "gymnasium", "Gymnasium", "VWO+", "vwo plus", "tto vwo", "TTO-VWO", "tweetalig vwo", "AG2", "V5", "A5", "G6", "vwo 6"},
		"pro":          {"praktijkonderwijs", "Praktijkonderwijs", "pro", "PrO", "pr", "PR1"},
		"po":           {"groep", "jaargroep", "groep 5", "Jaargroep 7", "basisonderwijs", "po", "PO", "basisschool"},
	}
	for want, raws := range tests {
		for _, raw := range raws {
			got, ok := importer.NormalizeLevel(raw)
			if !ok || got != want {
				t.Errorf("NormalizeLevel(%q) = %q, %v; want %q", raw, got, ok, want)
			}
		}
	}
	for _, canon := range importer.Levels() {
		if got, ok := importer.NormalizeLevel(string(canon)); !ok || got != canon {
			t.Errorf("canonical %q reads as %q, %v", canon, got, ok)
		}
	}
}

func TestNormalizeLevelUnrecognised(t *testing.T) {
	// Vague or unknown values must not be guessed.
	for _, raw := range []string{"", " ", "vmbo", "technasium", "lyceum", "mbo", "h", "v", "g", "k", "b", "4", "HV1a", "1HV2", "onbekend", "x"} {
		if got, ok := importer.NormalizeLevel(raw); ok || got != "" {
			t.Errorf("NormalizeLevel(%q) = %q, %v; want unrecognised", raw, got, ok)
		}
	}
}

func TestLevels(t *testing.T) {
	want := []importer.Level{"po", "pro", "vmbo-b", "vmbo-k", "vmbo-gt", "havo", "vwo", "vmbo-b/k", "vmbo-k/gt", "vmbo-gt/havo", "havo/vwo"}
	got := importer.Levels()
	if len(got) != len(want) {
		t.Fatalf("Levels() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Levels() = %v, want %v", got, want)
		}
	}
	got[0] = "changed"
	if importer.Levels()[0] != "po" {
		t.Error("Levels() returns shared state")
	}
}
