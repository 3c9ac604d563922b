// Package store opens the database behind Numo accounts — an embedded SQLite file by default,
// PostgreSQL in production — sizes its connection pool, migrates its schema, owns its locks,
// opens the progress bus (bus.go) and holds every hand-written SQL statement of the product
// (one file per table, e.g. accounts.go, login_throttles.go, built with ent's dialect-aware
// builder from the generated constants; see sqlrun.go). Code outside it uses ent, or calls a
// function here.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres".
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite".

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	_ "github.com/numo/accounts/ent/runtime" // registers the schema's hooks and defaults.
	"github.com/numo/accounts/internal/apperr"
)

// DB is an open database with its ent client.
type DB struct {
	// Client is the ent client over the pool.
	Client *ent.Client
	// SQL is the underlying pool, for what ent does not do (COPY, LISTEN/NOTIFY, locks).
	SQL *sql.DB
	// Reads is the pool of one-round-trip connections that answers ent's plain SELECTs on
	// PostgreSQL (reads.go); nil on SQLite.
	Reads *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
	// URL is the data source the database was opened with (credentials included).
	URL string

	// jobLocks is the file beside a SQLite database whose byte ranges are the commit locks of
	// its import jobs (see LockJob); "" when there is none (PostgreSQL, in-memory SQLite, or
	// an operating system without open file description locks).
	jobLocks string

	// router sends ent's plain reads to Reads (PostgreSQL only; reads.go).
	router *readRouter
}

// Option changes how Open builds the client.
type Option func(*options)

type options struct {
	wrap     func(dialect.Driver) dialect.Driver
	maxConns int
}

// DefaultMaxConns is the most PostgreSQL connections one process opens by default: half in the
// ordinary pool, half in the pool of one-round-trip reads (reads.go).
const DefaultMaxConns = 64

// WithMaxConns bounds the PostgreSQL connections the process opens to n (at least 4): n/2 for
// writes, transactions and everything else, the rest for one-round-trip reads. Every numo
// process on one PostgreSQL opens up to n, so their sum must stay below max_connections.
// SQLite ignores it.
func WithMaxConns(n int) Option {
	return func(o *options) { o.maxConns = max(n, 4) }
}

// WithDriver wraps ent's driver, e.g. to count statements in a test.
func WithDriver(wrap func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.wrap = wrap }
}

// Open connects to the database named by rawURL: "postgres://…" or "postgresql://…" for
// PostgreSQL, anything else (a path, "file:…", "sqlite:…") for a SQLite file. It does not migrate.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	o := options{maxConns: DefaultMaxConns}
	for _, opt := range opts {
		opt(&o)
	}
	name, dsn, err := dataSource(rawURL)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	if name == "sqlite" {
		db, err = openGated(dsn, busyTimeout)
	} else {
		db, err = sql.Open(name, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", name, err)
	}
	d := &DB{SQL: db, URL: rawURL}
	switch name {
	case "postgres":
		d.Dialect = dialect.Postgres
		// database/sql keeps 2 idle connections by default, which collapses throughput
		// under concurrent roster queries: keep the whole pool warm.
		db.SetMaxOpenConns(o.maxConns / 2)
		db.SetMaxIdleConns(o.maxConns / 2)
	default:
		d.Dialect = dialect.SQLite
		// WAL lets readers run beside the one writer; writers queue in the write gate.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	if err := ping(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", name, err)
	}
	if d.Dialect == dialect.SQLite {
		d.jobLocks = jobLockFile(dsn) // now that the file exists, to follow its symbolic links
	}
	var drv dialect.Driver = entsql.OpenDB(d.Dialect, db)
	if d.Dialect == dialect.Postgres {
		r, err := openReadRouter(ctx, dsn, db, o.maxConns-o.maxConns/2)
		if err != nil {
			db.Close()
			return nil, err
		}
		drv, d.Reads, d.router = r, r.reads.DB(), r
	}
	if o.wrap != nil {
		drv = o.wrap(drv)
	}
	d.Client = ent.NewClient(ent.Driver(drv))
	return d, nil
}

