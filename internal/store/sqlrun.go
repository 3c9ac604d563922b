package store

import (
	"context"
	"database/sql"
	"time"

	entsql "entgo.io/ent/dialect/sql"
)

// All hand-written SQL of Numo lives in this package, in one file per table (accounts.go,
// classes.go, account_changes.go, import_jobs.go, audit_events.go, …). Statements are built
// with ent's dialect-aware builder from the generated table, column and enum constants, so
// that renaming a field or an enum value breaks the build instead of a query at run time;
// values always travel as bind parameters.

// Querier is what reads run through: a *sql.DB, *sql.Tx, *sql.Conn or an ent transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Execer is what writes run through: a *sql.DB, *sql.Tx, *sql.Conn or an ent transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Preparer is what prepared statements and COPY run through: a *sql.Tx.
type Preparer interface {
	Execer
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// build returns ent's statement builder for the dialect.
func build(d string) *entsql.DialectBuilder { return entsql.Dialect(d) }

// scan runs a built query and calls fn for every row; the rows are closed before it returns,
// so that a transaction can run its next statement.
func scan(ctx context.Context, q Querier, b entsql.Querier, fn func(*sql.Rows) error) error {
	query, args := b.Query()
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanOne runs a built query and scans its first row into dest; found is false without rows.
func scanOne(ctx context.Context, q Querier, b entsql.Querier, dest ...any) (found bool, err error) {
	err = scan(ctx, q, b, func(rows *sql.Rows) error {
		if found {
			return nil
		}
		found = true
		return rows.Scan(dest...)
	})
	return found, err
}

// idsBefore runs a built query of (id, time) rows and returns the ids whose time lies before
// cutoff. Times are compared in Go: SQLite keeps them as text, which only sorts right when
// every writer used one format.
func idsBefore(ctx context.Context, q Querier, b entsql.Querier, cutoff time.Time) ([]int, error) {
	var out []int
	err := scan(ctx, q, b, func(rows *sql.Rows) error {
		var id int
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		if at.Before(cutoff) {
			out = append(out, id)
		}
		return nil
	})
	return out, err
}

// exec runs a built statement and returns how many rows it changed.
func exec(ctx context.Context, e Execer, b entsql.Querier) (int, error) {
	query, args := b.Query()
	res, err := e.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// execAll runs the statements in order and stops at the first error: the deletes of the rows
// that point at a row before the row itself.
func execAll(ctx context.Context, e Execer, bs ...entsql.Querier) error {
	for _, b := range bs {
		if _, err := exec(ctx, e, b); err != nil {
			return err
		}
	}
	return nil
}

// ids turns ids into the values of an IN list.
func ids(list []int) []any {
	out := make([]any, len(list))
	for i, id := range list {
		out[i] = id
	}
	return out
}

// nullInt is NULL for 0.
func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// intOrNil is NULL for a nil pointer.
func intOrNil(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// param stands for a bind parameter in a statement built once and prepared (its arguments
// are passed on each execution); nil would be written as NULL.
var param any = struct{}{}

// params is n times param.
func params(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = param
	}
	return out
}
