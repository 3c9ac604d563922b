package feed

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Hub streams schools' changes to subscribers: one reader per school in the process, woken by
// the bus (and every pollEvery, in case a wake-up was lost), reads each new change once and
// fans it out. A subscriber first reads its backlog itself, then follows the reader; one that
// falls behind or sees a gap reads from the database again, so none misses or repeats a change.
//
// The hand-off rests on one rule: a follower is in its reader's subs before it reads its
// backlog, and the reader passes on every change after its head to every follower in subs
// (a batch, or a poke to read the database when the inbox is full). The one place a reader
// moves its head without passing changes on is its start, when it reads the school's position:
// a follower that joined before may have read its backlog before the changes up to that head
// committed, so the reader pokes every follower once it has its head (see read).
// TestHubLateHead holds a reader there and shows it.
type Hub struct {
	db  *store.DB
	bus pubsub.Bus
	log *slog.Logger

	mu      sync.Mutex
	schools map[int]*reader

	// beforeHead, when set (tests), runs in a new reader after it subscribed to the bus and
	// before it reads its head.
	beforeHead func(schoolID int)
}

// NewHub returns a hub over db and the process's bus.
func NewHub(db *store.DB, bus pubsub.Bus, log *slog.Logger) *Hub {
	return &Hub{db: db, bus: bus, log: log, schools: map[int]*reader{}}
}

// pollEvery is how often a school's reader looks for changes without a wake-up.
const pollEvery = 2 * time.Second

// reader is the one reader of a school's log in the process.
type reader struct {
	subs   map[*follower]struct{}
	cancel context.CancelFunc
}

// follower is one subscription's inbox from the reader.
type follower struct {
	batches chan []Change
	poke    chan struct{}
}

// Subscribe streams the school's changes after position after until ctx ends; the channel is
// closed then. The caller has authorised the viewer for the school.
func (h *Hub) Subscribe(ctx context.Context, schoolID int, after int64) <-chan Change {
	out := make(chan Change, 64)
	f := &follower{batches: make(chan []Change, 16), poke: make(chan struct{}, 1)}
	h.join(schoolID, f)
	go func() {
		defer close(out)
		defer h.leave(schoolID, f)
		h.follow(ctx, schoolID, after, f, out)
	}()
	return out
}

// follow catches up from the database, then takes the reader's batches while they continue
// without a gap.
func (h *Hub) follow(ctx context.Context, schoolID int, cursor int64, f *follower, out chan<- Change) {
	send := func(c Change) bool {
		select {
		case out <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		for { // catch up
			page, err := After(ctx, h.db, schoolID, cursor, MaxPage)
			if errors.Is(err, ErrCursorTooOld) {
				h.log.Info("roster change subscription ended: its cursor is older than the changes kept", "school", schoolID, "cursor", cursor)
				return
			}
			if err != nil {
				if ctx.Err() == nil {
					h.log.Warn("roster change subscription: read", "school", schoolID, "err", err)
				}
				return
			}
			for _, c := range page {
				if !send(c) {
					return
				}
				cursor = c.Position
			}
			if len(page) < MaxPage {
				break
			}
		}
	live:
		for {
			select {
			case <-ctx.Done():
				return
			case <-f.poke:
				break live
			case batch := <-f.batches:
				for _, c := range batch {
					if c.Position <= cursor {
						continue
					}
					if c.Position != cursor+1 {
						break live // a gap: read it from the database
					}
					if !send(c) {
						return
					}
					cursor = c.Position
				}
			}
		}
	}
}

func (h *Hub) join(schoolID int, f *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.schools[schoolID]
	if r == nil {
		ctx, cancel := context.WithCancel(context.Background())
		r = &reader{subs: map[*follower]struct{}{}, cancel: cancel}
		h.schools[schoolID] = r
		go h.read(ctx, schoolID, r)
	}
	r.subs[f] = struct{}{}
}

func (h *Hub) leave(schoolID int, f *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.schools[schoolID]
	if r == nil {
		return
	}
	delete(r.subs, f)
	if len(r.subs) == 0 {
		r.cancel()
		delete(h.schools, schoolID)
	}
}

// Readers counts the schools the process reads now (for tests and metrics).
func (h *Hub) Readers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.schools)
}

// read is a school's reader: on every wake-up it reads the changes after the last it passed
// on and hands them to every follower (a full inbox is poked to read the database instead).
//
// It subscribes to the bus before it reads its head, so that no commit after the head goes
// unheard, and pokes its followers once it has the head: the changes up to it are passed on to
// no one, and a follower that read its backlog before they committed would otherwise wait
// for the next change to see the gap (CI saw a live change missed for 20 s on PostgreSQL
// under load, where this goroutine and its head's read can lag behind the follower's backlog).
func (h *Hub) read(ctx context.Context, schoolID int, r *reader) {
	events, stop := h.bus.Subscribe(ctx, Topic(schoolID))
	defer stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	if h.beforeHead != nil {
		h.beforeHead(schoolID)
	}
	head, ok := h.head(ctx, schoolID, tick.C)
	if !ok {
		return
	}
	h.fanOut(schoolID, r, nil) // a poke: read the database once
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case <-tick.C:
		}
		for {
			page, err := latest(ctx, h.db, schoolID, head)
			if err != nil || len(page) == 0 {
				break
			}
			head = page[len(page)-1].Position
			h.fanOut(schoolID, r, page)
			if len(page) < MaxPage {
				break
			}
		}
	}
}

// head reads the school's position, again at every tick while it fails; false when ctx ends.
func (h *Hub) head(ctx context.Context, schoolID int, tick <-chan time.Time) (int64, bool) {
	for {
		head, err := Position(ctx, h.db, schoolID)
		if err == nil {
			return head, true
		}
		if ctx.Err() == nil {
			h.log.Warn("roster change reader", "school", schoolID, "err", err)
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-tick:
		}
	}
}

// fanOut hands page to every follower of r. A follower whose inbox is full, and every follower
// when page is nil, is poked to read the database instead; a poke already pending is as good,
// since the follower reads after taking it.
func (h *Hub) fanOut(schoolID int, r *reader, page []Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.schools[schoolID] != r {
		return
	}
	for f := range r.subs {
		if page != nil {
			select {
			case f.batches <- page:
				continue
			default:
			}
		}
		select {
		case f.poke <- struct{}{}:
		default:
		}
	}
}
