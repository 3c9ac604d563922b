package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/rosterset"
)

// A roster set's job plans a canonical file whose lines mean nothing to the admin: every line
// the API shows of such a job (problems, preview users, damaged values, the report) is mapped
// here to the set's file (sourceFile) and that file's line. A job of one uploaded CSV has no
// origins and passes unchanged.

// maxSkippedRows bounds RosterSetUpload.skipped.
const maxSkippedRows = 100

// maxClassParts bounds RosterSetUpload.classParts.
const maxClassParts = 500

// originsOf are the job's origins; nil for a job of one uploaded CSV.
func (r *Resolver) originsOf(ctx context.Context, job *ent.ImportJob) (*jobs.Origins, error) {
	return r.jobs.Origins(ctx, job)
}

// atSource maps a line to the set's file and line; file is nil when the line is no set row.
func atSource(o *jobs.Origins, line int) (int, *string) {
	f, l, ok := o.Map(line)
	if !ok {
		return line, nil
	}
	return l, &f
}

func mapProblems(ps []*model.ImportProblem, o *jobs.Origins) {
	if o == nil {
		return
	}
	for _, p := range ps {
		p.Line, p.SourceFile = atSource(o, p.Line)
		p.Message, p.MessageEn = o.Text(p.Message, p.MessageEn)
	}
}

func mapDamaged(ds []*model.DamagedValue, o *jobs.Origins) {
	if o == nil {
		return
	}
	for _, d := range ds {
		d.Line, d.SourceFile = atSource(o, d.Line)
	}
}

func mapUsers(us []*model.PreviewUser, o *jobs.Origins) {
	if o == nil {
		return
	}
	for _, u := range us {
		if u.Line != nil {
			l, f := atSource(o, *u.Line)
			u.Line, u.SourceFile = &l, f
		}
		mapProblems(u.Reasons, o)
	}
}

// withOrigins maps a preview's lines; its users are mapped page by page (Users).
func withOrigins(p *model.ImportPreview, o *jobs.Origins) *model.ImportPreview {
	if p == nil || o == nil {
		return p
	}
	p.Origins = o
	mapProblems(p.Refused, o)
	mapProblems(p.Warnings, o)
	return p
}

// reportWithOrigins maps a report's lines.
func reportWithOrigins(rep *model.ImportReport, o *jobs.Origins) *model.ImportReport {
	if rep == nil || o == nil {
		return rep
	}
	mapProblems(rep.Refused, o)
	mapProblems(rep.Warnings, o)
	mapDamaged(rep.DamagedValues, o)
	return rep
}

// jobPreview is a job's preview with its lines mapped.
func (r *Resolver) jobPreview(ctx context.Context, job *ent.ImportJob, p *model.ImportPreview) (*model.ImportPreview, error) {
	o, err := r.originsOf(ctx, job)
	if err != nil {
		return nil, err
	}
	return withOrigins(p, o), nil
}

// jobReport is a job's report with its lines mapped.
func (r *Resolver) jobReport(ctx context.Context, job *ent.ImportJob, rep *model.ImportReport) (*model.ImportReport, error) {
	if rep == nil {
		return nil, nil
	}
	o, err := r.originsOf(ctx, job)
	if err != nil {
		return nil, err
	}
	return reportWithOrigins(rep, o), nil
}

// rosterSetUpload is the API's view of an uploaded set.
func rosterSetUpload(up *jobs.SetUpload) *model.RosterSetUpload {
	s := up.Set
	m := &model.RosterSetUpload{Format: string(s.Format), Version: s.Version, School: rosterSchool(s.School),
		Pupils: up.Pupils, Teachers: up.Teachers, Groups: up.Groups, SkippedTotal: len(s.Skipped),
		Schools: []*model.RosterSetSchool{}, Skipped: []*model.RosterSetSkippedRow{}, Jobs: up.Jobs}
	for _, sc := range s.Schools {
		m.Schools = append(m.Schools, rosterSchool(sc))
	}
	skipped := slices.Clone(s.Skipped)
	slices.SortStableFunc(skipped, func(a, b rosterset.Skipped) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	for _, k := range skipped[:min(len(skipped), maxSkippedRows)] {
		m.Skipped = append(m.Skipped, &model.RosterSetSkippedRow{File: k.File, Line: k.Line, Reason: k.Reason, ReasonEn: k.ReasonEn})
	}
	m.WarningsTotal, m.Warnings, m.InferredClasses = max(s.WarningsTotal, len(s.Warnings)), []*model.RosterSetProblem{}, []*model.RosterSetInferredClass{}
	for _, p := range s.Warnings {
		m.Warnings = append(m.Warnings, &model.RosterSetProblem{File: p.File, Line: p.Line, Column: p.Column, Message: p.Message, MessageEn: p.MessageEn})
	}
	for _, c := range s.Inferred {
		m.InferredClasses = append(m.InferredClasses, &model.RosterSetInferredClass{Name: c.Name, File: c.File, Line: c.Line, Pupils: c.Pupils})
	}
	m.ClassParts = []*model.RosterSetClassPart{}
	for _, c := range s.ClassParts[:min(len(s.ClassParts), maxClassParts)] {
		m.ClassParts = append(m.ClassParts, &model.RosterSetClassPart{Name: c.Name, Pupils: c.Pupils, Section: c.Section})
	}
	m.InferRule = optional(s.InferRule)
	return m
}

func rosterSchool(s rosterset.School) *model.RosterSetSchool {
	return &model.RosterSetSchool{SourceID: s.ID, Name: s.Name, Identifier: s.Identifier}
}
