package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/rosterset"
)

// A roster set (School Data Sync, OneRoster) is read whole by internal/rosterset into Numo's
// canonical pupil and teacher CSV. It becomes two ordinary jobs of the school, created
// together: the pupil job first (its lesgroepen must exist before teachers are assigned to
// them), then the teacher job, linked by the pupil job's next_job_id. Each job keeps where its
// rows came from (an ORIGINS blob, see Origins), so that its problems name the set's file and
// line, and its source (the format and files) for the history.

// MaxSetFiles is the most files one roster set upload may hold (a zip counts as one; the
// files inside it are rosterset's to bound).
const MaxSetFiles = 32

// SetUpload is a roster set read for a school and the jobs made of it, in the order to go
// through them: the pupil job, then the teacher job (none for a part the set does not have).
type SetUpload struct {
	Set  *rosterset.Set
	Jobs []*ent.ImportJob
	// Pupils and Teachers count the rows of the canonical files, Groups the distinct
	// lesgroepen (not stamklassen) in them.
	Pupils, Teachers, Groups int
}

// SetPart is one canonical file of a read set with the origins of its rows.
type SetPart struct {
	Kind    importer.Kind
	Data    []byte
	File    *importer.File
	Origins *Origins
}

// ReadSet reads a roster set for the chosen school (brin, or the set's only school, or else
// the school of the set whose identifier is own: the Numo school's BRIN) and parses its
// canonical files: the pupils' part first, then the teachers' (a part without rows is left
// out). A set that cannot be read is refused with ROSTER_SET_REJECTED.
// opts.Stamklassen names the stamklassen of an SDS set (see rosterset.Options; checked by
// CheckStamklassen).
func ReadSet(inputs []rosterset.Input, brin, own string, opts rosterset.Options) (*rosterset.Set, []SetPart, error) {
	if len(inputs) > MaxSetFiles {
		return nil, nil, ErrTooManyFiles(len(inputs))
	}
	if err := CheckStamklassen(opts.Stamklassen); err != nil {
		return nil, nil, err
	}
	set, err := openSet(inputs, strings.TrimSpace(brin), own, opts)
	var se *rosterset.SetError
	if errors.As(err, &se) {
		return nil, nil, setRejected(se)
	} else if err != nil {
		return nil, nil, fmt.Errorf("read roster set: %w", err)
	}
	var parts []SetPart
	for _, p := range []struct {
		kind    importer.Kind
		data    []byte
		origins []rosterset.Origin
	}{{importer.KindPupils, set.Pupils, set.PupilOrigins}, {importer.KindTeachers, set.Teachers, set.TeacherOrigins}} {
		if len(p.origins) == 0 {
			continue
		}
		f, err := importer.Parse(p.data)
		if err != nil {
			return nil, nil, fmt.Errorf("read roster set: canonical %s file: %w", p.kind, err)
		}
		o := NewOrigins(f, p.origins)
		if len(set.Subjects) > 0 {
			o.Subjects = set.Subjects
		}
		parts = append(parts, SetPart{Kind: p.kind, Data: p.data, File: f, Origins: o})
	}
	if len(parts) == 0 {
		return nil, nil, setRefusal(apperr.SetEmpty, "De set bevat geen leerlingen en geen docenten van deze school.",
			"The set holds no pupils and no teachers of this school.")
	}
	return set, parts, nil
}

// openSet is rosterset.Open, which asks for a BRIN when the set holds several schools: then
// the one whose identifier is own is read, when there is one.
func openSet(inputs []rosterset.Input, brin, own string, opts rosterset.Options) (*rosterset.Set, error) {
	set, err := rosterset.OpenWith(inputs, brin, opts)
	var se *rosterset.SetError
	if brin != "" || own == "" || !errors.As(err, &se) || se.Code != rosterset.CodeChooseSchool {
		return set, err
	}
	mine, err2 := rosterset.OpenWith(inputs, own, opts)
	var se2 *rosterset.SetError
	if errors.As(err2, &se2) && se2.Code == rosterset.CodeUnknownSchool {
		return nil, err // own is not in the set: the admin chooses
	}
	return mine, err2
}

