package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SSOLogin is a single sign-on in progress: what GET /api/sso/{school}/start sent to the
// provider, kept in the database so that any numo process can finish it at the callback. The
// row is deleted by the callback that uses it (a state works once) and expires after minutes.
// Only the product's own code reads it.
type SSOLogin struct{ ent.Schema }

// Mixin of the SSOLogin.
func (SSOLogin) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Fields of the SSOLogin.
func (SSOLogin) Fields() []ent.Field {
	return []ent.Field{
		field.String("state_hash").Unique().Immutable().Sensitive().Comment("sha256 of the state parameter"),
		field.String("browser_hash").Immutable().Sensitive().Comment("sha256 of the browser-binding cookie"),
		field.Int("school_id").Immutable(),
		field.String("nonce").Immutable().Sensitive(),
		field.String("verifier").Immutable().Sensitive().Comment("PKCE code verifier"),
		field.String("redirect_uri").Immutable().MaxLen(1000),
		field.String("remote_addr").Immutable().Default("").
			Comment("the client's address: a bound on sign-ins in progress per address"),
		field.Time("expires_at").Immutable(),
	}
}

// Indexes of the SSOLogin.
func (SSOLogin) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at"), index.Fields("remote_addr")}
}
