package jobs

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
)

// MappingState is what the job's mapping column holds (jobfile.Mapping, its one codec) with
// the views the app and numo import read of it.
type MappingState jobfile.Mapping

// Mapping decodes a job's mapping.
func Mapping(j *ent.ImportJob) (*MappingState, error) {
	m, err := jobfile.DecodeMapping(j.Mapping)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", j.ID, err)
	}
	ms := MappingState(*m)
	return &ms, nil
}

// Propose is the mapping a new file of kind k (pupils or teachers; "" is what
// importer.SniffKind reads from its headers) of the school starts with: the mapping the school
// confirmed last for these same headers and this kind when it is still valid, else the
// proposal from the headers for that kind's fields; and the level values the school mapped
// before. The app's upload, setMapping's change of kind and numo import all start from it.
func Propose(school *ent.School, f *importer.File, k importer.Kind) *MappingState {
	if k == "" {
		k = importer.SniffKind(f.Columns)
	}
	m := &MappingState{Columns: f.Columns, Proposed: importer.ProposeMappingFor(k, f.Columns), Levels: map[string]importer.Level{}}
	if k == importer.KindTeachers {
		m.Kind = k // a pupil mapping keeps no kind, as before kinds
	}
	m.Chosen = importer.MappingFromMatches(m.Proposed)
	if remembered, ok := school.ColumnMappings[rememberKey(k, f.Columns)]; ok {
		chosen := importer.Mapping{}
		for _, c := range f.Columns {
			if field := remembered[c.Header]; field != "" {
				chosen[c.Index] = importer.Field(field)
			}
		}
		if len(chosen.ValidateFor(k, f.Columns)) == 0 {
			m.Chosen, m.Remembered = chosen, true
		}
	}
	for k, v := range school.LevelMappings {
		m.Levels[k] = importer.Level(v)
	}
	m.Unknown, m.UnknownTotal = unknownLevels(f, m.Chosen, m.kind())
	return m
}

// ColumnView is one column of a job's file as the admin sees it: its chosen field ("" for
// none) and how sure the proposal is of it (1 for a choice the admin or the school made).
type ColumnView struct {
	importer.Column
	Field      string
	Confidence float64
}

// ColumnViews lists the file's columns with their chosen fields.
func (m *MappingState) ColumnViews() []ColumnView {
	conf := map[int]importer.Match{}
	for _, p := range m.Proposed {
		conf[p.Column] = p
	}
	out := make([]ColumnView, 0, len(m.Columns))
	for _, c := range m.Columns {
		v := ColumnView{Column: c}
		if f, ok := m.Chosen[c.Index]; ok {
			v.Field, v.Confidence = string(f), 1
			if p := conf[c.Index]; p.Field == f && !m.Confirmed && !m.Remembered {
				v.Confidence = p.Confidence
			}
		}
		out = append(out, v)
	}
	return out
}

// LevelValue is one level value of the file that is not recognised by itself, with the level
// it is mapped to: Decided is false while it is not mapped yet, Level "" with Decided is
// "no level" on purpose.
type LevelValue struct {
	Value   string
	Count   int
	Level   string
	Decided bool
}

// LevelValues lists the file's unrecognised level values with their mapped levels.
func (m *MappingState) LevelValues() []LevelValue {
	out := []LevelValue{}
	for _, u := range m.Unknown {
		l, ok := decided(m.Levels, u.Value)
		out = append(out, LevelValue{Value: u.Value, Count: u.Count, Level: string(l), Decided: ok})
	}
	return out
}

// Problems are what is wrong with the chosen mapping, nil when it is valid: the column
// mapping's problems, else the level values not yet decided.
func (m *MappingState) Problems() []importer.Problem {
	if probs := m.Chosen.ValidateFor(m.kind(), m.Columns); len(probs) > 0 {
		return probs
	}
	if u := m.Undecided(); len(u) > 0 {
		return []importer.Problem{m.unknownLevelsProblem(u)}
	}
	return nil
}

