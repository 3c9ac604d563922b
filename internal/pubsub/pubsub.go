// Package pubsub carries import progress events between numo processes: in-process on
// SQLite (one process), through PostgreSQL LISTEN/NOTIFY when several processes share a
// database. Subscribers always end up with the newest event of a topic: intermediate events
// may be conflated for a slow subscriber, the last one never is. Package store opens the bus of
// a database (store.DB.Bus).
package pubsub

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Event is one message on a topic (an import job's ID).
type Event struct {
	Topic int             `json:"t"`
	Data  json.RawMessage `json:"d"`
}

// Bus publishes events and lets callers subscribe to a topic.
type Bus interface {
	// Publish sends an event to every subscriber of its topic, in every process.
	Publish(ctx context.Context, e Event) error
	// Subscribe returns a channel of the topic's events from now on and a function that ends
	// the subscription; the channel is closed when it ends or ctx is done.
	Subscribe(ctx context.Context, topic int) (<-chan Event, func())
	// Close stops the bus.
	Close() error
}

// Local is the in-process bus. It is also the delivery half of the PostgreSQL bus.
type Local struct {
	mu   sync.Mutex
	subs map[int]map[*subscriber]struct{}
}

// NewLocal returns an in-process bus.
func NewLocal() *Local { return &Local{subs: map[int]map[*subscriber]struct{}{}} }

type subscriber struct {
	mu     sync.Mutex
	latest *Event
	signal chan struct{}
}

// Publish delivers e to the topic's subscribers in this process.
func (l *Local) Publish(_ context.Context, e Event) error {
	l.deliver(e)
	return nil
}

func (l *Local) deliver(e Event) {
	l.mu.Lock()
	subs := make([]*subscriber, 0, len(l.subs[e.Topic]))
	for s := range l.subs[e.Topic] {
		subs = append(subs, s)
	}
	l.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		ev := e
		s.latest = &ev
		s.mu.Unlock()
		select {
		case s.signal <- struct{}{}:
		default: // a wake-up is pending already; it will read the latest event
		}
	}
}

// Subscribe implements Bus.
func (l *Local) Subscribe(ctx context.Context, topic int) (<-chan Event, func()) {
	s := &subscriber{signal: make(chan struct{}, 1)}
	l.mu.Lock()
	if l.subs[topic] == nil {
		l.subs[topic] = map[*subscriber]struct{}{}
	}
	l.subs[topic][s] = struct{}{}
	l.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan Event)
	go func() {
		defer close(out)
		defer func() {
			l.mu.Lock()
			delete(l.subs[topic], s)
			if len(l.subs[topic]) == 0 {
				delete(l.subs, topic)
			}
			l.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.signal:
			}
			s.mu.Lock()
			e := s.latest
			s.latest = nil
			s.mu.Unlock()
			if e == nil {
				continue
			}
			select {
			case out <- *e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, cancel
}

// Subscribers counts the subscriptions in this process (for tests and metrics).
func (l *Local) Subscribers() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.subs {
		n += len(m)
	}
	return n
}

// Close implements Bus.
func (l *Local) Close() error { return nil }

// channel is the PostgreSQL notification channel of the bus; channelOf scopes it to a schema.
const channel = "numo_import_progress"

// channelOf is the bus's notification channel for a schema. Notifications cross a whole
// database, while installations (and the tests) may share one in several schemas, where
// ent's ids — the topics — repeat: one installation must not hear another's events.
func channelOf(schema string) string {
	h := fnv.New64a()
	h.Write([]byte(schema))
	return fmt.Sprintf("%s_%016x", channel, h.Sum64())
}

// Postgres is the bus across processes: Publish is a NOTIFY, and one LISTEN connection per
// process feeds the local subscribers.
type Postgres struct {
	*Local
	notify   func(ctx context.Context, payload string) error
	listener *pq.Listener
	done     chan struct{}
	log      *slog.Logger
}

// NewPostgres listens on the database at url, whose connections work in schema; notify sends
// a NOTIFY through the caller's pool (package store opens the bus: store.DB.Bus).
func NewPostgres(url, schema string, notify func(ctx context.Context, channel, payload string) error, log *slog.Logger) (*Postgres, error) {
	channel := channelOf(schema)
	p := &Postgres{Local: NewLocal(), done: make(chan struct{}), log: log}
	p.notify = func(ctx context.Context, payload string) error { return notify(ctx, channel, payload) }
	p.listener = pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			log.Warn("progress listener", "event", ev, "err", err)
		}
	})
	if err := p.listener.Listen(channel); err != nil {
		p.listener.Close()
		return nil, fmt.Errorf("listen %s: %w", channel, err)
	}
	go p.loop()
	return p, nil
}

func (p *Postgres) loop() {
	defer close(p.done)
	for n := range p.listener.Notify {
		if n == nil { // the connection was re-established: events may have been missed
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(n.Extra), &e); err != nil {
			p.log.Warn("progress listener: bad payload", "err", err)
			continue
		}
		p.deliver(e)
	}
}

// Publish implements Bus: the event reaches this process too, through the listener.
func (p *Postgres) Publish(ctx context.Context, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := p.notify(ctx, string(b)); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// Close implements Bus.
func (p *Postgres) Close() error {
	err := p.listener.Close()
	<-p.done
	return err
}
