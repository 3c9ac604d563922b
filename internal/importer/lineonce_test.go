package importer_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
)

// lineMentions counts how often s names line n ("regel 9", "Line 9"), not "regel 90".
func lineMentions(s string, n int) int {
	return len(regexp.MustCompile(fmt.Sprintf(`(?i)\b(?:regel|line) %d\b`, n)).FindAllStringIndex(s, -1))
}

// pupilsWithLine9 is a header, seven good rows (lines 2–8) and then bad, the bad line on line 9.
func pupilsWithLine9(bad string, after ...string) []byte {
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;E-mail\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "10%d;Kim%d;Jansen;2B;kim%d@school.example\n", i, i, i)
	}
	b.WriteString(bad + "\n")
	for _, a := range after {
		b.WriteString(a + "\n")
	}
	return []byte(b.String())
}

// TestFileErrorsNameTheirLineOnce: a refused file's message does not name its own line; the
// Dutch Error() (as the CLI and logs show it), and the app's "Het probleem zit in regel 9."
// beside the message, each name it exactly once.
func TestFileErrorsNameTheirLineOnce(t *testing.T) {
	tests := []struct {
		name, code string
		data       []byte
	}{
		{"quote closed three lines later", "unclosed_quote", pupilsWithLine9(`109;"Sam;Smit;2B;sam@school.example`, "110;Ali;Bos;2B;ali@school.example", "111;Eva;Kok;2B;eva@school.example", `112;Noor;"Vos";2B;noor@school.example`)},
		{"quote never closed", "unclosed_quote", pupilsWithLine9(`109;"Sam;Smit;2B;sam@school.example`)},
		{"too many columns", "too_many_columns", pupilsWithLine9("109;Sam;Smit;2B" + strings.Repeat(";x", importer.MaxColumns))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importer.Parse(tt.data)
			var fe *importer.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse error = %v, want a *FileError", err)
			}
			if fe.Code != tt.code || fe.Line != 9 {
				t.Fatalf("code, line = %s, %d, want %s, 9", fe.Code, fe.Line, tt.code)
			}
			for _, m := range []string{fe.NL, fe.EN} {
				if n := lineMentions(m, 9); n != 0 {
					t.Errorf("message names line 9 %d times, want 0 (the line is shown beside it): %q", n, m)
				}
			}
			shown := map[string]string{
				"nl":     fe.Error(),
				"nl app": fe.NL + " Het probleem zit in regel 9.",
				"en app": fe.EN + " The problem is on line 9.",
			}
			for lang, s := range shown {
				if n := lineMentions(s, 9); n != 1 {
					t.Errorf("%s: names line 9 %d times, want once: %q", lang, n, s)
				}
			}
		})
	}
}

// TestRowProblemsNameTheirLineOnce: every row problem of a realistic bad file names its own
// line once when shown as "regel 9: …" / "line 9: …", in Dutch and English.
func TestRowProblemsNameTheirLineOnce(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"duplicate student number, other data", pupilsWithLine9("103;Sam;Smit;2B;sam@school.example"), "conflicting_key"},
		{"duplicate student number, same data", pupilsWithLine9("103;Kim3;Jansen;2B;kim3@school.example"), "duplicate_key"},
		{"one column too many", pupilsWithLine9("109;Sam;de;Smit;2B;sam@school.example"), "field_count"},
		{"unusable e-mail address", pupilsWithLine9("109;Sam;Smit;2B;sam@@school"), "invalid_email"},
		{"shared e-mail address", pupilsWithLine9("109;Sam;Smit;2B;kim2@school.example"), "shared_email"},
		{"empty last name", pupilsWithLine9("109;Sam;;2B;sam@school.example"), "missing_value"},
		{"formula", pupilsWithLine9("109;=HYPERLINK(\"x\");Smit;2B;sam@school.example"), "formula"},
		{"repeated header", pupilsWithLine9("Stamnr;Roepnaam;Achternaam;Klas;E-mail"), "repeated_header"},
		{"the fixture's bad rows", readFixture(t, "bad_rows.csv"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := build(t, tt.data)
			probs := append(append([]importer.Problem{}, res.Refused...), res.Warnings...)
			found := tt.code == ""
			for _, p := range probs {
				found = found || (p.Code == tt.code && p.Line == 9)
				shown := map[string]string{
					"nl": p.Error(),
					"en": fmt.Sprintf("line %d: %s", p.Line, p.EN),
				}
				for lang, s := range shown {
					if n := lineMentions(s, p.Line); n != 1 {
						t.Errorf("%s %s: names line %d %d times, want once: %q", p.Code, lang, p.Line, n, s)
					}
				}
			}
			if !found {
				t.Errorf("no %s problem on line 9 in %v", tt.code, codeLines(probs))
			}
		})
	}
}

// TestHeaderOnlyFile: a file with a header row and no pupils gets its own advice, in both
// languages, whatever trails the header.
func TestHeaderOnlyFile(t *testing.T) {
	for name, data := range map[string]string{
		"header only":             "Stamnr;Roepnaam;Achternaam;Klas\n",
		"header without line end": "Stamnr;Roepnaam;Achternaam;Klas",
		"header and blank lines":  "Stamnr;Roepnaam;Achternaam;Klas\r\n\r\n\r\n",
		"Magister-style with BOM": "\ufeffStamnr;Roepnaam;Tussenvoegsel;Achternaam;Klas;E-mail\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := importer.Parse([]byte(data))
			var fe *importer.FileError
			if !errors.As(err, &fe) || fe.Code != importer.CodeNoRows {
				t.Fatalf("Parse error = %v, want a no_rows *FileError", err)
			}
			for _, want := range []string{"alleen een kopregel en geen leerlingen", "geselecteerd", "Magister of Somtoday", "filter"} {
				if !strings.Contains(fe.NL, want) {
					t.Errorf("NL %q lacks %q", fe.NL, want)
				}
			}
			for _, want := range []string{"only has a header row and no pupils", "selected", "Magister or Somtoday", "filter"} {
				if !strings.Contains(fe.EN, want) {
					t.Errorf("EN %q lacks %q", fe.EN, want)
				}
			}
		})
	}
}
