package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/webhookdelivery"
	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/auth"
)

// pruneEvery is how often a dispatcher prunes the delivery log.
const pruneEvery = time.Hour

// prune bounds the delivery log, at most hourly per process. Several processes pruning at once
// delete the same rows, which is harmless.
func (d *Dispatcher) prune(ctx context.Context) {
	now := d.o.Now()
	d.mu.Lock()
	if now.Sub(d.lastPrune) < pruneEvery {
		d.mu.Unlock()
		return
	}
	d.lastPrune = now
	d.mu.Unlock()
	if err := Prune(ctx, d.db.Client, now.Add(-PruneAfter), KeepPerEndpoint); err != nil {
		d.logErr(ctx, "webhooks: prune delivery log", err)
	}
}

// Prune deletes the attempts logged before cutoff, and of each endpoint those past its newest
// keep.
func Prune(ctx context.Context, c *ent.Client, cutoff time.Time, keep int) error {
	sys := auth.System(ctx)
	if _, err := c.WebhookDelivery.Delete().Where(webhookdelivery.AtLT(cutoff)).Exec(sys); err != nil {
		return fmt.Errorf("prune webhook deliveries: %w", err)
	}
	ids, err := c.WebhookEndpoint.Query().IDs(sys)
	if err != nil {
		return fmt.Errorf("prune webhook deliveries: %w", err)
	}
	for _, id := range ids {
		// The keep-th newest attempt's id: everything older goes.
		edge, err := c.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(id)).
			Order(ent.Desc(webhookdelivery.FieldID)).Offset(keep).Limit(1).IDs(sys)
		if err != nil {
			return fmt.Errorf("prune webhook deliveries: %w", err)
		}
		if len(edge) == 0 {
			continue
		}
		if _, err := c.WebhookDelivery.Delete().Where(webhookdelivery.EndpointID(id), webhookdelivery.IDLTE(edge[0])).Exec(sys); err != nil {
			return fmt.Errorf("prune webhook deliveries: %w", err)
		}
	}
	return nil
}

// subscribe keeps one subscription to the feed topic of every school with an active endpoint
// (refreshed every Poll): an event marks the school woken.
func (d *Dispatcher) subscribe(ctx context.Context) {
	if d.o.Bus == nil || d.o.Topic == nil {
		return
	}
	schools, err := d.db.Client.WebhookEndpoint.Query().Where(webhookendpoint.StatusEQ(webhookendpoint.StatusACTIVE)).
		Unique(true).Select(webhookendpoint.FieldSchoolID).Ints(auth.System(ctx))
	if err != nil {
		d.logErr(ctx, "webhooks: schools with webhooks", err)
		return
	}
	want := map[int]bool{}
	for _, s := range schools {
		want[s] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for s, cancel := range d.subs {
		if !want[s] {
			cancel()
			delete(d.subs, s)
		}
	}
	for s := range want {
		if d.subs[s] != nil {
			continue
		}
		events, cancel := d.o.Bus.Subscribe(ctx, d.o.Topic(s))
		d.subs[s] = cancel
		go func() {
			for range events {
				d.Wake(s)
			}
		}()
	}
}

func (d *Dispatcher) unsubscribeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for s, cancel := range d.subs {
		cancel()
		delete(d.subs, s)
	}
}
