package schema

import (
	"encoding/json"
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
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
