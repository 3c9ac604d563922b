package importer_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
)

func TestBuildRecordsBadRows(t *testing.T) {
	res := build(t, readFixture(t, "bad_rows.csv"))

	wantRefused := []codeLine{
		{3, "missing_value"}, {4, "field_count"}, {5, "field_count"}, {6, "formula"}, {7, "too_long"},
		{8, "invalid_email"}, {11, "conflicting_key"}, {12, "conflicting_key"}, {18, "formula"}, {21, "repeated_header"},
	}
	if got := codeLines(res.Refused); !slices.Equal(got, wantRefused) {
		t.Errorf("refused = %v\nwant      %v", got, wantRefused)
	}
	if res.RefusedLines != 10 {
		t.Errorf("RefusedLines = %d, want 10", res.RefusedLines)
	}
	wantWarnings := []codeLine{{9, "question_mark"}, {10, "duplicate_key"}, {13, "class_spelling"}, {20, "invalid_year"}, {22, "garbled_text"}}
	if got := codeLines(res.Warnings); !slices.Equal(got, wantWarnings) {
		t.Errorf("warnings = %v\nwant       %v", got, wantWarnings)
	}
	var keys []string
	for _, r := range res.Records {
		keys = append(keys, r.Key)
	}
	if want := []string{"2001", "2008", "2011", "2012", "2013", "2014", "2015", "00123", "2018", "2020"}; !slices.Equal(keys, want) {
		t.Errorf("record keys = %q, want %q", keys, want)
	}
	if want := []importer.UnknownValue{{Value: "technasium", Count: 1, FirstLine: 16}}; !reflect.DeepEqual(res.UnknownLevels, want) {
		t.Errorf("unknown levels = %+v, want %+v", res.UnknownLevels, want)
	}

	checkBadRowsMessages(t, res)
	checkBadRowsRecords(t, res)
}

// checkBadRowsMessages checks that every problem in bad_rows.csv names its column and field and says what is wrong.
func checkBadRowsMessages(t *testing.T, res *importer.Result) {
	t.Helper()
	// Every problem names its column and field where it has one, in both languages.
	details := map[codeLine]struct {
		column string
		field  importer.Field
	}{
		{3, "missing_value"}:    {"Achternaam", "lastName"},
		{4, "field_count"}:      {"", ""},
		{6, "formula"}:          {"Roepnaam", "firstName"},
		{7, "too_long"}:         {"Achternaam", "lastName"},
		{8, "invalid_email"}:    {"E-mail", "email"},
		{11, "conflicting_key"}: {"Stamnr", "key"},
		{18, "formula"}:         {"E-mail", "email"},
		{9, "question_mark"}:    {"Roepnaam", "firstName"},
		{10, "duplicate_key"}:   {"Stamnr", "key"},
		{13, "class_spelling"}:  {"Klas", "class"},
		{20, "invalid_year"}:    {"Leerjaar", "year"},
		{22, "garbled_text"}:    {"Roepnaam", "firstName"},
	}
	for _, p := range slices.Concat(res.Refused, res.Warnings) {
		if p.NL == "" || p.EN == "" || p.NL == p.EN {
			t.Errorf("line %d %s: messages %q / %q", p.Line, p.Code, p.NL, p.EN)
		}
		if d, ok := details[codeLine{p.Line, p.Code}]; ok && (p.Column != d.column || p.Field != d.field) {
			t.Errorf("line %d %s: column %q field %q, want %q %q", p.Line, p.Code, p.Column, p.Field, d.column, d.field)
		}
	}
	msgs := map[codeLine]string{}
	for _, p := range slices.Concat(res.Refused, res.Warnings) {
		msgs[codeLine{p.Line, p.Code}] = p.NL
	}
	for at, want := range map[codeLine]string{
		{4, "field_count"}:      "Deze regel heeft 9 kolommen, de kopregel 8.",
		{5, "field_count"}:      "Deze regel heeft 6 kolommen, de kopregel 8.",
		{7, "too_long"}:         "Achternaam is 206 tekens lang; het maximum is 200.",
		{11, "conflicting_key"}: "Leerlingnummer 2010 staat ook op regel 12, met andere gegevens.",
		{12, "conflicting_key"}: "Leerlingnummer 2010 staat ook op regel 11, met andere gegevens.",
		{10, "duplicate_key"}:   "Leerling 2001 staat ook op regel 2, met precies dezelfde gegevens.",
		{13, "class_spelling"}:  `Klas "3a" (1 keer) is gelezen als "3A"`,
		{22, "garbled_text"}:    `Bedoeld is waarschijnlijk "Zoë".`,
	} {
		if !strings.Contains(msgs[at], want) {
			t.Errorf("message for %v = %q, want it to contain %q", at, msgs[at], want)
		}
	}
}

