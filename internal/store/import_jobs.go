package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
)

// JobState is the part of an import job that decides what a commit or its rollback may do.
type JobState struct {
	Status      importjob.Status
	SchoolID    int
	CommittedAt sql.NullTime
}

// Is reports whether the job has one of the statuses.
func (j *JobState) Is(statuses ...importjob.Status) bool {
	for _, s := range statuses {
		if j.Status == s {
			return true
		}
	}
	return false
}

// ErrNoJob means the import job does not exist (for that school).
var ErrNoJob = errors.New("no such import job")

// LoadJobState reads the job's status, school and commit time; schoolID 0 reads the job of any
// school.
func LoadJobState(ctx context.Context, q Querier, d string, jobID, schoolID int) (*JobState, error) {
	var j JobState
	where := entsql.EQ(importjob.FieldID, jobID)
	if schoolID != 0 {
		where = entsql.And(where, entsql.EQ(importjob.FieldSchoolID, schoolID))
	}
	found, err := scanOne(ctx, q, build(d).Select(importjob.FieldStatus, importjob.FieldSchoolID, importjob.FieldCommittedAt).
		From(entsql.Table(importjob.Table)).Where(where), &j.Status, &j.SchoolID, &j.CommittedAt)
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// ReserveCommit sets the COMMITTING job's committed_at: the mark that LockSchool honours.
func ReserveCommit(ctx context.Context, e Execer, d string, jobID int, now time.Time) error {
	_, err := exec(ctx, e, build(d).Update(importjob.Table).Set(importjob.FieldCommittedAt, now).
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID), entsql.EQ(importjob.FieldStatus, importjob.StatusCOMMITTING.String()))))
	return err
}

// CommitReserved reports whether the job is still a reserved commit: COMMITTING with
// committed_at set.
func CommitReserved(ctx context.Context, q Querier, d string, jobID int) (bool, error) {
	n := 0
	_, err := scanOne(ctx, q, build(d).Select(entsql.Count("*")).From(entsql.Table(importjob.Table)).
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID), entsql.EQ(importjob.FieldStatus, importjob.StatusCOMMITTING.String()),
			entsql.NotNull(importjob.FieldCommittedAt))), &n)
	return n == 1, err
}

// ClearCommitMark clears the committed_at of a rolled back COMMITTING or FAILED job.
func ClearCommitMark(ctx context.Context, e Execer, d string, jobID int) error {
	_, err := exec(ctx, e, build(d).Update(importjob.Table).SetNull(importjob.FieldCommittedAt).
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID),
			entsql.In(importjob.FieldStatus, importjob.StatusCOMMITTING.String(), importjob.StatusFAILED.String()))))
	return err
}

// JobResult is what a finished commit stores on its job.
type JobResult struct {
	Added, Updated, Archived, Unchanged, Refused int
	// Report is the job's result report (JSON).
	Report []byte
	// Total is the progress total, also its done count.
	Total int
}

// FinishCommit marks the COMMITTING job COMMITTED with its result; ok is false when the job
// was no longer COMMITTING (another apply won, or it was given up as dead meanwhile).
func FinishCommit(ctx context.Context, e Execer, d string, jobID int, now time.Time, r *JobResult) (ok bool, err error) {
	n, err := exec(ctx, e, build(d).Update(importjob.Table).
		Set(importjob.FieldStatus, importjob.StatusCOMMITTED.String()).Set(importjob.FieldCommittedAt, now).Set(importjob.FieldUpdatedAt, now).
		Set(importjob.FieldAdded, r.Added).Set(importjob.FieldUpdated, r.Updated).Set(importjob.FieldArchived, r.Archived).
		Set(importjob.FieldUnchanged, r.Unchanged).Set(importjob.FieldRefused, r.Refused).Set(importjob.FieldReport, string(r.Report)).
		Set(importjob.FieldPhase, "done").Set(importjob.FieldProgressDone, r.Total).Set(importjob.FieldProgressTotal, r.Total).
		Set(importjob.FieldError, "").
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID), entsql.EQ(importjob.FieldStatus, importjob.StatusCOMMITTING.String()))))
	return n == 1, err
}

// DeleteJobFile deletes the job's uploaded file.
func DeleteJobFile(ctx context.Context, e Execer, d string, jobID int) (int, error) {
	return exec(ctx, e, build(d).Delete(importblob.Table).
		Where(entsql.And(entsql.EQ(importblob.FieldJobID, jobID), entsql.EQ(importblob.FieldKind, importblob.KindFILE.String()))))
}

// JobRecord is the part of an import job that decides whether it can be undone.
type JobRecord struct {
	Kind        importjob.Kind
	FileKind    importjob.FileKind
	Status      importjob.Status
	FileName    string
	CommittedAt sql.NullTime
	UndoneAt    sql.NullTime
	PurgedAt    sql.NullTime
}

// LoadJobRecord reads the school's job; found is false when it has no such job.
func LoadJobRecord(ctx context.Context, q Querier, d string, jobID, schoolID int) (j *JobRecord, found bool, err error) {
	j = &JobRecord{}
	found, err = scanOne(ctx, q, build(d).Select(importjob.FieldKind, importjob.FieldFileKind, importjob.FieldStatus, importjob.FieldFileName,
		importjob.FieldCommittedAt, importjob.FieldUndoneAt, importjob.FieldDataPurgedAt).From(entsql.Table(importjob.Table)).
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID), entsql.EQ(importjob.FieldSchoolID, schoolID))),
		&j.Kind, &j.FileKind, &j.Status, &j.FileName, &j.CommittedAt, &j.UndoneAt, &j.PurgedAt)
	return j, found, err
}

// MarkUndone marks a committed job whose row data is kept UNDONE at now; ok is false when it
// was not (any more) such a job.
func MarkUndone(ctx context.Context, e Execer, d string, jobID int, now time.Time) (ok bool, err error) {
	n, err := exec(ctx, e, build(d).Update(importjob.Table).Set(importjob.FieldStatus, importjob.StatusUNDONE.String()).
		Set(importjob.FieldUndoneAt, now).Set(importjob.FieldUpdatedAt, now).
		Where(entsql.And(entsql.EQ(importjob.FieldID, jobID), entsql.EQ(importjob.FieldStatus, importjob.StatusCOMMITTED.String()),
			entsql.IsNull(importjob.FieldDataPurgedAt))))
	return n == 1, err
}
