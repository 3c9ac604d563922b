package feed_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
)

// recordAt commits n entries written at at (DELETEs of accounts that never existed: cheap
// entries, one per id) and returns the last position.
func recordAt(t *testing.T, db *store.DB, schoolID int, at time.Time, n int) int64 {
	t.Helper()
	ids := make([]int, n)
	for i := range ids {
		ids[i] = 900_000_000 + i
	}
	tx, err := db.SQL.BeginTx(sys, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	last, err := feed.Record(sys, tx, db.Dialect, schoolID, feed.OriginManual, 0, at, feed.Touched{Accounts: ids})
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// floor is the school's last pruned position.
func floor(t *testing.T, db *store.DB, schoolID int) int64 {
	t.Helper()
	f, err := store.RosterFloor(sys, db.SQL, db.Dialect, schoolID)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wantAfter reads after cursor and checks the answer: the first position, or ErrCursorTooOld
// (first -1), or an empty page (first 0).
func wantAfter(t *testing.T, db *store.DB, schoolID int, cursor, first int64) {
	t.Helper()
	page, err := feed.After(sys, db, schoolID, cursor, 10)
	switch {
	case first < 0:
		if !errors.Is(err, feed.ErrCursorTooOld) {
			t.Errorf("after %d: %d changes, err %v; want CURSOR_TOO_OLD", cursor, len(page), err)
		}
	case err != nil:
		t.Errorf("after %d: %v", cursor, err)
	case first == 0 && len(page) != 0:
		t.Errorf("after %d: first %d, want none", cursor, page[0].Position)
	case first > 0 && (len(page) == 0 || page[0].Position != first):
		t.Errorf("after %d: %v, want from %d", cursor, page, first)
	}
	if err := feed.Check(sys, db, schoolID, cursor); (err != nil) != (first < 0) {
		t.Errorf("Check(%d) = %v", cursor, err)
	}
}

// TestPrune: the retention of the change log. Entries older than the cutoff go from the start
// of the log, in batches (2,500 entries, batches of 1,000), and only up to the first entry that
// is not old, even when later ones are older (a commit may carry an earlier time): the entries
// kept are the positions after the floor without a gap. A cursor before the floor is
// CURSOR_TOO_OLD (a query, a subscription, Check); one at the floor reads on. With every entry
// pruned, the floor is the school's position, and a reader there is not refused. Another
// school keeps its log.
func TestPrune(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := testimport.NewSchool(t, db, "18PR", "")
		other := testimport.NewSchool(t, db, "18PS", "")
		now := time.Now()
		old, recent := now.AddDate(0, 0, -200), now.AddDate(0, 0, -10)
		otherLast := recordAt(t, db, other.ID, old, 3)
		oldEnd := recordAt(t, db, s.ID, old, 2500)
		keptFrom := recordAt(t, db, s.ID, recent, 2) - 1
		recordAt(t, db, s.ID, old, 1) // old again, after a recent one: kept
		head := recordAt(t, db, s.ID, recent, 1)
		wantAfter(t, db, s.ID, 0, 1)

		pruned, err := feed.Prune(sys, db, now.AddDate(0, 0, -90))
		if err != nil {
			t.Fatal(err)
		}
		if pruned[s.ID] != 2500 || pruned[other.ID] != 3 {
			t.Fatalf("pruned %v, want 2500 of school %d and 3 of %d", pruned, s.ID, other.ID)
		}
		if f := floor(t, db, s.ID); f != oldEnd || keptFrom != oldEnd+1 {
			t.Fatalf("floor %d, want %d (kept from %d)", f, oldEnd, keptFrom)
		}
		for _, c := range []struct{ cursor, first int64 }{{0, -1}, {oldEnd - 1, -1}, {oldEnd, keptFrom}, {keptFrom, keptFrom + 1}, {head, 0}} {
			wantAfter(t, db, s.ID, c.cursor, c.first)
		}
		// The rest, kept: a gapless run up to the head.
		if last := replay(t, db, s.ID, oldEnd, roster{}); last != head {
			t.Errorf("replayed the kept entries up to %d, head %d", last, head)
		}
		// The other school lost all three: its floor is its position.
		if f := floor(t, db, other.ID); f != otherLast {
			t.Errorf("other school's floor %d, want its position %d", f, otherLast)
		}
		wantAfter(t, db, other.ID, otherLast, 0)
		wantAfter(t, db, other.ID, otherLast-1, -1)
		next := recordAt(t, db, other.ID, now, 1)
		wantAfter(t, db, other.ID, otherLast, next)

		// A subscription from before the floor ends without a change.
		hub, _ := hubOf(t, db)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		in := hub.Subscribe(ctx, s.ID, 0)
		select {
		case c, ok := <-in:
			if ok {
				t.Errorf("a subscription from before the floor got %d", c.Position)
			}
		case <-ctx.Done():
			t.Error("a subscription from before the floor did not end")
		}
	})
}

// TestPruneScheduled: the retention scheduler prunes the log to its term in each round.
func TestPruneScheduled(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := testimport.NewSchool(t, db, "18PT", "")
		now := time.Now()
		oldEnd := recordAt(t, db, s.ID, now.AddDate(0, 0, -40), 5)
		recordAt(t, db, s.ID, now.AddDate(0, 0, -20), 1)
		stop := retention.StartSchedulerFeed(context.Background(), db, slog.New(slog.DiscardHandler), 10*time.Millisecond, 30)
		defer stop()
		deadline := time.Now().Add(20 * time.Second)
		for floor(t, db, s.ID) != oldEnd && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		if f := floor(t, db, s.ID); f != oldEnd {
			t.Fatalf("floor %d after the scheduled purge, want %d (30 days kept)", f, oldEnd)
		}
	})
}
