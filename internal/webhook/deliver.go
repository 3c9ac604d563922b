package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/webhookdelivery"
	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
)

// Body is what a delivery POSTs.
type Body struct {
	SchoolID int           `json:"schoolId"`
	Changes  []feed.Change `json:"changes"`
	// Test marks a test event (sendTestWebhook): no changes, nothing to apply.
	Test bool `json:"test,omitempty"`
}

// IdempotencyKey is the Idempotency-Key of a batch: the same for every attempt of the same
// batch of the same endpoint, so a receiver can drop a batch it already applied.
func IdempotencyKey(endpointID int, from, to int64) string {
	return fmt.Sprintf("numo-wh%d-%d-%d", endpointID, from, to)
}

// result is what one POST came to.
type result struct {
	delivery string
	outcome  webhookdelivery.Outcome
	status   int
	err      string
	took     time.Duration
}

func (r result) ok() bool { return r.outcome == webhookdelivery.OutcomeOK }

// deliver sends the endpoint's pending changes batch by batch while it holds the lease, then
// releases it with the time of its next attempt.
func (d *Dispatcher) deliver(ctx context.Context, id int) {
	sys := auth.System(ctx)
	next := d.o.Now() // more may be pending when the loop ends by its bound
	for range maxBatchesPerClaim {
		ep, err := d.db.Client.WebhookEndpoint.Get(sys, id)
		if err != nil {
			d.logErr(ctx, "webhooks: read endpoint", err, "webhook", id)
			return
		}
		limit := d.o.BatchSize
		if ep.BatchTo > ep.Cursor { // a retry sends exactly the batch that failed
			limit = int(ep.BatchTo - ep.Cursor)
		}
		changes, err := d.o.Source.After(ctx, ep.SchoolID, ep.Cursor, limit)
		if errors.Is(err, feed.ErrCursorTooOld) {
			d.tooOld(ctx, ep)
			return
		}
		if err != nil {
			d.logErr(ctx, "webhooks: read feed", err, "webhook", id)
			next = d.o.Now().Add(d.o.Poll)
			break
		}
		if len(changes) == 0 {
			next = d.o.Now().Add(d.o.Poll) // idle: the feed's topic wakes it sooner
			break
		}
		if ok, err := d.renew(ctx, id); err != nil || !ok {
			return // lost the lease, paused, deleted, or the token was revoked
		}
		from, to := changes[0].Position, changes[len(changes)-1].Position
		body, err := json.Marshal(Body{SchoolID: ep.SchoolID, Changes: changes})
		if err != nil {
			d.logErr(ctx, "webhooks: encode batch", err, "webhook", id)
			return
		}
		key := IdempotencyKey(ep.ID, from, to)
		res := d.post(ctx, ep, body, key)
		if ctx.Err() != nil {
			return // shutting down: the lease runs out and the batch goes again
		}
		d.record(ctx, ep, from, to, len(changes), ep.Failures+1, key, res, false)
		if !res.ok() {
			d.failed(ctx, ep, to, res)
			return
		}
		if !d.advance(ctx, ep, to) {
			return
		}
	}
	d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(id), webhookendpoint.LeaseOwner(d.o.Owner)).
		SetLeaseOwner("").ClearLeaseUntil().SetNextAttemptAt(next).Exec(sys) //nolint:errcheck // the lease runs out by itself
}

// advance moves the cursor past an acknowledged batch, if this dispatcher still holds the lease.
func (d *Dispatcher) advance(ctx context.Context, ep *ent.WebhookEndpoint, to int64) bool {
	now := d.o.Now()
	n, err := d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(ep.ID), d.held(now)).
		SetCursor(to).SetBatchTo(0).SetFailures(0).ClearFailingSince().SetLastSuccessAt(now).SetLastError("").
		Save(auth.System(ctx))
	if err != nil {
		d.logErr(ctx, "webhooks: advance cursor", err, "webhook", ep.ID)
	}
	return err == nil && n == 1
}

// failed schedules the retry of the same batch with backoff, pauses an endpoint that has
// failed too long, and releases the lease.
func (d *Dispatcher) failed(ctx context.Context, ep *ent.WebhookEndpoint, to int64, res result) {
	now := d.o.Now()
	failures := ep.Failures + 1
	since := now
	if ep.FailingSince != nil {
		since = *ep.FailingSince
	}
	u := d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(ep.ID), webhookendpoint.LeaseOwner(d.o.Owner)).
		SetBatchTo(to).SetFailures(failures).SetFailingSince(since).SetLastError(res.err).
		SetNextAttemptAt(now.Add(d.o.Backoff(failures))).SetLeaseOwner("").ClearLeaseUntil()
	if failures >= d.o.PauseFailures && now.Sub(since) >= d.o.PauseAfter {
		u.SetStatus(webhookendpoint.StatusFAILING)
		d.o.Log.Warn("webhook paused after failing too long", "webhook", ep.ID, "school", ep.SchoolID, "failures", failures)
	}
	if err := u.Exec(auth.System(ctx)); err != nil {
		d.logErr(ctx, "webhooks: schedule retry", err, "webhook", ep.ID)
	}
}

