package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
