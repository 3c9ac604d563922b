package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// importJSON is what a script reads from numo import --json; decoding into a struct of its own
// pins the field names.
type importJSON struct {
	File       string            `json:"file"`
	DryRun     bool              `json:"dryRun"`
	Applied    bool              `json:"applied"`
	ExitCode   int               `json:"exitCode"`
	JobID      int               `json:"jobId"`
	Encoding   string            `json:"encoding"`
	Delimiter  string            `json:"delimiter"`
	HeaderLine int               `json:"headerLine"`
	Rows       int               `json:"rows"`
	Mapping    map[string]string `json:"mapping"`
	importer.Counts
	ClassesCreated []string      `json:"classesCreated"`
	Warnings       []jsonProblem `json:"warnings"`
	Errors         []jsonProblem `json:"errors"`
}

type jsonProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// dbState is what the database holds for the test school.
type dbState struct {
	active, archived  int
	committed, failed int
}

func readState(t *testing.T, url, brin string) (st dbState) {
	t.Helper()
	withStore(t, url, func(ctx context.Context, db *store.DB) {
		s := db.Client.School.Query().OnlyX(ctx)
		if s.Brin != brin {
			t.Fatalf("school %s in the database, want %s", s.Brin, brin)
		}
		acc := db.Client.Account.Query().Where(account.SchoolID(s.ID))
		job := db.Client.ImportJob.Query().Where(importjob.SchoolID(s.ID))
		st = dbState{
			active:    acc.Clone().Where(account.StatusEQ(account.StatusACTIVE)).CountX(ctx),
			archived:  acc.Clone().Where(account.StatusEQ(account.StatusARCHIVED)).CountX(ctx),
			committed: job.Clone().Where(importjob.StatusEQ(importjob.StatusCOMMITTED)).CountX(ctx),
			failed:    job.Clone().Where(importjob.StatusNEQ(importjob.StatusCOMMITTED)).CountX(ctx),
		}
	})
	return st
}

// importCounts are the counts of a planned file.
type importCounts struct{ added, updated, archived, unchanged int }

// importStep is one command line of TestImportCommand and what it must do.
type importStep struct {
	name   string
	args   []string // after "import --school 99XX"; every command line gets "--db URL" at the end
	cmd    []string // a whole command line instead of args
	code   int
	json   bool          // args include --json: stdout must be one JSON object
	counts *importCounts // expected counts, when the file was planned
	errors []string      // codes expected in the JSON errors
	out    []string      // substrings of stdout
	errOut []string      // substrings of stderr
	after  dbState       // the database afterwards
}

