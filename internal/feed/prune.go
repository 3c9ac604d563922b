package feed

import (
	"context"
	"fmt"
	"time"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// DefaultKeepDays is how many days the log keeps its entries by default (--feed-keep-days).
const DefaultKeepDays = 90

// pruneBatch is how many entries one statement of Prune deletes at most: each batch commits on
// its own, so no school's log is locked long and a writer appending to it never waits.
const pruneBatch = 1000

// Prune deletes the entries written before cutoff from the start of every school's log, in
// batches, and returns how many it deleted per school id (schools without any left out). It
// stops at a school's first entry that is not older than cutoff, even when later ones are (an
// import may be recorded with an earlier time than the entry before it), so that the entries
// kept are always the positions after RosterFloor without a gap. A reader whose cursor lies
// before them gets ErrCursorTooOld from After. Several processes pruning at once delete the
// same rows, which is harmless; the retention scheduler runs it in one process at a time.
func Prune(ctx context.Context, db *store.DB, cutoff time.Time) (map[int]int, error) {
	sys := auth.System(ctx)
	schools, err := db.Client.School.Query().IDs(sys)
	if err != nil {
		return nil, fmt.Errorf("prune roster changes: %w", err)
	}
	out := map[int]int{}
	for _, id := range schools {
		n, err := pruneSchool(sys, db, id, cutoff)
		if n > 0 {
			out[id] = n
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func pruneSchool(ctx context.Context, db *store.DB, schoolID int, cutoff time.Time) (int, error) {
	total := 0
	for ctx.Err() == nil {
		oldest, err := store.OldestRosterChanges(ctx, db.SQL, db.Dialect, schoolID, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune roster changes: %w", err)
		}
		k := 0
		for k < len(oldest) && oldest[k].At.Before(cutoff) {
			k++
		}
		if k == 0 {
			return total, nil
		}
		n, err := store.DeleteRosterChangesUpTo(ctx, db.SQL, db.Dialect, schoolID, oldest[k-1].Position)
		total += n
		if err != nil {
			return total, fmt.Errorf("prune roster changes: %w", err)
		}
		if k < len(oldest) {
			return total, nil
		}
	}
	return total, ctx.Err()
}
