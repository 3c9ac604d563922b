// Package graph is the GraphQL API of Numo accounts: the gqlgen schema files, thin resolvers
// that call the domain packages in internal/, and the HTTP handler that serves them.
package graph

import (
	"context"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/webhook"
)

// Resolver is the root resolver; it holds the dependencies the resolvers share.
type Resolver struct {
	client    *ent.Client
	db        *store.DB
	jobs      *jobs.Service
	authn     *authn.Service
	maxUpload int64
	webhooks  *webhook.Service
}

// fullProgress completes a progress event with the job's counts, and on the final event its
// report (read once, from the database).
func (r *Resolver) fullProgress(ctx context.Context, job *ent.ImportJob, p jobs.Progress) (*model.ImportProgress, error) {
	var rep *importer.Report
	if p.Final {
		var err error
		if rep, err = jobs.Report(job); err != nil {
			return nil, err
		}
	}
	return r.mappedReport(ctx, job, withJob(p, job, rep))
}

// mappedReport maps the lines of a final event's report for a roster set's job (see
// rosterset_views.go).
func (r *Resolver) mappedReport(ctx context.Context, job *ent.ImportJob, m *model.ImportProgress) (*model.ImportProgress, error) {
	if m.Report != nil && job.Source != "" {
		var err error
		if m.Report, err = r.jobReport(ctx, job, m.Report); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// withJob is a progress event with the job's counts, and on the final event its report.
func withJob(p jobs.Progress, job *ent.ImportJob, rep *importer.Report) *model.ImportProgress {
	m := progress(p)
	m.Counts = counts(jobCounts(job))
	if p.Final {
		m.Report = report(rep)
		if rep != nil {
			m.Counts = counts(rep.Counts)
		}
	}
	return m
}

// progressEvent turns a subscription's event into the API's progress. The final one carries
// the job row and its report, read once for every subscriber of the process (jobs.Subscribe);
// only when that read failed does it read the job itself.
func (r *Resolver) progressEvent(ctx context.Context, jobID int, p jobs.Progress) (*model.ImportProgress, error) {
	if !p.Final {
		return progress(p), nil
	}
	if p.Job != nil {
		return r.mappedReport(ctx, p.Job, withJob(p, p.Job, p.Report))
	}
	job, err := r.client.ImportJob.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return r.fullProgress(ctx, job, p)
}

func statusOf(s string) importjob.Status { return importjob.Status(s) }
