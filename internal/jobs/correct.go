package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
)

// CorrectRow corrects cells of one row of a previewed job's file and previews the job again
// with the same actions, so the row is checked by the same validation as every row of the file
// (duplicates across rows included). line is the line as the preview shows it: for a roster
// set's job a line of sourceFile. The corrections are kept with the job (see Corrections) and
// the audit log records that the row was corrected in the app (which columns, not the values).
func (s *Service) CorrectRow(ctx context.Context, jobID, line int, sourceFile string, edits []CellEdit) (*RowCheck, error) {
	if err := checkEdits(edits); err != nil {
		return nil, err
	}
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	plan, err := s.Plan(sys, job)
	if err != nil {
		return nil, err
	}
	if plan == nil {
		return nil, errState("Bekijk eerst het voorbeeld van deze import.", "Preview this import first.")
	}
	origins, err := s.Origins(sys, job)
	if err != nil {
		return nil, err
	}
	canonical, ok := origins.Line(sourceFile, line)
	if !ok {
		return nil, errCorrection(fmt.Sprintf("Regel %d staat niet in het bestand.", line), fmt.Sprintf("Line %d is not in the file.", line))
	}
	f, err := importer.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("correct job %d: %w", jobID, err)
	}
	row := -1
	for i, r := range f.Rows {
		if r.Line == canonical {
			row = i
			break
		}
	}
	if row < 0 {
		return nil, errCorrection(fmt.Sprintf("Regel %d staat niet in het bestand.", line), fmt.Sprintf("Line %d is not in the file.", line))
	}
	corr, err := s.JobCorrections(sys, job)
	if err != nil {
		return nil, err
	}
	headers, err := corr.record(ctx, f, row, edits)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(corr)
	if err != nil {
		return nil, fmt.Errorf("correct job %d: %w", jobID, err)
	}
	if err := putBlob(sys, s.db.Client, jobID, importblob.KindCORRECTIONS, raw); err != nil {
		return nil, fmt.Errorf("correct job %d: save corrections: %w", jobID, err)
	}
	where := ""
	if sourceFile != "" {
		where = " van " + sourceFile
	}
	audit.Record(ctx, s.db.Client, job.SchoolID, "import_correction",
		fmt.Sprintf("job %d: %s, regel %d%s in de app verbeterd (kolommen %s)", jobID, job.FileName, line, where, strings.Join(headers, ", ")))
	next, err := s.Preview(ctx, jobID, plan.Actions)
	if err != nil {
		return nil, err
	}
	return checkRow(next, canonical), nil
}

// record adds the edits of the file's row to the corrections and returns the edited columns'
// headers; an edit back to the file's own value drops the correction.
func (c *Corrections) record(ctx context.Context, f *importer.File, row int, edits []CellEdit) ([]string, error) {
	r := f.Rows[row]
	v := auth.FromContext(ctx)
	by, byAccount := "", 0
	if v != nil {
		by, byAccount = v.Name, v.AccountID
	}
	now := time.Now().UTC()
	var headers []string
	for _, e := range edits {
		if e.Column < 0 || e.Column >= len(f.Columns) {
			return nil, errCorrection(fmt.Sprintf("Kolom %d staat niet in het bestand.", e.Column+1), fmt.Sprintf("Column %d is not in the file.", e.Column+1))
		}
		before := ""
		if e.Column < len(r.Cells) {
			before = r.Cells[e.Column]
		}
		h := f.Columns[e.Column].Header
		c.set(Correction{Line: r.Line, Column: e.Column, Header: h, Before: before, After: strings.TrimSpace(e.Value), By: by, ByAccount: byAccount, At: now})
		headers = append(headers, h)
	}
	if len(c.Cells) > MaxCorrectionsPerJob {
		return nil, errCorrection(fmt.Sprintf("Een import kan hoogstens %d verbeterde cellen hebben. Verbeter de rest in het bestand en upload het opnieuw.", MaxCorrectionsPerJob),
			fmt.Sprintf("An import can have at most %d corrected cells. Correct the rest in the file and upload it again.", MaxCorrectionsPerJob))
	}
	return headers, nil
}

// checkRow is what the plan does with the file's line.
func checkRow(p *importer.Plan, line int) *RowCheck {
	rc := &RowCheck{Line: line, Plan: p, Reasons: []importer.Problem{}}
	for _, pr := range p.Refused {
		if pr.Line == line {
			rc.Reasons = append(rc.Reasons, pr)
		}
	}
	for i := range p.Users {
		if p.Users[i].Line == line {
			rc.Outcome = p.Users[i].Outcome
			break
		}
	}
	return rc
}

// Line is the canonical line of a set's file and line; for a job of one file (o nil, file "")
// the line itself.
func (o *Origins) Line(file string, line int) (int, bool) {
	if o == nil {
		return line, file == ""
	}
	for _, r := range o.Rows {
		if r[2] == line && r[1] < len(o.Files) && o.Files[r[1]] == file {
			return r[0], true
		}
	}
	return 0, false
}