// The bounds of the stamklassen an admin names for a set.
const (
	MaxStamklassen    = 500
	MaxStamklasLength = 100
)

// CheckStamklassen refuses more than MaxStamklassen names or a name longer than
// MaxStamklasLength characters with INVALID_INPUT.
func CheckStamklassen(names []string) error {
	if len(names) > MaxStamklassen {
		return apperr.New(apperr.CodeInvalidInput,
			fmt.Sprintf("Er zijn %d stamklassen gekozen; kies er hoogstens %d.", len(names), MaxStamklassen),
			fmt.Sprintf("%d stamklassen were chosen; choose at most %d.", len(names), MaxStamklassen), nil)
	}
	for _, n := range names {
		if utf8.RuneCountInString(n) > MaxStamklasLength {
			return apperr.New(apperr.CodeInvalidInput,
				fmt.Sprintf("De stamklasnaam %q is langer dan %d tekens.", clip.Marked(n, 40), MaxStamklasLength),
				fmt.Sprintf("The stamklas name %q is longer than %d characters.", clip.Marked(n, 40), MaxStamklasLength), nil)
		}
	}
	return nil
}

// ErrTooManyFiles refuses an upload of n files, more than MaxSetFiles, before any is read.
func ErrTooManyFiles(n int) error {
	return setRefusal(apperr.SetTooManyFiles,
		fmt.Sprintf("Er zijn %d bestanden geüpload; een set mag er hoogstens %d hebben. Upload de set als één zip.", n, MaxSetFiles),
		fmt.Sprintf("%d files were uploaded; a set may have at most %d. Upload the set as one zip.", n, MaxSetFiles))
}

// setRefusal is ROSTER_SET_REJECTED for the upload as a whole (no file, line or rows): the
// same extensions a refusal of the reader has (setRejected).
func setRefusal(code, nl, en string) *apperr.Error {
	return setRejected(&rosterset.SetError{Code: code, Message: nl, MessageEn: en})
}

// setRejected is the API's refusal of a set that cannot be read.
func setRejected(se *rosterset.SetError) *apperr.Error {
	probs := make([]map[string]any, 0, len(se.Problems))
	for _, p := range se.Problems {
		probs = append(probs, map[string]any{"file": p.File, "line": p.Line, "column": p.Column, "message": p.Message, "messageEn": p.MessageEn})
	}
	nl, en := se.Message, se.MessageEn
	if en == "" {
		en = nl
	}
	return apperr.New(apperr.CodeRosterSetRejected, nl, en,
		map[string]any{"setCode": se.Code, "file": se.File, "line": se.Line, "problems": probs})
}

// UploadSet reads a roster set for a school and creates its jobs, all or nothing. A set that
// cannot be read creates no job.
func (s *Service) UploadSet(ctx context.Context, schoolID int, inputs []rosterset.Input, brin string, opts rosterset.Options) (*SetUpload, error) {
	school, err := s.adminSchool(ctx, schoolID, "upload set")
	if err != nil {
		return nil, err
	}
	set, parts, err := ReadSet(inputs, brin, school.Brin, opts)
	if err != nil {
		return nil, err
	}
	user := ctx
	ctx = auth.System(ctx)
	jobs, err := s.createSetJobs(ctx, school, SetName(inputs), set, parts)
	if err != nil {
		return nil, err
	}
	up := &SetUpload{Set: set, Jobs: jobs}
	up.Pupils, up.Teachers, up.Groups = SetCounts(parts)
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = fmt.Sprint(j.ID)
	}
	audit.Record(user, s.db.Client, schoolID, "import_uploaded", fmt.Sprintf("jobs %s: %s, %d pupils, %d teachers, %d rows skipped",
		strings.Join(ids, ", "), FormatLabel(set.Format), up.Pupils, up.Teachers, len(set.Skipped)))
	s.log.Info("roster set uploaded", "school", schoolID, "format", set.Format, "jobs", ids, "skipped", len(set.Skipped))
	return up, nil
}

