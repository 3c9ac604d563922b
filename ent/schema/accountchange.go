package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AccountChange records what one import job did to one account and what the account looked
// like before, so that the job can be undone and audited.
type AccountChange struct{ ent.Schema }

// Fields of the AccountChange.
func (AccountChange) Fields() []ent.Field {
	return []ent.Field{
		field.Int("job_id").Immutable(),
		field.Int("account_id").Immutable(),
		field.Enum("action").Values("ADDED", "UPDATED", "ARCHIVED").Immutable(),
		field.JSON("before", json.RawMessage{}).Optional().Immutable().
			Comment("the account's fields before the job; empty for ADDED"),
	}
}

// Edges of the AccountChange.
func (AccountChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("job", ImportJob.Type).Ref("changes").Field("job_id").Unique().Required().Immutable(),
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable(),
	}
}

// Indexes of the AccountChange.
func (AccountChange) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "account_id").Unique(), index.Fields("account_id")}
}

// Annotations of the AccountChange.
func (AccountChange) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the AccountChange: what a viewer may read (see rules.go).
func (AccountChange) Interceptors() []ent.Interceptor { return []ent.Interceptor{denyViewers()} }

// Policy of the AccountChange: only the product's own code writes (see rules.go).
func (AccountChange) Policy() ent.Policy { return systemOnlyMutations() }
