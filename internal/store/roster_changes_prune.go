package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	rosterchange "github.com/numo/accounts/ent/rosterchangelog"
	"github.com/numo/accounts/ent/school"
)

// The retention of the roster change log (package feed, Prune): the oldest entries of a school
// are deleted from the start of its log, never from its middle, so that the entries kept are
// always positions floor+1 … the school's position without a gap, where floor is
// RosterFloor's answer.

// RosterChangeAge is an entry's position and when it was written.
type RosterChangeAge struct {
	Position int64
	At       time.Time
}

// OldestRosterChanges returns the position and time of the school's oldest limit entries, in
// order. Times are compared in Go by the caller: SQLite keeps them as text.
func OldestRosterChanges(ctx context.Context, q Querier, d string, schoolID, limit int) ([]RosterChangeAge, error) {
	var out []RosterChangeAge
	sel := build(d).Select(rosterchange.FieldPosition, rosterchange.FieldCreatedAt).From(entsql.Table(rosterchange.Table)).
		Where(entsql.EQ(rosterchange.FieldSchoolID, schoolID)).OrderBy(rosterchange.FieldPosition).Limit(limit)
	err := scan(ctx, q, sel, func(rows *sql.Rows) error {
		var a RosterChangeAge
		if err := rows.Scan(&a.Position, &a.At); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("oldest roster changes of school %d: %w", schoolID, err)
	}
	return out, nil
}

// DeleteRosterChangesUpTo deletes the school's entries at positions up to upTo and returns how
// many it deleted. Callers delete from the start of the log only (see RosterFloor).
func DeleteRosterChangesUpTo(ctx context.Context, e Execer, d string, schoolID int, upTo int64) (int, error) {
	n, err := exec(ctx, e, build(d).Delete(rosterchange.Table).Where(entsql.And(
		entsql.EQ(rosterchange.FieldSchoolID, schoolID), entsql.LTE(rosterchange.FieldPosition, upTo))))
	if err != nil {
		return 0, fmt.Errorf("prune roster changes of school %d: %w", schoolID, err)
	}
	return n, nil
}

// RosterFloor returns the last position of the school's log that was pruned (0 when none
// was): its oldest entry's position minus one, or the school's position when no entry is
// left. One statement, so that a commit between two reads cannot make a cursor at the head
// look pruned.
func RosterFloor(ctx context.Context, q Querier, d string, schoolID int) (int64, error) {
	oldest := build(d).Select(entsql.Min(rosterchange.FieldPosition)).From(entsql.Table(rosterchange.Table)).
		Where(entsql.EQ(rosterchange.FieldSchoolID, schoolID))
	sel := build(d).Select(school.FieldFeedPosition).From(entsql.Table(school.Table)).Where(entsql.EQ(school.FieldID, schoolID)).
		AppendSelectExpr(entsql.ExprFunc(func(b *entsql.Builder) { b.Wrap(func(b *entsql.Builder) { b.Join(oldest) }) }))
	var (
		head int64
		min  sql.NullInt64
	)
	found, err := scanOne(ctx, q, sel, &head, &min)
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return 0, fmt.Errorf("roster floor of school %d: %w", schoolID, err)
	}
	if !min.Valid {
		return head, nil
	}
	return min.Int64 - 1, nil
}
