package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// APIToken is an integrator's key to one school's API: shown once, stored hashed, scoped.
type APIToken struct{ ent.Schema }

// Mixin of the APIToken: it belongs to a school; the school's admin accounts read its tokens
// (see rules.go).
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, ofSchool("api_tokens"), readBy(APITokenVisible)}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(100),
		field.String("prefix").Immutable().Comment("the first characters of the token, to recognise it"),
		field.String("token_hash").Unique().Immutable().Sensitive().Annotations(entgql.Skip()),
		field.Strings("scopes").Comment("READ_ROSTERS, RUN_IMPORTS").Annotations(entgql.Skip()),
		field.Int("created_by_id").Optional().Nillable().Immutable().Annotations(entgql.Skip()),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Type("ApiToken")}
}
