package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ImportBlob holds the large data of an import job apart from the job row, so that listing
// jobs never drags files along: the uploaded file (dropped once the job is committed) and the
// previewed plan. No viewer reads it.
type ImportBlob struct{ ent.Schema }

// Mixin of the ImportBlob: it belongs to its import job.
func (ImportBlob) Mixin() []ent.Mixin {
	return []ent.Mixin{ownedBy(ImportJob.Type, "job", "blobs", "job_id"), systemOnly()}
}

// Fields of the ImportBlob.
func (ImportBlob) Fields() []ent.Field {
	return []ent.Field{
		// ORIGINS: where each row of a roster set's canonical file came from (jobs.Origins).
		// CORRECTIONS: the cells of the file corrected in the preview (jobs.Corrections).
		field.Enum("kind").Values("FILE", "PLAN", "ORIGINS", "CORRECTIONS").Immutable(),
		field.Bytes("data").Sensitive(),
	}
}

// Indexes of the ImportBlob.
func (ImportBlob) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "kind").Unique()}
}