// checkBadRowsRecords checks the records kept from bad_rows.csv, field by field.
func checkBadRowsRecords(t *testing.T, res *importer.Result) {
	t.Helper()
	byLine := map[int]importer.Record{}
	for _, r := range res.Records {
		byLine[r.Line] = r
	}
	for line, want := range map[int]importer.Record{
		9:  {Line: 9, Key: "2008", FirstName: "Jos?", LastName: "Peters", Class: "2B", Email: "jos.peters@leerling.example.nl", Level: "havo", LevelRaw: "havo", Year: 2, Years: []int{2}},
		13: {Line: 13, Key: "2011", FirstName: "Eva", LastName: "Smit", Class: "3A", Email: "eva.smit@leerling.example.nl", Level: "havo", LevelRaw: "havo", Year: 3, Years: []int{3}},
		16: {Line: 16, Key: "2014", FirstName: "Julia", LastName: "Hendriks", Class: "2B", Email: "julia.hendriks@leerling.example.nl", LevelRaw: "technasium", Year: 2, Years: []int{2}},
		19: {Line: 19, Key: "00123", FirstName: "Ruben", LastName: "Kuipers", Class: "2B", Email: "ruben.kuipers@leerling.example.nl", Level: "havo", LevelRaw: "havo", Year: 2, Years: []int{2}},
		20: {Line: 20, Key: "2018", FirstName: "Saar", LastName: "Wouters", Class: "2B", Email: "saar.wouters@leerling.example.nl", Level: "havo", LevelRaw: "havo", Year: 2, Years: []int{2}},
	} {
		if got := byLine[line]; !reflect.DeepEqual(got, want) {
			t.Errorf("record on line %d =\n%+v\nwant\n%+v", line, got, want)
		}
	}
}

