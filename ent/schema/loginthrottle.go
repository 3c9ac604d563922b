package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
