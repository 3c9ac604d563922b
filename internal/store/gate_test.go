package store_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/numo/accounts/internal/store"
)

// TestWritersTakeTurns runs a writer that takes SQLite's write lock again the moment it lets it
// go — transactions of 20 ms back to back, as a commit in steps does — and, beside it, single
// write statements such as a sign-in makes. Each of those must get its turn after at most a
// transaction or two of the busy writer. Without the write gate they waited in SQLite's busy
// handler, which tries again every 100 ms and nearly always finds the lock taken: a sign-in
// waited seconds behind a commit and failed once busy_timeout passed.
func TestWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "file:"+filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	var steps atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			tx, err := db.SQL.BeginTx(ctx, nil)
			if err != nil {
				done <- err
				return
			}
			end := time.Now().Add(20 * time.Millisecond)
			for time.Now().Before(end) {
				if _, err := tx.ExecContext(ctx, "INSERT INTO t (v) VALUES ('step')"); err != nil {
					tx.Rollback()
					done <- err
					return
				}
			}
			if err := tx.Commit(); err != nil {
				done <- err
				return
			}
			steps.Add(1)
		}
	}()
	for steps.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	worst := int64(0)
	for range 20 {
		before := steps.Load()
		if _, err := db.SQL.ExecContext(ctx, "INSERT INTO t (v) VALUES ('sign-in')"); err != nil {
			t.Fatalf("a write beside the busy writer: %v", err)
		}
		worst = max(worst, steps.Load()-before)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if worst > 2 {
		t.Fatalf("a single write waited for %d transactions of the busy writer, want at most 2", worst)
	}
}
