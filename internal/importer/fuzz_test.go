package importer_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/numo/accounts/internal/importer"
)

// FuzzParse checks that Parse never panics, refuses only with a *FileError and
// otherwise returns rows after the header in increasing line order with valid
// UTF-8 cells; BuildRecords on the proposed mapping must then not fail either.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.csv"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"Stamnr;Roepnaam;Achternaam;Klas\r\n1;\"a\r\nb\";c;2B",
		"Stamnr,Roepnaam,Achternaam,Klas\r1,\"\"\"\",x,1A\r",
		"\xff\xfeS\x00t\x00",
		"Klas|Stamnr\n\"|\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := importer.Parse(data)
		if err != nil {
			var fe *importer.FileError
			if !errors.As(err, &fe) || !errors.Is(err, importer.ErrFileRejected) || fe.Code == "" || fe.NL == "" || fe.EN == "" {
				t.Fatalf("Parse error is not a complete FileError: %#v", err)
			}
			if file != nil {
				t.Fatal("Parse returned a file with an error")
			}
			return
		}
		if file.HeaderLine < 1 || len(file.Columns) == 0 || len(file.Rows) == 0 {
			t.Fatalf("header line %d, %d columns, %d rows", file.HeaderLine, len(file.Columns), len(file.Rows))
		}
		for i, c := range file.Columns {
			if c.Index != i || !utf8.ValidString(c.Header) || len(c.Samples) > 5 {
				t.Fatalf("column %d: %+v", i, c)
			}
		}
		last := file.HeaderLine
		for _, r := range file.Rows {
			if r.Line <= last {
				t.Fatalf("row line %d after line %d (header %d)", r.Line, last, file.HeaderLine)
			}
			last = r.Line
			for _, c := range r.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("line %d: invalid UTF-8 cell %q", r.Line, c)
				}
			}
		}
		m := importer.MappingFromMatches(importer.ProposeMapping(file.Columns))
		if len(m.Validate(file.Columns)) > 0 {
			return
		}
		res, err := importer.BuildRecords(importer.Input{File: file, Mapping: m})
		if err != nil {
			t.Fatalf("BuildRecords on a valid mapping: %v", err)
		}
		if len(res.Records)+res.RefusedLines > len(file.Rows) {
			t.Fatalf("%d records and %d refused rows from %d rows", len(res.Records), res.RefusedLines, len(file.Rows))
		}
		for _, r := range res.Records {
			if r.Key == "" || r.FirstName == "" || r.LastName == "" || r.Class == "" {
				t.Fatalf("record without a required value: %+v", r)
			}
		}
	})
}
