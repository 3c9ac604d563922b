package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// SSOProvider is a school's OpenID Connect provider for single sign-on (Microsoft Entra ID,
// Google Workspace, any standard provider): at most one per school. The client secret is
// write-only: no API ever returns it (internal/auth/oidc). Only the product's own code reads
// it; it is not in the generated GraphQL schema (graph/sso.graphql shows it without the
// secret).
type SSOProvider struct{ ent.Schema }

// Mixin of the SSOProvider.
func (SSOProvider) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, systemOnly()} }

// Fields of the SSOProvider.
func (SSOProvider) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Unique().Immutable(),
		field.String("issuer").NotEmpty().MaxLen(500).
			Comment("issuer URL; its /.well-known/openid-configuration is read"),
		field.String("client_id").NotEmpty().MaxLen(255),
		field.String("client_secret").Default("").MaxLen(1000).Sensitive().
			Comment("write-only: never returned by an API"),
		field.Enum("match").Values("EMAIL", "USERNAME", "ECK_ID").Default("EMAIL").
			Comment("the account field the claim is compared with"),
		field.String("claim").NotEmpty().MaxLen(100).
			Comment("the ID token claim that identifies the account, e.g. email, preferred_username"),
		field.Bool("enabled").Default(false),
		field.String("label").Default("").MaxLen(60).
			Comment(`what the login button says after "Inloggen met", e.g. Microsoft`),
	}
}

// Edges of the SSOProvider.
func (SSOProvider) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("school", School.Type).Field("school_id").Unique().Required().Immutable(),
	}
}
