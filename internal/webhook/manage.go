package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/webhookdelivery"
	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// Service is what the API does with webhooks: only a school's admin accounts manage them (not
// its API tokens, not even the token a webhook belongs to: a leaked token must not be able to
// send the school's feed elsewhere).
type Service struct {
	db   *store.DB
	disp *Dispatcher
}

// NewService manages the webhooks of db; disp sends test events and knows the guard and feed.
func NewService(db *store.DB, disp *Dispatcher) *Service { return &Service{db: db, disp: disp} }

// Guard is the address guard URLs are checked with.
func (s *Service) Guard() Guard { return s.disp.o.Guard }

// RequireAdmin refuses everyone but an admin account of the school: not its API tokens, which
// neither manage nor read its webhooks (the API's webhook fields check it too).
func RequireAdmin(ctx context.Context, schoolID int) error {
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case !v.IsAdminAccount() || v.SchoolID != schoolID:
		return auth.ErrForbidden
	}
	return nil
}

// notFound is the refusal of an endpoint the viewer does not administer or that is gone.
func notFound(id int) error { return apperr.NotFound("webhook", "webhook", id) }

// Create registers a webhook for the API token and returns it with its secret, which is
// shown this once. Its cursor starts at the school's newest change: it receives what changes
// from now on (a full read gives the integrator the state before).
func (s *Service) Create(ctx context.Context, tokenID int, rawURL string) (*ent.WebhookEndpoint, string, error) {
	sys := auth.System(ctx)
	tok, err := s.db.Client.APIToken.Get(sys, tokenID)
	if ent.IsNotFound(err) {
		return nil, "", apperr.NotFound("API-sleutel", "API token", tokenID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	if err := RequireAdmin(ctx, tok.SchoolID); err != nil {
		return nil, "", err
	}
	if tok.RevokedAt != nil {
		return nil, "", apperr.New(apperr.CodeInvalidState, "Deze API-sleutel is ingetrokken.", "This API token has been revoked.", nil)
	}
	u, err := s.Guard().CheckURL(rawURL)
	if err != nil {
		return nil, "", err
	}
	n, err := s.db.Client.WebhookEndpoint.Query().Where(webhookendpoint.TokenID(tokenID)).Count(sys)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	if n >= MaxPerToken {
		return nil, "", invalid(fmt.Sprintf("Een API-sleutel heeft hoogstens %d webhooks.", MaxPerToken),
			fmt.Sprintf("An API token has at most %d webhooks.", MaxPerToken))
	}
	head, err := s.disp.o.Source.Head(ctx, tok.SchoolID)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	secret := auth.NewSecret("whsec_")
	c := s.db.Client.WebhookEndpoint.Create().SetSchoolID(tok.SchoolID).SetTokenID(tok.ID).SetURL(u).SetSecret(secret).SetCursor(head)
	if v := auth.FromContext(ctx); v.AccountID != 0 {
		c.SetCreatedByID(v.AccountID)
	}
	ep, err := c.Save(sys)
	if err != nil {
		return nil, "", fmt.Errorf("create webhook: %w", err)
	}
	audit.Record(ctx, s.db.Client, tok.SchoolID, "webhook_created", fmt.Sprintf("webhook %d of %s (%s) to %s", ep.ID, tok.Name, tok.Prefix, hostOf(u)))
	return ep, secret, nil
}

// hostOf is the host of a URL, for the audit log (its path or query may hold a secret).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Host
}

// Get returns a webhook the viewer administers.
func (s *Service) Get(ctx context.Context, id int) (*ent.WebhookEndpoint, error) {
	ep, err := s.db.Client.WebhookEndpoint.Get(auth.System(ctx), id)
	if ent.IsNotFound(err) {
		if auth.FromContext(ctx) == nil {
			return nil, auth.ErrUnauthenticated
		}
		return nil, notFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("read webhook %d: %w", id, err)
	}
	if err := RequireAdmin(ctx, ep.SchoolID); err != nil {
		return nil, err
	}
	return ep, nil
}

// MaxPerSchool bounds the list of a school's webhooks.
const MaxPerSchool = 500

// List returns the school's webhooks (of one token when tokenID is not 0), oldest first.
func (s *Service) List(ctx context.Context, schoolID, tokenID int) ([]*ent.WebhookEndpoint, error) {
	if err := RequireAdmin(ctx, schoolID); err != nil {
		return nil, err
	}
	q := s.db.Client.WebhookEndpoint.Query().Where(webhookendpoint.SchoolID(schoolID))
	if tokenID != 0 {
		q.Where(webhookendpoint.TokenID(tokenID))
	}
	return q.Order(ent.Asc(webhookendpoint.FieldID)).Limit(MaxPerSchool).All(auth.System(ctx))
}

// Update changes a webhook's URL and pauses or resumes it. Resuming (also one that the
// dispatcher paused after failing) retries the pending batch at once, as attempt 1.
func (s *Service) Update(ctx context.Context, id int, rawURL *string, paused *bool) (*ent.WebhookEndpoint, error) {
	ep, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	u := s.db.Client.WebhookEndpoint.UpdateOne(ep)
	what := ""
	if rawURL != nil {
		clean, err := s.Guard().CheckURL(*rawURL)
		if err != nil {
			return nil, err
		}
		u.SetURL(clean)
		what += " url " + hostOf(clean)
	}
	if paused != nil && *paused && ep.Status == webhookendpoint.StatusACTIVE {
		u.SetStatus(webhookendpoint.StatusPAUSED)
		what += " paused"
	}
	if paused != nil && !*paused && ep.Status != webhookendpoint.StatusACTIVE {
		u.SetStatus(webhookendpoint.StatusACTIVE).SetFailures(0).ClearFailingSince().SetNextAttemptAt(time.Now())
		what += " resumed"
	}
	if ep, err = u.Save(auth.System(ctx)); err != nil {
		return nil, fmt.Errorf("update webhook %d: %w", id, err)
	}
	audit.Record(ctx, s.db.Client, ep.SchoolID, "webhook_updated", fmt.Sprintf("webhook %d:%s", ep.ID, what))
	s.disp.Wake(ep.SchoolID)
	return ep, nil
}

// Delete removes a webhook and its delivery log.
func (s *Service) Delete(ctx context.Context, id int) error {
	ep, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.db.Client.WebhookEndpoint.DeleteOne(ep).Exec(auth.System(ctx)); err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	audit.Record(ctx, s.db.Client, ep.SchoolID, "webhook_deleted", fmt.Sprintf("webhook %d to %s", ep.ID, hostOf(ep.URL)))
	return nil
}

// SendTest POSTs a test event to a webhook now and returns its log entry.
func (s *Service) SendTest(ctx context.Context, id int) (*ent.WebhookDelivery, error) {
	ep, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.disp.SendTest(ctx, ep)
}

// MaxDeliveriesPage is the largest page of the delivery log.
const MaxDeliveriesPage = 100

// DeliveryPage is a page of a webhook's delivery log, newest first.
type DeliveryPage struct {
	Rows    []*ent.WebhookDelivery
	HasMore bool
	Total   int
}

// Deliveries returns up to first attempts of the webhook's log older than the attempt
// before (0: from the newest). ep must come from Get.
func (s *Service) Deliveries(ctx context.Context, ep *ent.WebhookEndpoint, first, before int) (*DeliveryPage, error) {
	if first < 0 || first > MaxDeliveriesPage {
		return nil, apperr.New(apperr.CodePageSize, fmt.Sprintf("first is hoogstens %d.", MaxDeliveriesPage),
			fmt.Sprintf("first is at most %d.", MaxDeliveriesPage), map[string]any{"max": MaxDeliveriesPage})
	}
	sys := auth.System(ctx)
	q := s.db.Client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(ep.ID))
	total, err := q.Clone().Count(sys)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	if before > 0 {
		q.Where(webhookdelivery.IDLT(before))
	}
	rows, err := q.Order(ent.Desc(webhookdelivery.FieldID)).Limit(first + 1).All(sys)
	if err != nil {
		return nil, fmt.Errorf("webhook deliveries: %w", err)
	}
	p := &DeliveryPage{Rows: rows, Total: total}
	if len(rows) > first {
		p.Rows, p.HasMore = rows[:first], true
	}
	return p, nil
}

// ErrNoDispatcher means webhooks are not configured in this process.
var ErrNoDispatcher = errors.New("webhooks: no dispatcher")
