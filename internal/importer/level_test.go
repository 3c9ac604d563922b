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

// exportSpellings are level values as Dutch pupil administrations export them (see the table
// in level.go for where each was found), with the level and year Numo reads from them.
var exportSpellings = []struct {
	raw   string
	level importer.Level
	year  int // 0: the value has no year number
}{
	// Magister "Studie": year and type, the school's own names, leerweg names, codes.
	{"1 mavo/havo", "vmbo-gt/havo", 1}, {"havo 4", "havo", 4}, {"vwo 5 gymnasium", "vwo", 5},
	{"4 havo", "havo", 4}, {"BB 3", "vmbo-b", 3}, {"KB 4", "vmbo-k", 4}, {"GT 2", "vmbo-gt", 2},
	{"basisberoepsgerichte leerweg", "vmbo-b", 0}, {"basisberoepsgerichte leerweg 3", "vmbo-b", 3},
	{"kaderberoepsgerichte leerweg", "vmbo-k", 0}, {"Kaderberoepsgerichte leerweg 4", "vmbo-k", 4},
	{"gemengde leerweg", "vmbo-gt", 0}, {"theoretische leerweg 3", "vmbo-gt", 3},
	{"gemengde en theoretische leerweg", "vmbo-gt", 0}, {"vwo 6 atheneum", "vwo", 6},
	{"3 vwo gymnasium", "vwo", 3}, {"havo/vwo 1", "havo/vwo", 1}, {"2 havo/vwo", "havo/vwo", 2},
	{"BB 1 lwoo", "vmbo-b", 1}, {"KB lwoo 2", "vmbo-k", 2},
	{"HV1", "havo/vwo", 1}, {"MH1", "vmbo-gt/havo", 1}, {"HV2", "havo/vwo", 2}, {"BK1", "vmbo-b/k", 1},
	{"KT", "vmbo-k/gt", 0}, {"KT2", "vmbo-k/gt", 2}, {"TH", "vmbo-gt/havo", 0}, {"TH1", "vmbo-gt/havo", 1},
	{"GT", "vmbo-gt", 0}, {"HA", "havo", 0}, {"HA4", "havo", 4}, {"AT", "vwo", 0}, {"AT5", "vwo", 5},
	{"GY", "vwo", 0}, {"GY6", "vwo", 6}, {"VW", "vwo", 0}, {"VW3", "vwo", 3}, {"H4", "havo", 4},
	{"V5", "vwo", 5}, {"A5", "vwo", 5}, {"G6", "vwo", 6}, {"AG2", "vwo", 2}, {"M2", "vmbo-gt", 2},
	{"T1", "vmbo-gt", 1}, {"B2", "vmbo-b", 2}, {"K3", "vmbo-k", 3}, {"BB2", "vmbo-b", 2}, {"KB3", "vmbo-k", 3},
	{"GT3", "vmbo-gt", 3}, {"BK", "vmbo-b/k", 0}, {"MH", "vmbo-gt/havo", 0},
	// Somtoday "Opleiding".
	{"HAVO 4", "havo", 4}, {"Atheneum 5", "vwo", 5}, {"Gymnasium 1", "vwo", 1}, {"VMBO GL/TL 3", "vmbo-gt", 3},
	{"VMBO basis 2", "vmbo-b", 2}, {"VMBO kader 3", "vmbo-k", 3}, {"Praktijkonderwijs", "pro", 0},
	{"Praktijkonderwijs 2", "pro", 2}, {"Tweetalig VWO 1", "vwo", 1}, {"tto havo", "havo", 0},
	{"TTO vwo 2", "vwo", 2}, {"TTO gymnasium", "vwo", 0}, {"VMBO TL 4", "vmbo-gt", 4}, {"VWO 6", "vwo", 6},
	{"Tweetalig Gymnasium 3", "vwo", 3},
	// Brugklassen as words.
	{"Brugklas mavo/havo 1", "vmbo-gt/havo", 1}, {"HAVO/VWO 2", "havo/vwo", 2}, {"brugklas vmbo-b/k", "vmbo-b/k", 0},
	{"Brugjaar havo/vwo", "havo/vwo", 0}, {"mavo/havo 1", "vmbo-gt/havo", 1}, {"Brugklas havo/vwo", "havo/vwo", 0},
	{"brugklas vmbo-k/tl", "vmbo-k/gt", 0}, {"Brugklas vmbo-tl/havo 1", "vmbo-gt/havo", 1},
	{"brugklas basis/kader", "vmbo-b/k", 0}, {"Brugklas Kader/Mavo", "vmbo-k/gt", 0}, {"klas 1 havo/vwo", "havo/vwo", 1},
	{"leerjaar 2 mavo", "vmbo-gt", 2},
	// Other exports and school forms.
	{"VMBO BL/KL", "vmbo-b/k", 0}, {"VMBO GL/TL", "vmbo-gt", 0}, {"Vmbo-bb", "vmbo-b", 0}, {"Vmbo-kb", "vmbo-k", 0},
	{"Vmbo-gl", "vmbo-gt", 0}, {"Vmbo-tl", "vmbo-gt", 0}, {"Tl-Havo", "vmbo-gt/havo", 0}, {"VMBO Basis", "vmbo-b", 0},
	{"VMBO Kader", "vmbo-k", 0}, {"VMBO basisberoepsgericht", "vmbo-b", 0}, {"VMBO kaderberoepsgericht", "vmbo-k", 0},
	{"VMBO_BB_KB", "vmbo-b/k", 0}, {"VMBO_GL_TL", "vmbo-gt", 0}, {"VMBO Basis Kader", "vmbo-b/k", 0},
	{"VMBO Gemengd Theoretisch", "vmbo-gt", 0}, {"VMBO Theoretisch & Gemengd", "vmbo-gt", 0},
	{"Praktijk Onderwijs", "pro", 0}, {"vmbo basis-kaderberoeps", "vmbo-b/k", 0},
	{"Vmbo theoretische-gemengde leerweg", "vmbo-gt", 0}, {"Vmbo-b", "vmbo-b", 0}, {"Vmbo-k", "vmbo-k", 0},
	{"Vmbo-gt", "vmbo-gt", 0}, {"gymnasium/atheneum", "vwo", 0}, {"Atheneum / Gymnasium 4", "vwo", 4},
	{"VMBO-B/K 2", "vmbo-b/k", 2}, {"vmbo-k/gt 2", "vmbo-k/gt", 2}, {"VMBO (GL/TL) 4", "vmbo-gt", 4},
	{"HAVO+", "havo", 0}, {"Havo 5", "havo", 5}, {"Gymnasium", "vwo", 0}, {"Atheneum", "vwo", 0},
	{"Groep 8", "po", 8}, {"jaargroep 3", "po", 3}, {"Basisonderwijs", "po", 0},
}

