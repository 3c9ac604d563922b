// Package sheet writes the CSV downloads an admin opens in a spreadsheet: UTF-8 with a byte
// order mark, cells separated by semicolons and lines ended by CRLF (what Excel with Dutch
// settings opens as columns), and no cell that a spreadsheet would run as a formula.
package sheet

import (
	"encoding/csv"
	"io"
	"strings"
)

// Cell keeps a spreadsheet from reading a cell as a formula: a cell starting with = + - @, a
// tab or a carriage return gets a leading apostrophe; any other cell is returned as it is.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Writer writes the rows of one download; the first error sticks and Flush reports it.
type Writer struct {
	cw  *csv.Writer
	err error
}

// NewWriter writes the byte order mark to w and returns a Writer of semicolon-separated,
// CRLF-ended rows on it.
func NewWriter(w io.Writer) *Writer {
	_, err := io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	return &Writer{cw: cw, err: err}
}

// Write writes one row, each cell passed through Cell; the caller's slice is left as it is.
func (w *Writer) Write(cells ...string) {
	if w.err != nil {
		return
	}
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = Cell(c)
	}
	w.err = w.cw.Write(row)
}

// Flush writes what is buffered and returns the first error of the download.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.cw.Flush()
	return w.cw.Error()
}
