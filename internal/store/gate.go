package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SQLite has one writer at a time, and a writer that finds the lock taken does not queue: it
// sleeps in SQLite's busy handler and tries again, every 100 ms after the first quarter second.
// A writer that takes the lock again the moment it let it go — an import commit going from one
// step to the next — therefore starves the others: a sign-in waited 1.7 s behind a commit of
// 50 ms steps, and until busy_timeout and failure behind a longer one. writeGate puts the
// process's writers in a queue instead, served in the order they came: a write transaction or
// a write statement outside a transaction first enters the gate, and leaves it when it ends.
// A sign-in during a commit then waits for one step at most. (Writers in other processes on
// the same file, such as `numo import`, still meet SQLite's busy handler.)

// writeGate is a queue of one: Go serves the senders blocked on a channel in the order they
// came, and hands the slot straight to the first of them when it is freed.
type writeGate struct {
	slot    chan struct{}
	timeout time.Duration
}

// errGateTimeout is what a writer gets that waited longer than busy_timeout for its turn, as it
// would have got SQLITE_BUSY from SQLite.
var errGateTimeout = errors.New("database is locked (SQLITE_BUSY): waited too long for another write to end")

func newWriteGate(timeout time.Duration) *writeGate {
	return &writeGate{slot: make(chan struct{}, 1), timeout: timeout}
}

func (g *writeGate) enter(ctx context.Context) error {
	select {
	case g.slot <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.timeout)
	defer t.Stop()
	select {
	case g.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w (%v)", errGateTimeout, g.timeout)
	}
}

func (g *writeGate) leave() { <-g.slot }

// gatedConnector opens SQLite connections whose writes pass the gate.
type gatedConnector struct {
	dsn  string
	drv  driver.Driver
	gate *writeGate
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite driver connection %T lacks the context methods", conn)
	}
	return &gatedConn{inner: inner, gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return c.drv }

// openGated opens a SQLite pool whose writes are queued by one gate.
func openGated(dsn string, timeout time.Duration) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(&gatedConnector{dsn: dsn, drv: drv, gate: newWriteGate(timeout)}), nil
}

// sqliteConn is what the modernc.org/sqlite connection implements and database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// gatedConn is one connection; database/sql uses it from one goroutine at a time, and while a
// transaction is open on it, only for that transaction.
type gatedConn struct {
	inner sqliteConn
	gate  *writeGate
	inTx  bool // a write transaction holds the gate
}

func (c *gatedConn) Prepare(q string) (driver.Stmt, error) { return c.inner.Prepare(q) }
func (c *gatedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, q)
}
func (c *gatedConn) Ping(ctx context.Context) error         { return c.inner.Ping(ctx) }
func (c *gatedConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }
func (c *gatedConn) IsValid() bool                          { return c.inner.IsValid() }

func (c *gatedConn) Close() error {
	c.endTx()
	return c.inner.Close()
}

func (c *gatedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx enters the gate for a write transaction (every transaction but a read-only one,
// which SQLite begins without the write lock).
func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.inner.BeginTx(ctx, opts)
	}
	if err := c.gate.enter(ctx); err != nil {
		return nil, err
	}
	tx, err := c.inner.BeginTx(ctx, opts)
	if err != nil {
		c.gate.leave()
		return nil, err
	}
	c.inTx = true
	return &gatedTx{inner: tx, conn: c}, nil
}

func (c *gatedConn) endTx() {
	if c.inTx {
		c.inTx = false
		c.gate.leave()
	}
}

// enterFor enters the gate for q when it is a write statement outside a transaction; leave
// (never nil) leaves it again.
func (c *gatedConn) enterFor(ctx context.Context, q string) (leave func(), err error) {
	if c.inTx || !isWrite(q) {
		return func() {}, nil
	}
	if err := c.gate.enter(ctx); err != nil {
		return nil, err
	}
	return c.gate.leave, nil
}

// ExecContext enters the gate for a write statement outside a transaction.
func (c *gatedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return gated(c, ctx, q, func() (driver.Result, error) { return c.inner.ExecContext(ctx, q, args) })
}

// QueryContext enters the gate for a write statement outside a transaction (INSERT …
// RETURNING), for as long as the call runs.
func (c *gatedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return gated(c, ctx, q, func() (driver.Rows, error) { return c.inner.QueryContext(ctx, q, args) })
}

// gated runs call inside the gate when q is a write statement outside a transaction.
func gated[T any](c *gatedConn, ctx context.Context, q string, call func() (T, error)) (T, error) {
	leave, err := c.enterFor(ctx, q)
	if err != nil {
		var zero T
		return zero, err
	}
	defer leave()
	return call()
}

type gatedTx struct {
	inner driver.Tx
	conn  *gatedConn
}

func (t *gatedTx) Commit() error {
	defer t.conn.endTx()
	return t.inner.Commit()
}

func (t *gatedTx) Rollback() error {
	defer t.conn.endTx()
	return t.inner.Rollback()
}

// isWrite reports whether a statement may write: anything but a query.
func isWrite(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n(")
	i := strings.IndexAny(q, " \t\r\n(")
	if i < 0 {
		i = len(q)
	}
	switch strings.ToUpper(q[:i]) {
	case "SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA":
		return false
	}
	return true
}
