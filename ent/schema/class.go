package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/hook"
	"github.com/numo/accounts/internal/names"
)

// Class is a group of one school: a stamklas (klas, stamgroep) with its pupils, or a lesgroep
// (cluster group) with its members; and the teachers who teach it.
type Class struct{ ent.Schema }

// Mixin of the Class.
func (Class) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Class.
func (Class) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
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
		edge.From("school", School.Type).Ref("classes").Field("school_id").Unique().Required().Immutable(),
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
// of the same class.
func (Class) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.ClassFunc(func(ctx context.Context, m *gen.ClassMutation) (ent.Value, error) {
				if name, ok := m.Name(); ok {
					m.SetNameKey(names.ClassKey(name))
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// Interceptors of the Class: what a viewer may read (see rules.go).
func (Class) Interceptors() []ent.Interceptor { return []ent.Interceptor{classInterceptor()} }

// Policy of the Class: only the product's own code writes (see rules.go).
func (Class) Policy() ent.Policy { return systemOnlyMutations() }
