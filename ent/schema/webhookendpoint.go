package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
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
// school's admin account first (graph/webhook.resolvers.go); its GraphQL type is written by
// hand (graph/webhook.graphql).
type WebhookEndpoint struct{ ent.Schema }

// Mixin of the WebhookEndpoint.
func (WebhookEndpoint) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, systemOnly()} }

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
