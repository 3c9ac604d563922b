package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// APIToken is an integrator's key to one school's API: shown once, stored hashed, scoped.
type APIToken struct{ ent.Schema }

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
		field.String("name").NotEmpty().MaxLen(100),
		field.String("prefix").Immutable().Comment("the first characters of the token, to recognise it"),
		field.String("token_hash").Unique().Immutable().Sensitive().Annotations(entgql.Skip()),
		field.Strings("scopes").Comment("READ_ROSTERS, RUN_IMPORTS").Annotations(entgql.Skip()),
		field.Int("created_by_id").Optional().Nillable().Immutable().Annotations(entgql.Skip()),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("api_tokens").Field("school_id").Unique().Required().Immutable(),
	}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Type("ApiToken")}
}

// Interceptors of the APIToken: what a viewer may read (see rules.go).
func (APIToken) Interceptors() []ent.Interceptor { return []ent.Interceptor{apiTokenInterceptor()} }

// Policy of the APIToken: only the product's own code writes (see rules.go).
func (APIToken) Policy() ent.Policy { return systemOnlyMutations() }
