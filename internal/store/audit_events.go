package store

import (
	"context"
	"database/sql"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/auditevent"
)

// auditOf selects the events of the school; schoolID 0: of no school.
func auditOf(schoolID int) *entsql.Predicate {
	if schoolID == 0 {
		return entsql.IsNull(auditevent.FieldSchoolID)
	}
	return entsql.EQ(auditevent.FieldSchoolID, schoolID)
}

// CountAuditBefore counts the school's audit events before cutoff (PostgreSQL: SQLite keeps
// times as text, compare them in Go there).
func CountAuditBefore(ctx context.Context, q Querier, d string, schoolID int, cutoff time.Time) (int, error) {
	n := 0
	_, err := scanOne(ctx, q, build(d).Select(entsql.Count("*")).From(entsql.Table(auditevent.Table)).
		Where(entsql.And(auditOf(schoolID), entsql.LT(auditevent.FieldAt, cutoff))), &n)
	return n, err
}

// DeleteAuditBefore deletes up to limit of the school's audit events before cutoff, by id
// (PostgreSQL), and returns how many.
func DeleteAuditBefore(ctx context.Context, e Execer, d string, schoolID int, cutoff time.Time, limit int) (int, error) {
	old := build(d).Select(auditevent.FieldID).From(entsql.Table(auditevent.Table)).
		Where(entsql.And(auditOf(schoolID), entsql.LT(auditevent.FieldAt, cutoff))).OrderBy(auditevent.FieldID).Limit(limit)
	return exec(ctx, e, build(d).Delete(auditevent.Table).Where(entsql.In(auditevent.FieldID, old)))
}

// AuditEventsBefore returns the ids of the school's audit events before cutoff, read in one
// pass (paging by id would sort the school's events again for every page).
func AuditEventsBefore(ctx context.Context, q Querier, d string, schoolID int, cutoff time.Time) ([]int, error) {
	return idsBefore(ctx, q, build(d).Select(auditevent.FieldID, auditevent.FieldAt).From(entsql.Table(auditevent.Table)).Where(auditOf(schoolID)), cutoff)
}

// DeleteAuditEvents deletes the audit events and returns how many.
func DeleteAuditEvents(ctx context.Context, e Execer, d string, list []int) (int, error) {
	total := 0
	for start := 0; start < len(list); start += idBatch {
		n, err := exec(ctx, e, build(d).Delete(auditevent.Table).Where(entsql.In(auditevent.FieldID, ids(list[start:min(start+idBatch, len(list))])...)))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// EachAuditDetail calls fn with the id and detail of the school's audit events that have a
// detail: without about, those about no account; with it, those by or about the accounts.
func EachAuditDetail(ctx context.Context, q Querier, d string, schoolID int, about []int, fn func(id int, detail string) error) error {
	where := entsql.And(entsql.EQ(auditevent.FieldSchoolID, schoolID), entsql.IsNull(auditevent.FieldSubjectAccountID), entsql.NEQ(auditevent.FieldDetail, ""))
	if about != nil {
		where = entsql.And(entsql.EQ(auditevent.FieldSchoolID, schoolID),
			entsql.Or(entsql.In(auditevent.FieldSubjectAccountID, ids(about)...), entsql.In(auditevent.FieldActorAccountID, ids(about)...)))
	}
	return scan(ctx, q, build(d).Select(auditevent.FieldID, auditevent.FieldDetail).From(entsql.Table(auditevent.Table)).Where(where),
		func(rows *sql.Rows) error {
			var id int
			var detail string
			if err := rows.Scan(&id, &detail); err != nil {
				return err
			}
			return fn(id, detail)
		})
}

// PseudonymiseAudit takes the accounts out of the school's audit events: an event one of them
// did loses its actor (named actor instead) and address; an event about one of them loses the
// account, and its address too when no other account or token did it (a failed login: the
// address is the one that tried it).
func PseudonymiseAudit(ctx context.Context, e Execer, d string, schoolID int, accounts []int, actor string) error {
	school, list := entsql.EQ(auditevent.FieldSchoolID, schoolID), ids(accounts)
	for _, u := range []*entsql.UpdateBuilder{
		build(d).Update(auditevent.Table).Set(auditevent.FieldRemoteAddr, "").Where(entsql.And(school,
			entsql.In(auditevent.FieldSubjectAccountID, list...), entsql.IsNull(auditevent.FieldActorAccountID), entsql.IsNull(auditevent.FieldActorTokenID))),
		build(d).Update(auditevent.Table).Set(auditevent.FieldActor, actor).SetNull(auditevent.FieldActorAccountID).Set(auditevent.FieldRemoteAddr, "").
			Where(entsql.And(school, entsql.In(auditevent.FieldActorAccountID, list...))),
		build(d).Update(auditevent.Table).SetNull(auditevent.FieldSubjectAccountID).Where(entsql.And(school, entsql.In(auditevent.FieldSubjectAccountID, list...))),
	} {
		if _, err := exec(ctx, e, u); err != nil {
			return err
		}
	}
	return nil
}

// SetAuditDetail rewrites an audit event's detail.
func SetAuditDetail(ctx context.Context, e Execer, d string, id int, detail string) error {
	_, err := exec(ctx, e, build(d).Update(auditevent.Table).Set(auditevent.FieldDetail, detail).Where(entsql.EQ(auditevent.FieldID, id)))
	return err
}
