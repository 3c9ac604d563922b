package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/numo/accounts/internal/importer"
)

// mappingFileError reports every problem of a --mapping file at once.
type mappingFileError struct{ problems []importer.Problem }

func (e *mappingFileError) Error() string {
	msgs := make([]string, len(e.problems))
	for i, p := range e.problems {
		msgs[i] = p.Error()
	}
	return "kolomindeling ongeldig: " + strings.Join(msgs, "; ")
}

// readMapping reads a --mapping file: a JSON object from column header to field name. A header
// matches a column exactly or, failing that, ignoring case, accents and punctuation ("E-mail" =
// "email"). Every problem is reported at once, with the mapping's own for the file's kind
// (Mapping.ValidateFor).
func readMapping(path string, cols []importer.Column, kind importer.Kind) (importer.Mapping, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --mapping: %w", err)
	}
	var byHeader map[string]*string
	if err := json.Unmarshal(raw, &byHeader); err != nil {
		return nil, fmt.Errorf("--mapping %s is not a JSON object of column header to field name: %w", path, err)
	}
	headers := make([]string, 0, len(byHeader))
	for h := range byHeader {
		headers = append(headers, h)
	}
	slices.Sort(headers)
	var probs []importer.Problem
	m := importer.Mapping{}
	for _, h := range headers {
		field := byHeader[h]
		if field == nil || strings.TrimSpace(*field) == "" {
			continue // explicitly not imported
		}
		col, prob := findColumn(h, cols)
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		if prev, dup := m[col]; dup {
			probs = append(probs, importer.Problem{Column: cols[col].Header, Code: "duplicate_column",
				NL: fmt.Sprintf("kolom %s staat twee keer in --mapping (als %s en als %s)", cols[col].Header, prev, *field),
				EN: fmt.Sprintf("column %s appears twice in --mapping (as %s and as %s)", cols[col].Header, prev, *field)})
			continue
		}
		m[col] = importer.Field(strings.TrimSpace(*field))
	}
	probs = append(probs, m.ValidateFor(kind, cols)...)
	if len(probs) > 0 {
		return nil, &mappingFileError{problems: probs}
	}
	return m, nil
}

// findColumn finds the column a --mapping header names.
func findColumn(h string, cols []importer.Column) (int, *importer.Problem) {
	var exact, loose []int
	norm := importer.NormalizeHeader(h)
	for i, c := range cols {
		switch {
		case c.Header == strings.TrimSpace(h):
			exact = append(exact, i)
		case norm != "" && importer.NormalizeHeader(c.Header) == norm:
			loose = append(loose, i)
		}
	}
	found := exact
	if len(found) == 0 {
		found = loose
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Header
		}
		return 0, &importer.Problem{Column: h, Code: "unknown_column",
			NL: fmt.Sprintf("het bestand heeft geen kolom %q (wel: %s)", h, strings.Join(names, ", ")),
			EN: fmt.Sprintf("the file has no column %q (it has: %s)", h, strings.Join(names, ", "))}
	}
	return 0, &importer.Problem{Column: h, Code: "ambiguous_column",
		NL: fmt.Sprintf("het bestand heeft %d kolommen met de naam %q; hernoem er een in het bestand", len(found), h),
		EN: fmt.Sprintf("the file has %d columns named %q; rename one of them in the file", len(found), h)}
}
