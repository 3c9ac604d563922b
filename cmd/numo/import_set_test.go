package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/testdb"
)

// TestImportRosterSet runs numo import on roster sets (a folder; a set of two schools with
// --brin; a damaged set) on both databases: the pupils, then the teachers, each one job.
func TestImportRosterSet(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "rosterset")
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cliSchool(t, url, "99XZ00", "Het Baken")
		imp := func(args ...string) (int, string, string) {
			return numoCmd(append([]string{"import", "--school", "99XZ00", "--db", url}, args...)...)
		}
		code, stdout, stderr := imp("--add", "--update", "--json", filepath.Join(root, "oneroster12"))
		var got struct {
			Format    string
			ExitCode  int
			SetSchool struct{ Identifier string }
			Skipped   []struct {
				File string
				Line int
			}
			Imports []struct {
				Kind    string
				Applied bool
				JobID   int
				Added   int
			}
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 {
			t.Fatalf("exit %d: %v\n%s\n%s", code, err, stdout, stderr)
		}
		if got.Format != "ONEROSTER1.2" || len(got.Imports) != 2 || got.Imports[0].Kind != "pupils" || got.Imports[0].Added != 20 ||
			got.Imports[1].Kind != "teachers" || got.Imports[1].Added != 4 || !got.Imports[1].Applied || got.Imports[1].JobID == 0 {
			t.Fatalf("set import: %s", stdout)
		}
		if got.SetSchool.Identifier != "99XZ00" || len(got.Skipped) != 3 || got.Skipped[0].File != "users.csv" || got.Skipped[0].Line < 2 {
			t.Errorf("set in --json: %+v", got)
		}
		// Again: nothing changes.
		code, stdout, _ = imp("--add", "--update", filepath.Join(root, "oneroster12"))
		if code != 0 || !strings.Contains(stdout, "Herkend: OneRoster 1.2 — 20 leerlingen, 4 docenten") ||
			!strings.Contains(stdout, "Set oneroster12: 20 rijen uit users.csv") || !strings.Contains(stdout, "Soort bestand: docenten (uit de set).") || !regexp.MustCompile(`ongewijzigd +20\n`).MatchString(stdout) {
			t.Errorf("second run: %d\n%s", code, stdout)
		}
		// A zip (the e2e test's, pupil numbers 7702xx): a dry run writes nothing.
		code, stdout, _ = imp("--add", "--dry-run", filepath.Join("..", "..", "frontend", "e2e", "fixtures", "rosterset-oneroster12.zip"))
		if code != 0 || !strings.Contains(stdout, "Set rosterset-oneroster12.zip: 20 rijen") || !regexp.MustCompile(`toegevoegd +20\n`).MatchString(stdout) {
			t.Errorf("zip: %d\n%s", code, stdout)
		}
		code, stdout, _ = imp("--add", "--dry-run", "--brin", "99XZ00", filepath.Join(root, "damaged", "oneroster12-two-schools"))
		if code != 0 || !strings.Contains(stdout, "de regels van de andere 1 scholen zijn overgeslagen") {
			t.Errorf("two schools: %d\n%s", code, stdout)
		}
		// An SDS set without Numo's classType column: the stamklassen inferred from the section
		// names are printed before the import (which then stops at the set's raw grades, levels
		// Numo asks the admin about).
		_, stdout, _ = imp("--add", "--dry-run", filepath.Join(root, "sds1-nl"))
		if !strings.Contains(stdout, "Stamklassen afgeleid uit de sectienamen: 3 — H4a (4), H4b (4), 1A (4).") {
			t.Errorf("sds1-nl:\n%s", stdout)
		}
		// A set of the TeamSync script (only "1A ak" sections): no stamklas is found, the
		// candidates are printed; with --stamklassen every pupil has their Klas.
		_, stdout, _ = imp("--add", "--dry-run", filepath.Join(root, "sds1-teamsync"))
		if !strings.Contains(stdout, "Stamklassen afgeleid uit de sectienamen: 0") ||
			!strings.Contains(stdout, "Mogelijke stamklassen (kies ze met --stamklassen 1A,1B): 1A (2), 1B (2), 2A (1).") ||
			strings.Count(stdout, "let op:") != 1 || !strings.Contains(stdout, "let op: Student.csv, regel 2: 5 leerlingen: geen stamklas te bepalen") {
			t.Errorf("sds1-teamsync:\n%s", stdout)
		}
		code, stdout, stderr = imp("--add", "--dry-run", "--level", "07=havo", "--level", "08=havo", "--stamklassen", "1A, 1B,2A", filepath.Join(root, "sds1-teamsync"))
		if !strings.Contains(stdout, "Stamklassen gekozen met --stamklassen: 3 — 1A (2), 1B (2), 2A (1).") || strings.Contains(stdout, "let op:") ||
			!regexp.MustCompile(`toegevoegd +5\n`).MatchString(stdout) {
			t.Errorf("sds1-teamsync --stamklassen: exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, _, stderr = imp("--add", filepath.Join(root, "damaged", "sds1-dangling"))
		if code != exitFileRefused || !strings.Contains(stderr, "StudentEnrollment.csv, regel 68") {
			t.Errorf("damaged set: exit %d\n%s", code, stderr)
		}
	})
}
