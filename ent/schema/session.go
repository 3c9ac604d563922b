package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Session is a browser login: the cookie holds a random secret, the database only its hash.
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.Int("account_id").Immutable(),
		field.String("token_hash").Unique().Immutable().Sensitive(),
		field.Time("expires_at"),
		field.String("remote_addr").Default(""),
		field.String("user_agent").Default("").MaxLen(500),
		field.Bool("sso").Default(false).Immutable().
			Comment("opened by single sign-on: valid while the account is active, with or without a password"),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).Ref("sessions").Field("account_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index { return []ent.Index{index.Fields("expires_at")} }

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the Session: what a viewer may read (see rules.go).
func (Session) Interceptors() []ent.Interceptor { return []ent.Interceptor{denyViewers()} }

// Policy of the Session: only the product's own code writes (see rules.go).
func (Session) Policy() ent.Policy { return systemOnlyMutations() }