func TestExportSpellings(t *testing.T) {
	for _, tt := range exportSpellings {
		t.Run(tt.raw, func(t *testing.T) {
			if got, ok := importer.NormalizeLevel(tt.raw); !ok || got != tt.level {
				t.Errorf("NormalizeLevel(%q) = %q, %v; want %q", tt.raw, got, ok, tt.level)
			}
			if y, ok := importer.YearFromStudieCode(tt.raw); y != tt.year || ok != (tt.year != 0) {
				t.Errorf("YearFromStudieCode(%q) = %d, %v; want %d", tt.raw, y, ok, tt.year)
			}
		})
	}
}

func TestNormalizeLevelUnrecognised(t *testing.T) {
	// Vague or unknown values must not be guessed.
	for _, raw := range []string{"", " ", "vmbo", "technasium", "lyceum", "mbo", "h", "v", "g", "k", "b", "4", "HV1a", "1HV2", "onbekend", "x",
		"ISK", "isk 1", "VSO", "mavo/havo/vwo", "Brugklas", "brugklas 1", "tto", "Tweetalig", "vmbo 3", "kader basis", "havo gymnasium", "lwoo", "havo 4 vwo 5"} {
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

// TestPrimaryFileLevel checks that a primary school's file without a level column gives every
// pupil the level po (primary.go has the rule), and that a secondary school's file without a
// level column does not.
func TestPrimaryFileLevel(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want importer.Level
	}{
		{"a Jaargroep column (pipe_mixed_eol.csv)", readFixture(t, "pipe_mixed_eol.csv"), importer.LevelPO},
		{"class names 1a to 8b, no year column (primary_klassen.csv)", readFixture(t, "primary_klassen.csv"), importer.LevelPO},
		{"a Groep column", []byte("Leerlingnummer;Voornaam;Achternaam;Groep\n1;Anna;Bos;3a\n2;Bas;Bos;4\n"), importer.LevelPO},
		{"class names groep N", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;groep 3\n2;Bas;Bos;Groep 4/5\n"), importer.LevelPO},
		{"class names gr. N", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;gr. 3a\n2;Bas;Bos;gr. 4\n"), importer.LevelPO},
		{"a Leerjaar column up to 8", []byte("Leerlingnummer;Voornaam;Achternaam;Klas;Leerjaar\n1;Anna;Bos;A;1\n2;Bas;Bos;H;8\n"), importer.LevelPO},
		{"a secondary school's classes 1a to 6b", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;1a\n2;Bas;Bos;6b\n3;Cas;Bos;H4a\n"), ""},
		{"a secondary school's Leerjaar 1 to 6", []byte("Leerlingnummer;Voornaam;Achternaam;Klas;Leerjaar\n1;Anna;Bos;1A;1\n2;Bas;Bos;6V;6\n"), ""},
		{"a level column decides, even in year 8", []byte("Leerlingnummer;Voornaam;Achternaam;Groep;Niveau\n1;Anna;Bos;8a;havo\n"), importer.LevelHAVO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := build(t, tt.data)
			if len(res.Records) == 0 {
				t.Fatalf("no records; refused %v", res.Refused)
			}
			for _, r := range res.Records {
				if r.Level != tt.want {
					t.Errorf("line %d (class %q, years %v): level %q, want %q", r.Line, r.Class, r.Years, r.Level, tt.want)
				}
			}
			if len(res.UnknownLevels) != 0 {
				t.Errorf("unknown levels %v", res.UnknownLevels)
			}
		})
	}
}
