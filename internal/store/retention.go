package store

import (
	"context"
	"database/sql"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/session"
)

// The statements of the retention purge, the erasure and the export of one account, by table.

// EachAccountByID calls fn for each of the school's accounts among list (key, names and
// contact fields filled in).
func EachAccountByID(ctx context.Context, q Querier, d string, schoolID int, list []int, fn func(*AccountRow)) error {
	sel := build(d).Select(account.FieldID, account.FieldExternalKey, account.FieldFirstName, account.FieldInfix, account.FieldLastName,
		account.FieldEmail, account.FieldUsername, account.FieldEckID).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.In(account.FieldID, ids(list)...)))
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var a AccountRow
		var key sql.NullString
		if err := rows.Scan(&a.ID, &key, &a.FirstName, &a.Infix, &a.LastName, &a.Email, &a.Username, &a.EckID); err != nil {
			return err
		}
		a.Key, a.HasKey = key.String, key.Valid
		fn(&a)
		return nil
	})
}

// ArchivedBefore returns the school's accounts archived before cutoff (by their last change
// when the time of archiving is not known: never earlier), by id.
func ArchivedBefore(ctx context.Context, q Querier, d string, schoolID int, cutoff time.Time) ([]int, error) {
	var out []int
	err := scan(ctx, q, build(d).Select(account.FieldID, account.FieldArchivedAt, account.FieldUpdatedAt).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.EQ(account.FieldStatus, account.StatusARCHIVED.String()))).
		OrderBy(account.FieldID), func(rows *sql.Rows) error {
		var id int
		var archived sql.NullTime
		var updated time.Time
		if err := rows.Scan(&id, &archived, &updated); err != nil {
			return err
		}
		if archived.Valid {
			updated = archived.Time
		}
		if updated.Before(cutoff) {
			out = append(out, id)
		}
		return nil
	})
	return out, err
}

// EachBefore calls fn with every stored before-state of the accounts.
func EachBefore(ctx context.Context, q Querier, d string, accounts []int, fn func(raw []byte)) error {
	return scan(ctx, q, build(d).Select(accountchange.FieldBefore).From(entsql.Table(changeTable)).
		Where(entsql.And(entsql.NotNull(accountchange.FieldBefore), entsql.In(accountchange.FieldAccountID, ids(accounts)...))),
		func(rows *sql.Rows) error {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			fn(raw)
			return nil
		})
}

// DeleteAccounts deletes the school's accounts among list with their change records,
// sessions and teacher links, and forgets them as starters of import jobs. It returns how
// many accounts and change records it deleted.
func DeleteAccounts(ctx context.Context, e Execer, d string, schoolID int, list []int) (accounts, changes int, err error) {
	in := ids(list)
	if changes, err = exec(ctx, e, build(d).Delete(changeTable).Where(entsql.In(accountchange.FieldAccountID, in...))); err != nil {
		return 0, 0, err
	}
	for _, q := range []entsql.Querier{
		build(d).Delete(session.Table).Where(entsql.In(session.FieldAccountID, in...)),
		build(d).Delete(class.TeachersTable).Where(entsql.In(class.TeachersPrimaryKey[1], in...)),
		build(d).Delete(membership.Table).Where(entsql.In(membership.FieldAccountID, in...)),
		build(d).Update(importjob.Table).SetNull(importjob.FieldStartedByID).Where(entsql.In(importjob.FieldStartedByID, in...)),
	} {
		if _, err := exec(ctx, e, q); err != nil {
			return 0, changes, err
		}
	}
	accounts, err = exec(ctx, e, build(d).Delete(account.Table).
		Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.In(account.FieldID, in...))))
	return accounts, changes, err
}

// DeleteJobChanges deletes the job's change records and its records of additions (it clears
// accounts.import_job_id) and returns how many of both.
func DeleteJobChanges(ctx context.Context, e Execer, d string, jobID int) (int, error) {
	n, err := exec(ctx, e, build(d).Delete(changeTable).Where(entsql.EQ(accountchange.FieldJobID, jobID)))
	if err != nil {
		return n, err
	}
	added, err := exec(ctx, e, build(d).Update(account.Table).SetNull(account.FieldImportJobID).Where(entsql.EQ(account.FieldImportJobID, jobID)))
	return n + added, err
}

// AccountChange is a change record of one account, with its job, for the export.
type AccountChange struct {
	JobID       int
	FileName    string
	Kind        string
	CommittedAt *time.Time
	Action      string
	Before      []byte
}

