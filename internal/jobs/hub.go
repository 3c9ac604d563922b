package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/pubsub"
)

// The progress hub fans a job's progress out to every subscriber of it in this process, so
// that a subscriber costs no database read of its own: per watched job one feed holds one bus
// subscription, reads the job row once when it starts, polls it every pollEvery as the
// fallback for a lost notification, and reads the final row (with its report) once, for all.
// Each subscriber has a mailbox that keeps only the newest progress: a slow one loses
// intermediate progress, never the final state, and never holds up the others.

// hub holds the feeds of the jobs watched in this process.
type hub struct {
	s     *Service
	mu    sync.Mutex // guards feeds and every feed's state and watchers
	feeds map[int]*feed
}

// feed is one watched job: its newest state and its watchers.
type feed struct {
	jobID    int
	ready    chan struct{} // closed once the first read is done (err and schoolID are then set)
	done     chan struct{} // closed when the feed stops
	cancel   context.CancelFunc
	err      error
	schoolID int
	state    Progress
	watchers map[*watcher]struct{}
}

// watcher is one subscriber's mailbox: the newest progress not yet taken.
type watcher struct {
	mu     sync.Mutex
	next   *Progress
	signal chan struct{}
}

func (w *watcher) offer(p Progress) {
	w.mu.Lock()
	w.next = &p
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default: // a wake-up is pending already; it takes the newest
	}
}

func (w *watcher) take() (Progress, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.next == nil {
		return Progress{}, false
	}
	p := *w.next
	w.next = nil
	return p, true
}

// fanoutGap is the least time between two deliveries of intermediate progress to a feed's
// watchers: publishEvery for up to 25 of them, then growing with their number
// (fanoutPerWatcher each), so that a feed makes at most about 250 deliveries a second. Each
// delivery is a GraphQL execution and a websocket frame in this process, and the decoding of
// it in the client, on the CPU the commit they watch needs: at 1,000 a second (one every 2 s
// for 2,000 watchers) they made a 100,000-pupil commit on SQLite about 1.4× as long (see
// BENCHMARKS.md, issue 13). 2,000 watchers now get an update every 8 s, 100 every 400 ms, up
// to 25 every 100 ms as before. The final state is delivered at once.
func fanoutGap(watchers int) time.Duration {
	return max(publishEvery, time.Duration(watchers)*fanoutPerWatcher)
}

const fanoutPerWatcher = 4 * time.Millisecond

// pollEvery is how often a job's feed (hub.go) also reads the job row, in case a notification
// was lost (a listener reconnect) or the job ended in a process that could not tell.
const pollEvery = 3 * time.Second

// Subscribe streams a job's progress: the current state first, then changes (intermediate
// ones may be skipped for a slow subscriber), ending with the final event, which carries the
// job row and its report (Progress.Job, Progress.Report). The channel closes after the final
// event or when ctx ends. The subscribers of a job in this process share one reader of it
// (hub.go): subscribing reads the database only when nobody here watches the job yet.
func (s *Service) Subscribe(ctx context.Context, jobID int) (<-chan Progress, error) {
	if auth.FromContext(ctx) == nil && !auth.IsSystem(ctx) {
		return nil, auth.ErrUnauthenticated
	}
	w := &watcher{signal: make(chan struct{}, 1)}
	f := s.hub.attach(jobID, w)
	select {
	case <-f.ready:
	case <-ctx.Done():
		s.hub.detach(f, w)
		return nil, ctx.Err()
	}
	switch {
	case ent.IsNotFound(f.err), f.err == nil && !visible(ctx, f.schoolID):
		s.hub.detach(f, w)
		return nil, errNotFound("import", jobID)
	case f.err != nil:
		s.hub.detach(f, w)
		return nil, fmt.Errorf("subscribe job %d: %w", jobID, f.err)
	}
	out := make(chan Progress, 1)
	go func() {
		defer close(out)
		defer s.hub.detach(f, w)
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.signal:
			case <-f.done: // the service stops, or the final state was offered already
				select {
				case <-w.signal:
				default:
					return
				}
			}
			p, ok := w.take()
			if !ok {
				continue
			}
			select {
			case out <- p:
			case <-ctx.Done():
				return
			}
			if p.Final {
				return
			}
		}
	}()
	return out, nil
}

// WatchedJobs counts the jobs this process follows for its subscribers (for tests and metrics).
func (s *Service) WatchedJobs() int {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return len(s.hub.feeds)
}

// attach adds a watcher to the job's feed, starting the feed when the job has none.
func (h *hub) attach(jobID int, w *watcher) *feed {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.feeds[jobID]
	if f == nil {
		ctx, cancel := context.WithCancel(h.s.ctx)
		f = &feed{jobID: jobID, ready: make(chan struct{}), done: make(chan struct{}), cancel: cancel, watchers: map[*watcher]struct{}{}}
		h.feeds[jobID] = f
		go h.run(ctx, f)
	}
	f.watchers[w] = struct{}{}
	select {
	case <-f.ready:
		if f.err == nil {
			w.offer(f.state) // a late subscriber gets the current state first
		}
	default: // the first read offers it
	}
	return f
}

