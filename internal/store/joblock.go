package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
)

// A process that commits an import job on PostgreSQL holds the job's commit lock for the whole
// commit: a session-level advisory lock on a connection of its own. PostgreSQL releases a
// session's locks when its connection ends, so when the process dies (kill -9, a crash, power
// loss of its host) the lock is free at once, and another process's reaper (FailUnlockedCommits,
// polled every second or so) marks the job FAILED: a dead committer is seen in about a second,
// where the heartbeat takes half a minute. The heartbeat stays as the fallback for a committer
// that is alive but stuck.
//
// The lock is taken before the job becomes visible as COMMITTING with LockedClaim in its
// claimed_by (LockJob before the claim; CreateLockedJob in the creating transaction), and
// released only after its final status is written, so a reaper never sees a live commit
// without its lock. The reaper does not take the lock itself: it reads pg_locks in the same
// statement that fails the job, so it never makes a committer wait or fail.
//
// Many installations (and the tests) share one database in several schemas, where ent's ids
// repeat: the key is a hash of the schema and the job id.
//
// On SQLite (on Linux) the commit lock is an open file description lock on the byte at the
// job's id of a file beside the database (numo.db-joblocks): the kernel drops it when its
// process dies, like PostgreSQL a session's locks. There the reaper takes the lock itself
// (LockJob) before it rolls a commit back, since a rollback is work that must not overlap a
// new commit of the same job; a committer that finds the lock taken answers that the job is
// being committed, which it is (or being rolled back).

// LockedMark ends the claimed_by of a job whose committer holds its commit lock. Only such jobs
// are failed as soon as their lock is free: one claimed by a process that takes no lock (an
// older numo during a rolling upgrade) is left to the heartbeat.
const LockedMark = " +lock"

// LockedClaim is the claimed_by a committer holding the job's commit lock writes: who, then
// LockedMark, within max bytes.
func LockedClaim(who string, max int) string {
	if n := max - len(LockedMark); len(who) > n {
		for n > 0 && n < len(who) && who[n]&0xC0 == 0x80 {
			n--
		}
		who = who[:n]
	}
	return who + LockedMark
}

// jobKeySQL is the SQL expression of the commit lock key of the job whose id is idExpr, in the
// session's schema. current_schema() is NULL when no schema of the search path exists: a NULL
// key would take no lock at all.
func jobKeySQL(idExpr string) string {
	return "hashtextextended(coalesce(current_schema(), '') || ':numo-import-job:' || (" + idExpr + ")::text, 0)"
}

// JobLock is a held commit lock of an import job.
type JobLock struct {
	conn  *sql.Conn // PostgreSQL
	file  *os.File  // SQLite with a lock file; with neither the lock holds nothing
	jobID int
	lost  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	err   error
	alive time.Duration
}

// noLock is the lock on SQLite without a lock file: there a commit left COMMITTING is found
// when numo starts.
func noLock(jobID int) *JobLock {
	l := &JobLock{jobID: jobID, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	close(l.done)
	return l
}

// LockJob takes the commit lock of the job on a connection of its own, without waiting; ok is
// false when another session holds it (another process is committing the job). While held, the
// connection is checked every keepAlive (which also keeps an idle_session_timeout from ending
// it); when a check fails, Lost is closed, and the commit should stop: the lock may be free
// for a reaper. On SQLite it takes the job's byte of the lock file (Lost is never closed), or,
// without a lock file, returns a lock that holds nothing.
func (d *DB) LockJob(ctx context.Context, jobID int, keepAlive time.Duration) (l *JobLock, ok bool, err error) {
	if d.Dialect != dialect.Postgres {
		l = noLock(jobID)
		if d.jobLocks != "" {
			if l.file, ok, err = lockRange(d.jobLocks, jobID); !ok {
				return nil, false, err
			}
		}
		return l, true, nil
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock import job %d: %w", jobID, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+jobKeySQL("$1::bigint")+")", jobID).Scan(&ok); err != nil {
		discard(conn)
		return nil, false, fmt.Errorf("lock import job %d: %w", jobID, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return startJobLock(conn, jobID, keepAlive), true, nil
}

// CreateLockedJob creates a job with create, in a transaction on the lock's own connection that
// also takes the job's commit lock before it commits: no other process can see the job (a
// COMMITTING one, say) before its lock is held. On SQLite the lock is taken (see LockJob)
// before the creating transaction commits.
func (d *DB) CreateLockedJob(ctx context.Context, keepAlive time.Duration, create func(ctx context.Context, c *ent.Client) (int, error)) (int, *JobLock, error) {
	if d.Dialect != dialect.Postgres {
		tx, err := d.Client.Tx(ctx)
		if err != nil {
			return 0, nil, fmt.Errorf("create import job: %w", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		id, err := create(ctx, tx.Client())
		if err != nil {
			return 0, nil, err
		}
		l, ok, err := d.LockJob(ctx, id, keepAlive)
		if err == nil && !ok {
			err = fmt.Errorf("lock import job %d: held by another process", id) // a job not yet created
		}
		if err != nil {
			return 0, nil, err
		}
		if err := tx.Commit(); err != nil {
			l.Release()
			return 0, nil, fmt.Errorf("create import job: %w", err)
		}
		return id, l, nil
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("create import job: %w", err)
	}
	id, err := func() (int, error) {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		id, err := create(ctx, ent.NewClient(ent.Driver(entsql.NewDriver(dialect.Postgres, entsql.Conn{ExecQuerier: tx}))))
		if err != nil {
			return 0, err
		}
		// A session-level lock taken in a transaction outlives it (and its rollback).
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_lock("+jobKeySQL("$1::bigint")+")", id); err != nil {
			return 0, fmt.Errorf("lock import job %d: %w", id, err)
		}
		return id, tx.Commit()
	}()
	if err != nil {
		discard(conn) // it may hold the lock of a job that was never committed
		return 0, nil, err
	}
	return id, startJobLock(conn, id, keepAlive), nil
}

func startJobLock(conn *sql.Conn, jobID int, keepAlive time.Duration) *JobLock {
	l := &JobLock{conn: conn, jobID: jobID, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), alive: keepAlive}
	go l.keepAlive()
	return l
}

func (l *JobLock) keepAlive() {
	defer close(l.done)
	t := time.NewTicker(l.alive)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(l.alive, 5*time.Second))
		err := l.conn.PingContext(ctx)
		if err == nil {
			// Ping may be answered without a round trip: ask the server.
			err = l.conn.QueryRowContext(ctx, "SELECT 1").Scan(new(int))
		}
		cancel()
		if err != nil {
			l.err = err
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the lock's connection failed: the lock may be free, and the job may be
// marked failed by another process at any moment. Never closed on SQLite.
func (l *JobLock) Lost() <-chan struct{} { return l.lost }

// Release gives the lock up and returns its connection; call it after the job's final status
// is written. It may be called more than once; nil-safe.
func (l *JobLock) Release() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		if l.file != nil {
			l.file.Close() // drops the lock
		}
		if l.conn == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var released bool
		err := l.conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock("+jobKeySQL("$1::bigint")+")", l.jobID).Scan(&released)
		if err != nil || !released {
			discard(l.conn) // never hand a connection that may still hold the lock back to the pool
			return
		}
		l.conn.Close()
	})
}

