package undo_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
)

var all = testimport.All

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = testimport.Sys

// fixture reads a file below the repository's testdata folder.
var fixture = testimport.Fixture

// school is a test school with its admin and the admin's request context.
type school = testimport.School

func newSchool(t *testing.T, db *store.DB, brin string) *school {
	t.Helper()
	return testimport.NewSchool(t, db, brin, "192.0.2.1")
}

// importAt commits data into the school as an import job at the given time, confirming the
// archive and year guards when they apply, and returns the committed job.
func importAt(t *testing.T, db *store.DB, schoolID int, name string, data []byte, actions importer.Actions, at time.Time) *ent.ImportJob {
	t.Helper()
	return testimport.Commit(t, db, schoolID, name, data, actions, at, false)
}

// rows is every column of every row of a query, normalised to strings, by id.
type rows map[int]map[string]string

// snapshot reads every column of every account of the school except updated_at, which moves
// on every write by design.
func snapshot(t *testing.T, db *store.DB, schoolID int) rows {
	t.Helper()
	return query(t, db, entsql.Dialect(db.Dialect).Select("*").From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldSchoolID, schoolID)), account.FieldUpdatedAt)
}

// classes reads every column of the school's classes except updated_at.
func classes(t *testing.T, db *store.DB, schoolID int) rows {
	t.Helper()
	return query(t, db, entsql.Dialect(db.Dialect).Select("*").From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID)), class.FieldUpdatedAt)
}

// query runs a query built with ent's builder and returns its rows by id, without column skip.
func query(t *testing.T, db *store.DB, b entsql.Querier, skip string) rows {
	t.Helper()
	cols, vals := testdb.Rows(t, db, b)
	out := rows{}
	for _, v := range vals {
		row := map[string]string{}
		id := 0
		for i, c := range cols {
			if c == "id" {
				id = int(v[i].(int64))
			}
			if c != skip {
				row[c] = normalise(v[i])
			}
		}
		out[id] = row
	}
	return out
}

func normalise(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}

// diff lists the differences between two snapshots, "" when they are equal.
func diff(want, got rows) string {
	var b strings.Builder
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			fmt.Fprintf(&b, "row %d is missing\n", id)
			continue
		}
		for c, v := range w {
			if g[c] != v {
				fmt.Fprintf(&b, "row %d %s: got %q, want %q\n", id, c, g[c], v)
			}
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			fmt.Fprintf(&b, "row %d is extra: %v\n", id, got[id])
		}
	}
	return b.String()
}
