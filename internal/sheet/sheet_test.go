package sheet_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/numo/accounts/internal/sheet"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Jansen", "Jansen"},
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+31 6 1234", "'+31 6 1234"},
		{"-1", "'-1"},
		{"@cmd", "'@cmd"},
		{"\tTab", "'\tTab"},
		{"\rCR", "'\rCR"},
		{"a=b", "a=b"},
		{" =x", " =x"},
		{"'al", "'al"},
		{"émile", "émile"},
	} {
		if got := sheet.Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriter(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]string
		want string
	}{
		{"empty", nil, "\ufeff"},
		{"header and row", [][]string{{"Naam", "Klas"}, {"Jan", "1a"}}, "\ufeffNaam;Klas\r\nJan;1a\r\n"},
		{"formula neutralised", [][]string{{"=1+1", "@x", "ok"}}, "\ufeff'=1+1;'@x;ok\r\n"},
		{"quotes a semicolon", [][]string{{"a;b", `c"d`}}, "\ufeff\"a;b\";\"c\"\"d\"\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			w := sheet.NewWriter(&b)
			for _, r := range tc.rows {
				w.Write(r...)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("wrote %q, want %q", b.String(), tc.want)
			}
		})
	}
}

func TestWriterLeavesRowAlone(t *testing.T) {
	row := []string{"=x", "y"}
	sheet.NewWriter(&bytes.Buffer{}).Write(row...)
	if row[0] != "=x" {
		t.Errorf("the caller's row became %q", row)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterError(t *testing.T) {
	w := sheet.NewWriter(failing{})
	w.Write("a")
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush = %v, want the writer's error", err)
	}
}