// EachAccountChange calls fn with every change record of the account, by commit: first its
// addition by an import (accounts.import_job_id, as an ADDED record without Before), then its
// change records (where an addition from before that field is an ADDED record).
func EachAccountChange(ctx context.Context, q Querier, d string, accountID int, fn func(*AccountChange)) error {
	a, j := entsql.Table(account.Table).As("a"), entsql.Table(importjob.Table).As("j")
	added := build(d).Select(j.C(importjob.FieldID), j.C(importjob.FieldFileName), j.C(importjob.FieldKind), j.C(importjob.FieldCommittedAt)).
		From(a).Join(j).On(j.C(importjob.FieldID), a.C(account.FieldImportJobID)).Where(entsql.EQ(a.C(account.FieldID), accountID))
	err := scan(ctx, q, added, func(rows *sql.Rows) error {
		x := AccountChange{Action: accountchange.ActionADDED.String()}
		var at sql.NullTime
		if err := rows.Scan(&x.JobID, &x.FileName, &x.Kind, &at); err != nil {
			return err
		}
		if at.Valid {
			x.CommittedAt = &at.Time
		}
		fn(&x)
		return nil
	})
	if err != nil {
		return err
	}
	c, j := entsql.Table(changeTable).As("c"), entsql.Table(importjob.Table).As("j")
	sel := build(d).Select(j.C(importjob.FieldID), j.C(importjob.FieldFileName), j.C(importjob.FieldKind), j.C(importjob.FieldCommittedAt),
		c.C(accountchange.FieldAction), c.C(accountchange.FieldBefore)).
		From(c).Join(j).On(j.C(importjob.FieldID), c.C(accountchange.FieldJobID)).
		Where(entsql.EQ(c.C(accountchange.FieldAccountID), accountID)).OrderBy(j.C(importjob.FieldCommittedAt), j.C(importjob.FieldID))
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var x AccountChange
		var at sql.NullTime
		if err := rows.Scan(&x.JobID, &x.FileName, &x.Kind, &at, &x.Action, &x.Before); err != nil {
			return err
		}
		if at.Valid {
			x.CommittedAt = &at.Time
		}
		fn(&x)
		return nil
	})
}

// PlanRef is a stored plan of an import job.
type PlanRef struct {
	BlobID, JobID int
	FileName      string
}

