package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/ent/teaching"
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
	// Kind is a stamklas (a pupil's class, accounts.class_id) or a lesgroep (memberships).
	Kind class.Kind
	// CreatedByJob is the import job that created the class, 0 for none.
	CreatedByJob int
}

// EachClass calls fn for every class of the school, by id.
func EachClass(ctx context.Context, q Querier, d string, schoolID int, fn func(ClassRow)) error {
	return scan(ctx, q, build(d).Select(class.FieldID, class.FieldName, class.FieldNameKey, class.FieldKind, class.FieldCreatedByJobID).
		From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID)).OrderBy(class.FieldID), func(rows *sql.Rows) error {
		var c ClassRow
		var job sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &c.NameKey, &c.Kind, &job); err != nil {
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
	// Kind is the kind of class; "" is a stamklas.
	Kind class.Kind
	// Subject is a lesgroep's subject where its source gives one ("" for none).
	Subject string
}

// kind is the class's kind, a stamklas when none is given.
func (c *NewClass) kind() string {
	if c.Kind == "" {
		return class.DefaultKind.String()
	}
	return c.Kind.String()
}

// classBatch is how many classes one INSERT creates; with nine parameters each it stays well
// below the parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const classBatch = 1000

// InsertClasses creates the school's classes, a batch per statement (a board's thousands of
// classes one round trip each took ~0.4 s on PostgreSQL), marked with the job (0: none), and
// records the id of each by name key in ids. after, when set, runs after each batch.
func InsertClasses(ctx context.Context, tx func() Execer, d string, schoolID, jobID int, now time.Time, classes []NewClass, ids map[string]int, after func() error) error {
	for start := 0; start < len(classes); start += classBatch {
		batch := classes[start:min(start+classBatch, len(classes))]
		ins := build(d).Insert(class.Table).Columns(class.FieldSchoolID, class.FieldName, class.FieldNameKey, class.FieldYear,
			class.FieldLevel, class.FieldKind, class.FieldSubject, class.FieldCreatedAt, class.FieldUpdatedAt, class.FieldCreatedByJobID).
			Returning(class.FieldID, class.FieldNameKey)
		for i := range batch {
			c := &batch[i]
			ins.Values(schoolID, c.Name, c.NameKey, nullInt(c.Year), c.Level, c.kind(), c.Subject, now, now, nullInt(jobID))
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

// DeleteJobClasses deletes the classes the job created, with their teacher links and memberships.
func DeleteJobClasses(ctx context.Context, e Execer, d string, jobID int) error {
	created := func() *entsql.Selector {
		return build(d).Select(class.FieldID).From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldCreatedByJobID, jobID))
	}
	return execAll(ctx, e,
		build(d).Delete(class.TeachersTable).Where(entsql.In(class.TeachersPrimaryKey[0], created())),
		build(d).Delete(membership.Table).Where(entsql.In(membership.FieldGroupID, created())),
		build(d).Delete(class.Table).Where(entsql.EQ(class.FieldCreatedByJobID, jobID)))
}

// ClassLink is what EachJobClassLink reads of a class: its pupils (accounts.class_id), its
// members (memberships of a lesgroep) or its teachers (teachings).
type ClassLink int

// The links of a class.
const (
	ClassPupils ClassLink = iota
	ClassMembers
	ClassTeachers
)

// EachJobClassLink calls fn(class, account) for every link of the kind to the school's classes
// that the job created.
func EachJobClassLink(ctx context.Context, q Querier, d string, jobID, schoolID int, link ClassLink, fn func(classID, accountID int)) error {
	created := build(d).Select(class.FieldID).From(entsql.Table(class.Table)).
		Where(entsql.And(entsql.EQ(class.FieldCreatedByJobID, jobID), entsql.EQ(class.FieldSchoolID, schoolID)))
	var sel *entsql.Selector
	switch link {
	case ClassMembers:
		sel = build(d).Select(membership.FieldGroupID, membership.FieldAccountID).From(entsql.Table(membership.Table)).
			Where(entsql.In(membership.FieldGroupID, created))
	case ClassTeachers:
		sel = build(d).Select(teaching.FieldClassID, teaching.FieldAccountID).From(entsql.Table(teaching.Table)).
			Where(entsql.In(teaching.FieldClassID, created))
	default:
		sel = build(d).Select(account.FieldClassID, account.FieldID).From(entsql.Table(account.Table)).Where(entsql.In(account.FieldClassID, created))
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

// DeleteClass deletes the school's class with its memberships and teacher links.
func DeleteClass(ctx context.Context, e Execer, d string, id, schoolID int) error {
	ofSchool := build(d).Select(class.FieldID).From(entsql.Table(class.Table)).
		Where(entsql.And(entsql.EQ(class.FieldID, id), entsql.EQ(class.FieldSchoolID, schoolID)))
	return execAll(ctx, e,
		build(d).Delete(membership.Table).Where(entsql.In(membership.FieldGroupID, ofSchool)),
		build(d).Delete(teaching.Table).Where(entsql.In(teaching.FieldClassID, ofSchool)),
		build(d).Delete(class.Table).Where(entsql.And(entsql.EQ(class.FieldID, id), entsql.EQ(class.FieldSchoolID, schoolID))))
}
