package importer_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

func TestDamagedCopy(t *testing.T) {
	for _, tc := range []struct {
		stored, file string
		want         bool
	}{
		{"Ayşe", "Ay?e", true},
		{"Yıldız", "Y?ld?z", true},
		{"Barış", "Bar??", true},
		{"Łukasz", "?ukasz", true},
		{"Ayşe", "Ay\uFFFDe", true},         // a decoder's replacement character
		{"Zoë", "Zo?", true},                // any non-ASCII letter, also one Windows-1252 has
		{"Ayşe", "Ayşe", false},             // no damage
		{"Ayse", "Ay?e", false},             // an ASCII letter: not a code page's loss
		{"Ayşe", "Ays?", false},             // a position differs by more than the lost letter
		{"Ayşe", "Ay?", false},              // different length
		{"Ayşe", "Ayse", false},             // a real (best-fit) change, not a "?"
		{"Ayşe", "Fatma", false},            // a different name
		{"Yıldız", "Y?ld?z-Öztürk", false},  // a longer name
		{"Anne-Marie", "Anne?Marie", false}, // "-" is not a letter
		{"Zoe\u0308", "Zo??", false},        // NFD stored value is compared as NFC: 3 runes vs 4
		{"Zoe\u0308", "Zo?", true},          // NFC of "Zoë" loses one letter
		{"", "?", false},                    // nothing stored
		{"Şükrü", "?ükrü", true},            // only the lost letter differs
		{"t.şahin@school.invalid", "t.?ahin@school.invalid", true},
	} {
		if got := importer.DamagedCopy(tc.stored, tc.file); got != tc.want {
			t.Errorf("DamagedCopy(%q, %q) = %v, want %v", tc.stored, tc.file, got, tc.want)
		}
	}
}

func TestLooksDamaged(t *testing.T) {
	damaged := []string{"Ay?e", "Bar??", "?ukasz", "Ay\uFFFDe"}
	clean := []string{"Ayşe", "?", "Jan ?", ""}
	for _, v := range slices.Concat(damaged, clean) {
		if got, want := importer.LooksDamaged(v), slices.Contains(damaged, v); got != want {
			t.Errorf("LooksDamaged(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestExcelDamageKeepsStored imports a file, then the same file after Dutch Excel saved it as
// CSV (letters outside Windows-1252 became "?"): the stored names stay, the other changes of
// those rows are written, and the plan and its warnings say which values were kept.
func TestExcelDamageKeepsStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := importedSchool(t, db, "12DA", "excel_damage/leerlingen.csv")
		damaged := prepare(t, "excel_damage/leerlingen_excel.csv")
		st, err := importer.LoadState(sys, db.SQL, db.Dialect, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		add := importer.Actions{Add: true, Update: true}
		preview := importer.MakePlan(damaged.Input, st, add)
		want := counts(1, 1, 0, 4, 0, 0)
		want.Kept, want.Damaged = 5, 2
		if preview.Counts != want {
			t.Fatalf("preview counts %+v, want %+v", preview.Counts, want)
		}
		checkDamagedList(t, preview.Damaged)
		checkKeptWarnings(t, preview.Warnings)
		plan := apply(t, db, damaged, s.ID, add, importer.ApplyOptions{ExpectedHash: preview.Hash})
		if plan.Counts != want {
			t.Fatalf("applied counts %+v", plan.Counts)
		}
		got := map[string]string{}
		for _, a := range db.Client.Account.Query().Where(account.SchoolID(s.ID)).WithClass().AllX(sys) {
			got[*a.ExternalKey] = a.FirstName + " " + a.LastName + " " + a.Edges.Class.Name
		}
		for key, name := range map[string]string{"5001": "Ayşe Yıldız 2A", "5002": "Barış Çelik 1A", "5003": "Łukasz Wiśniewski 1B",
			"5004": "Zoë Vries 1B", "5006": "Gül?ah Ayd?n 1B"} {
			if got[key] != name {
				t.Errorf("account %s is %q, want %q", key, got[key], name)
			}
		}
	})
}

func checkDamagedList(t *testing.T, got []importer.DamagedValue) {
	t.Helper()
	want := []importer.DamagedValue{
		{Line: 2, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5001", Stored: "Ayşe", File: "Ay?e", Kept: true},
		{Line: 2, Column: "Achternaam", Field: importer.FieldLastName, Key: "5001", Stored: "Yıldız", File: "Y?ld?z", Kept: true},
		{Line: 3, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5002", Stored: "Barış", File: "Bar??", Kept: true},
		{Line: 4, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5003", Stored: "Łukasz", File: "?ukasz", Kept: true},
		{Line: 4, Column: "Achternaam", Field: importer.FieldLastName, Key: "5003", Stored: "Wiśniewski", File: "Wi?niewski", Kept: true},
		{Line: 7, Column: "Roepnaam", Field: importer.FieldFirstName, Key: "5006", File: "Gül?ah"},
		{Line: 7, Column: "Achternaam", Field: importer.FieldLastName, Key: "5006", File: "Ayd?n"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("damaged values\n got %+v\nwant %+v", got, want)
	}
}

// checkKeptWarnings: every kept value has a kept_damaged warning instead of the question-mark
// one; the new pupil's names keep their question-mark warnings.
func checkKeptWarnings(t *testing.T, ws []importer.Problem) {
	t.Helper()
	var got []codeLine
	for _, w := range ws {
		got = append(got, codeLine{w.Line, w.Code})
	}
	want := []codeLine{{2, importer.CodeKeptDamaged}, {2, importer.CodeKeptDamaged}, {3, importer.CodeKeptDamaged},
		{4, importer.CodeKeptDamaged}, {4, importer.CodeKeptDamaged}, {7, importer.CodeQuestionMark}, {7, importer.CodeQuestionMark}}
	if !slices.Equal(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
}

// TestKeptWarningNamesMark: a kept value's warning names what the file has in place of the
// lost letters (U+FFFD, "?" or both), in Dutch and English.
func TestKeptWarningNamesMark(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := importedSchool(t, db, "12DB", "excel_damage/leerlingen.csv")
		st, err := importer.LoadState(sys, db.SQL, db.Dialect, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		plan := importer.MakePlan(prepare(t, "excel_damage/leerlingen_fffd.csv").Input, st, importer.Actions{Add: true, Update: true})
		want := map[string][2]string{ // file value -> the mark named in Dutch and English
			"Ay\uFFFDe":        {"door het vervangingsteken \uFFFD.", "by the replacement character \uFFFD "},
			"Y\uFFFDld\uFFFDz": {"door het vervangingsteken \uFFFD.", "by the replacement character \uFFFD "},
			"Bar?\uFFFD":       {"door vraagtekens en vervangingstekens (\uFFFD).", "by question marks and replacement characters (\uFFFD) "},
			"?ukasz":           {"door een vraagteken.", "by a question mark "},
			"Wi?niewski":       {"door een vraagteken.", "by a question mark "},
		}
		seen := 0
		for _, w := range plan.Warnings {
			if w.Code != importer.CodeKeptDamaged {
				continue
			}
			seen++
			for file, marks := range want {
				if strings.Contains(w.NL, strconv.Quote(file)) &&
					(!strings.Contains(w.NL, marks[0]) || !strings.Contains(w.EN, marks[1])) {
					t.Errorf("warning for %q:\n nl %s\n en %s\nwant %q and %q", file, w.NL, w.EN, marks[0], marks[1])
				}
			}
		}
		if seen != len(want) {
			t.Errorf("%d kept_damaged warnings, want %d: %+v", seen, len(want), plan.Warnings)
		}
	})
}
