package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/webhookdelivery"
	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/webhook"
)

// memSource is a change feed in memory: positions 1..n of one school.
type memSource struct {
	mu sync.Mutex
	n  int64
}

func (m *memSource) After(_ context.Context, _ int, after int64, limit int) ([]feed.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []feed.Change
	for p := after + 1; p <= m.n && len(out) < limit; p++ {
		out = append(out, feed.Change{Position: p, Kind: feed.KindAccount, Op: feed.OpUpsert, ID: fmt.Sprint(1000 + p),
			Data: json.RawMessage(`{"n":` + fmt.Sprint(p) + `}`), Origin: feed.OriginImport, At: time.Unix(1_800_000_000+p, 0).UTC()})
	}
	return out, nil
}

func (m *memSource) Head(context.Context, int) (int64, error) { return 0, nil }

// loopback lets tests deliver to httptest servers.
var loopback = webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// endpoint makes a school, an API token and a webhook to url with the given secret.
func endpoint(t *testing.T, db *store.DB, url string) *ent.WebhookEndpoint {
	t.Helper()
	sys := auth.System(context.Background())
	c := db.Client
	s := c.School.Create().SetName("Webhookschool").SetBrin(fmt.Sprintf("%02dWH", time.Now().UnixNano()%100)).SaveX(sys)
	tok := c.APIToken.Create().SetSchoolID(s.ID).SetName("koppeling").SetPrefix("numo_tok_abcd").
		SetTokenHash(fmt.Sprint(time.Now().UnixNano())).SetScopes([]string{"READ_ROSTERS"}).SaveX(sys)
	return c.WebhookEndpoint.Create().SetSchoolID(s.ID).SetTokenID(tok.ID).SetURL(url).SetSecret("whsec_test-secret").SaveX(sys)
}

// received is one request as the receiver saw it.
type received struct {
	key, delivery string
	positions     []int64
	status        int
	sigOK         bool
}

// receiver is a webhook receiver on loopback whose n-th answer (from 1) script decides.
type receiver struct {
	mu     sync.Mutex
	got    []received
	script func(n int, w http.ResponseWriter, r *http.Request) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var b webhook.Body
	json.Unmarshal(body, &b)
	rec := received{key: r.Header.Get(webhook.HeaderIdempotencyKey), delivery: r.Header.Get(webhook.HeaderDelivery),
		sigOK: webhook.Verify("whsec_test-secret", r.Header.Get(webhook.HeaderSignature), body, time.Now(), 5*time.Minute) == nil}
	for _, c := range b.Changes {
		rec.positions = append(rec.positions, c.Position)
	}
	rc.mu.Lock()
	n := len(rc.got) + 1
	rc.got = append(rc.got, rec)
	rc.mu.Unlock()
	status := rc.script(n, w, r)
	rc.mu.Lock()
	rc.got[n-1].status = status
	rc.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
	}
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// until runs step until done reports true, failing after 60 s.
func until(t *testing.T, step func(), done func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		step()
		time.Sleep(5 * time.Millisecond)
	}
}

func cursorOf(t *testing.T, db *store.DB, id int) *ent.WebhookEndpoint {
	t.Helper()
	return db.Client.WebhookEndpoint.GetX(auth.System(context.Background()), id)
}

