package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ImportBlob holds the large data of an import job apart from the job row, so that listing
// jobs never drags files along: the uploaded file (dropped once the job is committed) and the
// previewed plan.
type ImportBlob struct{ ent.Schema }

// Fields of the ImportBlob.
func (ImportBlob) Fields() []ent.Field {
	return []ent.Field{
		field.Int("job_id").Immutable(),
		// ORIGINS: where each row of a roster set's canonical file came from (jobs.Origins).
		// CORRECTIONS: the cells of the file corrected in the preview (jobs.Corrections).
		field.Enum("kind").Values("FILE", "PLAN", "ORIGINS", "CORRECTIONS").Immutable(),
		field.Bytes("data").Sensitive(),
	}
}

// Edges of the ImportBlob.
func (ImportBlob) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("job", ImportJob.Type).Ref("blobs").Field("job_id").Unique().Required().Immutable(),
	}
}

// Indexes of the ImportBlob.
func (ImportBlob) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "kind").Unique()}
}

// Annotations of the ImportBlob.
func (ImportBlob) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the ImportBlob: what a viewer may read (see rules.go).
func (ImportBlob) Interceptors() []ent.Interceptor { return []ent.Interceptor{denyViewers()} }

// Policy of the ImportBlob: only the product's own code writes (see rules.go).
func (ImportBlob) Policy() ent.Policy { return systemOnlyMutations() }
