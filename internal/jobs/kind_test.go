package jobs_test

import (
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
	"github.com/numo/accounts/internal/jobs"
)

// TestKindsApart: a school's remembered mappings of pupil and teacher files with the same
// headers never mix: a pupil mapping is keyed by the header signature as before, a teacher
// mapping apart from it; DetectKind offers the kind the school confirmed for these headers,
// else what the headers say.
func TestKindsApart(t *testing.T) {
	const teachers = "Medewerker;Roepnaam;Achternaam;Lesgroepen\nSMI;Karin;Smits;h4.ne1\n"
	f, err := importer.Parse([]byte(teachers))
	if err != nil {
		t.Fatal(err)
	}
	sig := importer.HeadersSignature(f.Columns)
	teacherMapping := map[string]string{"Medewerker": "key", "Roepnaam": "firstName", "Achternaam": "lastName", "Lesgroepen": "teaches"}
	for _, tc := range []struct {
		name     string
		mappings map[string]map[string]string
		kind     importer.Kind // DetectKind
		key      string        // the teacher proposal's field of Medewerker
	}{
		{"nothing remembered: the headers read as pupils", nil, importer.KindPupils, ""},
		{"a teacher mapping remembered", map[string]map[string]string{"teachers:" + sig: teacherMapping}, importer.KindTeachers, "key"},
		{"a pupil mapping under the same headers is not offered to teachers",
			map[string]map[string]string{sig: {"Medewerker": "key", "Roepnaam": "firstName", "Achternaam": "lastName", "Lesgroepen": "class"}}, importer.KindPupils, ""},
	} {
		s := &ent.School{ColumnMappings: tc.mappings}
		if k := jobs.DetectKind(s, f.Columns); k != tc.kind {
			t.Errorf("%s: DetectKind %s, want %s", tc.name, k, tc.kind)
		}
		m := jobs.Propose(s, f, importer.KindTeachers)
		if got := string(m.Chosen[0]); got != tc.key || m.Kind != importer.KindTeachers || m.Chosen[3] != importer.FieldTeaches {
			t.Errorf("%s: teacher proposal %+v", tc.name, m)
		}
		_, pupilRemembered := tc.mappings[sig]
		if p := jobs.Propose(s, f, importer.KindPupils); p.Kind != "" || p.Remembered != pupilRemembered || m.Remembered != (tc.key != "") {
			t.Errorf("%s: pupil proposal %+v", tc.name, p)
		}
	}
}

// TestKindOfStoredJobs: a job and a mapping stored before kinds read as pupils.
func TestKindOfStoredJobs(t *testing.T) {
	m, err := jobfile.DecodeMapping([]byte(`{"columns":[{"index":0,"header":"Stamnr"}],"chosen":{"0":"key"}}`))
	if err != nil || m.Kind != "" {
		t.Fatalf("old mapping: %+v, %v", m, err)
	}
	if k := jobs.KindOf(&ent.ImportJob{}); k != importer.KindPupils {
		t.Errorf("a job without file_kind is %s", k)
	}
	if k := jobs.KindOf(&ent.ImportJob{FileKind: importjob.FileKindTEACHERS}); k != importer.KindTeachers {
		t.Errorf("a teacher job is %s", k)
	}
	for in, want := range map[importer.Kind]importjob.FileKind{"": importjob.FileKindPUPILS, importer.KindPupils: importjob.FileKindPUPILS, importer.KindTeachers: importjob.FileKindTEACHERS} {
		if got := jobs.FileKind(in); got != want {
			t.Errorf("FileKind(%q) = %s, want %s", in, got, want)
		}
	}
}
