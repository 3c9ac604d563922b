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
	"sync"
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

// Prepared once per connection.
//
// Even in one round trip PostgreSQL parses and plans every statement again (0.17 ms of its CPU
// per small roster read against 0.12 ms for PostGraphile's prepared statement), and lib/pq
// decodes the row description again. ent sends the same few statement texts over and over
// (a class by ID, its first N pupils, a token by hash), so the read pool keeps a named prepared
// statement per text it has seen twice (stmtCache): database/sql prepares it on each
// connection at first use there, and PostgreSQL may settle on a generic plan after five runs.
// The cache is bounded (maxPrepared texts); a text seen once, or past the bound, runs unprepared.

// readRouter is ent's driver over the ordinary pool, with its one-trip reads sent to reads.
type readRouter struct {
	*entsql.Driver
	reads *entsql.Driver
	stmts *stmtCache
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
	return &readRouter{
		Driver: entsql.OpenDB(dialect.Postgres, db),
		reads:  entsql.OpenDB(dialect.Postgres, rdb),
		stmts:  newStmtCache(rdb, maxPrepared),
	}, nil
}

// Query runs a one-trip read on the read pool (prepared when its text recurs), anything else
// on the ordinary one.
func (r *readRouter) Query(ctx context.Context, query string, args, v any) error {
	if !oneTrip(query, args) {
		return r.Driver.Query(ctx, query, args, v)
	}
	stmt, err := r.stmts.get(ctx, query)
	if err != nil || stmt == nil {
		return r.reads.Query(ctx, query, args, v)
	}
	vr, ok := v.(*entsql.Rows)
	if !ok {
		return fmt.Errorf("read: invalid type %T, expect *sql.Rows", v)
	}
	argv, _ := args.([]any)
	rows, err := stmt.QueryContext(ctx, argv...)
	if err != nil {
		return err
	}
	*vr = entsql.Rows{ColumnScanner: rows}
	return nil
}

// Close closes the prepared statements and both pools.
func (r *readRouter) Close() error {
	return errors.Join(r.stmts.close(), r.reads.Close(), r.Driver.Close())
}

// maxPrepared bounds the statement texts the read pool keeps prepared (per connection that
// used them): ent's reads have a few dozen shapes; IN lists of varying length add more.
const maxPrepared = 256

// stmtCache holds the read pool's prepared statements by text.
type stmtCache struct {
	db    *sql.DB
	max   int
	mu    sync.Mutex
	seen  map[string]bool // texts run once, not prepared yet
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, seen: map[string]bool{}, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, preparing it on its second use; nil when the
// text is new or the cache is full.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	if len(c.stmts) >= c.max {
		return nil, nil
	}
	if !c.seen[query] {
		if len(c.seen) < 4*c.max {
			c.seen[query] = true
		}
		return nil, nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare a read: %w", err)
	}
	delete(c.seen, query)
	c.stmts[query] = s
	return s, nil
}

// PreparedReads is how many statement texts the read pool keeps prepared (0 on SQLite).
func (d *DB) PreparedReads() int {
	if d.router == nil {
		return 0
	}
	return d.router.stmts.size()
}

// size is how many statement texts are prepared.
func (c *stmtCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
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
