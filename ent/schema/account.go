package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Account is a person who can use Numo: a pupil, a teacher or a school admin.
type Account struct{ ent.Schema }

// Mixin of the Account: it belongs to a school; who reads which accounts is AccountVisible
// (see rules.go).
func (Account) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, ofSchool("accounts"), readBy(AccountVisible)}
}

// Fields of the Account. No birth date, gender or address: the product does not need them.
func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").Values("PUPIL", "TEACHER", "ADMIN").Default("PUPIL"),
		field.String("external_key").Optional().Nillable().MaxLen(200).
			Comment("the pupil's key within the school (leerlingnummer/stamnummer), an opaque string").
			Annotations(entgql.OrderField("EXTERNAL_KEY")),
		field.String("first_name").NotEmpty().MaxLen(200).Comment("roepnaam").
			Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("infix").Default("").MaxLen(200).Comment("tussenvoegsel"),
		field.String("last_name").NotEmpty().MaxLen(200),
		field.String("sort_name").Default("").
			Comment("last name, then first name, folded for a Dutch reader (names.SortKey); set by a hook and by the import engine").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
				entgql.OrderField("LAST_NAME")),
		field.String("email").Default("").MaxLen(200),
		field.String("username").Default("").MaxLen(200),
		field.String("eck_id").Default("").MaxLen(200),
		field.String("level").Default("").Comment("canonical opleidingsniveau, e.g. vmbo-gt"),
		field.Int("year").Optional().Nillable().Comment("leerjaar").
			Annotations(entgql.OrderField("YEAR")),
		field.Int("class_id").Optional().Nillable().Comment("the pupil's class"),
		field.Enum("status").Values("ACTIVE", "ARCHIVED").Default("ACTIVE").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("archived_at").Optional().Nillable(),
		field.String("password_hash").Optional().Sensitive().
			Comment("argon2id hash; empty means the account cannot log in with a password").
			Annotations(entgql.Skip()),
		field.Bool("must_change_password").Default(false).
			Comment("set for a one-time password from an admin").
			Annotations(entgql.Skip()),
		field.Int("failed_logins").Default(0).Annotations(entgql.Skip()),
		field.Time("locked_until").Optional().Nillable().Annotations(entgql.Skip()),
		field.String("start_code_hash").Optional().Sensitive().
			Comment("argon2id hash of the start code of a login letter (internal/startcode); empty when none. The code itself is never stored").
			Annotations(entgql.Skip()),
		field.Time("start_code_expires_at").Optional().Nillable().
			Comment("until when the start code signs in; the school's start_code_valid_days after it was made").
			Annotations(entgql.Skip()),
		field.Time("start_code_generated_at").Optional().Nillable().
			Comment("when the current start code was made; a new one replaces it (the old one stops working)").
			Annotations(entgql.Skip()),
		field.Int("import_job_id").Optional().Nillable().
			Comment("the import job that added the account: its record of the addition, for undo, rollback and history " +
				"(additions from before this field have an ADDED change record instead). No foreign key, like a class's " +
				"created_by_job_id: it would add a referential-integrity check per row to the commit's COPY").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Account.
func (Account) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("class", Class.Type).Ref("pupils").Field("class_id").Unique(),
		edge.From("teaching_classes", Class.Type).Ref("teachers").Through("teachings", Teaching.Type).
			Annotations(entgql.RelayConnection()),
		edge.From("groups", Class.Type).Ref("members").Through("memberships", Membership.Type).
			Annotations(entgql.RelayConnection()),
		edge.To("sessions", Session.Type).Annotations(entgql.Skip()),
	}
}

// Indexes of the Account.
func (Account) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("school_id", "external_key").Unique(),
		index.Fields("school_id", "status", "role"),
		index.Fields("class_id", "status", "sort_name"),
		index.Fields("import_job_id"),
	}
}

// Annotations of the Account.
func (Account) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField(), entgql.MultiOrder()}
}

// Hooks of the Account: sort_name always follows the names (see hooks.go).
func (Account) Hooks() []ent.Hook { return []ent.Hook{derived(sortNameFollowsNames)} }
