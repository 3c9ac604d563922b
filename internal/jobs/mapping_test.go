package jobs_test

import (
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

const csv = "Stamnr;Roepnaam;Achternaam;Klas;Niveau;Opmerking\n1;Anna;Jansen;1A;vwo;x\n2;Bram;Smit;1A;gymnasium+;y\n"

// TestPropose: a new file starts from the school's remembered column mapping for the same
// headers (confidence 1 for every chosen column) and its level mappings; without one, from the
// proposal (with the proposal's confidence).
func TestPropose(t *testing.T) {
	f, err := importer.Parse([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	fresh := jobs.Propose(&ent.School{}, f, "")
	if fresh.Remembered || fresh.Chosen[0] != "key" || fresh.Chosen[2] != "lastName" {
		t.Fatalf("proposal: %+v", fresh)
	}
	views := fresh.ColumnViews()
	if len(views) != 6 || views[0].Field != "key" || views[0].Confidence <= 0 || views[5].Field != "" || views[5].Confidence != 0 {
		t.Errorf("proposal's columns: %+v", views)
	}

	remembered := map[string]string{"Stamnr": "key", "Roepnaam": "firstName", "Achternaam": "lastName", "Klas": "class", "Opmerking": "infix"}
	s := &ent.School{
		ColumnMappings: map[string]map[string]string{importer.HeadersSignature(f.Columns): remembered},
		LevelMappings:  map[string]string{importer.NormalizeHeader("gymnasium+"): "VWO"},
	}
	m := jobs.Propose(s, f, "")
	if !m.Remembered || m.Chosen[5] != "infix" || m.Levels[importer.NormalizeHeader("gymnasium+")] != "VWO" {
		t.Fatalf("with the school's mapping: %+v", m)
	}
	for _, v := range m.ColumnViews() {
		if want := remembered[v.Header]; v.Field != want || (want != "" && v.Confidence != 1) {
			t.Errorf("column %s: %q (%v), want %q", v.Header, v.Field, v.Confidence, want)
		}
	}
	if len(m.Problems()) != 0 {
		t.Errorf("problems: %v", m.Problems())
	}

	// A remembered mapping that is no longer valid (no last name) is not used.
	delete(remembered, "Achternaam")
	if m := jobs.Propose(s, f, ""); m.Remembered || m.Chosen[2] != "lastName" {
		t.Errorf("an invalid remembered mapping was used: %+v", m)
	}
}
