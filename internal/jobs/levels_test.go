package jobs_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

const levelsCSV = "Stamnr;Roepnaam;Achternaam;Klas;Studie\n" +
	"1;Anna;Jansen;4T1;technasium\n2;Bram;Smit;ISK1;ISK\n3;Cas;Bos;4L1;lyceum\n4;Dik;Bos;4L1;Lyceum\n" +
	"5;Eva;Bos;KK1;Kopklas\n6;Fem;Bos;4H1;havo 4\n"

// TestLevelDecisions: a level value is decided when the school mapped it to a canonical level
// or to "" (no level); a value mapped to something that is no level any more, or not mapped,
// is undecided and blocks (Problems, CheckLevels) until Decide decides it.
func TestLevelDecisions(t *testing.T) {
	f, err := importer.Parse([]byte(levelsCSV))
	if err != nil {
		t.Fatal(err)
	}
	school := &ent.School{LevelMappings: map[string]string{"technasium": "vwo", "isk": "", "lyceum": "VWO-ish"}}
	m := jobs.Propose(school, f, "")
	want := []jobs.LevelValue{
		{Value: "technasium", Count: 1, Level: "vwo", Decided: true},
		{Value: "ISK", Count: 1, Level: "", Decided: true},
		{Value: "lyceum", Count: 2},
		{Value: "Kopklas", Count: 1},
	}
	if got := m.LevelValues(); !reflect.DeepEqual(got, want) {
		t.Errorf("LevelValues = %+v, want %+v", got, want)
	}
	probs := m.Problems()
	if len(probs) != 1 || probs[0].Code != importer.CodeUnknownLevel || !strings.Contains(probs[0].NL, `"lyceum" (2 leerlingen), "Kopklas" (1 leerling)`) ||
		!strings.Contains(probs[0].EN, `"lyceum" (2 pupils), "Kopklas" (1 pupil)`) {
		t.Errorf("Problems = %+v", probs)
	}
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m.Chosen, LevelMap: m.Levels})
	if err != nil {
		t.Fatal(err)
	}
	var e *apperr.Error
	if err := jobs.CheckLevels(res, false); !errors.As(err, &e) || e.Code() != apperr.CodeMappingInvalid {
		t.Fatalf("CheckLevels = %v, want MAPPING_INVALID", err)
	}
	if list, _ := e.Extensions()["unknownLevels"].([]map[string]any); len(list) != 2 || list[0]["value"] != "lyceum" || list[0]["count"] != 2 {
		t.Errorf("unknownLevels = %v", e.Extensions()["unknownLevels"])
	}

	if err := m.Decide([]jobs.LevelChoice{{Value: "Lyceum", Level: "atheneum"}}); err == nil {
		t.Error("Decide accepted a level that is not canonical")
	}
	if err := m.Decide([]jobs.LevelChoice{{Value: "LYCEUM", Level: "havo/vwo"}, {Value: "kopklas", Level: ""}}); err != nil {
		t.Fatal(err)
	}
	if u := m.Undecided(); len(u) != 0 || len(m.Problems()) != 0 {
		t.Errorf("after Decide: undecided %v, problems %v", u, m.Problems())
	}
	res, _ = importer.BuildRecords(importer.Input{File: f, Mapping: m.Chosen, LevelMap: m.Levels})
	if err := jobs.CheckLevels(res, false); err != nil {
		t.Errorf("CheckLevels after Decide: %v", err)
	}
	levels := map[string]importer.Level{}
	for _, r := range res.Records {
		levels[r.Key] = r.Level
	}
	if w := map[string]importer.Level{"1": "vwo", "2": "", "3": "havo/vwo", "4": "havo/vwo", "5": "", "6": "havo"}; !reflect.DeepEqual(levels, w) {
		t.Errorf("levels %v, want %v", levels, w)
	}
}

// TestOtherLevels: a file with more unrecognised level values than a job lists (a column that
// is no level column) says so, and blocks until "all other values: no level" (OtherLevels)
// decides every value not decided one by one; that choice takes no level other than "".
func TestOtherLevels(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "import", "many_levels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := importer.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m := jobs.Propose(&ent.School{}, f, "")
	if got := m.LevelValues(); len(got) != jobs.MaxUnknownLevels || m.UnknownTotal != 260 || got[0].Value != "traject 001" || got[0].Count != 3 {
		t.Fatalf("%d level values (first %+v), total %d; want %d of 260", len(got), got[0], m.UnknownTotal, jobs.MaxUnknownLevels)
	}
	probs := m.Problems()
	if len(probs) != 1 || !strings.Contains(probs[0].NL, "260 verschillende niveauwaarden") || !strings.Contains(probs[0].NL, "misschien niet het niveau") ||
		!strings.Contains(probs[0].EN, "may not be a level column") || !strings.Contains(probs[0].EN, "All other values: no level") {
		t.Errorf("Problems = %+v", probs)
	}
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m.Chosen, LevelMap: m.Levels})
	if err != nil {
		t.Fatal(err)
	}
	var e *apperr.Error
	if err := jobs.CheckLevels(res, false); !errors.As(err, &e) || !strings.Contains(e.Error(), "260 verschillende") {
		t.Fatalf("CheckLevels = %v, want MAPPING_INVALID saying 260 values", err)
	}
	if list, _ := e.Extensions()["unknownLevels"].([]map[string]any); len(list) != jobs.MaxUnknownLevels {
		t.Errorf("unknownLevels lists %d values, want %d", len(list), jobs.MaxUnknownLevels)
	}
	if err := m.Decide([]jobs.LevelChoice{{Value: jobs.OtherLevels, Level: "vwo"}}); err == nil {
		t.Error("Decide accepted a level for all other values")
	}
	if err := m.Decide([]jobs.LevelChoice{{Value: "traject 001", Level: "havo"}, {Value: jobs.OtherLevels}}); err != nil {
		t.Fatal(err)
	}
	if u := m.Undecided(); len(u) != 0 || len(m.Problems()) != 0 || !m.OtherNoLevel || len(m.Levels) != 1 {
		t.Errorf("after all other values: undecided %d, problems %v, levels %v", len(u), m.Problems(), m.Levels)
	}
	if err := jobs.CheckLevels(res, m.OtherNoLevel); err != nil {
		t.Errorf("CheckLevels with all other values no level: %v", err)
	}
}