// tooOld pauses (FAILING) an endpoint whose cursor is older than the changes the feed keeps:
// no batch could follow its receiver's copy without a gap, and resuming it only pauses it again.
func (d *Dispatcher) tooOld(ctx context.Context, ep *ent.WebhookEndpoint) {
	now := d.o.Now()
	u := d.db.Client.WebhookEndpoint.Update().Where(webhookendpoint.ID(ep.ID), webhookendpoint.LeaseOwner(d.o.Owner)).
		SetStatus(webhookendpoint.StatusFAILING).SetLastError(apperr.CodeCursorTooOld + ": " + feed.ErrCursorTooOld.MessageEn()).
		SetLeaseOwner("").ClearLeaseUntil()
	if ep.FailingSince == nil {
		u.SetFailingSince(now)
	}
	d.o.Log.Warn("webhook paused: its cursor is older than the roster changes kept", "webhook", ep.ID, "school", ep.SchoolID, "cursor", ep.Cursor)
	if err := u.Exec(auth.System(ctx)); err != nil {
		d.logErr(ctx, "webhooks: pause", err, "webhook", ep.ID)
	}
}

// post sends one signed batch. The receiver's answer body is read (a little, for the
// connection's reuse) but never stored or logged.
func (d *Dispatcher) post(ctx context.Context, ep *ent.WebhookEndpoint, body []byte, key string) result {
	res := result{delivery: randomID()}
	start := time.Now()
	defer func() {
		res.took = time.Since(start)
		if d.o.Observe != nil {
			d.o.Observe(string(res.outcome), res.took)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		res.outcome, res.err = webhookdelivery.OutcomeREFUSED, "invalid URL"
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Numo-Webhooks/1")
	req.Header.Set(HeaderSignature, Sign(ep.Secret, d.o.Now(), body))
	req.Header.Set(HeaderIdempotencyKey, key)
	req.Header.Set(HeaderDelivery, res.delivery)
	resp, err := d.client.Do(req)
	if err != nil {
		res.outcome, res.err = classify(err)
		return res
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // only for reuse of the connection
	res.status = resp.StatusCode
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		res.outcome = webhookdelivery.OutcomeOK
		return res
	}
	res.outcome, res.err = webhookdelivery.OutcomeHTTP_ERROR, fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	return res
}

// classify turns a failed request into an outcome and a short error text without the URL
// (whose query string may hold the integrator's own secret).
func classify(err error) (webhookdelivery.Outcome, string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, errRefusedAddress):
		return webhookdelivery.OutcomeREFUSED, clip(err.Error())
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return webhookdelivery.OutcomeTIMEOUT, "timeout: no answer in time"
	}
	return webhookdelivery.OutcomeNETWORK_ERROR, clip(err.Error())
}

// clip bounds an error text for the log.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// record writes the attempt to the delivery log.
func (d *Dispatcher) record(ctx context.Context, ep *ent.WebhookEndpoint, from, to int64, n, attempt int, key string, res result, test bool) *ent.WebhookDelivery {
	row, err := d.db.Client.WebhookDelivery.Create().SetEndpointID(ep.ID).SetSchoolID(ep.SchoolID).SetAt(d.o.Now()).
		SetFromPosition(from).SetToPosition(to).SetChanges(n).SetAttempt(attempt).SetOutcome(res.outcome).
		SetStatusCode(res.status).SetError(res.err).SetDurationMs(int(res.took.Milliseconds())).
		SetIdempotencyKey(key).SetDeliveryID(res.delivery).SetTest(test).Save(auth.System(context.WithoutCancel(ctx)))
	if err != nil {
		d.logErr(ctx, "webhooks: write delivery log", err, "webhook", ep.ID)
	}
	return row
}

// SendTest POSTs a test event (no changes, "test": true) to the endpoint now, outside its
// batches and cursor, and logs it.
func (d *Dispatcher) SendTest(ctx context.Context, ep *ent.WebhookEndpoint) (*ent.WebhookDelivery, error) {
	body, err := json.Marshal(Body{SchoolID: ep.SchoolID, Changes: []feed.Change{}, Test: true})
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("numo-wh%d-test-%s", ep.ID, randomID())
	res := d.post(ctx, ep, body, key)
	row := d.record(ctx, ep, 0, 0, 0, 1, key, res, true)
	if row == nil {
		return nil, errors.New("webhooks: could not log the test event")
	}
	return row, nil
}
