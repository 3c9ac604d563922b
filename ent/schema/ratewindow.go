package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