// createSetJobs creates the jobs of a set's parts in one transaction. The last part's job is
// created first, so that each job can name the next one (next_job_id does not change); the
// list comes back in the set's order.
func (s *Service) createSetJobs(ctx context.Context, school *ent.School, name string, set *rosterset.Set, parts []SetPart) ([]*ent.ImportJob, error) {
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("upload set: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	out := make([]*ent.ImportJob, len(parts))
	var next *int
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		create, err := jobCreate(tx, school.ID, name, p.Data, p.File, Propose(school, p.File, p.Kind))
		if err != nil {
			return nil, fmt.Errorf("upload set: %w", err)
		}
		job, err := saveJob(ctx, tx, create.SetSource(SetSource(set.Format, p.Origins)).SetNillableNextJobID(next), p.Data, "upload set")
		if err != nil {
			return nil, err
		}
		if err := putOrigins(ctx, tx.Client(), job.ID, p.Origins); err != nil {
			return nil, err
		}
		out[i], next = job, &job.ID
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("upload set: %w", err)
	}
	for i := range out {
		out[i] = out[i].Unwrap()
	}
	return out, nil
}

// SetName is the file name a set's jobs carry: the upload's one file (a zip), else its first
// file and how many more.
func SetName(inputs []rosterset.Input) string {
	switch len(inputs) {
	case 0:
		return "set.csv"
	case 1:
		return inputs[0].Name
	}
	return fmt.Sprintf("%s (+%d)", cleanName(inputs[0].Name), len(inputs)-1)
}

// formatLabels name the set formats as people know them.
var formatLabels = map[rosterset.Format]string{
	rosterset.FormatSDS1:        "School Data Sync v1",
	rosterset.FormatSDS21:       "School Data Sync v2.1",
	rosterset.FormatOneRoster11: "OneRoster 1.1",
	rosterset.FormatOneRoster12: "OneRoster 1.2",
}

// FormatLabel is a set format as people know it ("OneRoster 1.2").
func FormatLabel(f rosterset.Format) string {
	if l, ok := formatLabels[f]; ok {
		return l
	}
	return string(f)
}

// maxSource is the longest source kept (import_jobs.source).
const maxSource = 500

// SetSource is what a set's job says it came from: the format and the set's files its rows
// were read from, "OneRoster 1.2 (users.csv, enrollments.csv)".
func SetSource(f rosterset.Format, o *Origins) string {
	s := FormatLabel(f)
	if o != nil && len(o.Files) > 0 {
		s += " (" + strings.Join(o.Files, ", ") + ")"
	}
	return clip.Marked(s, maxSource)
}

// SetCounts counts a set's pupils and teachers (rows of the canonical files) and the distinct
// lesgroepen they are in or teach (the pupils' stamklassen left out).
func SetCounts(parts []SetPart) (pupils, teachers, groups int) {
	classes, all := map[string]bool{}, map[string]bool{}
	for _, p := range parts {
		listCols := []string{"Lesgroepen"}
		if p.Kind == importer.KindTeachers {
			teachers = len(p.File.Rows)
			listCols = []string{"Lesgroepen en klassen", "Mentor van"}
		} else {
			pupils = len(p.File.Rows)
			for _, v := range columnValues(p.File, "Klas") {
				classes[strings.ToLower(v)] = true
			}
		}
		for _, c := range listCols {
			for _, cell := range columnValues(p.File, c) {
				for _, g := range strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' }) {
					if g = strings.TrimSpace(g); g != "" {
						all[strings.ToLower(g)] = true
					}
				}
			}
		}
	}
	for g := range all {
		if !classes[g] {
			groups++
		}
	}
	return pupils, teachers, groups
}

// columnValues are the non-empty cells of the column headed h.
func columnValues(f *importer.File, h string) []string {
	idx := -1
	for _, c := range f.Columns {
		if strings.EqualFold(c.Header, h) {
			idx = c.Index
		}
	}
	if idx < 0 {
		return nil
	}
	var out []string
	for _, r := range f.Rows {
		if idx < len(r.Cells) && r.Cells[idx] != "" {
			out = append(out, r.Cells[idx])
		}
	}
	return out
}
