package importer_test

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/numo/accounts/internal/importer"
)

// benchRows and benchClasses size the generated export: a large school board.
const (
	benchRows    = 100_000
	benchClasses = 3_600
)

// genExport writes a Magister-like export of n pupils in 12 columns, spread
// over benchClasses classes, as Dutch Excel saves it: Windows-1252, semicolons, CRLF.
func genExport(tb testing.TB, n int) []byte {
	tb.Helper()
	first := []string{"Noël", "Zoë", "Emre", "Lotte", "Mila", "Hélène", "Sem", "Daan", "Fenna", "Bram", "Yara", "Joëlle"}
	infix := []string{"", "", "van", "de", "van der", "van 't", "in 't", ""}
	last := []string{"Hof", "Vries", "Çelik", "Berg", "d’Ancona", "Böhm", "Jansen", "Meer", "Leeuwen", "Kok", "Veld", "Bruijn", "Dijk"}
	studie := []string{"HV", "GT", "H", "V", "BK", "KB", "AG"}
	var b bytes.Buffer
	b.Grow(n * 120)
	b.WriteString("Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Leerjaar;E-mail;Gebruikersnaam;Geboortedatum;Geslacht;Mentor\r\n")
	for i := range n {
		class := i % benchClasses
		year := 1 + class%6
		fmt.Fprintf(&b, "%06d;%s;%s;%s;%d%c%03d;%s%d;%d;leerling%d@leerling.example.nl;ll%06d;%02d-%02d-20%02d;%c;dhr. Bakker\r\n",
			100000+i, first[i%len(first)], infix[i%len(infix)], last[i%len(last)],
			year, 'A'+rune(class/6%26), class/6, studie[class%len(studie)], year, year,
			i, i, 1+i%28, 1+i%12, 8+i%6, "MV"[i%2])
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		tb.Fatalf("encode export: %v", err)
	}
	return out
}

func BenchmarkParse100k(b *testing.B) {
	data := genExport(b, benchRows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := importer.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Rows) != benchRows {
			b.Fatalf("got %d rows, want %d", len(f.Rows), benchRows)
		}
	}
}

func BenchmarkBuildRecords100k(b *testing.B) {
	f, err := importer.Parse(genExport(b, benchRows))
	if err != nil {
		b.Fatal(err)
	}
	in := importer.Input{File: f, Mapping: importer.MappingFromMatches(importer.ProposeMapping(f.Columns))}
	b.ReportAllocs()
	for b.Loop() {
		res, err := importer.BuildRecords(in)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Records) != benchRows {
			b.Fatalf("got %d records, want %d (first refusal: %v)", len(res.Records), benchRows, res.Refused[:min(1, len(res.Refused))])
		}
	}
}