// importSteps are the command lines TestImportCommand runs in order on one database.
func importSteps(t *testing.T) []importStep {
	root := filepath.Join("..", "..", "testdata")
	y2026 := filepath.Join(root, "transition", "school_2026.csv")
	y2027 := filepath.Join(root, "transition", "school_2027.csv")
	excel := filepath.Join(root, "import", "excel_renamed.csv")
	dir := t.TempDir()
	writeFile := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Achternaam left out, and a column the file does not have.
	badMapping := writeFile("bad.json", `{"Stamnr":"key","Roepnaam":"firstName","Klas":"class","Mentor":"infix"}`)
	goodMapping := writeFile("good.json", `{"stamnr":"key","Roepnaam":"firstName","Tussenv":"infix","Achternaam":"lastName",
		"Klas":"class","Studie":"level","Leerjaar":"year","E-mail":"email","Geboortedatum":null}`)

	return []importStep{
		{name: "school create", cmd: []string{"school", "create", "--brin", "99xx", "--name", "Testschool"},
			out: []string{"school 99XX (Testschool) created"}},
		{name: "school create again", cmd: []string{"school", "create", "--brin", "99XX", "--name", "Testschool"},
			out: []string{"exists already"}},
		{name: "unknown school", cmd: []string{"import", "--school", "11ZZ", "--add", y2026}, code: 1,
			errOut: []string{"school 11ZZ bestaat niet; maak hem met numo school create"}},
		{name: "no action", args: []string{y2026}, code: 1, errOut: []string{"--add, --update and/or --archive"}},
		// Several files are a roster set (import_set.go): two pupil exports are none.
		{name: "two files", args: []string{"--add", y2026, y2027}, code: 2, errOut: []string{"Numo herkent hier geen set"}},
		{name: "dry run writes nothing", args: []string{"--add", "--update", "--archive", "--dry-run", "--json", y2026},
			json: true, counts: &importCounts{30, 0, 0, 0}},
		{name: "dry run, readable", args: []string{y2026, "--add", "--dry-run"},
			out: []string{"Proefimport", "toegevoegd", "30", "windows-1252", "kopregel op regel 4", "Nieuwe klassen (aan te maken): 1A, 2A, 3A"}},
		{name: "import", args: []string{"--add", "--update", "--archive", "--json", y2026},
			json: true, counts: &importCounts{30, 0, 0, 0}, after: dbState{active: 30, committed: 1}},
		{name: "same file again", args: []string{"--add", "--update", "--archive", "--json", y2026},
			json: true, counts: &importCounts{0, 0, 0, 30}, after: dbState{active: 30, committed: 2}},
		{name: "next year unconfirmed", args: []string{"--add", "--update", "--archive", "--json", y2027}, code: 3,
			json: true, counts: &importCounts{10, 20, 10, 0}, errors: []string{"archive_confirmation_required"}, after: dbState{active: 30, committed: 2}},
		{name: "next year unconfirmed, readable", args: []string{"--add", "--update", "--archive", y2027}, code: 3,
			out: []string{"Niet toegepast", "gearchiveerd", "10"}, errOut: []string{"bevestig met --confirm-archive 10"},
			after: dbState{active: 30, committed: 2}},
		{name: "next year dry run unconfirmed", args: []string{"--add", "--update", "--archive", "--dry-run", "--json", y2027}, code: 3,
			json: true, counts: &importCounts{10, 20, 10, 0}, errors: []string{"archive_confirmation_required"}, after: dbState{active: 30, committed: 2}},
		{name: "next year wrong number", args: []string{"--add", "--update", "--archive", "--confirm-archive", "9", "--json", y2027}, code: 3,
			json: true, errors: []string{"archive_confirmation_required"}, after: dbState{active: 30, committed: 2}},
		{name: "next year dry run confirmed", args: []string{"--add", "--update", "--archive", "--dry-run", "--confirm-archive", "10", "--json", y2027},
			json: true, counts: &importCounts{10, 20, 10, 0}, after: dbState{active: 30, committed: 2}},
		{name: "next year confirmed", args: []string{"--add", "--update", "--archive", "--confirm-archive", "10", "--json", y2027},
			json: true, counts: &importCounts{10, 20, 10, 0}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "excel workbook", args: []string{"--add", "--json", excel}, code: 2,
			json: true, errors: []string{importer.CodeExcelWorkbook}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "excel workbook, readable", args: []string{"--add", excel}, code: 2,
			errOut: []string{"het bestand is geweigerd: Dit is een Excel-werkmap"}},
		{name: "mapping without last name", args: []string{"--add", "--json", "--mapping", badMapping, y2027}, code: 1,
			json: true, errors: []string{"unknown_column", importer.CodeRequiredUnmapped}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "mapping without last name, readable", args: []string{"--add", "--mapping", badMapping, y2027}, code: 1,
			errOut: []string{`geen kolom "Mentor"`, "Achternaam is verplicht"}},
		{name: "mapping by hand", args: []string{"--add", "--update", "--json", "--mapping", goodMapping, "--dry-run", y2027},
			json: true, counts: &importCounts{0, 0, 0, 30}, after: dbState{active: 30, archived: 10, committed: 3}},
		// Last year's file again: 20 of the 30 active pupils would go back a leerjaar.
		{name: "last year again unconfirmed", args: []string{"--add", "--update", "--json", y2026}, code: 3,
			json: true, counts: &importCounts{0, 30, 0, 0}, errors: []string{"year_down_confirmation_required"}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "last year again, readable", args: []string{"--add", "--update", y2026}, code: 3,
			out: []string{"Niet toegepast", "Let op: 20 leerlingen gaan een leerjaar terug"}, errOut: []string{"een leerjaar terug", "bevestig met --confirm-year-down 20"},
			after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "last year again wrong number", args: []string{"--add", "--update", "--confirm-year-down", "19", "--json", y2026}, code: 3,
			json: true, errors: []string{"year_down_confirmation_required"}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "last year again with archive, both guards", args: []string{"--add", "--update", "--archive", "--json", y2026}, code: 3,
			json: true, errors: []string{"archive_confirmation_required", "year_down_confirmation_required"}, after: dbState{active: 30, archived: 10, committed: 3}},
		{name: "negative year confirmation", args: []string{"--add", "--update", "--confirm-year-down", "-1", y2026}, code: 1,
			errOut: []string{"--confirm-year-down must be a number of pupils"}},
		{name: "last year again confirmed", args: []string{"--add", "--update", "--confirm-year-down", "20", "--json", y2026},
			json: true, counts: &importCounts{0, 30, 0, 0}, after: dbState{active: 40, committed: 4}},
	}
}

// TestImportCommand runs numo import as a script would, step by step against one database of
// each kind: a school year's export, the same export again, and next year's export behind the
// archive guard, with the refusals in between.
func TestImportCommand(t *testing.T) {
	steps := importSteps(t)
	testdb.EachKind(t, func(t *testing.T, kind string) {
		t.Parallel()
		url := testdb.URL(t, kind)
		for _, st := range steps {
			checkImportStep(t, url, st)
		}
		checkFirstJob(t, url)
	})
}