// TestRetriesAndRecovers: a receiver that answers 500, then too late, then 200 gets the first
// batch three times with the same Idempotency-Key and a valid signature each time, with backoff
// between; the cursor moves only on the 2xx; every change arrives once acknowledged, in order;
// the delivery log has one row per attempt.
func TestRetriesAndRecovers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rc := &receiver{script: func(n int, w http.ResponseWriter, r *http.Request) int {
			switch n {
			case 1:
				return http.StatusInternalServerError
			case 2:
				select { // longer than the dispatcher's timeout
				case <-r.Context().Done():
				case <-time.After(3 * time.Second):
				}
				return 0
			}
			return http.StatusNoContent
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := endpoint(t, db, srv.URL+"/hook?k=integrator-secret")
		var mu sync.Mutex
		var backoffs []int
		var outcomes []string
		d := webhook.New(db, webhook.Options{Source: &memSource{n: 250}, Guard: loopback, Timeout: 300 * time.Millisecond,
			Backoff: func(n int) time.Duration {
				mu.Lock()
				backoffs = append(backoffs, n)
				mu.Unlock()
				return 150 * time.Millisecond
			},
			Observe: func(o string, _ time.Duration) { mu.Lock(); outcomes = append(outcomes, o); mu.Unlock() }})
		ctx := context.Background()
		d.RunOnce(ctx)
		after1 := cursorOf(t, db, ep.ID)
		if after1.Cursor != 0 || after1.Failures != 1 || after1.BatchTo != 100 || !after1.NextAttemptAt.After(time.Now().Add(50*time.Millisecond)) {
			t.Fatalf("after the 500: cursor %d failures %d batchTo %d next in %v", after1.Cursor, after1.Failures, after1.BatchTo, time.Until(after1.NextAttemptAt))
		}
		d.RunOnce(ctx) // still backing off: nothing is sent
		if n := len(rc.requests()); n != 1 {
			t.Fatalf("%d requests during the backoff, want 1", n)
		}
		until(t, func() { d.RunOnce(ctx) }, func() bool { return cursorOf(t, db, ep.ID).Cursor == 250 })

		reqs := rc.requests()
		var acked []int64
		for i, r := range reqs {
			if !r.sigOK {
				t.Errorf("request %d: bad signature", i+1)
			}
			if r.status == http.StatusNoContent {
				acked = append(acked, r.positions...)
			}
		}
		if want := webhook.IdempotencyKey(ep.ID, 1, 100); len(reqs) != 5 || reqs[0].key != want || reqs[1].key != want || reqs[2].key != want ||
			reqs[0].delivery == reqs[1].delivery {
			t.Fatalf("requests: %+v", reqs)
		}
		for i := range acked {
			if acked[i] != int64(i+1) {
				t.Fatalf("acknowledged positions out of order or missing at %d: %v", i, acked)
			}
		}
		if len(acked) != 250 {
			t.Fatalf("%d positions acknowledged, want 250", len(acked))
		}
		checkLog(t, db, ep.ID)
		if !slices.Equal(backoffs, []int{1, 2}) || len(outcomes) != 5 {
			t.Fatalf("backoffs %v, outcomes %v", backoffs, outcomes)
		}
		if e := cursorOf(t, db, ep.ID); e.Failures != 0 || e.BatchTo != 0 || e.LastSuccessAt == nil || e.FailingSince != nil || e.LeaseOwner != "" {
			t.Fatalf("endpoint after recovery: %+v", e)
		}
	})
}

// checkLog compares the delivery log of TestRetriesAndRecovers with what it should say: one
// row per attempt, errors short and without the URL's query or the secret.
func checkLog(t *testing.T, db *store.DB, id int) {
	t.Helper()
	log := db.Client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(id)).Order(ent.Asc(webhookdelivery.FieldID)).AllX(auth.System(context.Background()))
	want := []string{"1-100 #1 HTTP_ERROR 500", "1-100 #2 TIMEOUT 0", "1-100 #3 OK 204", "101-200 #1 OK 204", "201-250 #1 OK 204"}
	var got []string
	for _, l := range log {
		got = append(got, fmt.Sprintf("%d-%d #%d %s %d", l.FromPosition, l.ToPosition, l.Attempt, l.Outcome, l.StatusCode))
		if l.Outcome != webhookdelivery.OutcomeOK && l.Error == "" || len(l.Error) > 300 {
			t.Errorf("log row %d: error %q", l.ID, l.Error)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("delivery log\n got %q\nwant %q", got, want)
	}
	for _, l := range log {
		if l.Outcome != webhookdelivery.OutcomeOK && (contains(l.Error, "integrator-secret") || contains(l.Error, "whsec")) {
			t.Errorf("the log's error text holds a secret: %q", l.Error)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestTwoDispatchers: two dispatchers (as two processes would) on one database deliver one
// endpoint's 600 changes between them; the receiver never has two requests of it in flight at
// once, and gets every batch exactly once (no failures, so no redelivery) and in order.
func TestTwoDispatchers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		var inflight, most atomic.Int32
		rc := &receiver{script: func(int, http.ResponseWriter, *http.Request) int {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(3 * time.Millisecond)
			return http.StatusOK
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := endpoint(t, db, srv.URL)
		src := &memSource{n: 600}
		var stops []func()
		for _, owner := range []string{"process-a", "process-b"} {
			d := webhook.New(db, webhook.Options{Source: src, Guard: loopback, BatchSize: 10, Poll: 5 * time.Millisecond, Owner: owner})
			stops = append(stops, d.Start(context.Background()))
		}
		until(t, func() {}, func() bool { return cursorOf(t, db, ep.ID).Cursor == 600 })
		for _, stop := range stops {
			stop()
		}
		if most.Load() != 1 {
			t.Fatalf("%d requests of one endpoint in flight at once", most.Load())
		}
		var all []int64
		for _, r := range rc.requests() {
			all = append(all, r.positions...)
		}
		if len(all) != 600 || !slices.IsSorted(all) || all[0] != 1 {
			t.Fatalf("received %d positions (sorted %v)", len(all), slices.IsSorted(all))
		}
		owners := db.Client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(ep.ID)).CountX(auth.System(context.Background()))
		if owners != 60 {
			t.Fatalf("%d log rows, want 60", owners)
		}
	})
}

// TestCrashLosesNothing: a dispatcher stopped in the middle of a POST (its process killed)
// leaves the batch unacknowledged; another dispatcher takes the endpoint once the lease has run
// out and delivers the same batch, with the same Idempotency-Key, then the rest.
func TestCrashLosesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		hold := make(chan struct{})
		rc := &receiver{script: func(n int, w http.ResponseWriter, r *http.Request) int {
			if n == 2 {
				close(hold)
				<-r.Context().Done() // the first dispatcher dies while this one waits
				return 0
			}
			return http.StatusOK
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := endpoint(t, db, srv.URL)
		src := &memSource{n: 45}
		a := webhook.New(db, webhook.Options{Source: src, Guard: loopback, BatchSize: 20, Timeout: 200 * time.Millisecond, Lease: 600 * time.Millisecond, Owner: "dies"})
		stopA := a.Start(context.Background())
		<-hold
		stopA()
		if e := cursorOf(t, db, ep.ID); e.Cursor != 20 || e.LeaseOwner != "dies" {
			t.Fatalf("after the crash: cursor %d, lease %q", e.Cursor, e.LeaseOwner)
		}
		b := webhook.New(db, webhook.Options{Source: src, Guard: loopback, BatchSize: 20, Timeout: 200 * time.Millisecond, Owner: "survives"})
		b.RunOnce(context.Background()) // the lease still holds: nothing
		if n := len(rc.requests()); n != 2 {
			t.Fatalf("%d requests while the dead dispatcher's lease held, want 2", n)
		}
		until(t, func() { b.RunOnce(context.Background()) }, func() bool { return cursorOf(t, db, ep.ID).Cursor == 45 })
		reqs := rc.requests()
		if len(reqs) != 4 || reqs[1].key != reqs[2].key || reqs[2].key != webhook.IdempotencyKey(ep.ID, 21, 40) || reqs[3].key != webhook.IdempotencyKey(ep.ID, 41, 45) {
			t.Fatalf("requests after the crash: %+v", reqs)
		}
	})
}

