package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/predicate"
	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Options configure a Dispatcher; zero fields take the defaults.
type Options struct {
	// Source is the change feed.
	Source Source
	// Bus and Topic wake the dispatcher when a commit wrote changes of a school (feed.Topic);
	// without them it only polls.
	Bus   pubsub.Bus
	Topic func(schoolID int) int
	// Guard decides which addresses deliveries may reach.
	Guard Guard
	Log   *slog.Logger
	// Now is the clock (tests inject one).
	Now func() time.Time
	// Backoff is the wait after the n-th failure in a row (default Backoff).
	Backoff func(n int) time.Duration
	// BatchSize is the most changes in one POST.
	BatchSize int
	// Workers is how many endpoints one process delivers at once.
	Workers int
	// Timeout bounds one POST, Lease how long a claim lasts without renewal (it must be well
	// above Timeout), Poll how often due endpoints are looked for without a wake-up.
	Timeout, Lease, Poll time.Duration
	// PauseAfter and PauseFailures: an endpoint failing for PauseAfter and at least
	// PauseFailures attempts in a row is paused (FAILING) until an admin resumes it.
	PauseAfter    time.Duration
	PauseFailures int
	// Observe is told the outcome and duration of every attempt (metrics).
	Observe func(outcome string, d time.Duration)
	// Owner names this dispatcher in the lease column; random by default.
	Owner string
}

func (o *Options) defaults() {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff == nil {
		o.Backoff = Backoff
	}
	o.BatchSize = cmpOr(o.BatchSize, DefaultBatchSize)
	o.Workers = cmpOr(o.Workers, DefaultWorkers)
	o.Timeout = cmpOr(o.Timeout, DefaultTimeout)
	o.Lease = max(cmpOr(o.Lease, DefaultLease), 3*o.Timeout)
	o.Poll = cmpOr(o.Poll, DefaultPoll)
	o.PauseAfter = cmpOr(o.PauseAfter, DefaultPauseAfter)
	o.PauseFailures = cmpOr(o.PauseFailures, MinFailuresToPause)
	if o.Owner == "" {
		o.Owner = randomID()
	}
}

func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Dispatcher delivers due endpoints of every school, in this process.
type Dispatcher struct {
	db     *store.DB
	o      Options
	client *http.Client
	wake   chan struct{}
	slots  chan struct{}
	wg     sync.WaitGroup

	mu        sync.Mutex
	woken     map[int]bool // schools whose feed moved since the last round
	subs      map[int]func()
	lastPrune time.Time
}

// New returns a dispatcher over db; Start runs it.
func New(db *store.DB, o Options) *Dispatcher {
	o.defaults()
	return &Dispatcher{db: db, o: o, client: newClient(o.Guard, o.Timeout), wake: make(chan struct{}, 1),
		slots: make(chan struct{}, o.Workers), woken: map[int]bool{}, subs: map[int]func(){}}
}

// newClient is the HTTP client of deliveries: no proxy from the environment (the guard checks
// the address it connects to), no redirects followed (a 3xx is a failure), the timeout on the
// whole exchange.
func newClient(g Guard, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext:           g.dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Start runs the dispatcher until ctx ends or stop is called; stop waits for deliveries in
// flight to end (their POSTs are cancelled; an unacknowledged batch is delivered again later).
func (d *Dispatcher) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.run(ctx)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

func (d *Dispatcher) run(ctx context.Context) {
	defer d.wg.Wait()
	defer d.unsubscribeAll()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
			d.subscribe(ctx)
			d.prune(ctx)
		}
		d.round(ctx)
		timer.Reset(d.untilNext(ctx))
	}
}

