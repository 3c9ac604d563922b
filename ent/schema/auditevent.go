package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEvent records who did what, when and from where: logins, token changes, imports,
// undos, purges, exports and erasures.
type AuditEvent struct{ ent.Schema }

// Mixin of the AuditEvent: the school's admin accounts read its audit log (see rules.go).
func (AuditEvent) Mixin() []ent.Mixin { return []ent.Mixin{readBy(AuditEventVisible)} }

// Fields of the AuditEvent.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("at").Default(time.Now).Immutable().Annotations(entgql.OrderField("AT")),
		field.Int("school_id").Optional().Nillable().Immutable(),
		field.Int("actor_account_id").Optional().Nillable().Immutable(),
		field.Int("actor_token_id").Optional().Nillable().Immutable(),
		field.Int("subject_account_id").Optional().Nillable().Immutable().
			Comment("the account the event is about (a failed login, a password reset), if any"),
		field.String("actor").Default("").Immutable().Comment("display name of the actor at the time"),
		field.String("action").Immutable().Comment("e.g. login, login_failed, token_created, import_committed"),
		field.String("detail").Default("").Immutable(),
		field.String("remote_addr").Default("").Immutable(),
	}
}

// Edges of the AuditEvent.
func (AuditEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("audit_events").Field("school_id").Unique().Immutable(),
	}
}

// Indexes of the AuditEvent.
// The account columns are indexed so that an erasure finds the events of one account exactly.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("school_id", "at"), index.Fields("actor_account_id"), index.Fields("subject_account_id")}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