// ping checks the connection. Switching a new SQLite file to WAL can answer SQLITE_BUSY without
// waiting when another process opens it at the same moment: that is retried briefly.
func ping(ctx context.Context, db *sql.DB) error {
	var err error
	for try := 0; try < 50; try++ {
		if err = db.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return err
}

// dataSource turns a user-facing database URL into a driver name and its DSN.
func dataSource(rawURL string) (driver, dsn string, err error) {
	rawURL = strings.TrimSpace(rawURL)
	switch {
	case rawURL == "":
		return "", "", errors.New("database URL is empty")
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return "postgres", rawURL, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
	query := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if path == "" {
		return "", "", fmt.Errorf("database URL %q names no SQLite file", rawURL)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("database URL %q: %w", rawURL, err)
	}
	// Foreign keys are off by default in SQLite and ent's migration refuses to run without them.
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Write transactions take the lock at BEGIN, so two writers queue instead of deadlocking.
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	return "sqlite", "file:" + path + "?" + q.Encode(), nil
}

// busyTimeout is how long a SQLite writer waits for the write lock (in the write gate, and in
// SQLite's busy handler for writers of other processes) before it fails.
const busyTimeout = 10 * time.Second

var migrateMu sync.Mutex

// Migrate brings the schema up to date. On PostgreSQL it holds an advisory lock meanwhile, so
// that several numo processes starting at once migrate one after the other.
func (d *DB) Migrate(ctx context.Context) error {
	// ent's migration rewrites the package-level table descriptions: one at a time per process.
	migrateMu.Lock()
	defer migrateMu.Unlock()
	if d.Dialect == dialect.Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		key := lockKey("numo-migrate")
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
			return fmt.Errorf("migrate: take lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key) //nolint:errcheck // closing the conn releases it too
	}
	err := d.Client.Schema.Create(ctx, migrateOptions()...)
	// SQLite has no advisory locks: when another process migrated the same file meanwhile,
	// the schema it read is stale; reading it again finds the work done.
	for try := 0; err != nil && d.Dialect == dialect.SQLite && try < 3; try++ {
		err = d.Client.Schema.Create(ctx, migrateOptions()...)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the client and the pool.
func (d *DB) Close() error { return d.Client.Close() }

// LockKey maps a name to a PostgreSQL advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// AdvisoryKey returns the advisory lock key of a named resource, e.g. "import:school:42".
func AdvisoryKey(name string) int64 { return lockKey(name) }

// ErrSchoolBusy means that an import of the school is being committed in steps (SQLite, see
// LockSchool), so that no other write of the school's accounts as a whole may start now. It is
// a refusal a client can act on (INVALID_STATE): try again when the import is done.
var ErrSchoolBusy error = apperr.New(apperr.CodeInvalidState,
	"Er wordt nu een import van deze school uitgevoerd. Probeer het opnieuw als die klaar is.",
	"An import of this school is being committed. Try again when it is done.", nil)

// execer is what LockSchool runs through: a *sql.Tx or an ent transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// LockSchool takes, for the rest of the transaction tx, the lock that every write of a school's
// accounts as a whole takes — an import commit, an undo, a purge or an erasure — so that two of
// them never interleave.
//
// On PostgreSQL that is a transaction-level advisory lock: a second writer waits for the first.
// On SQLite the transaction's write lock serialises writers, but an import commit there runs
// as a series of short transactions (so that sign-ins can write between them): from its first
// transaction to its last, its job is COMMITTING with committed_at set (see
// importer.Apply). LockSchool on SQLite answers ErrSchoolBusy while such a job exists, at once:
// waiting here, inside a write transaction, would hold the lock the commit needs to finish.
func LockSchool(ctx context.Context, tx execer, dialectName string, schoolID int) error {
	if dialectName != dialect.Postgres {
		job, err := committingJob(ctx, tx, dialectName, schoolID)
		if err != nil {
			return fmt.Errorf("lock school %d: %w", schoolID, err)
		}
		if job != 0 {
			return fmt.Errorf("lock school %d: import job %d: %w", schoolID, job, ErrSchoolBusy)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", SchoolLockKey(schoolID)); err != nil {
		return fmt.Errorf("lock school %d: %w", schoolID, err)
	}
	return nil
}

// committingJob returns the id of the school's import job whose commit has begun writing and
// is neither finished nor rolled back (COMMITTING, or FAILED by a caller that could not roll it
// back, with committed_at set), or 0.
func committingJob(ctx context.Context, q execer, d string, schoolID int) (int, error) {
	id := 0
	_, err := scanOne(ctx, q, build(d).Select(importjob.FieldID).From(entsql.Table(importjob.Table)).
		Where(entsql.And(entsql.EQ(importjob.FieldSchoolID, schoolID),
			entsql.In(importjob.FieldStatus, importjob.StatusCOMMITTING.String(), importjob.StatusFAILED.String()),
			entsql.NotNull(importjob.FieldCommittedAt))).Limit(1), &id)
	return id, err
}

// SchoolBusy reports whether an import of the school is being committed now: on SQLite one
// whose steps have begun (what LockSchool refuses), on PostgreSQL a COMMITTING job whose
// process showed a sign of life (heartbeat) within busyHeartbeat. It is a hint for work that
// would rather skip the school than wait (the scheduled purge); the answer may be stale at once,
// and LockSchool still decides. (Not pg_try_advisory_lock: an undo holds the lock for a moment
// only, which is worth waiting for, and installations sharing one database in several schemas
// share the lock keys.)
func (d *DB) SchoolBusy(ctx context.Context, schoolID int) (bool, error) {
	if d.Dialect != dialect.Postgres {
		job, err := committingJob(ctx, d.SQL, d.Dialect, schoolID)
		return job != 0, err
	}
	return scanOne(ctx, d.SQL, build(d.Dialect).Select(importjob.FieldID).From(entsql.Table(importjob.Table)).
		Where(entsql.And(entsql.EQ(importjob.FieldSchoolID, schoolID), entsql.EQ(importjob.FieldStatus, importjob.StatusCOMMITTING.String()),
			entsql.GT(importjob.FieldHeartbeatAt, time.Now().Add(-busyHeartbeat)))).Limit(1), new(int))
}

// busyHeartbeat is how recent the heartbeat of a COMMITTING job must be for SchoolBusy: a
// committing process writes one every few seconds.
const busyHeartbeat = time.Minute

// SchoolLockKey is the advisory lock key LockSchool takes for the school.
func SchoolLockKey(schoolID int) int64 { return AdvisoryKey(fmt.Sprintf("import:school:%d", schoolID)) }

// TryAdvisoryLock takes the session-level advisory lock key on conn (PostgreSQL) when it is
// free, and reports whether it did.
func TryAdvisoryLock(ctx context.Context, conn *sql.Conn, key int64) (bool, error) {
	var got bool
	err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got)
	return got, err
}

// AdvisoryUnlock releases a session-level advisory lock that conn holds (PostgreSQL).
func AdvisoryUnlock(ctx context.Context, conn *sql.Conn, key int64) error {
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
	return err
}
