package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/school"
)

// ArchiveThreshold returns the school's archive guard threshold (percent); found is false for
// a school that does not exist.
func ArchiveThreshold(ctx context.Context, q Querier, d string, schoolID int) (threshold int, found bool, err error) {
	found, err = scanOne(ctx, q, build(d).Select(school.FieldArchiveThreshold).From(entsql.Table(school.Table)).
		Where(entsql.EQ(school.FieldID, schoolID)), &threshold)
	return threshold, found, err
}

// ClassRow is a class of a school.
type ClassRow struct {
	ID      int
	Name    string
	NameKey string
	// CreatedByJob is the import job that created the class, 0 for none.
	CreatedByJob int
}

// EachClass calls fn for every class of the school, by id.
func EachClass(ctx context.Context, q Querier, d string, schoolID int, fn func(ClassRow)) error {
	return scan(ctx, q, build(d).Select(class.FieldID, class.FieldName, class.FieldNameKey, class.FieldCreatedByJobID).
		From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID)).OrderBy(class.FieldID), func(rows *sql.Rows) error {
		var c ClassRow
		var job sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &c.NameKey, &job); err != nil {
			return err
		}
		c.CreatedByJob = int(job.Int64)
		fn(c)
		return nil
	})
}

// NewClass is a class an import creates.
type NewClass struct {
	Name, NameKey string
	Year          int // 0 for none
	Level         string
}

// classBatch is how many classes one INSERT creates; with eight parameters each it stays well
// below the parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const classBatch = 1000

// InsertClasses creates the school's classes, a batch per statement (a board's thousands of
// classes one round trip each took ~0.4 s on PostgreSQL), marked with the job (0: none), and
// records the id of each by name key in ids. after, when set, runs after each batch.
func InsertClasses(ctx context.Context, tx func() Execer, d string, schoolID, jobID int, now time.Time, classes []NewClass, ids map[string]int, after func() error) error {
	for start := 0; start < len(classes); start += classBatch {
		batch := classes[start:min(start+classBatch, len(classes))]
		ins := build(d).Insert(class.Table).Columns(class.FieldSchoolID, class.FieldName, class.FieldNameKey, class.FieldYear,
			class.FieldLevel, class.FieldCreatedAt, class.FieldUpdatedAt, class.FieldCreatedByJobID).
			Returning(class.FieldID, class.FieldNameKey)
		for _, c := range batch {
			ins.Values(schoolID, c.Name, c.NameKey, nullInt(c.Year), c.Level, now, now, nullInt(jobID))
		}
		got := 0
		err := scan(ctx, tx(), ins, func(rows *sql.Rows) error {
			var id int
			var k string
			if err := rows.Scan(&id, &k); err != nil {
				return err
			}
			ids[k] = id
			got++
			return nil
		})
		if err == nil && got != len(batch) {
			err = fmt.Errorf("%d classes inserted, want %d", got, len(batch))
		}
		if err != nil {
			return fmt.Errorf("create classes %q to %q: %w", batch[0].Name, batch[len(batch)-1].Name, err)
		}
		if after != nil {
			if err := after(); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteJobClasses deletes the classes the job created, with their teacher links.
func DeleteJobClasses(ctx context.Context, e Execer, d string, jobID int) error {
	created := build(d).Select(class.FieldID).From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldCreatedByJobID, jobID))
	if _, err := exec(ctx, e, build(d).Delete(class.TeachersTable).Where(entsql.In(class.TeachersPrimaryKey[0], created))); err != nil {
		return err
	}
	_, err := exec(ctx, e, build(d).Delete(class.Table).Where(entsql.EQ(class.FieldCreatedByJobID, jobID)))
	return err
}

// EachJobClassLink calls fn(class, account) for every account in, and with teachers every
// teacher of, the school's classes that the job created.
func EachJobClassLink(ctx context.Context, q Querier, d string, jobID, schoolID int, teachers bool, fn func(classID, accountID int)) error {
	created := build(d).Select(class.FieldID).From(entsql.Table(class.Table)).
		Where(entsql.And(entsql.EQ(class.FieldCreatedByJobID, jobID), entsql.EQ(class.FieldSchoolID, schoolID)))
	sel := build(d).Select(account.FieldClassID, account.FieldID).From(entsql.Table(account.Table)).Where(entsql.In(account.FieldClassID, created))
	if teachers {
		sel = build(d).Select(class.TeachersPrimaryKey...).From(entsql.Table(class.TeachersTable)).Where(entsql.In(class.TeachersPrimaryKey[0], created))
	}
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var c, a int
		if err := rows.Scan(&c, &a); err != nil {
			return err
		}
		fn(c, a)
		return nil
	})
}

// DeleteClass deletes the school's class.
func DeleteClass(ctx context.Context, e Execer, d string, id, schoolID int) error {
	_, err := exec(ctx, e, build(d).Delete(class.Table).Where(entsql.And(entsql.EQ(class.FieldID, id), entsql.EQ(class.FieldSchoolID, schoolID))))
	return err
}