// discard closes conn for good instead of returning it to the pool.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the point is the error
	conn.Close()
}

// FailUnlockedCommits marks FAILED, with msg, every COMMITTING job claimed with LockedClaim whose
// commit lock no session holds — its process died — and returns their ids. The lock is looked
// up in pg_locks within the same statement, so a job claimed again meanwhile (its new
// committer took the lock before the claim) is left alone. On SQLite it does nothing.
func (d *DB) FailUnlockedCommits(ctx context.Context, msg string) ([]int, error) {
	if d.Dialect != dialect.Postgres {
		return nil, nil
	}
	// pg_locks shows a lock on a bigint key as classid (high 32 bits), objid (low 32 bits)
	// and objsubid 1, in its database.
	key := jobKeySQL("j.id")
	q := `UPDATE import_jobs AS j SET status = $3, phase = $4, error = $1, updated_at = now()
		WHERE j.status = $5 AND j.committed_at IS NULL AND j.claimed_by LIKE $2
		AND NOT EXISTS (SELECT 1 FROM pg_locks AS l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND l.classid::bigint = ((` + key + `) >> 32) & 4294967295
			AND l.objid::bigint = (` + key + `) & 4294967295)
		RETURNING j.id`
	rows, err := d.SQL.QueryContext(ctx, q, msg, "%"+likeEscape(LockedMark), importjob.StatusFAILED.String(), "failed", importjob.StatusCOMMITTING.String())
	if err != nil {
		return nil, fmt.Errorf("fail dead commits: %w", err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("fail dead commits: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fail dead commits: %w", err)
	}
	return ids, nil
}

// JobLocked reports whether some session or process holds the job's commit lock, without
// taking it (false on SQLite without a lock file). It is what FailUnlockedCommits asks, for
// tests and diagnostics.
func (d *DB) JobLocked(ctx context.Context, jobID int) (bool, error) {
	if d.Dialect != dialect.Postgres {
		if d.jobLocks == "" {
			return false, nil
		}
		return rangeLocked(d.jobLocks, jobID)
	}
	key := jobKeySQL("$1::bigint")
	var held bool
	err := d.SQL.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks AS l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid::bigint = (`+key+` >> 32) & 4294967295 AND l.objid::bigint = `+key+` & 4294967295)`, jobID).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("import job %d lock: %w", jobID, err)
	}
	return held, nil
}

// SeesDeadCommits reports whether a commit whose process died shows by its free commit lock
// while numo runs: always on PostgreSQL; on SQLite when it has a lock file (a file database,
// on Linux). Otherwise a dead commit is found when numo starts.
func (d *DB) SeesDeadCommits() bool { return d.Dialect == dialect.Postgres || d.jobLocks != "" }

// jobLockFile is the lock file of the SQLite database of dsn ("file:PATH?…"): beside the file
// PATH names, after symbolic links (as SQLite puts its -wal file), so that every process
// opening the database by whatever path finds the same one; "" for an in-memory database or
// where there are no file locks.
func jobLockFile(dsn string) string {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if !fileLocks || path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return ""
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	if real, err = filepath.Abs(real); err != nil {
		return ""
	}
	return real + "-joblocks"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ErrLockLost is the cause a commit is cancelled with when its commit lock's connection failed.
var ErrLockLost = errors.New("the connection holding the import's commit lock failed")
