package schema

import (
	"encoding/json"

	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AccountChange records what one import job did to one account and what the account looked
// like before, so that the job can be undone and audited. No viewer reads it.
type AccountChange struct{ ent.Schema }

// Mixin of the AccountChange: it belongs to its import job.
func (AccountChange) Mixin() []ent.Mixin {
	return []ent.Mixin{ownedBy(ImportJob.Type, "job", "changes", "job_id"), systemOnly()}
}

// Fields of the AccountChange.
func (AccountChange) Fields() []ent.Field {
	return []ent.Field{
		field.Int("account_id").Immutable(),
		field.Enum("action").Values("ADDED", "UPDATED", "ARCHIVED").Immutable(),
		field.JSON("before", json.RawMessage{}).Optional().Immutable().
			Comment("the account's fields before the job; empty for ADDED"),
	}
}

// Edges of the AccountChange.
func (AccountChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable(),
	}
}

// Indexes of the AccountChange.
func (AccountChange) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "account_id").Unique(), index.Fields("account_id")}
}
