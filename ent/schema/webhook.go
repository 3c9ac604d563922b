package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// WebhookEndpoint is where an API token's integrator receives the school's roster change feed
// by POST (package webhook delivers it). The row is also the delivery's outbox state: the
// cursor is the last feed position the receiver acknowledged, and a dispatcher of any numo
// process takes the row with a lease (lease_owner, lease_until) before it delivers, so two
// processes never deliver the same endpoint at once and a crash loses nothing.
// Only the product's own code reads and writes it: the GraphQL resolvers authorise the
// school's admin account first (graph/webhook.resolvers.go).
type WebhookEndpoint struct{ ent.Schema }

// Mixin of the WebhookEndpoint.
func (WebhookEndpoint) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the WebhookEndpoint.
func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
		field.Int("token_id").Immutable().Comment("the API token the webhook belongs to: revoking it stops the webhook"),
		field.Int("created_by_id").Optional().Nillable().Immutable(),
		field.String("url").NotEmpty().MaxLen(2048),
		field.String("secret").NotEmpty().Immutable().Sensitive().
			Comment("the HMAC-SHA256 key of Numo-Signature: shown once at creation, never returned again"),
		field.Enum("status").Values("ACTIVE", "PAUSED", "FAILING").Default("ACTIVE").
			Comment("PAUSED by an admin; FAILING: paused by the dispatcher after failing too long"),
		field.Int64("cursor").Default(0).Comment("the last feed position the receiver acknowledged (2xx)"),
		field.Int64("batch_to").Default(0).
			Comment("while a batch is being retried, its last position (so a retry sends the same batch); 0 otherwise"),
		field.Int("failures").Default(0).Comment("consecutive failed attempts"),
		field.Time("failing_since").Optional().Nillable(),
		field.Time("next_attempt_at").Default(time.Now),
		field.Time("last_success_at").Optional().Nillable(),
		field.String("last_error").Default("").MaxLen(300),
		field.String("lease_owner").Default(""),
		field.Time("lease_until").Optional().Nillable(),
	}
}

// Edges of the WebhookEndpoint.
func (WebhookEndpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("deliveries", WebhookDelivery.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the WebhookEndpoint: the dispatcher looks for due endpoints, the admin lists a
// token's or a school's.
func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("next_attempt_at"), index.Fields("school_id"), index.Fields("token_id")}
}

// Annotations of the WebhookEndpoint: its GraphQL type is written by hand (graph/webhook.graphql).
func (WebhookEndpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the WebhookEndpoint: no viewer reads it directly (see rules.go).
func (WebhookEndpoint) Interceptors() []ent.Interceptor { return []ent.Interceptor{denyViewers()} }

// Policy of the WebhookEndpoint: only the product's own code writes (see rules.go).
func (WebhookEndpoint) Policy() ent.Policy { return systemOnlyMutations() }

// WebhookDelivery is one attempt to POST a batch of changes to a webhook endpoint: the delivery
// log the admin reads. It holds no personal data (positions, status, a short error), and is
// pruned by the dispatcher (webhook.PruneAfter, webhook.KeepPerEndpoint).
type WebhookDelivery struct{ ent.Schema }

// Fields of the WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.Int("endpoint_id").Immutable(),
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

// Edges of the WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("endpoint", WebhookEndpoint.Type).Ref("deliveries").Field("endpoint_id").Unique().Required().Immutable(),
	}
}

// Indexes of the WebhookDelivery: the log is read newest first per endpoint, pruned by age.
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{index.Fields("endpoint_id", "at"), index.Fields("at")}
}

// Annotations of the WebhookDelivery: its GraphQL type is written by hand (graph/webhook.graphql).
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the WebhookDelivery: no viewer reads it directly (see rules.go).
func (WebhookDelivery) Interceptors() []ent.Interceptor { return []ent.Interceptor{denyViewers()} }

// Policy of the WebhookDelivery: only the product's own code writes (see rules.go).
func (WebhookDelivery) Policy() ent.Policy { return systemOnlyMutations() }
