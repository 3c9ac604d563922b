// Package schema holds the hand-written ent schemas of Numo accounts; everything else under ent/
// is generated from these files by `go generate ./...`. One file per entity (account.go,
// class.go, membership.go, teaching.go, school.go, auditevent.go, importjob.go, importblob.go,
// accountchange.go, letterbatch.go, session.go, apitoken.go, loginthrottle.go, ssologin.go,
// ssoprovider.go, rosterchangelog.go, webhookendpoint.go, webhookdelivery.go, ratewindow.go).
// The mixins and helpers they share are here (ownership, read rules, timestamps), who reads and
// writes what is in rules.go, and the hooks that keep derived columns in step are in hooks.go.
package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/numo/accounts/internal/auth"
)

// TimeMixin gives an entity created_at and updated_at; updated_at moves on every update, which
// is what the import engine's stale-preview check relies on.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// access is the mixin every entity has: who reads and writes it (rules.go). Only the product's
// own code (auth.System) writes; a viewer reads what the entity's rule lets it read. An entity
// that no viewer reads is not part of the generated GraphQL schema either.
type access struct {
	mixin.Schema
	read     ent.Interceptor
	internal bool
}

// readBy is the access of an entity that viewers read: the rows rule gives them.
func readBy[P ~func(*sql.Selector)](rule func(*auth.Viewer) P) access {
	return access{read: visibleTo(rule)}
}

// systemOnly is the access of an entity that only the product's own code reads and writes;
// where GraphQL shows one, its type is written by hand in graph/.
func systemOnly() access {
	return access{read: visibleTo(seenByNone), internal: true}
}

// Interceptors of the access: the entity's read rule.
func (a access) Interceptors() []ent.Interceptor { return []ent.Interceptor{a.read} }

// Policy of the access: only the product's own code writes.
func (access) Policy() ent.Policy { return systemOnlyMutations() }

// Annotations of the access: an internal entity is skipped by entgql.
func (a access) Annotations() []schema.Annotation {
	if !a.internal {
		return nil
	}
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// owned is the mixin of an entity whose rows belong to a row of another entity (a school's
// classes, a job's blobs): the immutable foreign key and the required edge back to the owner.
// Both come before the entity's own fields and edges (after TimeMixin's), where every owned
// entity had them before the mixin, so the tables keep their column order.
type owned struct {
	mixin.Schema
	edge, ref, key string
	owner          any
}

// ownedBy is the mixin of rows that belong to owner: edge is their edge to it, ref the owner's
// edge to them and key the column that holds the owner's id.
func ownedBy(owner any, edge, ref, key string) owned {
	return owned{owner: owner, edge: edge, ref: ref, key: key}
}

// ofSchool is the mixin of rows that belong to one school, which lists them as its edge ref.
func ofSchool(ref string) owned { return ownedBy(School.Type, "school", ref, "school_id") }

// Fields of the owned: the owner's id, set once.
func (o owned) Fields() []ent.Field {
	return []ent.Field{field.Int(o.key).Immutable()}
}

// Edges of the owned: the required edge to the owner.
func (o owned) Edges() []ent.Edge {
	return []ent.Edge{edge.From(o.edge, o.owner).Ref(o.ref).Field(o.key).Unique().Required().Immutable()}
}

// cascadeTo is the required edge name of a link row (a membership, a teaching) to what it links
// over key: deleting that row deletes the link.
func cascadeTo(name string, target any, key string) ent.Edge {
	return edge.To(name, target).Unique().Required().Field(key).
		Annotations(entsql.OnDelete(entsql.Cascade))
}
