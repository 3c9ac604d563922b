package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
)

// Limits of the corrections made in the preview.
const (
	// MaxCorrectionLength is the longest value a corrected cell may get, in characters.
	MaxCorrectionLength = 200
	// MaxCorrectionsPerCall is how many cells one correctRow may correct.
	MaxCorrectionsPerCall = 20
	// MaxCorrectionsPerJob is how many corrected cells one job may hold: corrections are for
	// the few rows Excel is not worth opening for, not a second way to write the file.
	MaxCorrectionsPerJob = 500
)

// Correction is one cell of a job's file corrected in the app (the preview's "fix it here
// instead of in Excel"). The preview and the commit read the file with every correction of the
// job applied, so the import applies as previewed, corrections included.
type Correction struct {
	// Line is the physical line of the job's file (the canonical file for a roster set).
	Line int `json:"line"`
	// Column is the 0-based column of the file; Header its header cell.
	Column int    `json:"column"`
	Header string `json:"header"`
	// Before is the cell as the file has it, After as corrected.
	Before string `json:"before"`
	After  string `json:"after"`
	// By is who corrected it (their name at the time), ByAccount their account (0: a token).
	By        string    `json:"by"`
	ByAccount int       `json:"byAccount,omitempty"`
	At        time.Time `json:"at"`
}

// Corrections are a job's corrected cells, in line and column order (stored as the job's
// CORRECTIONS blob).
type Corrections struct {
	Cells []Correction `json:"cells"`
}

// Digest fingerprints what the corrections write (line, column, value), "" when there are
// none: a plan made with other corrections has another hash (importer.PlanInput.Corrections).
func (c *Corrections) Digest() string {
	if c == nil || len(c.Cells) == 0 {
		return ""
	}
	h := sha256.New()
	for _, x := range c.Cells {
		fmt.Fprintf(h, "%d|%d|%s\n", x.Line, x.Column, strconv.Quote(x.After))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Apply writes the corrections into the parsed file's cells. A row shorter than the
// corrected column is filled with empty cells up to it (never past the header).
func (c *Corrections) Apply(f *importer.File) {
	if c == nil || len(c.Cells) == 0 {
		return
	}
	byLine := make(map[int]int, len(f.Rows))
	for i, r := range f.Rows {
		byLine[r.Line] = i
	}
	for _, x := range c.Cells {
		i, ok := byLine[x.Line]
		if !ok || x.Column >= len(f.Columns) {
			continue
		}
		r := &f.Rows[i]
		// The cells may share an arena with the next row: never append in place.
		cells := slices.Clone(r.Cells)
		for len(cells) <= x.Column {
			cells = append(cells, "")
		}
		cells[x.Column] = x.After
		r.Cells = cells
	}
}

// ByLine are the corrections of one line.
func (c *Corrections) ByLine(line int) []Correction {
	if c == nil {
		return nil
	}
	var out []Correction
	for _, x := range c.Cells {
		if x.Line == line {
			out = append(out, x)
		}
	}
	return out
}

// Lines counts the distinct lines corrected.
func (c *Corrections) Lines() int {
	if c == nil {
		return 0
	}
	seen := map[int]bool{}
	for _, x := range c.Cells {
		seen[x.Line] = true
	}
	return len(seen)
}

// set records the correction of one cell: a value back to the file's own drops it.
func (c *Corrections) set(x Correction) {
	i := slices.IndexFunc(c.Cells, func(y Correction) bool { return y.Line == x.Line && y.Column == x.Column })
	switch {
	case i >= 0 && x.After == x.Before:
		c.Cells = slices.Delete(c.Cells, i, i+1)
	case i >= 0:
		c.Cells[i] = x
	case x.After != x.Before:
		c.Cells = append(c.Cells, x)
	}
	slices.SortFunc(c.Cells, func(a, b Correction) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

// JobCorrections are the job's corrections; empty (not nil) when it has none.
func (s *Service) JobCorrections(ctx context.Context, job *ent.ImportJob) (*Corrections, error) {
	raw, err := s.blob(ctx, job.ID, importblob.KindCORRECTIONS)
	if err != nil {
		return nil, err
	}
	c := &Corrections{}
	if raw == nil {
		return c, nil
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("job %d: decode corrections: %w", job.ID, err)
	}
	return c, nil
}

// prepareCorrected is prepare with the job's corrections applied to the file's cells.
func prepareCorrected(job *ent.ImportJob, content []byte, c *Corrections) (*importer.Prepared, error) {
	if c == nil || len(c.Cells) == 0 {
		return prepare(job, content)
	}
	m, err := Mapping(job)
	if err != nil {
		return nil, err
	}
	f, err := importer.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", job.ID, err)
	}
	c.Apply(f)
	chosen := m.Chosen
	if chosen == nil {
		chosen = importer.MappingFromMatches(importer.ProposeMappingFor(KindOf(job), f.Columns))
	}
	p, err := PrepareFile(f, chosen, m.Levels, KindOf(job))
	if err != nil {
		return nil, mappingRefusal(job, err)
	}
	if err := CheckLevels(p.Result, m.OtherNoLevel); err != nil {
		return nil, err
	}
	p.Input.Corrections = c.Digest()
	return p, nil
}

// CellEdit is one cell to correct: the file's 0-based column and its new value.
type CellEdit struct {
	Column int
	Value  string
}

// RowCheck is a row checked again after a correction, with the plan made with it.
type RowCheck struct {
	// Line is the line of the job's file (canonical for a roster set).
	Line int
	// Outcome is what the import does with the row now ("" when no user comes of it).
	Outcome importer.Outcome
	// Reasons are why the row is still refused; empty when it is accepted.
	Reasons []importer.Problem
	Plan    *importer.Plan
}

// Accepted says the row is no longer refused.
func (r *RowCheck) Accepted() bool {
	return len(r.Reasons) == 0 && r.Outcome != importer.OutcomeRefused
}

func errCorrection(nl, en string) *apperr.Error {
	return apperr.New(apperr.CodeInvalidInput, nl, en, map[string]any{"field": "values"})
}

// checkEdits refuses edits over the limits: too many, too long, or with control characters.
func checkEdits(edits []CellEdit) error {
	if len(edits) == 0 || len(edits) > MaxCorrectionsPerCall {
		return errCorrection(fmt.Sprintf("Verbeter 1 tot %d cellen tegelijk.", MaxCorrectionsPerCall),
			fmt.Sprintf("Correct 1 to %d cells at a time.", MaxCorrectionsPerCall))
	}
	for _, e := range edits {
		if utf8.RuneCountInString(e.Value) > MaxCorrectionLength {
			return errCorrection(fmt.Sprintf("Een cel mag hoogstens %d tekens hebben.", MaxCorrectionLength),
				fmt.Sprintf("A cell may have at most %d characters.", MaxCorrectionLength))
		}
		if strings.ContainsFunc(e.Value, unicode.IsControl) || !utf8.ValidString(e.Value) {
			return errCorrection("Een cel mag geen regeleinden of stuurtekens bevatten.", "A cell may not contain line breaks or control characters.")
		}
	}
	return nil
}
