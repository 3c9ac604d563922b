package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WebhookDelivery is one attempt to POST a batch of changes to a webhook endpoint: the delivery
// log the admin reads. It holds no personal data (positions, status, a short error), and is
// pruned by the dispatcher (webhook.PruneAfter, webhook.KeepPerEndpoint). No viewer reads it
// directly; its GraphQL type is written by hand (graph/webhook.graphql).
type WebhookDelivery struct{ ent.Schema }

// Mixin of the WebhookDelivery: it belongs to its endpoint.
func (WebhookDelivery) Mixin() []ent.Mixin {
	return []ent.Mixin{ownedBy(WebhookEndpoint.Type, "endpoint", "deliveries", "endpoint_id"), systemOnly()}
}

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
		field.Time("at").Default(time.Now).Immutable(),
		field.Int64("from_position").Immutable().Comment("the first position of the batch (0 for a test event)"),
		field.Int64("to_position").Immutable().Comment("the last position of the batch (0 for a test event)"),
		field.Int("changes").Immutable(),
		field.Int("attempt").Immutable().Comment("1 for the first attempt of the batch"),
		field.Enum("outcome").Values("OK", "HTTP_ERROR", "TIMEOUT", "NETWORK_ERROR", "REFUSED").Immutable(),
		field.Int("status_code").Default(0).Immutable().Comment("the receiver's HTTP status; 0 without an answer"),
		field.String("error").Default("").MaxLen(300).Immutable(),
		field.Int("duration_ms").Immutable(),
		field.String("idempotency_key").Immutable(),
		field.String("delivery_id").Immutable().Comment("the Numo-Delivery header: one per attempt"),
		field.Bool("test").Default(false).Immutable(),
	}
}

// Indexes of the WebhookDelivery: the log is read newest first per endpoint, pruned by age.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("endpoint_id", "at"), index.Fields("at")}
}
