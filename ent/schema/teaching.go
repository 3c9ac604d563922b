package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
