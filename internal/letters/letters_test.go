package letters_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/letters"
	"github.com/numo/accounts/internal/names"
)

// batch is a small invented school: two classes, names with tussenvoegsels and accents.
func batch() *letters.Batch {
	l := func(id int, first, infix, last, class, user, code string) letters.Letter {
		return letters.Letter{AccountID: id, FirstName: first, Infix: infix, LastName: last, SortName: names.SortKey(last, first),
			Class: class, Username: user, Code: code, Email: user + "@leerling.example.nl"}
	}
	b := &letters.Batch{School: "Het Voorbeeld College, scholengemeenschap voor vmbo, havo en vwo", BRIN: "99XX", ValidUntil: time.Date(2026, 9, 21, 21, 59, 59, 0, time.UTC),
		Letters: []letters.Letter{
			l(4, "Zoë", "", "Çelik", "1b", "zoe.celik", "KM7P-4RTA-WX3C"),
			l(1, "Anne-Fleur", "van den", "Berg", "1a", "anne-fleur.vandenberg", "ACDE-FGHJ-KLMN"),
			l(2, "Jürgen", "", "Öztürk", "1a", "jurgen.ozturk", "PQRT-UVWX-Y234"),
			l(3, "=Daan", "de", "Wit", "1a", "daan.dewit", "5679-ACDE-FGHJ"),
			l(5, "Sem", "", "Bakker", "10a", "sem.bakker", "2345-6799-ACDE"),
			// The longest a letter has to hold: it shrinks, it does not run off the page.
			l(6, "Maximiliaan-Alexander Frederik", "van den", "Wolfeschlegelsteinhausenberger", "10a",
				"maximiliaan-alexander-frederik.vandenwolfeschlegelsteinhausen", "3456-79AC-DEFG"),
		}}
	b.Sort()
	return b
}

func TestSortAndClasses(t *testing.T) {
	b := batch()
	var got []string
	for _, c := range b.Classes() {
		var row []string
		for _, l := range c {
			row = append(row, l.Name())
		}
		got = append(got, c[0].Class+": "+strings.Join(row, ", "))
	}
	want := []string{
		"1a: Anne-Fleur van den Berg, Jürgen Öztürk, =Daan de Wit", // by last name, tussenvoegsel aside, Ö as O
		"1b: Zoë Çelik",
		"10a: Sem Bakker, Maximiliaan-Alexander Frederik van den Wolfeschlegelsteinhausenberger", // 1b before 10a: numbers as numbers
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("classes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWritePDF(t *testing.T) {
	b := batch()
	var buf bytes.Buffer
	if err := letters.WritePDF(&buf, b, letters.Options{SignInURL: "https://accounts.numo.het-voorbeeld-college-scholengemeenschap.example.nl", ShowSchoolCode: true}); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 5000 {
		t.Fatalf("not a PDF: %d bytes, starts %q", len(pdf), pdf[:min(len(pdf), 8)])
	}
	// 1a has three letters (two sheets), 1b one and 10a two: every class from a new sheet.
	pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(pdf, -1))
	if pages != 4 {
		t.Errorf("%d pages, want 4 (2 for 1a, 1 for 1b, 1 for 10a)", pages)
	}
	if out := os.Getenv("NUMO_LETTERS_PDF"); out != "" { // to look at it: pdftoppm -png -r 60
		if err := os.WriteFile(out, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := letters.WriteCSV(&buf, batch(), "https://numo.example.nl"); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\ufeff") {
		t.Fatal("no UTF-8 byte order mark: Excel would garble the accents")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ";") != strings.Join(letters.CSVHeader, ";") || rows[0][0] != "Klas" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows, want header + 6", len(rows))
	}
	want := []string{"1a", "Anne-Fleur", "van den", "Berg", "Anne-Fleur van den Berg", "anne-fleur.vandenberg@leerling.example.nl",
		"anne-fleur.vandenberg", "ACDE-FGHJ-KLMN", "21 september 2026", "https://numo.example.nl", "Het Voorbeeld College, scholengemeenschap voor vmbo, havo en vwo"}
	if strings.Join(rows[1], "|") != strings.Join(want, "|") {
		t.Errorf("first row\n%v\nwant\n%v", rows[1], want)
	}
	if rows[3][1] != "'=Daan" {
		t.Errorf("a formula-like first name is %q, want it neutralised", rows[3][1])
	}
}

func TestDutchDate(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 9, 21, 21, 59, 59, 0, time.UTC), "21 september 2026"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "1 januari 2027"}, // already the next day in Amsterdam
		{time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC), "1 maart 2027"},
	}
	for _, tt := range tests {
		if got := letters.DutchDate(tt.at); got != tt.want {
			t.Errorf("DutchDate(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}
