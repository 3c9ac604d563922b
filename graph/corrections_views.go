package graph

import (
	"context"
	"fmt"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/jobs"
)

// refusedRowsURL is where the refused rows of a job's last preview are downloaded, while the
// job's file is kept (until the commit).
func refusedRowsURL(job *ent.ImportJob) *string {
	if job.PlanHash == "" || job.Status == importjob.StatusCOMMITTED || job.Status == importjob.StatusUNDONE {
		return nil
	}
	u := fmt.Sprintf("/api/import-jobs/%d/refused.csv", job.ID)
	return &u
}

// jobCorrections are the job's corrected cells with their lines mapped to a set's files.
func (r *Resolver) jobCorrections(ctx context.Context, job *ent.ImportJob) ([]*model.RowCorrection, error) {
	c, err := r.jobs.JobCorrections(ctx, job)
	if err != nil {
		return nil, err
	}
	o, err := r.originsOf(ctx, job)
	if err != nil {
		return nil, err
	}
	out := []*model.RowCorrection{}
	for _, x := range c.Cells {
		line, file := atSource(o, x.Line)
		out = append(out, &model.RowCorrection{Line: line, SourceFile: file, Column: x.Header, Before: x.Before, After: x.After, By: x.By, At: x.At})
	}
	return out, nil
}

// correctRow corrects a row and answers its check with the preview planned again.
func (r *Resolver) correctRow(ctx context.Context, jobID, line int, sourceFile *string, values []*model.CellCorrectionInput) (*model.RowCheck, error) {
	edits := make([]jobs.CellEdit, 0, len(values))
	for _, v := range values {
		edits = append(edits, jobs.CellEdit{Column: v.Column, Value: v.Value})
	}
	file := ""
	if sourceFile != nil {
		file = *sourceFile
	}
	rc, err := r.jobs.CorrectRow(ctx, jobID, line, file, edits)
	if err != nil {
		return nil, err
	}
	job, err := r.jobs.Job(ctx, jobID)
	if err != nil {
		return nil, err
	}
	p, err := r.jobPreview(ctx, job, preview(rc.Plan))
	if err != nil {
		return nil, err
	}
	m := &model.RowCheck{Line: line, SourceFile: sourceFile, Accepted: rc.Accepted(), Reasons: problems(rc.Reasons), Preview: p}
	if o, ok := outcomes[rc.Outcome]; ok {
		m.Outcome = &o
	}
	mapProblems(m.Reasons, p.Origins)
	return m, nil
}
