package rosterset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/numo/accounts/internal/importer"
)

// table is one CSV file of the set, read with encoding/csv (comma, RFC 4180 quoting, no lazy
// quotes) after decoding like the pupil import does. readTable holds all rows; a large file
// (enrollments.csv) is streamed with openTable and next instead.
type table struct {
	name   string
	cols   map[string]int // header (trimmed, lower case) -> index
	alias  map[string]int // column names as the code spells them -> index (-1: absent)
	header []string
	rows   [][]string
	lines  []int // physical 1-based line of each row
	r      *csv.Reader
	// estimate is the number of lines of the file, to size what is built from its rows.
	estimate int
}

// openTable decodes f and reads its header. required are header names (matched
// case-insensitively, as SDS and OneRoster writers differ in case) that must be present.
func openTable(f *file, required ...string) (*table, error) {
	text, _ := importer.DecodeText(f.data)
	if strings.ContainsRune(text[:min(len(text), 64<<10)], 0) {
		return nil, fileError(CodeNotCSV, f.name, 0,
			fmt.Sprintf("%s is geen tekstbestand, dus geen CSV. Exporteer de set opnieuw.", f.name),
			fmt.Sprintf("%s is not a text file, so not a CSV. Export the set again.", f.name))
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ','
	r.LazyQuotes = false
	r.FieldsPerRecord = 0 // every row as wide as the header
	t := &table{name: f.name, cols: map[string]int{}, alias: map[string]int{}, r: r,
		estimate: strings.Count(text, "\n")}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError(CodeMalformedCSV, f.name, 1,
			fmt.Sprintf("%s is leeg; de kopregel ontbreekt. Exporteer de set opnieuw.", f.name),
			fmt.Sprintf("%s is empty; the header row is missing. Export the set again.", f.name))
	}
	if err != nil {
		return nil, malformed(f.name, err)
	}
	t.header = header
	for i, h := range header {
		t.cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range required {
		if !t.has(c) {
			return nil, fileError(CodeMissingColumn, f.name, 1,
				fmt.Sprintf("In %s ontbreekt de kolom %q, die de specificatie verplicht stelt. Exporteer de set opnieuw met die kolom.", f.name, c),
				fmt.Sprintf("%s lacks the column %q, which the specification requires. Export the set again with that column.", f.name, c))
		}
	}
	return t, nil
}

// next reads the next data row, its values trimmed; io.EOF at the end.
func (t *table) next() ([]string, int, error) {
	rec, err := t.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, err
	}
	if err != nil {
		return nil, 0, malformed(t.name, err)
	}
	line, _ := t.r.FieldPos(0)
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec, line, nil
}

// readTable reads all of f: openTable, then every row.
func readTable(f *file, required ...string) (*table, error) {
	t, err := openTable(f, required...)
	if err != nil {
		return nil, err
	}
	for {
		rec, line, err := t.next()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
}

// malformed explains a csv.ParseError with its line and column.
func malformed(name string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fileError(CodeMalformedCSV, name, 0, name+" is geen geldige CSV.", name+" is not a valid CSV.")
	}
	var nl, en string
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		nl, en = "deze regel heeft een ander aantal kolommen dan de kopregel", "this line has a different number of columns than the header"
	case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
		nl, en = "een aanhalingsteken staat midden in een waarde of wordt niet gesloten (een waarde met een \" moet tussen aanhalingstekens, met het teken verdubbeld)",
			"a quote appears inside a value or is not closed (a value with a \" must be quoted, with the quote doubled)"
	default:
		nl, en = pe.Err.Error(), pe.Err.Error()
	}
	return &SetError{Code: CodeMalformedCSV, File: name, Line: pe.Line,
		Message:   fmt.Sprintf("%s, regel %d, kolom %d: %s. De bestanden van een set zijn gescheiden door komma's (RFC 4180); exporteer de set opnieuw.", name, pe.Line, pe.Column, nl),
		MessageEn: fmt.Sprintf("%s, line %d, column %d: %s. The files of a set are comma-separated (RFC 4180); export the set again.", name, pe.Line, pe.Column, en),
		Problems:  []Problem{{File: name, Line: pe.Line, Message: nl, MessageEn: en}}}
}

func (t *table) has(col string) bool {
	_, ok := t.cols[strings.ToLower(col)]
	return ok
}

// get returns row i's value of col, "" when the column is absent.
func (t *table) get(i int, col string) string { return t.val(t.rows[i], col) }

// val returns rec's value of col, "" when the column is absent.
func (t *table) val(rec []string, col string) string {
	c, ok := t.alias[col]
	if !ok {
		c = -1
		if j, found := t.cols[strings.ToLower(col)]; found {
			c = j
		}
		t.alias[col] = c
	}
	if c < 0 {
		return ""
	}
	return rec[c]
}

// header name as written in the file, for messages.
func (t *table) colName(col string) string {
	if c, ok := t.cols[strings.ToLower(col)]; ok {
		return strings.TrimSpace(t.header[c])
	}
	return col
}

// list splits a OneRoster list value ("09,10", "{ECK:…},{LDAP:…}") on commas.
func list(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