// Limits on what a school's mapping stores: every later job starts from it, so it must stay small.
const (
	// MaxUnknownLevels is how many unrecognised level values a job lists (the most frequent).
	MaxUnknownLevels = 200
	// MaxLevelChoices is how many level values one setMapping may map.
	MaxLevelChoices = 500
	// maxLevelValue is the longest level value, in bytes, that can be mapped to a level.
	maxLevelValue = 100
	// maxSchoolLevelMappings is how many level values a school remembers; past it, only the
	// newest job's choices are kept.
	maxSchoolLevelMappings = 1000
	// maxSchoolColumnMappings is how many header layouts a school remembers; past it, only
	// the newest is kept.
	maxSchoolColumnMappings = 50
)

// ColumnChoice is the admin's field for one column; Field "" leaves it unmatched.
type ColumnChoice struct {
	Column int
	Field  string
}

// OtherLevels is the Value of a LevelChoice that decides every level value of the file not
// decided otherwise (one by one, or by the school before) as "no level" (its Level must be ""),
// for this job only: the school does not remember it. It is the way out when the file holds
// more unrecognised values than a job lists (MaxUnknownLevels). numo import: --level '*='.
const OtherLevels = "*"

// LevelChoice maps one level value of the file to a canonical level.
type LevelChoice struct {
	Value string
	Level string
}

// SetMapping stores the admin's mapping: every column's field and the level values mapped by
// hand. An invalid mapping is refused with every problem; a valid one is remembered for the
// school (for the next file with the same headers and kind).
//
// kind ("" for unchanged) says what the file holds when upload read it wrongly: the mapping
// is proposed again for that kind (Propose). With no columns that proposal is stored as is,
// unconfirmed, for the admin to check; with columns they are the mapping for the new kind.
func (s *Service) SetMapping(ctx context.Context, jobID int, cols []ColumnChoice, levels []LevelChoice, kind importer.Kind) (*ent.ImportJob, error) {
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	ctx = auth.System(ctx)
	m, err := Mapping(job)
	if err != nil {
		return nil, err
	}
	f, err := importer.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("set mapping: parse stored file: %w", err)
	}
	if kind != "" && kind != KindOf(job) {
		school, err := s.db.Client.School.Get(ctx, job.SchoolID)
		if err != nil {
			return nil, fmt.Errorf("set mapping: %w", err)
		}
		m = Propose(school, f, kind)
		if len(cols) == 0 {
			return s.storeMapping(ctx, job, m, nil, false)
		}
	}
	chosen, err := m.choose(cols, levels)
	if err != nil {
		return nil, err
	}
	m.Chosen, m.Confirmed = chosen, true
	m.Unknown, m.UnknownTotal = unknownLevels(f, chosen, m.kind())
	if u := m.Undecided(); len(u) > 0 {
		return nil, m.errUnknownLevels(u)
	}
	return s.storeMapping(ctx, job, m, levels, true)
}

// storeMapping stores m as the job's mapping, with its kind, and drops the job's preview. A
// confirmed mapping makes the job MAPPED and is remembered for the school with the level
// choices; an unconfirmed one (a proposal after a change of kind) puts the job back to UPLOADED.
func (s *Service) storeMapping(ctx context.Context, job *ent.ImportJob, m *MappingState, levels []LevelChoice, confirmed bool) (*ent.ImportJob, error) {
	raw, err := (*jobfile.Mapping)(m).Encode()
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	status, phase := importjob.StatusMAPPED, PhaseMapped
	if !confirmed {
		status, phase = importjob.StatusUPLOADED, PhaseUploaded
	}
	job, err = tx.ImportJob.UpdateOne(job).SetMapping(raw).SetFileKind(FileKind(m.kind())).SetStatus(status).
		SetPlanHash("").SetPhase(string(phase)).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	if _, err := tx.ImportBlob.Delete().Where(importblob.JobID(job.ID), importblob.KindEQ(importblob.KindPLAN)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("set mapping: drop old preview: %w", err)
	}
	if confirmed {
		if err := remember(ctx, tx.Client(), job.SchoolID, m, levels); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	return job.Unwrap(), nil
}

// choose checks the admin's choices against the file and records the level choices in m; it
// returns the chosen mapping, or an error listing what is wrong.
func (m *MappingState) choose(cols []ColumnChoice, levels []LevelChoice) (importer.Mapping, error) {
	if len(cols) > len(m.Columns) {
		return nil, apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("de koppeling noemt %d kolommen, het bestand heeft er %d", len(cols), len(m.Columns)),
			fmt.Sprintf("the mapping names %d columns, the file has %d", len(cols), len(m.Columns)), nil)
	}
	if err := checkLevelChoices(levels); err != nil {
		return nil, err
	}
	chosen := importer.Mapping{}
	for _, c := range cols {
		if c.Field != "" {
			if _, dup := chosen[c.Column]; dup {
				return nil, apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("kolom %d staat twee keer in de koppeling", c.Column+1),
					fmt.Sprintf("column %d is in the mapping twice", c.Column+1), nil)
			}
			chosen[c.Column] = importer.Field(c.Field)
		}
	}
	if probs := chosen.ValidateFor(m.kind(), m.Columns); len(probs) > 0 {
		msgs := make([]string, len(probs))
		en := make([]string, len(probs))
		for i, p := range probs {
			msgs[i], en[i] = p.NL, p.EN
		}
		return nil, apperr.New(apperr.CodeMappingInvalid, strings.Join(msgs, "; "), strings.Join(en, "; "), map[string]any{"problems": problemsExt(probs)})
	}
	m.OtherNoLevel = false // each setMapping says again whether the other values are "no level"
	if err := m.Decide(levels); err != nil {
		return nil, err
	}
	return chosen, nil
}

