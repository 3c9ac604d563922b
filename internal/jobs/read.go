package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
)

// editableJob loads a job whose mapping and preview may still change, with its file.
// The viewer must administer the job's school; other schools' jobs do not exist for them.
func (s *Service) editableJob(ctx context.Context, jobID int) (*ent.ImportJob, []byte, error) {
	job, err := s.Job(ctx, jobID)
	if err != nil {
		return nil, nil, err
	}
	if err := auth.RequireAdmin(ctx, job.SchoolID); err != nil {
		return nil, nil, err
	}
	switch job.Status {
	case importjob.StatusCOMMITTING:
		return nil, nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	case importjob.StatusCOMMITTED, importjob.StatusUNDONE:
		return nil, nil, errState("Deze import is al uitgevoerd. Upload het bestand opnieuw voor een nieuwe import.",
			"This import was applied already. Upload the file again for a new import.")
	}
	content, err := s.blob(ctx, jobID, importblob.KindFILE)
	if err != nil {
		return nil, nil, err
	}
	if content == nil {
		return nil, nil, errState("Het bestand van deze import is niet meer bewaard. Upload het opnieuw.",
			"The file of this import is no longer kept. Upload it again.")
	}
	return job, content, nil
}

// Job loads a job the viewer may see.
func (s *Service) Job(ctx context.Context, jobID int) (*ent.ImportJob, error) {
	if auth.FromContext(ctx) == nil && !auth.IsSystem(ctx) {
		return nil, auth.ErrUnauthenticated
	}
	job, err := s.db.Client.ImportJob.Get(ctx, jobID)
	if ent.IsNotFound(err) {
		return nil, errNotFound("import", jobID)
	} else if err != nil {
		return nil, fmt.Errorf("load job %d: %w", jobID, err)
	}
	return job, nil
}

func putBlob(ctx context.Context, c *ent.Client, jobID int, kind importblob.Kind, data []byte) error {
	return c.ImportBlob.Create().SetJobID(jobID).SetKind(kind).SetData(data).
		OnConflictColumns(importblob.FieldJobID, importblob.FieldKind).UpdateData().Exec(ctx)
}

// blob reads one blob of a job, nil when there is none.
func (s *Service) blob(ctx context.Context, jobID int, kind importblob.Kind) ([]byte, error) {
	// Blobs are read only after the job itself was found for the viewer.
	b, err := s.db.Client.ImportBlob.Query().Where(importblob.JobID(jobID), importblob.KindEQ(kind)).Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load %s of job %d: %w", strings.ToLower(string(kind)), jobID, err)
	}
	return b.Data, nil
}

// ReportCounts are the counts of a job's result report, zero before the commit: the history
// reads them for every row, so only the counts are decoded, not the report's lists.
func ReportCounts(job *ent.ImportJob) (importer.Counts, error) {
	var r struct {
		Counts importer.Counts `json:"counts"`
	}
	if len(job.Report) == 0 {
		return r.Counts, nil
	}
	if err := json.Unmarshal(job.Report, &r); err != nil {
		return r.Counts, fmt.Errorf("job %d: decode report counts: %w", job.ID, err)
	}
	return r.Counts, nil
}

// Report decodes a job's result report, nil before the commit.
func Report(job *ent.ImportJob) (*importer.Report, error) {
	if len(job.Report) == 0 {
		return nil, nil
	}
	var r importer.Report
	if err := json.Unmarshal(job.Report, &r); err != nil {
		return nil, fmt.Errorf("job %d: decode report: %w", job.ID, err)
	}
	return &r, nil
}

// History lists the school's import jobs (imports and undos), newest first, for a viewer who
// administers the school.
func (s *Service) History(ctx context.Context, schoolID int) ([]*ent.ImportJob, error) {
	if err := auth.RequireAdmin(ctx, schoolID); err != nil {
		return nil, err
	}
	list, err := s.db.Client.ImportJob.Query().Where(importjob.SchoolID(schoolID)).
		Order(ent.Desc(importjob.FieldID)).All(auth.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("import history of school %d: %w", schoolID, err)
	}
	return list, nil
}