// SchoolPlans lists the stored plans of the school's jobs, by job.
func SchoolPlans(ctx context.Context, q Querier, d string, schoolID int) ([]PlanRef, error) {
	b, j := entsql.Table(importblob.Table).As("b"), entsql.Table(importjob.Table).As("j")
	var out []PlanRef
	err := scan(ctx, q, build(d).Select(b.C(importblob.FieldID), j.C(importjob.FieldID), j.C(importjob.FieldFileName)).
		From(b).Join(j).On(j.C(importjob.FieldID), b.C(importblob.FieldJobID)).
		Where(entsql.And(entsql.EQ(j.C(importjob.FieldSchoolID), schoolID), entsql.EQ(b.C(importblob.FieldKind), importblob.KindPLAN.String()))).
		OrderBy(j.C(importjob.FieldID), b.C(importblob.FieldID)), func(rows *sql.Rows) error {
		var r PlanRef
		if err := rows.Scan(&r.BlobID, &r.JobID, &r.FileName); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// BlobData reads a stored blob.
func BlobData(ctx context.Context, q Querier, d string, blobID int) ([]byte, error) {
	var data []byte
	_, err := scanOne(ctx, q, build(d).Select(importblob.FieldData).From(entsql.Table(importblob.Table)).Where(entsql.EQ(importblob.FieldID, blobID)), &data)
	return data, err
}

// SetBlobData rewrites a stored blob.
func SetBlobData(ctx context.Context, e Execer, d string, blobID int, data []byte) error {
	_, err := exec(ctx, e, build(d).Update(importblob.Table).Set(importblob.FieldData, data).Where(entsql.EQ(importblob.FieldID, blobID)))
	return err
}

// DeleteJobBlobs deletes the job's stored file and plan.
func DeleteJobBlobs(ctx context.Context, e Execer, d string, jobID int) error {
	_, err := exec(ctx, e, build(d).Delete(importblob.Table).Where(entsql.EQ(importblob.FieldJobID, jobID)))
	return err
}

// finished are the statuses of a job whose commit is over.
var finished = []any{importjob.StatusCOMMITTED.String(), importjob.StatusUNDONE.String()}

// DeleteFinishedFiles deletes the uploaded files left of the school's committed or undone jobs.
func DeleteFinishedFiles(ctx context.Context, e Execer, d string, schoolID int) (int, error) {
	jobs := build(d).Select(importjob.FieldID).From(entsql.Table(importjob.Table)).
		Where(entsql.And(entsql.EQ(importjob.FieldSchoolID, schoolID), entsql.In(importjob.FieldStatus, finished...)))
	return exec(ctx, e, build(d).Delete(importblob.Table).
		Where(entsql.And(entsql.EQ(importblob.FieldKind, importblob.KindFILE.String()), entsql.In(importblob.FieldJobID, jobs))))
}

// JobStored reads the job's stored report and mapping.
func JobStored(ctx context.Context, q Querier, d string, jobID int) (report, mapping []byte, err error) {
	_, err = scanOne(ctx, q, build(d).Select(importjob.FieldReport, importjob.FieldMapping).From(entsql.Table(importjob.Table)).
		Where(entsql.EQ(importjob.FieldID, jobID)), &report, &mapping)
	return report, mapping, err
}

// jsonArg passes stored JSON back as a statement argument: text, or NULL when there is none.
func jsonArg(raw []byte) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

// SetJobReport rewrites the job's report.
func SetJobReport(ctx context.Context, e Execer, d string, jobID int, report []byte) error {
	_, err := exec(ctx, e, build(d).Update(importjob.Table).Set(importjob.FieldReport, jsonArg(report)).Where(entsql.EQ(importjob.FieldID, jobID)))
	return err
}

// SetJobMapping rewrites the job's mapping.
func SetJobMapping(ctx context.Context, e Execer, d string, jobID int, mapping []byte) error {
	_, err := exec(ctx, e, build(d).Update(importjob.Table).Set(importjob.FieldMapping, jsonArg(mapping)).Where(entsql.EQ(importjob.FieldID, jobID)))
	return err
}

// MarkJobPurged stores the job's report and mapping without row data and marks it purged at now.
func MarkJobPurged(ctx context.Context, e Execer, d string, jobID int, report, mapping []byte, now time.Time) error {
	_, err := exec(ctx, e, build(d).Update(importjob.Table).Set(importjob.FieldReport, jsonArg(report)).Set(importjob.FieldMapping, jsonArg(mapping)).
		Set(importjob.FieldDataPurgedAt, now).Set(importjob.FieldUpdatedAt, now).Where(entsql.EQ(importjob.FieldID, jobID)))
	return err
}

// EachJobMapping calls fn with the stored mapping of every job of the school that has one, by
// id; with finishedOnly, of its committed or undone jobs that keep their row data.
func EachJobMapping(ctx context.Context, q Querier, d string, schoolID int, finishedOnly bool, fn func(jobID int, raw []byte)) error {
	where := entsql.And(entsql.EQ(importjob.FieldSchoolID, schoolID), entsql.NotNull(importjob.FieldMapping))
	if finishedOnly {
		where = entsql.And(where, entsql.In(importjob.FieldStatus, finished...), entsql.IsNull(importjob.FieldDataPurgedAt))
	}
	return scan(ctx, q, build(d).Select(importjob.FieldID, importjob.FieldMapping).From(entsql.Table(importjob.Table)).Where(where).
		OrderBy(importjob.FieldID), func(rows *sql.Rows) error {
		var id int
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		fn(id, raw)
		return nil
	})
}

// JobsWithData returns the school's jobs that keep row data in one of the statuses and whose
// time (committed_at, or created_at when byCreation) lies before cutoff; times are compared in
// Go (SQLite keeps them as text, which only sorts right when every writer used one format).
func JobsWithData(ctx context.Context, q Querier, d string, schoolID int, statuses []importjob.Status, byCreation bool, cutoff time.Time) ([]int, error) {
	col := importjob.FieldCommittedAt
	where := entsql.And(entsql.EQ(importjob.FieldSchoolID, schoolID), entsql.IsNull(importjob.FieldDataPurgedAt))
	if byCreation {
		col = importjob.FieldCreatedAt
	} else {
		where = entsql.And(where, entsql.NotNull(importjob.FieldCommittedAt))
	}
	in := make([]any, len(statuses))
	for i, s := range statuses {
		in[i] = s.String()
	}
	return idsBefore(ctx, q, build(d).Select(importjob.FieldID, col).From(entsql.Table(importjob.Table)).
		Where(entsql.And(where, entsql.In(importjob.FieldStatus, in...))).OrderBy(importjob.FieldID), cutoff)
}

// SessionsExpiredBefore returns the sessions of the school's accounts that expired before now.
func SessionsExpiredBefore(ctx context.Context, q Querier, d string, schoolID int, now time.Time) ([]int, error) {
	s, a := entsql.Table(session.Table).As("s"), entsql.Table(account.Table).As("a")
	return idsBefore(ctx, q, build(d).Select(s.C(session.FieldID), s.C(session.FieldExpiresAt)).From(s).
		Join(a).On(a.C(account.FieldID), s.C(session.FieldAccountID)).Where(entsql.EQ(a.C(account.FieldSchoolID), schoolID)).
		OrderBy(s.C(session.FieldID)), now)
}

// DeleteSessions deletes the sessions and returns how many.
func DeleteSessions(ctx context.Context, e Execer, d string, list []int) (int, error) {
	return exec(ctx, e, build(d).Delete(session.Table).Where(entsql.In(session.FieldID, ids(list)...)))
}
