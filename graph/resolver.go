// Package graph is the GraphQL API of Numo accounts: the gqlgen schema files, thin resolvers
// that call the domain packages in internal/, and the HTTP handler that serves them.
package graph

import (
	"context"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/store"
)

// Resolver is the root resolver; it holds the dependencies the resolvers share.
type Resolver struct {
	client    *ent.Client
	db        *store.DB
	jobs      *jobs.Service
	authn     *authn.Service
	maxUpload int64
}

// fullProgress completes a progress event with the job's counts, and on the final event its
// report (read once, from the database).
func (r *Resolver) fullProgress(ctx context.Context, job *ent.ImportJob, p jobs.Progress) (*model.ImportProgress, error) {
	m := progress(p)
	m.Counts = counts(jobCounts(job))
	if p.Final {
		rep, err := jobs.Report(job)
		if err != nil {
			return nil, err
		}
		m.Report = report(rep)
		if rep != nil {
			m.Counts = counts(rep.Counts)
		}
	}
	return m, nil
}

// progressEvent turns a bus event into the API's progress; the final one reads the job.
func (r *Resolver) progressEvent(ctx context.Context, jobID int, p jobs.Progress) (*model.ImportProgress, error) {
	if !p.Final {
		return progress(p), nil
	}
	job, err := r.client.ImportJob.Get(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return r.fullProgress(ctx, job, p)
}

func statusOf(s string) importjob.Status { return importjob.Status(s) }
