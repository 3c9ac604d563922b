package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// levelsStep is one command line of TestImportUnknownLevels.
type levelsStep struct {
	name    string
	args    []string // after "import --school 99XX --add"
	code    int
	unknown map[string]int // the JSON's unknownLevels, value -> count
	added   int
	errOut  []string // substrings of stderr (runs without --json)
	active  int      // active pupils afterwards
}

// TestImportUnknownLevels checks issue 12.2 for numo import on both databases: level values
// Numo does not know stop the run (exit 2, "unknownLevels" in the JSON, what to do on stderr)
// until --level decides each, to a level or (empty) to no level; the school remembers the
// decisions of a real run, so the next run needs none.
func TestImportUnknownLevels(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "import", "unknown_levels.csv")
	steps := []levelsStep{
		{name: "undecided", args: []string{"--json", file}, code: 2, unknown: map[string]int{"technasium": 3, "ISK": 2}},
		{name: "undecided, readable", args: []string{file}, code: 2,
			errOut: []string{`"technasium" (3 leerlingen), "ISK" (2 leerlingen)`, "--level WAARDE=NIVEAU", "--level WAARDE=", "--level 'technasium=…'"}},
		{name: "one decided, dry run", args: []string{"--dry-run", "--json", "--level", "Technasium=VWO", file}, code: 2, unknown: map[string]int{"ISK": 2}},
		{name: "not a level", args: []string{"--json", "--level", "ISK=lyceum", file}, code: 1, errOut: []string{`"lyceum" is not a level of Numo`}},
		{name: "no equals sign", args: []string{"--level", "ISK", file}, code: 1, errOut: []string{"is not VALUE=LEVEL"}},
		{name: "both decided, dry run", args: []string{"--dry-run", "--json", "--level", "technasium=vwo", "--level", "ISK=", file},
			unknown: map[string]int{}, added: 7},
		{name: "a dry run is not remembered", args: []string{"--dry-run", "--json", file}, code: 2, unknown: map[string]int{"technasium": 3, "ISK": 2}},
		{name: "both decided", args: []string{"--json", "--level", "technasium=vwo", "--level", "ISK=", file}, unknown: map[string]int{}, added: 7, active: 7},
		{name: "remembered", args: []string{"--update", "--json", file}, unknown: map[string]int{}, active: 7},
	}
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cliSchool(t, url, "99XX", "Testschool")
		for _, st := range steps {
			checkLevelsStep(t, url, st)
		}
		checkStoredLevels(t, url)
	})
}

func checkLevelsStep(t *testing.T, url string, st levelsStep) {
	t.Helper()
	args := append([]string{"import", "--school", "99XX", "--add"}, st.args...)
	stdout, stderr := numoExit(t, st.name, st.code, append(args, "--db", url)...)
	wantIn(t, st.name, "stderr", stderr, st.errOut)
	if st.unknown != nil {
		var got struct {
			Added         int `json:"added"`
			ExitCode      int `json:"exitCode"`
			UnknownLevels []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"unknownLevels"`
			Errors []jsonProblem `json:"errors"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.UnknownLevels == nil {
			t.Fatalf("%s: stdout is not the JSON summary with unknownLevels (%v):\n%s", st.name, err, stdout)
		}
		unknown := map[string]int{}
		for _, u := range got.UnknownLevels {
			unknown[u.Value] = u.Count
		}
		if !reflect.DeepEqual(unknown, st.unknown) || got.Added != st.added || got.ExitCode != st.code {
			t.Errorf("%s: unknownLevels %v, added %d, exit %d; want %v, %d, %d", st.name, unknown, got.Added, got.ExitCode, st.unknown, st.added, st.code)
		}
		if st.code == 2 && !hasCode(got.Errors, importer.CodeUnknownLevel) {
			t.Errorf("%s: errors %+v lack %s", st.name, got.Errors, importer.CodeUnknownLevel)
		}
	}
	if got := readState(t, url, "99XX"); got.active != st.active {
		t.Errorf("%s: %d active pupils, want %d", st.name, got.active, st.active)
	}
}

// checkStoredLevels checks the pupils' levels and the decisions the school remembers.
func checkStoredLevels(t *testing.T, url string) {
	t.Helper()
	ctx := auth.System(context.Background())
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Client.School.Query().OnlyX(ctx)
	want := map[string]string{"technasium": "vwo", "isk": ""}
	if !reflect.DeepEqual(s.LevelMappings, want) {
		t.Errorf("school's level mappings %v, want %v", s.LevelMappings, want)
	}
	levels := map[string]string{}
	for _, a := range db.Client.Account.Query().Where(account.SchoolID(s.ID), account.RoleEQ(account.RolePUPIL)).AllX(ctx) {
		levels[*a.ExternalKey] = a.Level
	}
	if w := map[string]string{"7001": "vwo", "7002": "vwo", "7003": "vwo", "7004": "", "7005": "", "7006": "havo", "7007": "vmbo-gt/havo"}; !reflect.DeepEqual(levels, w) {
		t.Errorf("levels %v, want %v", levels, w)
	}
}

// TestImportOtherLevels: a file whose level column holds 260 values Numo does not know stops
// the run (exit 2) with a message that says the column may not be the level column and how to
// go on; --level '*=' imports all other values' pupils without a level, for this run only (the
// school does not remember it). Both databases.
func TestImportOtherLevels(t *testing.T) {
	file := filepath.Join("..", "..", "testdata", "import", "many_levels.csv")
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		importRun := func(args ...string) (int, string, string) { return numoCmd(append(args, "--db", url)...) }
		cliSchool(t, url, "99XX", "Testschool")
		code, _, errOut := importRun("import", "--school", "99XX", "--add", file)
		if code != 2 || !strings.Contains(errOut, "--level '*='") || !strings.Contains(errOut, "(260) wijzen erop dat deze kolom misschien niet het niveau bevat") {
			t.Errorf("undecided: exit %d, stderr %s", code, errOut)
		}
		code, out, errOut := importRun("import", "--school", "99XX", "--add", "--json", "--level", "traject 001=havo", "--level", "*=", file)
		var got struct {
			Added         int               `json:"added"`
			UnknownLevels []json.RawMessage `json:"unknownLevels"`
		}
		if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.Added != 420 || len(got.UnknownLevels) != 0 {
			t.Fatalf("--level '*=': exit %d, %+v (%v)\n%s", code, got, err, errOut)
		}
		withStore(t, url, func(ctx context.Context, db *store.DB) {
			ctx = auth.System(ctx)
			levels := map[string]int{}
			for _, a := range db.Client.Account.Query().Where(account.RoleEQ(account.RolePUPIL)).AllX(ctx) {
				levels[a.Level]++
			}
			if want := map[string]int{"havo": 3, "": 417}; !reflect.DeepEqual(levels, want) {
				t.Errorf("pupils by level %v, want %v", levels, want)
			}
			s := db.Client.School.Query().OnlyX(ctx)
			if _, ok := s.LevelMappings["*"]; ok || s.LevelMappings["traject001"] != "havo" || len(s.LevelMappings) != 1 {
				t.Errorf("school remembers %v, want traject 001 only", s.LevelMappings)
			}
		})
	})
}
