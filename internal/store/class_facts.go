package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
)

// A class's level and year are facts of its pupils: the overviews show them, and they follow
// the pupils after every import and undo (issue 12). The rule: a class takes the most common
// level among its active pupils that have one, and the most common year among those that have
// one. On a tie the class keeps its own value when that is among the most common, else it takes
// the smallest (levels in byte order), so the outcome never depends on the order of rows. A
// class without active pupils (or whose active pupils have no level, or no year) keeps what
// it had: a class emptied by archiving still says what it was.

// FactCount is how many active pupils of a class share one value of a level or year.
type FactCount[T comparable] struct {
	Value T
	N     int
}

// MostCommon is the value a class takes from its pupils' counts (see the rule above); ok is
// false when there are none, and the class keeps current.
func MostCommon[T interface{ ~int | ~string }](counts []FactCount[T], current T) (value T, ok bool) {
	best := 0
	var tied []T
	for _, c := range counts {
		switch {
		case c.N > best:
			best, tied = c.N, []T{c.Value}
		case c.N == best && c.N > 0:
			tied = append(tied, c.Value)
		}
	}
	if len(tied) == 0 {
		return current, false
	}
	if slices.Contains(tied, current) {
		return current, true
	}
	return slices.Min(tied), true
}

// classFacts collects one class's counts.
type classFacts struct {
	levels map[string]int
	years  map[int]int
}

// Only stamklassen have facts: a lesgroep's pupils are its members (memberships), not pupils
// with it as their class, and a lesgroep mixes years and levels. So the classes read are the
// school's STAMKLAS classes; a pupil whose class_id is some other class counts for none.

// RefreshClassFacts sets the level and year of every stamklas of the school to what its active
// pupils have (see the rule above), in the caller's transaction, and returns how many classes
// changed. Import commits and undos call it before they finish, so the facts change with the
// pupils or not at all.
func RefreshClassFacts(ctx context.Context, e Execer, d string, schoolID int, now time.Time) (int, error) {
	changes, err := ClassFactChanges(ctx, e, d, schoolID)
	if err != nil {
		return 0, err
	}
	return len(changes), SetClassFacts(ctx, e, d, schoolID, changes, now)
}

// ClassFactChanges reads what RefreshClassFacts would change: the classes whose level or year
// differ from their active pupils'. A commit in steps (SQLite) reads it outside the write lock
// while its reservation keeps other imports of the school out, and writes it in its last step.
func ClassFactChanges(ctx context.Context, q Querier, d string, schoolID int) ([]ClassFact, error) {
	facts := map[int]*classFacts{}
	sel := build(d).Select(account.FieldClassID, account.FieldLevel, account.FieldYear, entsql.Count("*")).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.EQ(account.FieldRole, account.RolePUPIL.String()),
			entsql.EQ(account.FieldStatus, account.StatusACTIVE.String()), entsql.NotNull(account.FieldClassID))).
		GroupBy(account.FieldClassID, account.FieldLevel, account.FieldYear)
	err := scan(ctx, q, sel, func(rows *sql.Rows) error {
		var classID, n int
		var level sql.NullString
		var year sql.NullInt64
		if err := rows.Scan(&classID, &level, &year, &n); err != nil {
			return err
		}
		f := facts[classID]
		if f == nil {
			f = &classFacts{levels: map[string]int{}, years: map[int]int{}}
			facts[classID] = f
		}
		if level.String != "" {
			f.levels[level.String] += n
		}
		if year.Valid && year.Int64 > 0 {
			f.years[int(year.Int64)] += n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("class facts of school %d: %w", schoolID, err)
	}
	return classFactChanges(ctx, q, d, schoolID, facts)
}

// SetClassFacts writes the classes' new facts.
func SetClassFacts(ctx context.Context, e Execer, d string, schoolID int, changes []ClassFact, now time.Time) error {
	// One UPDATE per new (level, year) and batch of classes: a board's first import changes
	// thousands of classes into a few dozen such pairs (a statement per class took 0.7 s for
	// 3,600 classes on SQLite, in the write lock).
	byFacts := map[ClassFact][]int{}
	var order []ClassFact
	for _, c := range changes {
		k := ClassFact{Level: c.Level, Year: c.Year}
		if _, ok := byFacts[k]; !ok {
			order = append(order, k)
		}
		byFacts[k] = append(byFacts[k], c.ID)
	}
	for _, k := range order {
		for batch := range slices.Chunk(byFacts[k], classBatch) {
			upd := build(d).Update(class.Table).Set(class.FieldLevel, k.Level).Set(class.FieldYear, nullInt(k.Year)).Set(class.FieldUpdatedAt, now).
				Where(entsql.And(entsql.In(class.FieldID, ids(batch)...), entsql.EQ(class.FieldSchoolID, schoolID)))
			if _, err := exec(ctx, e, upd); err != nil {
				return fmt.Errorf("class facts %q, year %d of %d classes: %w", k.Level, k.Year, len(batch), err)
			}
		}
	}
	return nil
}

// ClassFact is a class's new level and year (0: none).
type ClassFact struct {
	ID    int
	Level string
	Year  int
}

// classFactChanges reads the school's classes and returns those whose facts differ from their pupils'.
func classFactChanges(ctx context.Context, q Querier, d string, schoolID int, facts map[int]*classFacts) ([]ClassFact, error) {
	var changes []ClassFact
	sel := build(d).Select(class.FieldID, class.FieldLevel, class.FieldYear).From(entsql.Table(class.Table)).
		Where(entsql.And(entsql.EQ(class.FieldSchoolID, schoolID), entsql.EQ(class.FieldKind, class.KindSTAMKLAS.String()))).OrderBy(class.FieldID)
	err := scan(ctx, q, sel, func(rows *sql.Rows) error {
		var c ClassFact
		var level sql.NullString
		var year sql.NullInt64
		if err := rows.Scan(&c.ID, &level, &year); err != nil {
			return err
		}
		c.Level, c.Year = level.String, int(year.Int64)
		f := facts[c.ID]
		if f == nil {
			return nil
		}
		lv, _ := MostCommon(countsOf(f.levels), c.Level)
		y, _ := MostCommon(countsOf(f.years), c.Year)
		if lv != c.Level || y != c.Year {
			changes = append(changes, ClassFact{ID: c.ID, Level: lv, Year: y})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("classes of school %d: %w", schoolID, err)
	}
	return changes, nil
}

func countsOf[T comparable](m map[T]int) []FactCount[T] {
	out := make([]FactCount[T], 0, len(m))
	for v, n := range m {
		out = append(out, FactCount[T]{Value: v, N: n})
	}
	return out
}
