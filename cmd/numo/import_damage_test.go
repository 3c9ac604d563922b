package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testdb"
)

// TestImportDamagedSummary checks issue 12.1 for numo import on both databases: after the
// school's file, the same file saved by Excel (letters lost to "?") keeps the stored values;
// the readable summary counts them and lists each kept value (row, column, stored value, file
// value) and each damaged name it imports, and the JSON has the counts and damagedValues.
func TestImportDamagedSummary(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "excel_damage")
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		runOK := func(args ...string) string { t.Helper(); return numoOK(t, append(args, "--db", url)...) }
		cliSchool(t, url, "99XX", "Testschool")
		runOK("import", "--school", "99XX", "--add", filepath.Join(dir, "leerlingen.csv"))
		excel := filepath.Join(dir, "leerlingen_excel.csv")
		out := runOK("import", "--school", "99XX", "--add", "--update", "--dry-run", excel)
		for _, s := range []string{
			"  behouden            5\n", "  beschadigd          2\n",
			"Behouden waarden, bestand beschadigd (5):\n",
			`  regel 2, kolom Roepnaam: "Ayşe" blijft staan (het bestand heeft "Ay?e")`,
			`  regel 4, kolom Achternaam: "Wiśniewski" blijft staan (het bestand heeft "Wi?niewski")`,
			"Namen met verloren letters (2):\n",
			`  regel 7, kolom Roepnaam: "Gül?ah" wordt zo ingelezen (nieuwe leerling 5006)`,
		} {
			if !strings.Contains(out, s) {
				t.Errorf("summary lacks %q:\n%s", s, out)
			}
		}
		var got struct {
			importer.Counts
			DamagedValues []importer.DamagedValue `json:"damagedValues"`
		}
		if err := json.Unmarshal([]byte(runOK("import", "--school", "99XX", "--add", "--update", "--dry-run", "--json", excel)), &got); err != nil {
			t.Fatal(err)
		}
		if got.Kept != 5 || got.Damaged != 2 || len(got.DamagedValues) != 7 {
			t.Fatalf("JSON counts kept %d damaged %d, %d damaged values", got.Kept, got.Damaged, len(got.DamagedValues))
		}
		want := importer.DamagedValue{Line: 2, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5001", Stored: "Ayşe", File: "Ay?e", Kept: true}
		if !reflect.DeepEqual(got.DamagedValues[0], want) {
			t.Errorf("first damaged value %+v, want %+v", got.DamagedValues[0], want)
		}
	})
}
