package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// School is one school (one BRIN code) using Numo; everything of a pupil hangs below it.
type School struct{ ent.Schema }

// Mixin of the School: a viewer reads its own school (see rules.go).
func (School) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, readBy(SchoolVisible)} }

// Fields of the School.
func (School) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")),
		field.String("brin").NotEmpty().MaxLen(8).Unique().
			Comment("BRIN code of the school, e.g. 99XX").
			Annotations(entgql.OrderField("BRIN")),
		field.Int("archive_threshold").Default(10).Min(0).Max(100).
			Comment("percentage of active pupils an import may archive without an explicit confirmation"),
		field.JSON("level_mappings", map[string]string{}).Optional().
			Comment("level values the school mapped by hand: normalised raw value -> canonical level").
			Annotations(entgql.Skip()),
		field.JSON("column_mappings", map[string]map[string]string{}).Optional().
			Comment("last confirmed column mapping per header signature: signature -> header -> field").
			Annotations(entgql.Skip()),
		field.Int("archived_retention_days").Default(730).Min(30).Max(3650).
			Comment("days an archived account is kept before it is purged (AVG: no longer than needed)"),
		field.Int("job_data_retention_days").Default(30).Min(1).Max(365).
			Comment("days an import job keeps its row data after the commit; counts and audit stay"),
		field.Int("audit_retention_days").Default(365).Min(30).Max(3650).
			Comment("days an audit event is kept before it is purged (AVG: no longer than needed)"),
		field.String("username_pattern").Default("{roepnaam}.{achternaam}").MaxLen(100).
			Comment("how a login letter makes a username for an account without one (internal/startcode.Base)"),
		field.Int("start_code_valid_days").Default(14).Min(1).Max(90).
			Comment("days a start code of a login letter signs in before it expires"),
		field.Int64("feed_position").Default(0).
			Comment("the position of the school's last roster change (package feed): bumped by UPDATE ... RETURNING in the writing transaction, whose row lock orders the school's writers by commit").
			Annotations(entgql.Skip()),
	}
}

// Edges of the School.
func (School) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("classes", Class.Type).Annotations(entgql.RelayConnection()),
		edge.To("accounts", Account.Type).Annotations(entgql.RelayConnection()),
		edge.To("import_jobs", ImportJob.Type).Annotations(entgql.RelayConnection()),
		edge.To("api_tokens", APIToken.Type).Annotations(entgql.RelayConnection()),
		edge.To("audit_events", AuditEvent.Type).Annotations(entgql.RelayConnection()),
	}
}

// Annotations of the School.
func (School) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}
