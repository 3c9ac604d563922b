package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testdb"
)

// groupsJSON is what a script reads from numo import --json about kinds and groups.
type groupsJSON struct {
	ExitCode  int           `json:"exitCode"`
	Applied   bool          `json:"applied"`
	Kind      importer.Kind `json:"kind"`
	KindGiven bool          `json:"kindGiven"`
	importer.Counts
	GroupsCreated []string `json:"groupsCreated"`
	GroupChanges  []struct {
		Line             int
		Key, Name, Field string
		Before, After    string
	} `json:"groupChanges"`
	Errors []jsonProblem `json:"errors"`
}

// groupsStep is one command line of TestImportTeachersAndGroups.
type groupsStep struct {
	name   string
	args   []string // after "import --school 99XX"
	code   int
	check  func(t *testing.T, got groupsJSON) // for --json runs
	out    []string                           // substrings of stdout
	errOut []string                           // substrings of stderr
}

func groupsSteps(t *testing.T) []groupsStep {
	root := filepath.Join("..", "..", "testdata")
	pupils := filepath.Join(root, "lesgroepen", "api-leerlingen.csv")
	moves := filepath.Join(root, "lesgroepen", "api-leerlingen-wissel.csv")
	teachers := filepath.Join(root, "teachers", "api-docenten.csv")
	teachers2 := filepath.Join(root, "teachers", "api-docenten-wissel.csv")
	unrecognised := filepath.Join(root, "teachers", "api-medewerkers-onherkend.csv")
	mapping := filepath.Join(t.TempDir(), "docenten.json")
	if err := os.WriteFile(mapping, []byte(`{"Medewerker":"key","Roepnaam":"firstName","Achternaam":"lastName","E-mail":"email","Lesgroepen":"teaches"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return []groupsStep{
		{name: "pupils with lesgroepen", args: []string{"--add", "--json", pupils}, check: func(t *testing.T, g groupsJSON) {
			if g.Kind != importer.KindPupils || g.KindGiven || g.Added != 6 || g.GroupsJoined != 17 || len(g.GroupsCreated) != 6 || !g.Applied {
				t.Errorf("pupils: %+v", g)
			}
		}},
		{name: "moves, readable", args: []string{"--add", "--update", moves}, out: []string{
			"Soort bestand: leerlingen (herkend aan de kolomnamen", "Groepskoppelingen: 2 erbij, 2 eraf.", "Nieuwe lesgroepen (1): h4.in1", "Groepswijzigingen (3):",
			"regel 2: 6001 (Lotte Smit): lesgroepen: h4.en1, h4.ne1, h4.wiA1 → h4.en1, h4.ne1, h4.wiB1"}},
		{name: "teachers recognised", args: []string{"--add", "--json", teachers}, check: func(t *testing.T, g groupsJSON) {
			if g.Kind != importer.KindTeachers || g.Added != 4 || g.GroupsJoined != 9 || len(g.GroupsCreated) != 0 {
				t.Errorf("teachers: %+v", g)
			}
		}},
		{name: "teacher archive unconfirmed", args: []string{"--add", "--update", "--archive", "--json", teachers2}, code: 3, check: func(t *testing.T, g groupsJSON) {
			if g.Archived != 1 || g.Added != 1 || g.Updated != 1 || g.Refused != 1 || !hasCode(g.Errors, "archive_confirmation_required") || !hasCode(g.Errors, importer.CodeNotATeacher) {
				t.Errorf("teacher archive: %+v", g)
			}
		}},
		{name: "teacher archive confirmed, readable", args: []string{"--add", "--update", "--archive", "--confirm-archive", "1", teachers2},
			out: []string{"Soort bestand: docenten", "gearchiveerd", "Groepswijzigingen", "SMI (Karin Smits)"}},
		{name: "not recognised as teachers", args: []string{"--add", "--dry-run", "--json", unrecognised}, code: 1, check: func(t *testing.T, g groupsJSON) {
			if g.Kind != importer.KindPupils || !hasCode(g.Errors, importer.CodeRequiredUnmapped) {
				t.Errorf("unrecognised: %+v", g)
			}
		}},
		{name: "--kind teachers without the code column", args: []string{"--add", "--dry-run", "--kind", "teachers", unrecognised}, code: 1,
			errOut: []string{"Docentcode is verplicht", "--mapping"}},
		{name: "--kind teachers with --mapping", args: []string{"--add", "--update", "--dry-run", "--json", "--kind", "teachers", "--mapping", mapping, unrecognised},
			check: func(t *testing.T, g groupsJSON) {
				if g.Kind != importer.KindTeachers || !g.KindGiven || g.Updated != 2 || g.Applied {
					t.Errorf("--kind teachers: %+v", g)
				}
			}},
		{name: "--kind bogus", args: []string{"--add", "--kind", "ouders", pupils}, code: 1, errOut: []string{"--kind must be pupils or teachers"}},
	}
}

// TestImportTeachersAndGroups runs numo import on both databases with a pupil export with
// lesgroepen (created, moved, shown), teacher exports (recognised, archive guard, a pupil's
// number refused) and --kind for a teacher export whose headers read as pupils.
func TestImportTeachersAndGroups(t *testing.T) {
	steps := groupsSteps(t)
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cliSchool(t, url, "99XX", "Testschool")
		for _, st := range steps {
			args := append(append([]string{"import", "--school", "99XX"}, st.args...), "--db", url)
			stdout, stderr := numoExit(t, st.name, st.code, args...)
			wantIn(t, st.name, "stdout", stdout, st.out)
			wantIn(t, st.name, "output", stdout+stderr, st.errOut)
			if st.check != nil {
				var got groupsJSON
				if err := json.Unmarshal([]byte(stdout), &got); err != nil {
					t.Fatalf("%s: %v\n%s", st.name, err, stdout)
				}
				st.check(t, got)
			}
		}
	})
}