// signal wakes the loop (never blocks).
func (d *Dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Wake tells the dispatcher that the school's feed moved (its subscription does this).
func (d *Dispatcher) Wake(schoolID int) {
	d.mu.Lock()
	d.woken[schoolID] = true
	d.mu.Unlock()
	d.signal()
}

// RunOnce claims the endpoints due now and delivers them, waiting until they are done (tests,
// and a process that delivers without Start).
func (d *Dispatcher) RunOnce(ctx context.Context) {
	d.round(ctx)
	d.wg.Wait()
}

// round claims due endpoints for the free workers and delivers each in its own goroutine.
func (d *Dispatcher) round(ctx context.Context) {
	d.mu.Lock()
	woken := make([]int, 0, len(d.woken))
	for s := range d.woken {
		woken = append(woken, s)
	}
	clear(d.woken)
	d.mu.Unlock()
	free := cap(d.slots) - len(d.slots)
	if free == 0 || ctx.Err() != nil {
		return
	}
	now := d.o.Now()
	due := webhookendpoint.NextAttemptAtLTE(now)
	if len(woken) > 0 { // an idle endpoint of a school whose feed moved is due at once; a failing one waits
		due = webhookendpoint.Or(due, webhookendpoint.And(webhookendpoint.SchoolIDIn(woken...), webhookendpoint.FailuresEQ(0)))
	}
	ids, err := d.db.Client.WebhookEndpoint.Query().Where(webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE), due,
		leaseFree(now), tokenActive()).Order(ent.Asc(webhookendpoint.FieldNextAttemptAt)).Limit(2 * free).IDs(auth.System(ctx))
	if err != nil {
		d.logErr(ctx, "webhooks: find due endpoints", err)
		return
	}
	for _, id := range ids {
		if free == 0 {
			break
		}
		ok, err := d.claim(ctx, id)
		if err != nil {
			d.logErr(ctx, "webhooks: claim", err, "webhook", id)
			continue
		}
		if !ok {
			continue // another dispatcher took it
		}
		free--
		d.slots <- struct{}{}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer func() { <-d.slots; d.signal() }()
			d.deliver(ctx, id)
		}()
	}
}

// untilNext is how long the loop may sleep: until the earliest retry, at most Poll.
func (d *Dispatcher) untilNext(ctx context.Context) time.Duration {
	next, err := d.db.Client.WebhookEndpoint.Query().Where(webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE)).
		Order(ent.Asc(webhookendpoint.FieldNextAttemptAt)).First(auth.System(ctx))
	if err != nil {
		return d.o.Poll
	}
	wait := next.NextAttemptAt.Sub(d.o.Now())
	if next.LeaseUntil != nil && next.LeaseUntil.After(d.o.Now()) {
		wait = max(wait, next.LeaseUntil.Sub(d.o.Now()))
	}
	return min(max(wait, 10*time.Millisecond), d.o.Poll)
}

// leaseFree is the predicate of an endpoint no dispatcher holds now.
func leaseFree(now time.Time) predicate.WebhookEndpoint {
	return webhookendpoint.Or(webhookendpoint.LeaseUntilIsNil(), webhookendpoint.LeaseUntilLT(now))
}

// tokenActive is the predicate of an endpoint whose API token is not revoked.
func tokenActive() predicate.WebhookEndpoint {
	return func(s *sql.Selector) {
		t := sql.Table(apitoken.Table)
		s.Where(sql.In(s.C(webhookendpoint.FieldTokenID),
			sql.Select(t.C(apitoken.FieldID)).From(t).Where(sql.IsNull(t.C(apitoken.FieldRevokedAt)))))
	}
}

// claim takes the endpoint's lease when it is free: one conditional UPDATE, so of two
// dispatchers (processes) racing for it exactly one succeeds.
func (d *Dispatcher) claim(ctx context.Context, id int) (bool, error) {
	now := d.o.Now()
	n, err := d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(id), leaseFree(now)).
		SetLeaseOwner(d.o.Owner).SetLeaseUntil(now.Add(d.o.Lease)).Save(auth.System(ctx))
	return n == 1, err
}

// renew extends the lease before a POST, while this dispatcher still holds it, the endpoint is
// active and its token not revoked. After a renewal the lease outlasts the POST (Lease is well
// above Timeout), so no other dispatcher can take the endpoint while the batch is in flight.
func (d *Dispatcher) renew(ctx context.Context, id int) (bool, error) {
	now := d.o.Now()
	n, err := d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(id), d.held(now),
		webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE), tokenActive()).
		SetLeaseUntil(now.Add(d.o.Lease)).Save(auth.System(ctx))
	return n == 1, err
}

// held is the predicate of an endpoint whose lease this dispatcher holds.
func (d *Dispatcher) held(now time.Time) predicate.WebhookEndpoint {
	return webhookendpoint.And(webhookendpoint.LeaseOwner(d.o.Owner), webhookendpoint.LeaseUntilGT(now))
}

func (d *Dispatcher) logErr(ctx context.Context, msg string, err error, args ...any) {
	if ctx.Err() != nil {
		return
	}
	d.o.Log.Error(msg, append(args, "err", err)...)
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