// TestStops: a revoked token's webhook and a paused one deliver nothing; an endpoint that
// keeps failing is paused (FAILING) and an admin's resume starts it again.
func TestStops(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		fail := atomic.Bool{}
		fail.Store(true)
		rc := &receiver{script: func(int, http.ResponseWriter, *http.Request) int {
			if fail.Load() {
				return http.StatusBadGateway
			}
			return http.StatusOK
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ctx := context.Background()
		sys := auth.System(ctx)
		ep := endpoint(t, db, srv.URL)
		d := webhook.New(db, webhook.Options{Source: &memSource{n: 5}, Guard: loopback, PauseAfter: time.Millisecond, PauseFailures: 3,
			Backoff: func(int) time.Duration { return time.Millisecond }})
		until(t, func() { d.RunOnce(ctx) }, func() bool { return cursorOf(t, db, ep.ID).Status == webhookendpoint.StatusFAILING })
		if n := len(rc.requests()); n != 3 {
			t.Fatalf("paused after %d attempts, want 3", n)
		}
		time.Sleep(5 * time.Millisecond)
		d.RunOnce(ctx)
		if n := len(rc.requests()); n != 3 {
			t.Fatalf("a FAILING webhook was delivered: %d requests", n)
		}
		fail.Store(false)
		db.Client.WebhookEndpoint.UpdateOneID(ep.ID).SetStatus(webhookendpoint.StatusACTIVE).SetFailures(0).ClearFailingSince().ExecX(sys)
		d.RunOnce(ctx)
		if e := cursorOf(t, db, ep.ID); e.Cursor != 5 {
			t.Fatalf("after resume: cursor %d", e.Cursor)
		}
		// The token is revoked: new changes are not delivered.
		db.Client.APIToken.UpdateOneID(ep.TokenID).SetRevokedAt(time.Now()).ExecX(sys)
		d2 := webhook.New(db, webhook.Options{Source: &memSource{n: 9}, Guard: loopback})
		db.Client.WebhookEndpoint.UpdateOneID(ep.ID).SetNextAttemptAt(time.Now()).ExecX(sys)
		d2.RunOnce(ctx)
		if e := cursorOf(t, db, ep.ID); e.Cursor != 5 || len(rc.requests()) != 4 {
			t.Fatalf("a revoked token's webhook was delivered: cursor %d, %d requests", e.Cursor, len(rc.requests()))
		}
	})
}
