package store

import (
	"context"
	"database/sql"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/teaching"
)

// TeachingState is one of a teacher's groups as a change record keeps it: the class and
// whether the teacher is its mentor.
type TeachingState struct {
	ClassID int  `json:"classId"`
	Mentor  bool `json:"mentor,omitempty"`
}

// EachTeaching calls fn(account, class, mentor) for every teaching assignment to one of the
// school's classes (lesgroepen taught, stamklassen taught or mentored).
func EachTeaching(ctx context.Context, q Querier, d string, schoolID int, fn func(accountID, classID int, mentor bool)) error {
	sel := build(d).Select(teaching.FieldAccountID, teaching.FieldClassID, teaching.FieldMentor).From(entsql.Table(teaching.Table)).
		Where(entsql.In(teaching.FieldClassID, schoolClasses(d, schoolID)))
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var a, c int
		var m bool
		if err := rows.Scan(&a, &c, &m); err != nil {
			return err
		}
		fn(a, c, m)
		return nil
	})
}