// detach removes a watcher; the last one to leave stops the feed.
func (h *hub) detach(f *feed, w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(f.watchers, w)
	if len(f.watchers) == 0 && h.feeds[f.jobID] == f {
		delete(h.feeds, f.jobID)
		f.cancel()
	}
}

// end removes a feed that has delivered its final state: later subscribers start a new one.
func (h *hub) end(f *feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.feeds[f.jobID] == f {
		delete(h.feeds, f.jobID)
	}
	f.cancel()
}

// deliver records the feed's newest state and, when fan is set, offers it to every watcher.
func (h *hub) deliver(f *feed, p Progress, fan bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	f.state = p
	if fan {
		for w := range f.watchers {
			w.offer(p)
		}
	}
	return len(f.watchers)
}

// run is a feed's one reader: the bus for progress, a poll as the fallback, one read at the
// start and one of the final row.
func (h *hub) run(ctx context.Context, f *feed) {
	defer close(f.done)
	events, unsubscribe := h.s.bus.Subscribe(ctx, f.jobID)
	defer unsubscribe()
	// Read the state after subscribing, so that nothing falls between the two.
	job, err := h.s.db.Client.ImportJob.Get(ctx, f.jobID)
	var first Progress
	if err == nil {
		first = finalOf(job, Current(job))
	}
	h.mu.Lock()
	f.err, f.state = err, first
	if job != nil {
		f.schoolID = job.SchoolID
	}
	close(f.ready)
	if err == nil {
		for w := range f.watchers {
			w.offer(first)
		}
	}
	watchers := len(f.watchers)
	h.mu.Unlock()
	if err != nil || first.Final {
		h.end(f)
		return
	}
	h.follow(ctx, f, events, watchers)
}

// follow passes the bus's progress on until the final state, at most every fanoutGap.
func (h *hub) follow(ctx context.Context, f *feed, events <-chan pubsub.Event, watchers int) {
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	var flush <-chan time.Time
	last := time.Time{}
	for {
		var p Progress
		select {
		case <-ctx.Done():
			return
		case <-flush:
			flush = nil
			h.mu.Lock()
			p = f.state
			h.mu.Unlock()
			last = time.Now()
			watchers = h.deliver(f, p, true)
			continue
		case e, ok := <-events:
			if !ok {
				return
			}
			if err := json.Unmarshal(e.Data, &p); err != nil {
				continue
			}
		case <-poll.C:
			cur, err := h.poll(ctx, f.jobID)
			if err != nil {
				continue
			}
			p = cur
		}
		if p.Final {
			h.deliver(f, h.final(ctx, f.jobID, p), true)
			h.end(f)
			return
		}
		if wait := fanoutGap(watchers) - time.Since(last); wait > 0 {
			h.deliver(f, p, false)
			if flush == nil {
				flush = time.After(wait)
			}
			continue
		}
		last = time.Now()
		watchers = h.deliver(f, p, true)
	}
}

// poll reads the job's progress columns only (not its report or mapping).
func (h *hub) poll(ctx context.Context, jobID int) (Progress, error) {
	j, err := h.s.db.Client.ImportJob.Query().Where(importjob.ID(jobID)).
		Select(importjob.FieldStatus, importjob.FieldPhase, importjob.FieldProgressDone, importjob.FieldProgressTotal, importjob.FieldError).
		Only(ctx)
	if err != nil {
		return Progress{}, fmt.Errorf("poll job %d: %w", jobID, err)
	}
	j.ID = jobID
	return Current(j), nil
}

// final completes a final event with the job's row, read once for every watcher. Should the
// read fail, the event goes out as it came: its consumers read the row themselves.
func (h *hub) final(ctx context.Context, jobID int, p Progress) Progress {
	job, err := h.s.db.Client.ImportJob.Get(ctx, jobID)
	if err != nil {
		h.s.log.Warn("read final import state", "job", jobID, "err", err)
		return p
	}
	cur := Current(job)
	if !cur.Final { // the event ran ahead of the row: keep the event's outcome
		return p
	}
	return finalOf(job, cur)
}

// finalOf attaches the job row and its decoded report to a final state.
func finalOf(job *ent.ImportJob, p Progress) Progress {
	if !p.Final {
		return p
	}
	p.Job = job
	if rep, err := Report(job); err == nil {
		p.Report = rep
	}
	return p
}

// visible reports whether the subscriber in ctx may see a job of the school: the rule of
// schema.ImportJobVisible (the school's administrators), checked in memory because the feed
// read the row for everyone.
func visible(ctx context.Context, schoolID int) bool {
	return auth.IsSystem(ctx) || auth.FromContext(ctx).IsAdminOf(schoolID)
}
