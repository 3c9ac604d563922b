package jobfile_test

import (
	"bytes"
	"compress/gzip"
	"reflect"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
)

// storedBeforeTags is a mapping as numo stored it before importer.Column had json tags.
const storedBeforeTags = `{"columns":[{"Index":0,"Header":"Stamnr","Samples":["1001","1002"]},{"Index":1,"Header":"Geboortedatum","Samples":["01-02-2012"]},{"Index":2,"Header":"Leeg","Samples":null}],` +
	`"proposed":[{"column":0,"header":"Stamnr","field":"key","confidence":1}],"chosen":{"0":"key"},"levels":{"hv":"HAVO"},"remembered":true}`

func TestMappingStoredBeforeTagsDecodes(t *testing.T) {
	m, err := jobfile.DecodeMapping([]byte(storedBeforeTags))
	if err != nil {
		t.Fatal(err)
	}
	want := []importer.Column{{Index: 0, Header: "Stamnr", Samples: []string{"1001", "1002"}}, {Index: 1, Header: "Geboortedatum", Samples: []string{"01-02-2012"}}, {Index: 2, Header: "Leeg"}}
	if !reflect.DeepEqual(m.Columns, want) {
		t.Fatalf("columns = %+v, want %+v", m.Columns, want)
	}
	if m.Chosen[0] != importer.FieldKey || !m.Remembered || m.Levels["hv"] != "HAVO" || len(m.Proposed) != 1 {
		t.Fatalf("mapping = %+v", m)
	}
	// Encoded again it reads the same, in the new spelling.
	raw, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"header":"Stamnr"`) || strings.Contains(string(raw), `"Header"`) {
		t.Fatalf("encoded = %s", raw)
	}
	again, err := jobfile.DecodeMapping(raw)
	if err != nil || !reflect.DeepEqual(again, m) {
		t.Fatalf("round trip = %+v, %v; want %+v", again, err, m)
	}
}

func TestDropStoredSamples(t *testing.T) {
	for _, tc := range []struct {
		name    string
		raw     string
		drop    func(string) bool
		changed bool
		samples [][]string
	}{
		{"all", storedBeforeTags, nil, true, [][]string{nil, nil, nil}},
		{"some", storedBeforeTags, func(s string) bool { return s == "1002" || s == "01-02-2012" }, true, [][]string{{"1001"}, nil, nil}},
		{"none match", storedBeforeTags, func(string) bool { return false }, false, [][]string{{"1001", "1002"}, {"01-02-2012"}, nil}},
		{"no mapping", "", nil, false, nil},
		{"null mapping", "null", nil, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := jobfile.DropStoredSamples([]byte(tc.raw), tc.drop)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tc.changed {
				t.Fatalf("changed = %v, want %v", changed, tc.changed)
			}
			if !changed && string(out) != tc.raw {
				t.Fatalf("unchanged mapping rewritten: %s", out)
			}
			if tc.samples == nil {
				return
			}
			m, err := jobfile.DecodeMapping(out)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range m.Columns {
				if !reflect.DeepEqual(c.Samples, tc.samples[i]) {
					t.Errorf("column %d samples = %q, want %q", i, c.Samples, tc.samples[i])
				}
			}
			if tc.drop == nil && strings.Contains(strings.ToLower(string(out)), "samples") {
				t.Errorf("samples left: %s", out)
			}
		})
	}
}

// roundTrip stores p as a plan blob and checks that it decodes to the same plan.
func roundTrip(t *testing.T, p *importer.Plan) {
	t.Helper()
	blob, err := jobfile.EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jobfile.DecodePlan(blob)
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("decoded = %+v, %v; want %+v", got, err, p)
	}
}

func TestPlanRoundTrip(t *testing.T) {
	roundTrip(t, &importer.Plan{SchoolID: 3, Hash: "abc", Users: []importer.PlannedUser{{Outcome: importer.OutcomeNew, Line: 2,
		Person: importer.Person{Key: "0042", FirstName: "Zoë", LastName: "Çelik", Year: 3}}}, ClassesToCreate: []string{"3HV1"}})
	if _, err := jobfile.DecodePlan([]byte("not gzip")); err == nil {
		t.Fatal("a broken blob decoded")
	}
}

// storedPlanBeforeDamaged is a plan as numo stored it before plans listed damaged values.
const storedPlanBeforeDamaged = `{"schoolId":3,"actions":{"add":true,"update":true,"archive":false},"users":[{"outcome":"updated","line":2,"accountId":7,` +
	`"key":"5001","firstName":"Ay?e","lastName":"Y?ld?z","class":"2A","changes":[{"field":"firstName","before":"Ayşe","after":"Ay?e"}]}],` +
	`"classesToCreate":null,"counts":{"added":0,"updated":1,"archived":0,"unchanged":0,"skipped":0,"refused":0},"refused":null,"warnings":null,` +
	`"guard":{"toArchive":0,"activePupils":1,"thresholdPercent":10,"confirmationRequired":false},"hash":"h"}`

// TestPlanWithDamagedValues: a plan's damaged values and their counts survive storage, and a
// plan stored before they existed still decodes (with none).
func TestPlanWithDamagedValues(t *testing.T) {
	p := &importer.Plan{SchoolID: 3, Hash: "h", Counts: importer.Counts{Unchanged: 1, Kept: 1, Damaged: 1},
		Damaged: []importer.DamagedValue{
			{Line: 2, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5001", Stored: "Ayşe", File: "Ay?e", Kept: true},
			{Line: 3, Column: "Achternaam", Field: importer.FieldLastName, Key: "5006", File: "Ayd?n"},
		}}
	roundTrip(t, p)
	var old bytes.Buffer
	zw := gzip.NewWriter(&old)
	zw.Write([]byte(storedPlanBeforeDamaged)) //nolint:errcheck // a bytes.Buffer
	zw.Close()                                //nolint:errcheck // a bytes.Buffer
	got, err := jobfile.DecodePlan(old.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Damaged != nil || got.Counts.Kept != 0 || got.Counts.Updated != 1 || got.Users[0].Changes[0].Before != "Ayşe" {
		t.Fatalf("old plan decoded as %+v", got)
	}
}
