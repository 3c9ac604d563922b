package feed

import (
	"context"
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
type Hub struct {
	db  *store.DB
	bus pubsub.Bus
	log *slog.Logger

	mu      sync.Mutex
	schools map[int]*reader
}

// NewHub returns a hub over db and the process's bus.
func NewHub(db *store.DB, bus pubsub.Bus, log *slog.Logger) *Hub {
	return &Hub{db: db, bus: bus, log: log, schools: map[int]*reader{}}
}

// pollEvery is how often a school's reader looks for changes without a wake-up.
const pollEvery = 2 * time.Second

// followerPoll is how long a subscription waits for the reader before it reads the database
// itself (a safety net: one cheap indexed read per idle subscription per followerPoll).
const followerPoll = 15 * time.Second

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
		// A safety net beside the reader: a follower that heard nothing for followerPoll reads
		// the database itself once (the reader may have missed a wake-up or be stuck; seen once
		// in CI on PostgreSQL under load, a live change not delivered within 20 s).
		quiet := time.NewTimer(followerPoll)
	live:
		for {
			select {
			case <-ctx.Done():
				quiet.Stop()
				return
			case <-quiet.C:
				break live
			case <-f.poke:
				quiet.Stop()
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
func (h *Hub) read(ctx context.Context, schoolID int, r *reader) {
	events, stop := h.bus.Subscribe(ctx, Topic(schoolID))
	defer stop()
	head, err := Position(ctx, h.db, schoolID)
	if err != nil {
		h.log.Warn("roster change reader", "school", schoolID, "err", err)
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
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
			page, err := After(ctx, h.db, schoolID, head, MaxPage)
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

func (h *Hub) fanOut(schoolID int, r *reader, page []Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.schools[schoolID] != r {
		return
	}
	for f := range r.subs {
		select {
		case f.batches <- page:
		default:
			select {
			case f.poke <- struct{}{}:
			default:
			}
		}
	}
}