// checkLevelChoices refuses too many level choices, a value too long to be a level and a
// level Numo does not know.
func checkLevelChoices(levels []LevelChoice) error {
	if len(levels) > MaxLevelChoices {
		return apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("koppel hoogstens %d niveauwaarden tegelijk (nu %d)", MaxLevelChoices, len(levels)),
			fmt.Sprintf("map at most %d level values at once (got %d)", MaxLevelChoices, len(levels)), nil)
	}
	valid := map[string]bool{}
	for _, l := range importer.Levels() {
		valid[string(l)] = true
	}
	for _, l := range levels {
		if l.Value == OtherLevels && l.Level != "" {
			return apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("alle andere niveauwaarden kunnen alleen ‘Geen niveau’ krijgen, niet %q", l.Level),
				fmt.Sprintf("all other level values can only be ‘No level’, not %q", l.Level), nil)
		}
		if len(l.Value) > maxLevelValue || !utf8.ValidString(l.Value) {
			return apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("de niveauwaarde %q is langer dan %d tekens; zo'n waarde is geen opleidingsniveau", clip.Marked(l.Value, 40), maxLevelValue),
				fmt.Sprintf("the level value %q is longer than %d characters; such a value is no level", clip.Marked(l.Value, 40), maxLevelValue), nil)
		}
		if l.Level != "" && !valid[l.Level] {
			return apperr.New(apperr.CodeMappingInvalid, fmt.Sprintf("%q is geen opleidingsniveau van Numo", l.Level),
				fmt.Sprintf("%q is not a Numo level", l.Level), nil)
		}
	}
	return nil
}

// remember stores a confirmed mapping for the school: the column mapping for these headers
// and the level values mapped by hand, within the school's limits.
func remember(ctx context.Context, c *ent.Client, schoolID int, m *MappingState, levels []LevelChoice) error {
	school, err := c.School.Get(ctx, schoolID)
	if err != nil {
		return fmt.Errorf("set mapping: %w", err)
	}
	byHeader := map[string]string{}
	for col, field := range m.Chosen {
		byHeader[m.Columns[col].Header] = string(field)
	}
	remembered := school.ColumnMappings
	if remembered == nil || len(remembered) >= maxSchoolColumnMappings {
		remembered = map[string]map[string]string{}
	}
	remembered[rememberKey(m.kind(), m.Columns)] = byHeader
	// One kind per header layout: the latest confirmed, which DetectKind offers next time.
	delete(remembered, rememberKey(otherKind(m.kind()), m.Columns))
	if err := c.School.UpdateOne(school).SetColumnMappings(remembered).Exec(ctx); err != nil {
		return fmt.Errorf("set mapping: remember for school: %w", err)
	}
	return rememberLevels(ctx, c, schoolID, levels)
}

// Use makes chosen the job's mapping, as confirmed by the operator (numo import --mapping).
func (m *MappingState) Use(f *importer.File, chosen importer.Mapping) {
	m.Chosen, m.Confirmed, m.Remembered = chosen, true, false
	m.Unknown, m.UnknownTotal = unknownLevels(f, chosen, m.kind())
}
