package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RosterChangeLog is one entry of a school's roster change log (package feed): what happened to
// one account or class, at a position that orders the school's changes gaplessly and in commit
// order. The position comes from School.feed_position, bumped in the writing transaction. (Not
// named RosterChange: that is the GraphQL type integrators read, which gqlgen would bind to
// this entity.) Viewers read it through package feed only.
type RosterChangeLog struct{ ent.Schema }

// Mixin of the RosterChangeLog.
func (RosterChangeLog) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Fields of the RosterChangeLog.
func (RosterChangeLog) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
		field.Int64("position").Immutable().Comment("gapless per school, in commit order"),
		field.Enum("kind").Values("ACCOUNT", "CLASS").Immutable(),
		field.Enum("op").Values("UPSERT", "DELETE").Immutable(),
		field.Int("entity_id").Immutable().Comment("the account's or class's id"),
		field.JSON("data", json.RawMessage{}).Optional().Immutable().
			// json, not jsonb: the log is written in bulk (100,000 rows in an import's commit) and
			// read back as text; PostgreSQL need not parse it into jsonb.
			SchemaType(map[string]string{dialect.Postgres: "json"}).
			Comment("the entity's state after the change (UPSERT); empty for DELETE: no personal data"),
		field.Enum("origin").Values("IMPORT", "UNDO", "MANUAL", "ERASURE", "RETENTION").Immutable(),
		field.Int("job_id").Optional().Nillable().Immutable().
			Comment("the import job (or its undo) that made the change; no foreign key, the job may be purged"),
		field.Time("created_at").Default(time.Now).Immutable(),
	}
}

// Indexes of the RosterChangeLog.
func (RosterChangeLog) Indexes() []ent.Index {
	return []ent.Index{index.Fields("school_id", "position").Unique(), index.Fields("school_id", "kind", "entity_id")}
}

// Annotations of the RosterChangeLog.
func (RosterChangeLog) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "roster_changes"}}
}

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

// RateWindow is what all processes together counted against one API token in one window of
// the rate limit (internal/ratelimit): each process counts locally and adds its counts here
// with one atomic INSERT … ON CONFLICT DO UPDATE every fraction of a second, reading the
// total back. Old windows are deleted by the process that syncs. No edge to the token: a
// revoked token's rows simply age out. Only the product's own code reads it; it is not part
// of the GraphQL API.
type RateWindow struct{ ent.Schema }

// Mixin of the RateWindow.
func (RateWindow) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Fields of the RateWindow.
func (RateWindow) Fields() []ent.Field {
	return []ent.Field{
		field.Int("token_id").Immutable().Comment("the API token counted (api_tokens.id)"),
		field.Int64("window_start").Immutable().Comment("Unix seconds when the window began"),
		field.Int64("requests").Default(0).Comment("operations started in the window, all processes together"),
		field.Int64("points").Default(0).Comment("complexity points of those operations (graph/cost.go)"),
	}
}

// Indexes of the RateWindow: one row per token and window; pruning reads window_start.
func (RateWindow) Indexes() []ent.Index {
	return []ent.Index{index.Fields("token_id", "window_start").Unique(), index.Fields("window_start")}
}
