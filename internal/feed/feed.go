package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Topic is the bus topic (pubsub) of a school's change log: minus the school's id. Import
// jobs publish their progress on their own id, which is positive, so the two spaces never
// meet. An event on it carries {"position": p}, the school's last position when it was sent:
// a wake-up call, not the changes (read them with After).
func Topic(schoolID int) int { return -schoolID }

// Event is the data of an event on a school's Topic.
type Event struct {
	Position int64 `json:"position"`
}

// MaxPage is the most changes one read returns.
const MaxPage = 1000

// ErrCursorTooOld refuses a read after a position whose next changes were pruned (Prune): the
// reader cannot continue without a gap.
var ErrCursorTooOld = apperr.New(apperr.CodeCursorTooOld,
	"De wijzigingen na deze cursor worden niet meer bewaard. Lees het rooster één keer helemaal in en volg daarna de wijzigingen vanaf School.rosterPosition.",
	"The changes after this cursor are no longer kept. Read the roster in full once, then follow the feed from School.rosterPosition.",
	map[string]any{"field": "after"})

// After returns up to limit (at most MaxPage) of the school's changes after position after, in
// order, or ErrCursorTooOld when the changes right after it were pruned. The caller has
// authorised the viewer for the school.
func After(ctx context.Context, db *store.DB, schoolID int, after int64, limit int) ([]Change, error) {
	after = max(after, 0)
	limit = min(max(limit, 1), MaxPage)
	rows, err := store.RosterChangesAfter(ctx, db.SQL, db.Dialect, schoolID, after, limit)
	if err != nil {
		return nil, err
	}
	// Entries go from the start of the log only: a first entry past after+1, or none at all
	// while the log was pruned beyond after, means the reader missed changes.
	if len(rows) > 0 && rows[0].Position > after+1 {
		return nil, ErrCursorTooOld
	}
	if len(rows) == 0 {
		if err := Check(ctx, db, schoolID, after); err != nil {
			return nil, err
		}
	}
	return changes(rows), nil
}

// Check returns ErrCursorTooOld when the school's changes after position after were pruned.
func Check(ctx context.Context, db *store.DB, schoolID int, after int64) error {
	floor, err := store.RosterFloor(ctx, db.SQL, db.Dialect, schoolID)
	if err != nil {
		return err
	}
	if after < floor {
		return ErrCursorTooOld
	}
	return nil
}

// latest returns up to MaxPage of the school's changes after position after, in order,
// without the check of After: a hub's reader, whose head follows the log's end, reads with it
// (a follower that gets a batch past its cursor reads with After).
func latest(ctx context.Context, db *store.DB, schoolID int, after int64) ([]Change, error) {
	rows, err := store.RosterChangesAfter(ctx, db.SQL, db.Dialect, schoolID, after, MaxPage)
	if err != nil {
		return nil, err
	}
	return changes(rows), nil
}

func changes(rows []store.StoredRosterChange) []Change {
	out := make([]Change, len(rows))
	for i, r := range rows {
		out[i] = Change{Position: r.Position, Kind: Kind(r.Kind), Op: Op(r.Op), ID: itoa(r.EntityID), Data: r.Data,
			Origin: Origin(r.Origin), At: r.At.UTC()}
		if r.JobID != 0 {
			out[i].JobID = itoa(r.JobID)
		}
	}
	return out
}

// Position returns the school's last position now.
func Position(ctx context.Context, db *store.DB, schoolID int) (int64, error) {
	return store.RosterPosition(ctx, db.SQL, db.Dialect, schoolID)
}

// wake tells the school's subscribers, after tx commits, that the log grew to last. On
// PostgreSQL that is a NOTIFY on the bus's channel sent in tx (delivered at COMMIT to every
// process); on SQLite (one process) the buses Attach registered hear it once the position is
// visible outside tx.
func wake(ctx context.Context, tx store.Execer, d string, schoolID int, last int64) error {
	payload, _ := json.Marshal(pubsub.Event{Topic: Topic(schoolID), Data: mustJSON(Event{Position: last})})
	if isPostgres(d) {
		schema, err := store.PostgresSchema(ctx, tx)
		if err != nil {
			return fmt.Errorf("roster changes: notify: %w", err)
		}
		if err := store.NotifyIn(ctx, tx, pubsub.Channel(schema), string(payload)); err != nil {
			return fmt.Errorf("roster changes: notify: %w", err)
		}
		return nil
	}
	attached.mu.Lock()
	targets := make([]attachment, 0, len(attached.list))
	for _, a := range attached.list {
		if !isPostgres(a.db.Dialect) {
			targets = append(targets, a)
		}
	}
	attached.mu.Unlock()
	for _, a := range targets {
		go a.publishWhenVisible(schoolID, last)
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// attachment is a process's bus of one SQLite database.
type attachment struct {
	db  *store.DB
	bus pubsub.Bus
}

var attached struct {
	mu   sync.Mutex
	list []attachment
}

// Attach registers the process's bus of db, so that on SQLite (whose bus is in-process) the
// roster changes written through any transaction of db wake its subscribers after the commit.
// On PostgreSQL it is not needed (the NOTIFY reaches every bus) and does nothing harmful. It
// returns a function that undoes it.
func Attach(db *store.DB, bus pubsub.Bus) func() {
	a := attachment{db: db, bus: bus}
	attached.mu.Lock()
	if slices.Contains(attached.list, a) { // attached already (the app, then a subscription)
		attached.mu.Unlock()
		return func() {}
	}
	attached.list = append(attached.list, a)
	attached.mu.Unlock()
	return func() {
		attached.mu.Lock()
		defer attached.mu.Unlock()
		for i, b := range attached.list {
			if b == a {
				attached.list = append(attached.list[:i], attached.list[i+1:]...)
				return
			}
		}
	}
}

// publishWhenVisible publishes the event once the school's position reached last outside the
// writing transaction (SQLite has no commit hook on database/sql), giving up after visibleWait
// (the transaction rolled back, or another database of the process has that school id).
func (a attachment) publishWhenVisible(schoolID int, last int64) {
	ctx, cancel := context.WithTimeout(context.Background(), visibleWait)
	defer cancel()
	for delay := time.Millisecond; ; delay = min(delay*2, 100*time.Millisecond) {
		pos, err := Position(ctx, a.db, schoolID)
		if err == nil && pos >= last {
			a.bus.Publish(ctx, pubsub.Event{Topic: Topic(schoolID), Data: mustJSON(Event{Position: pos})}) //nolint:errcheck // in-process
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// visibleWait bounds how long publishWhenVisible waits for a commit.
const visibleWait = 30 * time.Second
