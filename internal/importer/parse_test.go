package importer_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/numo/accounts/internal/importer"
)

// cell addresses Rows[row].Cells[col].
type cell struct{ row, col int }

// parseFixtureCase is what Parse must read from one fixture file.
type parseFixtureCase struct {
	file       string
	encoding   string
	delimiter  rune
	headerLine int
	headers    []string
	lines      []int
	widths     map[int]int // row index -> len(Cells) when not the header width
	cells      map[cell]string
	samples    map[int][]string
}

var parseFixtureCases = []parseFixtureCase{
	{
		file: "magister_win1252.csv", encoding: "windows-1252", delimiter: ';', headerLine: 4,
		headers: []string{"Stamnr", "Roepnaam", "Tussenv", "Achternaam", "Klas", "Studie", "Leerjaar", "E-mail", "Geboortedatum", "Geslacht"},
		lines:   []int{5, 6, 7, 8, 9, 10, 12},
		cells: map[cell]string{
			{0, 0}: "012345", {0, 1}: "Noël", {0, 2}: "van 't", {0, 3}: "Hof",
			{1, 1}: "Zoë", {2, 3}: "Çelik", {3, 2}: "van der", {4, 3}: "d’Ancona",
			{5, 1}: "Hélène", {5, 3}: "Böhm", {6, 5}: "BK2", {6, 9}: "M",
		},
		samples: map[int][]string{
			1: {"Noël", "Zoë", "Emre", "Lotte", "Mila"},
			2: {"van 't", "de", "van der"},
			9: {"M", "V"},
		},
	},
	{
		file: "somtoday_utf8_bom.csv", encoding: "utf-8-bom", delimiter: ',', headerLine: 1,
		headers: []string{"Leerlingnummer", "Roepnaam", "Voornamen", "Tussenvoegsel", "Achternaam", "Stamgroep", "Opleiding", "Leerjaar", "E-mailadres", "Opmerking"},
		lines:   []int{2, 3, 5, 6},
		cells: map[cell]string{
			{0, 1}: "Ŏzlem", {0, 2}: "Ŏzlem Ayşe", {0, 3}: "", {0, 4}: "Ŏzdemir",
			{0, 9}: `Zus van "Kaan", zit in H4b`,
			{1, 9}: "Let op: notitie van mentor,\nallergisch voor noten",
			{2, 1}: "Zoë", {2, 2}: "Zoë Anna", {2, 3}: "van 't",
			{3, 6}: "mavo/havo", {3, 9}: "Mentor: dhr. Bakker, lokaal 12",
		},
	},
	{
		file: "template_utf16.csv", encoding: "utf-16le", delimiter: '\t', headerLine: 1,
		headers: []string{"Leerlingnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "Klas", "Niveau", "Leerjaar", "E-mailadres", "Gebruikersnaam", "ECK iD"},
		lines:   []int{2, 3, 4},
		cells: map[cell]string{
			{0, 5}: "vmbo-kb", {1, 1}: "Ŏmer", {1, 3}: "Ŏzdemir", {1, 5}: "basis/kader", {2, 1}: "Joëlle",
			{0, 9}: "https://ketenid.nl/201703/4f1c2a9e0b7d43e8a1c5d6e7f8091a2b",
		},
	},
	{
		file: "pipe_mixed_eol.csv", encoding: "utf-8", delimiter: '|', headerLine: 1,
		headers: []string{"Stamnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "Groep", "Jaargroep"},
		lines:   []int{2, 4, 5, 7},
		cells: map[cell]string{
			{0, 4}: "groep 1/2a", {0, 5}: "1/2", {2, 2}: "in 't", {3, 3}: "Jong", {3, 5}: "8",
		},
	},
	{
		file: "bad_rows.csv", encoding: "utf-8", delimiter: ';', headerLine: 1,
		headers: []string{"Stamnr", "Roepnaam", "Tussenv", "Achternaam", "Klas", "Studie", "Leerjaar", "E-mail"},
		lines:   []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22},
		widths:  map[int]int{2: 9, 3: 6},
		cells: map[cell]string{
			{2, 4}: "Jr", {4, 1}: `=HYPERLINK("http://example.com/x","klik")`, {7, 1}: "Jos?",
			{17, 0}: "00123", {20, 1}: "ZoÃ«",
		},
	},
}

func TestParseFixtures(t *testing.T) {
	tests := parseFixtureCases
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, readFixture(t, tt.file))
			if f.Encoding != tt.encoding || f.Delimiter != tt.delimiter || f.HeaderLine != tt.headerLine {
				t.Errorf("got encoding %q, delimiter %q, header line %d; want %q, %q, %d",
					f.Encoding, f.Delimiter, f.HeaderLine, tt.encoding, tt.delimiter, tt.headerLine)
			}
			var headers []string
			for i, c := range f.Columns {
				if c.Index != i {
					t.Errorf("column %d has Index %d", i, c.Index)
				}
				headers = append(headers, c.Header)
			}
			if !slices.Equal(headers, tt.headers) {
				t.Errorf("headers = %q, want %q", headers, tt.headers)
			}
			var lines []int
			for i, r := range f.Rows {
				lines = append(lines, r.Line)
				want, ok := tt.widths[i]
				if !ok {
					want = len(tt.headers)
				}
				if len(r.Cells) != want {
					t.Errorf("row on line %d has %d cells, want %d: %q", r.Line, len(r.Cells), want, r.Cells)
				}
				for _, c := range r.Cells {
					if !utf8.ValidString(c) || !norm.NFC.IsNormalString(c) || strings.TrimSpace(c) != c {
						t.Errorf("row on line %d: cell %q is not trimmed, valid NFC UTF-8", r.Line, c)
					}
				}
			}
			if !slices.Equal(lines, tt.lines) {
				t.Errorf("row lines = %v, want %v", lines, tt.lines)
			}
			for at, want := range tt.cells {
				if at.row >= len(f.Rows) || at.col >= len(f.Rows[at.row].Cells) {
					t.Errorf("no cell %v", at)
					continue
				}
				if got := f.Rows[at.row].Cells[at.col]; got != want {
					t.Errorf("row %d (line %d) cell %d = %q, want %q", at.row, f.Rows[at.row].Line, at.col, got, want)
				}
			}
			for col, want := range tt.samples {
				if got := f.Columns[col].Samples; !slices.Equal(got, want) {
					t.Errorf("samples of %s = %q, want %q", f.Columns[col].Header, got, want)
				}
			}
		})
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		code     string
		line     int
		contains string // in the Dutch message
	}{
		{"empty fixture", readFixture(t, "empty.csv"), "empty", 0, "leeg"},
		{"header only", readFixture(t, "header_only.csv"), "no_rows", 1, "geen leerlingen"},
		{"xlsx renamed", readFixture(t, "excel_renamed.csv"), "excel_workbook", 0, "Dit is een Excel-werkmap. Sla het op als CSV (gescheiden door lijstscheidingstekens)."},
		{"binary", readFixture(t, "binary.csv"), "binary", 0, "geen tekstbestand"},
		{"unclosed quote", readFixture(t, "unclosed_quote.csv"), "unclosed_quote", 3, "Op deze regel begint"},
		{"no header", readFixture(t, "no_header.csv"), "no_header", 0, "kopregel"},
		{"xls renamed", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00"), "excel_workbook", 0, "Excel-werkmap"},
		{"empty zip", []byte("PK\x05\x06\x00\x00"), "excel_workbook", 0, "Excel-werkmap"},
		{"excel xml", []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`), "excel_workbook", 0, "Excel-werkmap"},
		{"html export", []byte("<html><body><table><tr><td>Stamnr</td></tr></table></body></html>"), "html", 0, "webpagina"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "binary", 0, "geen tekstbestand"},
		{"control characters", []byte("Stamnr;Roepnaam\x01\x02\x03\x04\x05\x06;Achternaam;Klas\n\x01\x02\x03;\x04\x05\x06;\x07\x08\x0b;\x0e\x0f\n"), "binary", 0, "geen tekstbestand"},
		{"nul byte", []byte("Stamnr;Roepnaam;Achternaam;Klas\n1;Jan\x00;Jansen;2B\n"), "binary", 0, "geen tekstbestand"},
		{"only separators", []byte(";;;;\r\n;;;;\r\n"), "empty", 0, "leeg"},
		{"only a BOM and blank lines", []byte("\xEF\xBB\xBF\r\n  \r\n"), "empty", 0, "leeg"},
		{"header with only separator rows", []byte("Stamnr;Roepnaam;Achternaam;Klas\n;;;\n;;;\n"), "no_rows", 1, "geen leerlingen"},
		{"header below title, no rows", []byte("Export\n\nStamnr;Roepnaam;Achternaam;Klas;Geslacht\n"), "no_rows", 3, "geen leerlingen"},
		{"unknown column names", []byte("Nummer;Naam;Lokaal\n1;Jan Jansen;2B\n"), "no_header", 0, "Stamnr, Roepnaam"},
		{"one known column is not a header", []byte("Klas;Naam\n2B;Jan\n"), "no_header", 0, "kopregel"},
		{"class column missing", []byte("Stamnr;Roepnaam;Achternaam\n1;Jan;Jansen\n"), "required_missing", 1, "De kolom Klas ontbreekt"},
		{"two columns missing", []byte("Stamnr;Roepnaam\n1;Jan\n"), "required_missing", 1, "De kolommen Achternaam en Klas ontbreken"},
		{"quote in the title swallows the header", []byte("\"Leerlingen 2025\nStamnr;Roepnaam;Achternaam;Klas\n1;Jan;Jansen;2B\n"), "unclosed_quote", 1, "nergens wordt gesloten"},
		{"stray quote glues rows together", []byte("Stamnr;Roepnaam;Achternaam;Klas\n1;\"Jan;Jansen;2B\n2;Piet;Pietersen;2B\n3;Kees;\"Kok\";2B\n"), "unclosed_quote", 2, "pas op regel 4 wordt gesloten"},
		{"a header of a million columns", []byte("Stamnr;Roepnaam;Achternaam;Klas" + strings.Repeat(";x", 1_000_000) + "\n1;Jan;Jansen;2B\n"), "too_many_columns", 1, "meer dan 250 kolommen"},
		{"a data row of 300 cells", []byte("Stamnr;Roepnaam;Achternaam;Klas\n1;Jan;Jansen;2B" + strings.Repeat(";", 300) + "x\n"), "too_many_columns", 2, "meer dan 250 kolommen"},
		{"unclosed quote on the last line", []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n1;Jan;Jansen;2B\r\n2;Piet;\"Pietersen;2B"), "unclosed_quote", 3, "nergens wordt gesloten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := importer.Parse(tt.data)
			if err == nil {
				t.Fatalf("Parse accepted the file: %d rows", len(f.Rows))
			}
			if !errors.Is(err, importer.ErrFileRejected) {
				t.Errorf("errors.Is(err, ErrFileRejected) = false for %v", err)
			}
			var fe *importer.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FileError: %v", err, err)
			}
			if fe.Code != tt.code || fe.Line != tt.line {
				t.Errorf("got code %q line %d, want %q line %d (%s)", fe.Code, fe.Line, tt.code, tt.line, fe.NL)
			}
			if !strings.Contains(fe.NL, tt.contains) {
				t.Errorf("message %q does not contain %q", fe.NL, tt.contains)
			}
			if fe.EN == "" || fe.EN == fe.NL {
				t.Errorf("English message missing: %q", fe.EN)
			}
		})
	}
}

// parsedRow is a parsed row's line number and cells.
type parsedRow struct {
	Line  int
	Cells []string
}

// csvHeader is the smallest header Parse accepts.
const csvHeader = "Stamnr;Roepnaam;Achternaam;Klas"

// parseInMemoryCase is one case of TestParseInMemory: a file and what Parse must read from it.
type parseInMemoryCase struct {
	name       string
	data       string
	encoding   string
	delimiter  rune
	headerLine int
	headers    []string // checked when set
	rows       []parsedRow
}

var parseInMemoryCases = []parseInMemoryCase{
	{
		name: "DOS end-of-file marker", data: csvHeader + "\r\n1;Jan;Jansen;2B\r\n\x1a",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan", "Jansen", "2B"}}},
	},
	{
		name: "BOM before a quoted header", data: "\xEF\xBB\xBF\"Stamnr\";\"Roepnaam\";\"Achternaam\";\"Klas\"\r\n\"1\";\"Jan\";\"Jansen\";\"2B\"\r\n",
		encoding: "utf-8-bom", delimiter: ';', headerLine: 1, headers: []string{"Stamnr", "Roepnaam", "Achternaam", "Klas"},
		rows: []parsedRow{{2, []string{"1", "Jan", "Jansen", "2B"}}},
	},
	{
		name: "comma file with semicolons in the data", data: "Stamnr,Roepnaam,Achternaam,Klas\n1,Jan;Piet,Jansen,2B\n2,Ai|Li,Chen,2B\n",
		encoding: "utf-8", delimiter: ',', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan;Piet", "Jansen", "2B"}}, {3, []string{"2", "Ai|Li", "Chen", "2B"}}},
	},
	{
		name: "semicolon file with commas in the data", data: csvHeader + "\n1;Jan, Piet;Jansen, jr.;2B\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan, Piet", "Jansen, jr.", "2B"}}},
	},
	{
		name: "tab separated", data: "Stamnr\tRoepnaam\tAchternaam\tKlas\n1\tJan;Piet\tJansen, jr.\t2B\n",
		encoding: "utf-8", delimiter: '\t', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan;Piet", "Jansen, jr.", "2B"}}},
	},
	{
		name: "lone CR line endings", data: csvHeader + "\r1;Jan;Jansen;2B\r2;Piet;Pietersen;2C\r",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan", "Jansen", "2B"}}, {3, []string{"2", "Piet", "Pietersen", "2C"}}},
	},
	{
		name: "multi-line quoted cells keep physical line numbers", data: "Stamnr;Roepnaam;Achternaam;Klas;Opmerking\r\n1;Jan;Jansen;2B;\"eerste\r\ntweede\r\nderde\"\r\n2;Piet;Pietersen;2B;\"a\nb\"\n3;Kees;Kok;2B;\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{
			{2, []string{"1", "Jan", "Jansen", "2B", "eerste\ntweede\nderde"}},
			{5, []string{"2", "Piet", "Pietersen", "2B", "a\nb"}},
			{7, []string{"3", "Kees", "Kok", "2B", ""}},
		},
	},
	{
		name: "doubled quotes, quotes inside unquoted cells, spaces before a quote", data: csvHeader + "\n1;\"Jan \"\"JJ\"\"\";Jansen \"de Jong\";2B\n2; \"Piet; Paul\" ;Pietersen;2B\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", `Jan "JJ"`, `Jansen "de Jong"`, "2B"}}, {3, []string{"2", "Piet; Paul", "Pietersen", "2B"}}},
	},
	{
		name: "text after a closing quote is kept", data: csvHeader + "\n1;Jan;\"van\" Dam;2B\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan", "van Dam", "2B"}}},
	},
	{
		name: "no final newline and a trailing delimiter", data: csvHeader + ";\n1;Jan;Jansen;2B;",
		encoding: "utf-8", delimiter: ';', headerLine: 1, headers: []string{"Stamnr", "Roepnaam", "Achternaam", "Klas"},
		rows: []parsedRow{{2, []string{"1", "Jan", "Jansen", "2B"}}},
	},
	{
		name: "header below a title, a date and an empty line", data: "Leerlingen export Magister;;;;\r\nDatum: 01-09-2025;;;;\r\n;;;;\r\n" + csvHeader + ";Geslacht\r\n1;Jan;Jansen;2B;M\r\n",
		encoding: "utf-8", delimiter: ';', headerLine: 4,
		rows: []parsedRow{{5, []string{"1", "Jan", "Jansen", "2B", "M"}}},
	},
	{
		name: "NFC, no-break spaces and zero-width characters", data: csvHeader + "\n\u00a01 ;\u200bZoe\u0308\u00a0; Noe\u0308l\ufeff;2B\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Zoë", "Noël", "2B"}}},
	},
	{
		name: "separator-only rows are dropped, line numbers kept", data: csvHeader + "\n;;;\n1;Jan;Jansen;2B\n ; ; ; \n\n2;Piet;Pietersen;2B\n;;;;;;\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{3, []string{"1", "Jan", "Jansen", "2B"}}, {6, []string{"2", "Piet", "Pietersen", "2B"}}},
	},
	{
		name: "rows with another field count are kept as they are", data: csvHeader + "\n1;Jan;van;Dam;2B\n2;Piet;2B\n3;Kees;Kok;2B;;;\n4;Ali;Ak;2B;;x\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{
			{2, []string{"1", "Jan", "van", "Dam", "2B"}},
			{3, []string{"2", "Piet", "2B"}},
			{4, []string{"3", "Kees", "Kok", "2B"}},
			{5, []string{"4", "Ali", "Ak", "2B", "", "x"}},
		},
	},
	{
		name: "empty header cell in the middle is a column", data: "Stamnr;;Roepnaam;Achternaam;Klas;;\n1;x;Jan;Jansen;2B;;\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1, headers: []string{"Stamnr", "", "Roepnaam", "Achternaam", "Klas"},
		rows: []parsedRow{{2, []string{"1", "x", "Jan", "Jansen", "2B"}}},
	},
	{
		name: "UTF-16 big endian with BOM", data: utf16BE("\ufeff" + csvHeader + "\r\n1;Çelik;Böhm;2B\r\n"),
		encoding: "utf-16be", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Çelik", "Böhm", "2B"}}},
	},
	{
		name: "UTF-16 little endian without BOM", data: utf16LE(csvHeader + "\r\n1;Zoë;d’Ancona;2B\r\n"),
		encoding: "utf-16le", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Zoë", "d’Ancona", "2B"}}},
	},
	{
		name: "Windows-1252", data: csvHeader + "\r\n1;Zo\xeb;d\x92Ancona;2B\r\n2;H\xe9l\xe8ne;\x80uro;2B\r\n",
		encoding: "windows-1252", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Zoë", "d’Ancona", "2B"}}, {3, []string{"2", "Hélène", "€uro", "2B"}}},
	},
	{
		name: "UTF-8 with pasted Windows-1252 rows", data: csvHeader + "\n1;Zo\xc3\xab;Jansen;2B\n2;Bj\xf6rn;B\xf6hm;2B\n",
		encoding: "windows-1252", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Zoë", "Jansen", "2B"}}, {3, []string{"2", "Björn", "Böhm", "2B"}}},
	},
	{
		name: "a quoted note over a few lines with separators stays one cell", data: "Stamnr;Roepnaam;Achternaam;Klas;Opmerking\n1;Jan;Jansen;2B;\"Let op; allergie\nzie dossier; map 2\"\n2;Piet;Pietersen;2B;\n",
		encoding: "utf-8", delimiter: ';', headerLine: 1,
		rows: []parsedRow{{2, []string{"1", "Jan", "Jansen", "2B", "Let op; allergie\nzie dossier; map 2"}}, {4, []string{"2", "Piet", "Pietersen", "2B", ""}}},
	},
}

func TestParseInMemory(t *testing.T) {
	tests := parseInMemoryCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, []byte(tt.data))
			if f.Encoding != tt.encoding || f.Delimiter != tt.delimiter || f.HeaderLine != tt.headerLine {
				t.Errorf("got encoding %q, delimiter %q, header line %d; want %q, %q, %d",
					f.Encoding, f.Delimiter, f.HeaderLine, tt.encoding, tt.delimiter, tt.headerLine)
			}
			if tt.headers != nil {
				var headers []string
				for _, c := range f.Columns {
					headers = append(headers, c.Header)
				}
				if !slices.Equal(headers, tt.headers) {
					t.Errorf("headers = %q, want %q", headers, tt.headers)
				}
			}
			var rows []parsedRow
			for _, r := range f.Rows {
				rows = append(rows, parsedRow{r.Line, r.Cells})
			}
			if !reflect.DeepEqual(rows, tt.rows) {
				t.Errorf("rows =\n%+v\nwant\n%+v", rows, tt.rows)
			}
		})
	}
}

func TestParseSamplesAreDistinctAndCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;Leeg\n")
	for i, name := range []string{"Jan", "Jan", "Piet", "Kees", "Jan", "Ali", "Mo", "Bo", "Eva"} {
		b.WriteString(strings.Join([]string{string(rune('1' + i)), name, "Jansen", "2B", ""}, ";") + "\n")
	}
	b.WriteString("10;Shifted;row;x;2B;y\n") // not used for samples: wrong field count
	f := mustParse(t, []byte(b.String()))
	if got, want := f.Columns[1].Samples, []string{"Jan", "Piet", "Kees", "Ali", "Mo"}; !slices.Equal(got, want) {
		t.Errorf("Roepnaam samples = %q, want %q", got, want)
	}
	if got, want := f.Columns[2].Samples, []string{"Jansen"}; !slices.Equal(got, want) {
		t.Errorf("Achternaam samples = %q, want %q", got, want)
	}
	if got := f.Columns[4].Samples; len(got) != 0 {
		t.Errorf("empty column has samples %q", got)
	}
}

func TestParseRunawayQuoteLimit(t *testing.T) {
	// A quoted note may span lines, but not a hundred: by then it has eaten rows.
	note := strings.Repeat("regel\n", 101)
	data := "Stamnr;Roepnaam;Achternaam;Klas;Opmerking\n1;Jan;Jansen;2B;\"" + note + "\"\n"
	_, err := importer.Parse([]byte(data))
	var fe *importer.FileError
	if !errors.As(err, &fe) || fe.Code != "unclosed_quote" || fe.Line != 2 {
		t.Fatalf("got %v, want unclosed_quote on line 2", err)
	}
	note = strings.Repeat("regel\n", 99)
	f := mustParse(t, []byte("Stamnr;Roepnaam;Achternaam;Klas;Opmerking\n1;Jan;Jansen;2B;\""+note+"\"\n2;Piet;Pietersen;2B;\n"))
	if got := []int{f.Rows[0].Line, f.Rows[1].Line}; !slices.Equal(got, []int{2, 102}) {
		t.Errorf("lines = %v, want [2 102]", got)
	}
}

// utf16LE encodes s as UTF-16 little endian (BMP only, enough for the tests).
func utf16LE(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

// utf16BE encodes s as UTF-16 big endian (BMP only).
func utf16BE(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}

func TestParseExcelSepLine(t *testing.T) {
	// Excel writes and honours a "sep=;" line above the header.
	f := mustParse(t, []byte("sep=;\r\nStamnr;Roepnaam;Achternaam;Klas\r\n1;Jan;Jansen;2B\r\n"))
	if f.Delimiter != ';' || f.HeaderLine != 2 || len(f.Rows) != 1 || f.Rows[0].Line != 3 {
		t.Errorf("delimiter %q, header line %d, rows %+v", f.Delimiter, f.HeaderLine, f.Rows)
	}
}

// TestParseTrailingEmptyCellsPastColumnLimit: Excel can end every row with thousands of empty
// cells; they are dropped without being kept and do not count against MaxColumns.
func TestParseTrailingEmptyCellsPastColumnLimit(t *testing.T) {
	pad := strings.Repeat(";", 20_000)
	f, err := importer.Parse([]byte("Stamnr;Roepnaam;Achternaam;Klas" + pad + "\r\n1;Jan;Jansen;2B" + pad + "\r\n"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(f.Columns) != 4 || len(f.Rows) != 1 || len(f.Rows[0].Cells) > importer.MaxColumns {
		t.Fatalf("columns %d, rows %d, cells %d", len(f.Columns), len(f.Rows), len(f.Rows[0].Cells))
	}
}
