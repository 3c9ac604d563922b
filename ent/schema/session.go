package schema

import (
	"entgo.io/ent"
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
