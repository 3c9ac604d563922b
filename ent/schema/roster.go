package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
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

// Class is a group of one school: a stamklas (klas, stamgroep) with its pupils, or a lesgroep
// (cluster group) with its members; and the teachers who teach it.
type Class struct{ ent.Schema }

// Mixin of the Class: it belongs to a school; who reads which classes is ClassVisible (see
// rules.go).
func (Class) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, ofSchool("classes"), readBy(ClassVisible)}
}

// Fields of the Class.
func (Class) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")),
		field.String("name_key").NotEmpty().MaxLen(200).
			Comment("the name folded for comparison (case and spacing): unique per school; set by a hook").
			Annotations(entgql.Skip()),
		field.Int("year").Optional().Nillable().Comment("leerjaar").
			Annotations(entgql.OrderField("YEAR")),
		field.String("level").Optional().Comment("canonical opleidingsniveau, e.g. havo/vwo"),
		field.Enum("kind").Values("STAMKLAS", "LESGROEP").Default("STAMKLAS").
			Comment("a stamklas holds its pupils through Account.class; a lesgroep (cluster group such as h4a.ne1) through memberships").
			Annotations(entgql.OrderField("KIND")),
		field.String("subject").Default("").MaxLen(200).
			Comment("the subject a lesgroep teaches (vak), where a file gives it"),
		field.Int("created_by_job_id").Optional().Nillable().
			Comment("the import job that created the class, so that undoing it can remove it when empty").
			Annotations(entgql.Skip()),
	}
}

// Edges of the Class.
func (Class) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("pupils", Account.Type).Annotations(entgql.RelayConnection()),
		edge.To("teachers", Account.Type).Through("teachings", Teaching.Type).Annotations(entgql.RelayConnection()),
		edge.To("members", Account.Type).Through("memberships", Membership.Type).Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Class.
func (Class) Indexes() []ent.Index {
	return []ent.Index{index.Fields("school_id", "name_key").Unique()}
}

// Annotations of the Class.
func (Class) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField(), entgql.MultiOrder()}
}

// Hooks of the Class: name_key always follows name, so no caller can store a second spelling
// of the same class (see hooks.go).
func (Class) Hooks() []ent.Hook { return []ent.Hook{derived(nameKeyFollowsName)} }

// Membership puts a pupil in a lesgroep (a group such as "h4a.ne1" besides the pupil's stamklas,
// which is Account.class_id). It records the import that made it, so that undo and history cover it.
// No viewer reads it but through Class and Account.
type Membership struct{ ent.Schema }

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Annotations of the Membership: one row per group and pupil; not a GraphQL type of its own
// (Class.members and Account.groups show it).
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{field.ID("group_id", "account_id")}
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("group_id").
			Comment("the lesgroep (a class); not class_id, which accounts has too: ent's eager loading of Class.members selects both"),
		field.Int("account_id"),
		field.Int("import_job_id").Optional().Nillable().
			Comment("the import job that made the membership, for undo and history; no foreign key (see Account.import_job_id)"),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{cascadeTo("group", Class.Type, "group_id"), cascadeTo("account", Account.Type, "account_id")}
}

// Indexes of the Membership: a pupil's groups are read by account (the primary key serves a
// group's members). No index on import_job_id: nothing reads memberships by their job (undo
// restores before-sets by account), and each index costs a board's 800,000-row COPY about a
// second.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id")}
}

// Teaching is a teacher's assignment to a group: they teach it, or (mentor) they are the mentor
// of a stamklas. It records the import that made it, so that undo and history cover it. The
// table keeps the name of the many-to-many link it grew from.
type Teaching struct{ ent.Schema }

// Mixin of the Teaching: a viewer reads the assignments of groups and teachers it reads (see
// rules.go).
func (Teaching) Mixin() []ent.Mixin { return []ent.Mixin{readBy(TeachingVisible)} }

// Annotations of the Teaching: one row per group and teacher; not a GraphQL type of its own
// (Class.teachers, Class.mentors and Account.teachingClasses show it).
func (Teaching) Annotations() []schema.Annotation {
	return []schema.Annotation{
		field.ID("class_id", "account_id"),
		entsql.Annotation{Table: "class_teachers"},
		entgql.Skip(entgql.SkipAll),
	}
}

// Fields of the Teaching.
func (Teaching) Fields() []ent.Field {
	return []ent.Field{
		field.Int("class_id"),
		field.Int("account_id"),
		field.Bool("mentor").Default(false).Comment("the teacher is the mentor of this stamklas"),
		field.Int("import_job_id").Optional().Nillable().
			Comment("the import job that made the assignment, for undo and history; no foreign key (see Account.import_job_id)"),
	}
}

// Edges of the Teaching.
func (Teaching) Edges() []ent.Edge {
	return []ent.Edge{cascadeTo("class", Class.Type, "class_id"), cascadeTo("teacher", Account.Type, "account_id")}
}

// Indexes of the Teaching: a teacher's groups are read by account.
func (Teaching) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id"), index.Fields("import_job_id")}
}
