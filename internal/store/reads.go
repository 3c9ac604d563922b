package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// One round trip per read on PostgreSQL.
//
// lib/pq sends a statement with parameters as Parse/Describe/Sync, waits for the parameter
// types, then Bind/Execute/Sync: two round trips, and a roster read by API token is two
// statements (the class, then its pupils). With `binary_parameters=yes` it sends
// Parse/Bind/Describe/Execute/Sync at once — one round trip — but then every []byte argument
// goes out in binary format, which a jsonb column refuses (it wants a version byte) and ent
// writes JSON fields as []byte. So the binary connections only answer ent's SELECTs outside a
// transaction whose arguments hold no []byte: their arguments (integers, strings, times) go
// out as text exactly as before, with the type left to PostgreSQL as before; everything else
// (writes, INSERT … RETURNING, transactions, []byte arguments) uses the ordinary pool.

// readRouter is ent's driver over the ordinary pool, with its one-trip reads sent to reads.
type readRouter struct {
	*entsql.Driver
	reads *entsql.Driver
}

// openReadRouter opens the one-round-trip pool of size connections beside db (a PostgreSQL
// pool opened from dsn); the two share the process's budget (WithMaxConns).
func openReadRouter(ctx context.Context, dsn string, db *sql.DB, size int) (*readRouter, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	rdb, err := sql.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("open the read pool: %w", err)
	}
	rdb.SetMaxOpenConns(size)
	rdb.SetMaxIdleConns(size)
	if err := ping(ctx, rdb); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect the read pool: %w", err)
	}
	return &readRouter{Driver: entsql.OpenDB(dialect.Postgres, db), reads: entsql.OpenDB(dialect.Postgres, rdb)}, nil
}

// Query runs a one-trip read on the read pool, anything else on the ordinary one.
func (r *readRouter) Query(ctx context.Context, query string, args, v any) error {
	if oneTrip(query, args) {
		return r.reads.Query(ctx, query, args, v)
	}
	return r.Driver.Query(ctx, query, args, v)
}

// Close closes both pools.
func (r *readRouter) Close() error {
	return errors.Join(r.reads.Close(), r.Driver.Close())
}

// oneTrip reports whether a statement ent runs outside a transaction may use the binary
// protocol: a SELECT whose arguments are all numbers, booleans, strings or times (after
// driver.Valuer), which lib/pq sends as text in either mode; a []byte, such as a
// json.RawMessage, or anything else keeps the ordinary protocol.
func oneTrip(query string, args any) bool {
	if len(query) < 7 || !strings.EqualFold(query[:7], "SELECT ") {
		return false
	}
	list, ok := args.([]any)
	if !ok {
		return args == nil
	}
	for _, a := range list {
		if !textArg(a) {
			return false
		}
	}
	return true
}

// textArg reports whether lib/pq sends a in text format under binary_parameters.
func textArg(a any) bool {
	if val, ok := a.(driver.Valuer); ok {
		v, err := val.Value()
		if err != nil {
			return false
		}
		a = v
	}
	switch a.(type) {
	case nil, time.Time:
		return true
	}
	switch reflect.ValueOf(a).Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return true
	}
	return false
}
