package store

import (
	"context"
	"database/sql"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
)

// schoolClasses is the subquery of the ids of the school's classes: memberships and teachings
// carry no school of their own, their class does.
func schoolClasses(d string, schoolID int) *entsql.Selector {
	return build(d).Select(class.FieldID).From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID))
}

// EachMembership calls fn(account, class) for every membership of a pupil in one of the
// school's lesgroepen (a pupil's stamklas is accounts.class_id, not a membership).
func EachMembership(ctx context.Context, q Querier, d string, schoolID int, fn func(accountID, classID int)) error {
	sel := build(d).Select(membership.FieldAccountID, membership.FieldClassID).From(entsql.Table(membership.Table)).
		Where(entsql.In(membership.FieldClassID, schoolClasses(d, schoolID)))
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var a, c int
		if err := rows.Scan(&a, &c); err != nil {
			return err
		}
		fn(a, c)
		return nil
	})
}
