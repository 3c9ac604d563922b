package jobs

import (
	"context"
	"fmt"

	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
)

// Drafts are the statuses of an import that was started and not committed: the wizard offers
// to continue one or to throw it away (Discard); the history lists the others.
var Drafts = []importjob.Status{importjob.StatusUPLOADED, importjob.StatusMAPPED, importjob.StatusPREVIEWED}

// Discard throws away an unfinished import of the viewer's school: the job, its file and its
// plan are deleted, so it vanishes from the history; a roster set's next job that is still a
// draft goes with it. Only an admin of the school may; a job that is running or was
// committed (or failed, which the history keeps) is refused with INVALID_STATE, as is the
// second part of a roster set whose first part was committed (the first part names it).
func (s *Service) Discard(ctx context.Context, jobID int) error {
	job, err := s.Job(ctx, jobID)
	if err != nil {
		return err
	}
	if err := auth.RequireAdmin(ctx, job.SchoolID); err != nil {
		return err
	}
	user := ctx
	ctx = auth.System(ctx)
	ids := []int{job.ID}
	if job.NextJobID != nil {
		next, err := s.db.Client.ImportJob.Get(ctx, *job.NextJobID)
		if err == nil && isDraft(next.Status) {
			ids = append(ids, next.ID)
		}
	}
	if !isDraft(job.Status) {
		return errState("Alleen een import die nog niet is uitgevoerd kan worden weggegooid.",
			"Only an import that was not applied can be thrown away.")
	}
	if named, err := s.db.Client.ImportJob.Query().Where(importjob.NextJobID(job.ID)).Exist(ctx); err != nil {
		return fmt.Errorf("discard job %d: %w", jobID, err)
	} else if named {
		return errState("Dit is het tweede deel van een set; het eerste deel is al uitgevoerd. Maak deze import af.",
			"This is the second part of a set whose first part was applied. Finish this import.")
	}
	if err := s.deleteDrafts(ctx, ids); err != nil {
		return fmt.Errorf("discard job %d: %w", jobID, err)
	}
	audit.Record(user, s.db.Client, job.SchoolID, "import_discarded", fmt.Sprintf("job %d: %s", job.ID, job.FileName))
	s.log.Info("import discarded", "job", job.ID, "school", job.SchoolID)
	return nil
}

// deleteDrafts deletes the jobs (the first may name the second as its next job) with their
// blobs, in one transaction, as long as each is still a draft.
func (s *Service) deleteDrafts(ctx context.Context, ids []int) error {
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ImportBlob.Delete().Where(importblob.JobIDIn(ids...)).Exec(ctx); err != nil {
		return err
	}
	for _, id := range ids { // the first before the job it names
		n, err := tx.ImportJob.Delete().Where(importjob.ID(id), importjob.StatusIn(Drafts...)).Exec(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return errState("Deze import wordt al uitgevoerd.", "This import is running already.")
		}
	}
	return tx.Commit()
}

// isDraft reports whether a job of this status was not committed and is not running.
func isDraft(st importjob.Status) bool {
	for _, d := range Drafts {
		if st == d {
			return true
		}
	}
	return false
}
