package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
