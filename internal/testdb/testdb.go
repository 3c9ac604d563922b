// Package testdb gives tests a fresh, migrated database: SQLite always, and PostgreSQL when
// NUMO_TEST_DATABASE_URL names a server (the README's test command starts one and sets it).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/internal/store"
)

// Kinds are the databases every database test runs against.
var Kinds = []string{"sqlite", "postgres"}

// PostgresURL is the server the PostgreSQL tests use, "" when none is configured.
func PostgresURL() string { return os.Getenv("NUMO_TEST_DATABASE_URL") }

// Each runs fn as a subtest once per database kind, each with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...store.Option) {
	t.Helper()
	EachKind(t, func(t *testing.T, kind string) { fn(t, New(t, kind, opts...)) })
}

// EachKind runs fn as a subtest named after each database kind, for tests that make their
// database themselves (URL, a server or a world of their own); Each is the common case.
func EachKind(t *testing.T, fn func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) { fn(t, kind) })
	}
}

// New opens a fresh migrated database of the kind ("sqlite" or "postgres"), dropped when the
// test ends. Without a configured PostgreSQL the postgres kind is skipped, unless
// NUMO_TEST_REQUIRE_POSTGRES=1, when it fails: CI must never silently skip it.
func New(t testing.TB, kind string, opts ...store.Option) *store.DB {
	t.Helper()
	u := URL(t, kind)
	db, err := store.Open(context.Background(), u, opts...)
	if err != nil {
		t.Fatalf("open %s test database: %v", kind, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s test database: %v", kind, err)
	}
	return db
}

// URL makes an empty database of the kind and returns its URL, without opening it: for tests
// that start numo processes of their own.
func URL(t testing.TB, kind string) string {
	t.Helper()
	switch kind {
	case "sqlite":
		return "file:" + filepath.Join(t.TempDir(), "numo.db")
	case "postgres":
		base := PostgresURL()
		if base == "" {
			if os.Getenv("NUMO_TEST_REQUIRE_POSTGRES") == "1" {
				t.Fatal("NUMO_TEST_REQUIRE_POSTGRES=1 but NUMO_TEST_DATABASE_URL is empty")
			}
			t.Skip("PostgreSQL not configured: set NUMO_TEST_DATABASE_URL (the README's test command does)")
		}
		return newSchema(t, base)
	}
	t.Fatalf("unknown database kind %q", kind)
	return ""
}

// Rows runs a query built with ent's builder and returns its columns and every row's values as
// the driver gives them, for tests that compare what a table holds.
func Rows(t testing.TB, db *store.DB, b entsql.Querier) (cols []string, rows [][]any) {
	t.Helper()
	q, args := b.Query()
	r, err := db.SQL.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	defer r.Close()
	if cols, err = r.Columns(); err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, vals)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, rows
}

// newSchema creates a schema of its own for the test and returns a URL whose search_path
// points at it, so tests run in parallel without seeing each other's rows.
func newSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse NUMO_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