// checkImportStep runs one step and checks its exit status, output and database.
func checkImportStep(t *testing.T, url string, st importStep) {
	t.Helper()
	args := slices.Clone(st.cmd)
	if args == nil {
		args = append([]string{"import", "--school", "99XX"}, st.args...)
	}
	args = append(args, "--db", url) // flags may follow the file
	stdout, stderr := numoExit(t, st.name, st.code, args...)
	wantIn(t, st.name, "stdout", stdout, st.out)
	wantIn(t, st.name, "stderr", stderr, st.errOut)
	if st.json {
		got := decodeOne(t, st.name, []byte(stdout))
		if got.ExitCode != st.code || (st.code != 2 && (got.Encoding == "" || got.Delimiter == "" || got.Rows == 0)) {
			t.Errorf("%s: JSON %+v", st.name, got)
		}
		if st.counts != nil {
			if c := (importCounts{got.Added, got.Updated, got.Archived, got.Unchanged}); c != *st.counts {
				t.Errorf("%s: counts %+v, want %+v", st.name, c, *st.counts)
			}
		}
		for _, code := range st.errors {
			if !hasCode(got.Errors, code) {
				t.Errorf("%s: errors %+v lack %s", st.name, got.Errors, code)
			}
		}
		if len(st.errors) == 0 && len(got.Errors) > 0 {
			t.Errorf("%s: unexpected errors %+v", st.name, got.Errors)
		}
		if applied := st.code == 0 && !slices.Contains(st.args, "--dry-run"); got.Applied != applied || (got.JobID != 0) != applied {
			t.Errorf("%s: applied %v with job %d, want applied %v", st.name, got.Applied, got.JobID, applied)
		}
	}
	if st.after != (dbState{}) || st.name == "dry run writes nothing" {
		if got := readState(t, url, "99XX"); got != st.after {
			t.Errorf("%s: database holds %+v, want %+v", st.name, got, st.after)
		}
	}
}

// checkFirstJob checks what the first real run recorded in the school's import history.
func checkFirstJob(t *testing.T, url string) {
	t.Helper()
	var j *ent.ImportJob
	withStore(t, url, func(ctx context.Context, db *store.DB) {
		j = db.Client.ImportJob.Query().Order(importjob.ByID()).FirstX(ctx)
	})
	if j.Status != importjob.StatusCOMMITTED || j.FileName != "school_2026.csv" || len(j.Sha256) != 64 || j.FileSize == 0 ||
		j.Encoding != "windows-1252" || j.Delimiter != ";" || j.HeaderLine != 4 || j.RowCount != 30 ||
		!slices.Equal(j.Actions, []string{"ADD", "UPDATE", "ARCHIVE"}) || j.Added != 30 || j.CommittedAt == nil ||
		!strings.HasPrefix(j.ClaimedBy, "numo import on ") {
		t.Errorf("first import job: %+v", j)
	}
}

// decodeOne checks that out is exactly one JSON object and decodes it.
func decodeOne(t *testing.T, step string, out []byte) importJSON {
	t.Helper()
	var got importJSON
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%s: stdout is not JSON: %v\n%s", step, err, out)
	}
	if dec.More() || len(bytes.TrimSpace(out[dec.InputOffset():])) > 0 {
		t.Fatalf("%s: stdout holds more than one JSON object:\n%s", step, out)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(out), []byte("{")) {
		t.Fatalf("%s: stdout is not a JSON object:\n%s", step, out)
	}
	return got
}

func hasCode(ps []jsonProblem, code string) bool {
	for _, p := range ps {
		if p.Code == code && p.Message != "" {
			return true
		}
	}
	return false
}

// TestImportHelp: --help prints the usage with the exit statuses and succeeds.
func TestImportHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"import", arg}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d; stderr %s", arg, code, stderr.String())
		}
		for _, s := range []string{"Usage: numo import", "--confirm-archive N", "--confirm-year-down N", "Exit status", "3  the archive guard"} {
			if !strings.Contains(stdout.String(), s) {
				t.Errorf("%s: help lacks %q", arg, s)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"import", "--bogus"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "bogus") {
		t.Errorf("unknown flag: exit %d, stderr %q", code, stderr.String())
	}
}

// TestProgressBar draws a few updates and clears the line at the end.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	b := &progressBar{w: &out}
	b.update(importer.Progress{Phase: "planning", Total: 100000})
	b.last = b.last.AddDate(0, 0, -1) // as if 100 ms passed
	b.update(importer.Progress{Phase: "writing", Done: 50000, Total: 100000})
	b.update(importer.Progress{Phase: "writing", Done: 100000, Total: 100000})
	b.clear()
	s := out.String()
	for _, want := range []string{"plannen", " 50% 50.000/100.000", "100% 100.000/100.000"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress output %q lacks %q", s, want)
		}
	}
	if !strings.HasSuffix(s, "\r\033[K") {
		t.Errorf("progress bar not cleared: %q", s)
	}
	if isTerminal(&out) {
		t.Error("a buffer counts as a terminal")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 100000: "100.000", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

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
