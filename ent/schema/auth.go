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
// Only the product's own code reads it.
type Session struct{ ent.Schema }

// Mixin of the Session: it belongs to its account.
func (Session) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, ownedBy(Account.Type, "account", "sessions", "account_id"), systemOnly()}
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").Unique().Immutable().Sensitive(),
		field.Time("expires_at"),
		field.String("remote_addr").Default(""),
		field.String("user_agent").Default("").MaxLen(500),
		field.Bool("sso").Default(false).Immutable().
			Comment("opened by single sign-on: valid while the account is active, with or without a password"),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index { return []ent.Index{index.Fields("expires_at")} }

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

// LoginThrottle counts failed sign-ins for one key: an account at one client address, an
// account across all addresses, or one address across all accounts (see internal/auth/authn).
// Rows are changed only with single atomic UPDATE statements, so the counts hold across
// concurrent requests and across processes. Times are Unix milliseconds, compared as integers
// in both dialects. Sign-in bookkeeping lives here, not on the account, so that it never moves
// accounts.updated_at (the roster's version). Only the product's own code reads it; it is not
// part of the GraphQL API.
type LoginThrottle struct{ ent.Schema }

// Mixin of the LoginThrottle.
func (LoginThrottle) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Fields of the LoginThrottle.
func (LoginThrottle) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(100).Unique().Immutable().
			Comment("kind prefix and SHA-256 of what is counted (school, username, address): no username or address in clear"),
		field.String("subject").Default("").MaxLen(100).Immutable().
			Comment("SHA-256 of school and username without the address, to clear an account's rows at a password reset"),
		field.Int("failures").Default(0).
			Comment("failures (and attempts under way) since window_start"),
		field.Int64("window_start").Default(0).
			Comment("Unix milliseconds when the current counting window began"),
		field.Int64("locked_until").Default(0).
			Comment("Unix milliseconds until which attempts are refused; 0 when not locked"),
	}
}

// Indexes of the LoginThrottle.
func (LoginThrottle) Indexes() []ent.Index {
	return []ent.Index{index.Fields("subject"), index.Fields("window_start")}
}

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