func TestBuildRecordsFixtures(t *testing.T) {
	tests := []struct {
		file  string
		count int
		want  []importer.Record // compared with the record on the same line
	}{
		{"magister_win1252.csv", 7, []importer.Record{
			{Line: 5, Key: "012345", FirstName: "Noël", Infix: "van 't", LastName: "Hof", Class: "1A", Email: "noel.vanthof@leerling.example.nl", Level: "havo/vwo", LevelRaw: "HV1", Year: 1, Years: []int{1}},
			{Line: 7, Key: "012347", FirstName: "Emre", LastName: "Çelik", Class: "2B", Email: "emre.celik@leerling.example.nl", Level: "vmbo-gt", LevelRaw: "GT2", Year: 2, Years: []int{2}},
			{Line: 9, Key: "012349", FirstName: "Mila", LastName: "d’Ancona", Class: "4H", Email: "mila.dancona@leerling.example.nl", Level: "havo", LevelRaw: "H4", Year: 4, Years: []int{4}},
			{Line: 10, Key: "012350", FirstName: "Hélène", LastName: "Böhm", Class: "5V", Email: "helene.bohm@leerling.example.nl", Level: "vwo", LevelRaw: "V5", Year: 5, Years: []int{5}},
			{Line: 12, Key: "012351", FirstName: "Sem", LastName: "Jansen", Class: "2B", Email: "sem.jansen@leerling.example.nl", Level: "vmbo-b/k", LevelRaw: "BK2", Year: 2, Years: []int{2}},
		}},
		{"somtoday_utf8_bom.csv", 4, []importer.Record{
			{Line: 2, Key: "100201", FirstName: "Ŏzlem", LastName: "Ŏzdemir", Class: "H2a", Email: "ozlem.ozdemir@leerling.example.nl", Level: "havo", LevelRaw: "havo", Year: 2, Years: []int{2}},
			{Line: 5, Key: "100203", FirstName: "Zoë", Infix: "van 't", LastName: "Veld", Class: "V2b", Email: "zoe.vantveld@leerling.example.nl", Level: "vwo", LevelRaw: "vwo", Year: 2, Years: []int{2}},
			{Line: 6, Key: "100204", FirstName: "Fatima", Infix: "el", LastName: "Amrani", Class: "M2a", Email: "fatima.elamrani@leerling.example.nl", Level: "vmbo-gt/havo", LevelRaw: "mavo/havo", Year: 2, Years: []int{2}},
		}},
		{"template_utf16.csv", 3, []importer.Record{
			{Line: 2, Key: "3001", FirstName: "Sanne", Infix: "van", LastName: "Dijk", Class: "1B", Email: "sanne.vandijk@leerling.example.nl", Username: "svandijk",
				EckID: "https://ketenid.nl/201703/4f1c2a9e0b7d43e8a1c5d6e7f8091a2b", Level: "vmbo-k", LevelRaw: "vmbo-kb", Year: 1, Years: []int{1}},
			{Line: 3, Key: "3002", FirstName: "Ŏmer", LastName: "Ŏzdemir", Class: "1B", Email: "omer.ozdemir@leerling.example.nl", Username: "ozdemir",
				EckID: "https://ketenid.nl/201703/9a8b7c6d5e4f30211f0e1d2c3b4a5968", Level: "vmbo-b/k", LevelRaw: "basis/kader", Year: 1, Years: []int{1}},
		}},
		{"pipe_mixed_eol.csv", 4, []importer.Record{
			{Line: 2, Key: "5001", FirstName: "Fenna", Infix: "van", LastName: "Leeuwen", Class: "groep 1/2a", Level: "po", Year: 1, Years: []int{1, 2}},
			{Line: 5, Key: "5003", FirstName: "Yara", Infix: "in 't", LastName: "Veld", Class: "groep 7b", Level: "po", Year: 7, Years: []int{7}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := build(t, readFixture(t, tt.file))
			if len(res.Records) != tt.count || len(res.Refused) != 0 || len(res.Warnings) != 0 || len(res.UnknownLevels) != 0 {
				t.Errorf("got %d records, refused %v, warnings %v, unknown %v; want %d clean records",
					len(res.Records), res.Refused, res.Warnings, res.UnknownLevels, tt.count)
			}
			byLine := map[int]importer.Record{}
			for _, r := range res.Records {
				byLine[r.Line] = r
			}
			for _, want := range tt.want {
				if got := byLine[want.Line]; !reflect.DeepEqual(got, want) {
					t.Errorf("record on line %d =\n%+v\nwant\n%+v", want.Line, got, want)
				}
			}
		})
	}
}

// keyYears is a record's key with the years read for it.
type keyYears struct {
	Key   string
	Year  int
	Years []int
}

// buildCase is one case of TestBuildRecords: a small file, an optional level map, the problems expected and further checks.
type buildCase struct {
	name     string
	csv      string
	levelMap map[string]importer.Level
	refused  []codeLine
	warnings []codeLine
	check    func(t *testing.T, res *importer.Result)
}

var buildCases = []buildCase{
	{
		name: "year from the year column, else the study code, else the class",
		csv: "Stamnr;Roepnaam;Achternaam;Klas;Studie;Leerjaar\n" +
			"1;A;A;2B;HV3;4\n2;B;B;2B;HV3;\n3;C;C;2B;havo;\n4;D;D;groep 1/2a;;\n5;E;E;Kangoeroes;;\n6;F;F;2B;;1/2\n7;G;G;3C;HV3;x\n",
		warnings: []codeLine{{8, "invalid_year"}},
		check: func(t *testing.T, res *importer.Result) {
			var got []keyYears
			for _, r := range res.Records {
				got = append(got, keyYears{r.Key, r.Year, r.Years})
			}
			want := []keyYears{{"1", 4, []int{4}}, {"2", 3, []int{3}}, {"3", 2, []int{2}}, {"4", 1, []int{1, 2}}, {"5", 0, nil}, {"6", 1, []int{1, 2}}, {"7", 3, []int{3}}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("years = %v, want %v", got, want)
			}
		},
	},
	{
		name:     "the school's level map overrides the built-in spellings",
		csv:      "Stamnr;Roepnaam;Achternaam;Klas;Niveau\n1;A;A;1A;Technasium\n2;B;B;1A;havo\n3;C;C;1A;xyz\n4;D;D;1A;vwo\n",
		levelMap: map[string]importer.Level{"technasium": "vwo", "havo": "havo/vwo", "xyz": "bogus"},
		check: func(t *testing.T, res *importer.Result) {
			var got []importer.Level
			for _, r := range res.Records {
				got = append(got, r.Level)
			}
			if want := []importer.Level{"vwo", "havo/vwo", "", "vwo"}; !slices.Equal(got, want) {
				t.Errorf("levels = %q, want %q", got, want)
			}
			if want := []importer.UnknownValue{{Value: "xyz", Count: 1, FirstLine: 4}}; !reflect.DeepEqual(res.UnknownLevels, want) {
				t.Errorf("unknown = %+v, want %+v", res.UnknownLevels, want)
			}
		},
	},
	{
		name: "unknown level values are listed once per value, rows are kept",
		csv:  "Stamnr;Roepnaam;Achternaam;Klas;Niveau\n1;A;A;1A;Technasium\n2;B;B;1A;technasium\n3;C;C;1A;TTO-X\n4;D;D;1A;Technasium\n5;E;E;1A;\n",
		check: func(t *testing.T, res *importer.Result) {
			want := []importer.UnknownValue{{Value: "Technasium", Count: 3, FirstLine: 2}, {Value: "TTO-X", Count: 1, FirstLine: 4}}
			if !reflect.DeepEqual(res.UnknownLevels, want) {
				t.Errorf("unknown = %+v, want %+v", res.UnknownLevels, want)
			}
			if len(res.Records) != 5 {
				t.Errorf("got %d records, want 5", len(res.Records))
			}
		},
	},
	{
		name: "class spellings that differ in case or spaces become the most frequent one",
		csv: "Stamnr;Roepnaam;Achternaam;Klas\n1;A;A;2 B\n2;B;B;2 B\n3;C;C;2  B\n4;D;D;2 b\n5;E;E;H1a\n6;F;F;h1A\n7;G;G;2b\n" +
			"8;H;H;\"2\nB\"\n",
		warnings: []codeLine{{4, "class_spelling"}, {5, "class_spelling"}, {7, "class_spelling"}, {9, "class_spelling"}},
		check: func(t *testing.T, res *importer.Result) {
			var got []string
			for _, r := range res.Records {
				got = append(got, r.Class)
			}
			if want := []string{"2 B", "2 B", "2 B", "2 B", "H1a", "H1a", "2b", "2 B"}; !slices.Equal(got, want) {
				t.Errorf("classes = %q, want %q", got, want)
			}
		},
	},
	{
		name:    "a key with conflicting rows refuses all of them",
		csv:     "Stamnr;Roepnaam;Achternaam;Klas\n7;Jan;Jansen;2B\n7;Jan;Jansen;2B\n7;Jan;Janssen;2B\n8;Piet;Kok;2B\n",
		refused: []codeLine{{2, "conflicting_key"}, {3, "conflicting_key"}, {4, "conflicting_key"}},
		check: func(t *testing.T, res *importer.Result) {
			if !strings.Contains(res.Refused[0].NL, "staat ook op regel 3 en 4") {
				t.Errorf("message %q does not name lines 3 and 4", res.Refused[0].NL)
			}
			if res.RefusedLines != 3 || len(res.Records) != 1 || res.Records[0].Key != "8" {
				t.Errorf("refused lines %d, records %+v", res.RefusedLines, res.Records)
			}
		},
	},
	{
		name:     "identical rows collapse even when class case differs",
		csv:      "Stamnr;Roepnaam;Achternaam;Klas;E-mail\n7;Jan;Jansen;2B;jan@school.nl\n7;Jan;Jansen;2b;JAN@school.nl\n",
		warnings: []codeLine{{3, "duplicate_key"}},
		check: func(t *testing.T, res *importer.Result) {
			if len(res.Records) != 1 || res.Records[0].Line != 2 {
				t.Errorf("records = %+v, want only line 2", res.Records)
			}
		},
	},
	{
		name: "keys are opaque: leading zeros and case make different pupils",
		csv:  "Stamnr;Roepnaam;Achternaam;Klas\n007;Jan;Jansen;2B\n7;Piet;Kok;2B\na12;Kees;Bos;2B\nA12;Ali;Ak;2B\n",
		check: func(t *testing.T, res *importer.Result) {
			var keys []string
			for _, r := range res.Records {
				keys = append(keys, r.Key)
			}
			if want := []string{"007", "7", "a12", "A12"}; !slices.Equal(keys, want) {
				t.Errorf("keys = %q, want %q", keys, want)
			}
		},
	},
	{
		name: "usernames and ECK iDs belong to one pupil, e-mail addresses are only warned about",
		csv: "Stamnr;Roepnaam;Achternaam;Klas;Gebruikersnaam;ECK iD;E-mail\n" +
			"1;A;A;1A;jdevries;e1;a@school.nl\n2;B;B;1A;JdeVries;e2;b@school.nl\n" +
			"3;C;C;1A;c;e3;c@school.nl\n4;D;D;1A;d;e3;d@school.nl\n" +
			"5;E;E;1A;e;e5;ouders@school.nl\n6;F;F;1A;f;e6;Ouders@school.nl\n",
		refused:  []codeLine{{2, "duplicate_value"}, {3, "duplicate_value"}, {4, "duplicate_value"}, {5, "duplicate_value"}},
		warnings: []codeLine{{7, "shared_email"}},
		check: func(t *testing.T, res *importer.Result) {
			if res.Refused[0].Field != "username" || res.Refused[2].Field != "eckId" || res.Refused[2].Column != "ECK iD" {
				t.Errorf("refused = %+v", res.Refused)
			}
		},
	},
	{
		name:    "a long list of other lines is cut short",
		csv:     "Stamnr;Roepnaam;Achternaam;Klas\n" + strings.Repeat("9;Jan;Jansen;2B\n", 12) + "9;Piet;Jansen;2B\n",
		refused: []codeLine{{2, "conflicting_key"}, {3, "conflicting_key"}, {4, "conflicting_key"}, {5, "conflicting_key"}, {6, "conflicting_key"}, {7, "conflicting_key"}, {8, "conflicting_key"}, {9, "conflicting_key"}, {10, "conflicting_key"}, {11, "conflicting_key"}, {12, "conflicting_key"}, {13, "conflicting_key"}, {14, "conflicting_key"}},
		check: func(t *testing.T, res *importer.Result) {
			if want := "staat ook op regel 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 en nog 2 andere, met andere gegevens"; !strings.Contains(res.Refused[0].NL, want) {
				t.Errorf("message = %q", res.Refused[0].NL)
			}
			if want := "also appears on line 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 2 others with"; !strings.Contains(res.Refused[0].EN, want) {
				t.Errorf("message = %q", res.Refused[0].EN)
			}
		},
	},
	{
		name:    "warnings about refused rows are left out",
		csv:     "Stamnr;Roepnaam;Achternaam;Klas\n1;Jos?;Peters;2B\n1;Jos;Peters;2B\n",
		refused: []codeLine{{2, "conflicting_key"}, {3, "conflicting_key"}},
	},
	{
		name: "formula characters at the start of checked fields",
		csv: "Stamnr;Roepnaam;Tussenvoegsel;Achternaam;Klas;E-mail;Gebruikersnaam;Niveau;Leerjaar\n" +
			"1;+31 6;;A;1A;;;;\n2;B;-;B;1A;;;;\n3;C;;@C;1A;;;;\n4;D;;D;=1+1;;;;\n5;E;;E;1A;=e@school.nl;;;\n6;F;;F;1A;;-f;;\n" +
			"=7;G;;G;1A;;;;\n8;H;;H-Smit;1A;h@school.nl;h+1;-;-\n",
		refused:  []codeLine{{2, "formula"}, {3, "formula"}, {4, "formula"}, {5, "formula"}, {6, "formula"}, {7, "formula"}, {8, "formula"}},
		warnings: []codeLine{{9, "invalid_year"}},
		check: func(t *testing.T, res *importer.Result) {
			if len(res.Records) != 1 || res.Records[0].LastName != "H-Smit" {
				t.Errorf("records = %+v", res.Records)
			}
		},
	},
	{
		name:    "values up to 200 characters",
		csv:     "Stamnr;Roepnaam;Achternaam;Klas\n1;" + strings.Repeat("ë", 200) + ";A;1A\n2;" + strings.Repeat("ë", 201) + ";B;1A\n",
		refused: []codeLine{{3, "too_long"}},
	},
	{
		name:    "control characters",
		csv:     "Stamnr;Roepnaam;Achternaam;Klas;Opmerking\n1;Jan\x07;Jansen;1A;een gewone opmerking zonder problemen erin\n2;Piet;Pietersen;1A;nog een gewone opmerking\n",
		refused: []codeLine{{2, "invalid_character"}},
	},
	{
		name: "white space in names and classes is collapsed",
		csv:  "Stamnr;Roepnaam;Tussenvoegsel;Achternaam;Klas\n1;\" Jan \n Pieter \";van  der;Berg\u00a0 Smit;2  B\n",
		check: func(t *testing.T, res *importer.Result) {
			r := res.Records[0]
			if r.FirstName != "Jan Pieter" || r.Infix != "van der" || r.LastName != "Berg Smit" || r.Class != "2 B" {
				t.Errorf("record = %+v", r)
			}
		},
	},
	{
		name:    "every missing required value is reported",
		csv:     "Stamnr;Roepnaam;Tussenvoegsel;Achternaam;Klas\n;A;;A;1A\n2;;;B;1A\n3;C;;;1A\n4;D;;D;\n;;van;;\n",
		refused: []codeLine{{2, "missing_value"}, {3, "missing_value"}, {4, "missing_value"}, {5, "missing_value"}, {6, "missing_value"}, {6, "missing_value"}, {6, "missing_value"}, {6, "missing_value"}},
		check: func(t *testing.T, res *importer.Result) {
			if res.RefusedLines != 5 {
				t.Errorf("RefusedLines = %d, want 5", res.RefusedLines)
			}
			var fields []importer.Field
			for _, p := range res.Refused[4:] {
				fields = append(fields, p.Field)
			}
			if want := []importer.Field{"key", "firstName", "lastName", "class"}; !slices.Equal(fields, want) {
				t.Errorf("fields on line 6 = %q, want %q", fields, want)
			}
		},
	},
	{
		name:    "field count in a tab separated file",
		csv:     "Stamnr\tRoepnaam\tAchternaam\tKlas\n1\tJan\tJansen\t2B\t\t\n2\tPiet\t2B\n",
		refused: []codeLine{{3, "field_count"}},
		check: func(t *testing.T, res *importer.Result) {
			if !strings.Contains(res.Refused[0].NL, "scheidingsteken (tab)") {
				t.Errorf("message = %q", res.Refused[0].NL)
			}
		},
	},
}

func TestBuildRecords(t *testing.T) {
	tests := buildCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, []byte(tt.csv))
			res, err := importer.BuildRecords(importer.Input{
				File:     f,
				Mapping:  importer.MappingFromMatches(importer.ProposeMapping(f.Columns)),
				LevelMap: tt.levelMap,
			})
			if err != nil {
				t.Fatalf("BuildRecords: %v", err)
			}
			if got := codeLines(res.Refused); !slices.Equal(got, tt.refused) {
				t.Errorf("refused = %v, want %v (%v)", got, tt.refused, res.Refused)
			}
			if got := codeLines(res.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings = %v, want %v (%v)", got, tt.warnings, res.Warnings)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestBuildRecordsEmail(t *testing.T) {
	valid := []string{"jan@school.nl", "j.de.vries+numo@leerling.school.nl", "JAN@SCHOOL.NL", "a@b.co", "noël@school.nl", "o'brien@school.ie", "x_y@sub-domein.school.nl"}
	invalid := []string{
		"jan.jansen@school", "jan@@school.nl", "jan@school@nl.nl", "jan school@x.nl", "jan@.nl", "jan@school..nl",
		"jan.@school.nl", ".jan@school.nl", "jan..j@school.nl", "jan@-school.nl", "jan@school.n", "Jan <jan@school.nl>",
		"jan@school.123", "jan@school_x.nl", "jan", "jan@", "jan(at)school.nl", "jan@school.nl.",
	}
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;E-mail\n")
	for i, e := range slices.Concat(valid, invalid) {
		b.WriteString(strings.Join([]string{string(rune('A' + i)), "Jan", "Jansen", "1A", `"` + e + `"`}, ";") + "\n")
	}
	res := build(t, []byte(b.String()))
	var got []string
	for _, r := range res.Records {
		got = append(got, r.Email)
	}
	if !slices.Equal(got, valid) {
		t.Errorf("accepted %q, want %q", got, valid)
	}
	var refused []string
	for _, p := range res.Refused {
		if p.Code != "invalid_email" {
			t.Errorf("line %d: code %s", p.Line, p.Code)
		}
		refused = append(refused, invalid[p.Line-2-len(valid)])
	}
	if !slices.Equal(refused, invalid) {
		t.Errorf("refused %q, want %q", refused, invalid)
	}
}

func TestBuildRecordsMappingError(t *testing.T) {
	f := mustParse(t, readFixture(t, "magister_win1252.csv"))
	_, err := importer.BuildRecords(importer.Input{File: f, Mapping: importer.Mapping{0: "key", 1: "firstName", 3: "lastName", 4: "class", 5: "class"}})
	if !errors.Is(err, importer.ErrInvalidMapping) {
		t.Fatalf("err = %v, want ErrInvalidMapping", err)
	}
	var me *importer.MappingError
	if !errors.As(err, &me) || len(me.Problems) != 1 || me.Problems[0].Code != "duplicate_field" {
		t.Fatalf("err = %#v", err)
	}
	var p importer.Problem
	if !errors.As(err, &p) || p.Field != "class" {
		t.Errorf("errors.As(Problem) = %+v", p)
	}
	if want := "kolomindeling ongeldig: kolom Studie: Klas is aan meer dan één kolom gekoppeld (Klas, Studie). Kies één kolom."; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}

	_, err = importer.BuildRecords(importer.Input{File: f, Mapping: importer.Mapping{0: "key"}})
	if !errors.As(err, &me) || len(me.Problems) != 3 {
		t.Errorf("missing fields: %v", err)
	}
	if _, err := importer.BuildRecords(importer.Input{}); err == nil {
		t.Error("BuildRecords without a file succeeded")
	}
}
