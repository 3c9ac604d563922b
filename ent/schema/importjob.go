package schema

import (
	"encoding/json"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ImportJob is one CSV import of one school, from upload through mapping and preview to commit.
// Everything about a job lives here (the uploaded bytes too), so any numo process can continue it.
type ImportJob struct{ ent.Schema }

// Mixin of the ImportJob: it belongs to a school; the school's administrators read its jobs
// (see rules.go).
func (ImportJob) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, ofSchool("import_jobs"), readBy(ImportJobVisible)}
}

// Fields of the ImportJob.
func (ImportJob) Fields() []ent.Field {
	return []ent.Field{
		field.Int("started_by_id").Optional().Nillable().Immutable(),
		field.Enum("status").
			Values("UPLOADED", "MAPPED", "PREVIEWED", "COMMITTING", "COMMITTED", "FAILED", "UNDONE").
			Default("UPLOADED").
			Annotations(entgql.OrderField("STATUS")),
		field.String("file_name").MaxLen(255),
		field.Int64("file_size").NonNegative(),
		field.String("sha256").MaxLen(64),
		field.String("encoding").Default(""),
		field.String("delimiter").Default(""),
		field.Int("header_line").Default(0),
		field.Int("row_count").Default(0),
		field.JSON("mapping", json.RawMessage{}).Optional().
			Comment("the confirmed column and level-value mapping").
			Annotations(entgql.Skip()),
		field.JSON("actions", []string{}).Optional().
			Comment("the chosen actions: add, update, archive").
			Annotations(entgql.Skip()),
		field.String("plan_hash").Default("").
			Comment("fingerprint of the previewed plan; a commit re-plans and compares").
			Annotations(entgql.Skip()),
		field.Int("added").Default(0),
		field.Int("updated").Default(0),
		field.Int("archived").Default(0),
		field.Int("unchanged").Default(0),
		field.Int("refused").Default(0),
		field.Int("removed").Default(0).
			Comment("UNDO: the accounts its import added that the undo deleted"),
		field.JSON("report", json.RawMessage{}).Optional().
			Comment("the result report: refused rows, warnings, counts").
			Annotations(entgql.Skip()),
		field.String("phase").Default(""),
		field.Int("progress_done").Default(0),
		field.Int("progress_total").Default(0),
		field.String("error").Default(""),
		field.String("claimed_by").Default("").
			Comment("the numo process that runs the commit").
			Annotations(entgql.Skip()),
		field.Time("heartbeat_at").Optional().Nillable().
			Comment("last sign of life of the committing process").
			Annotations(entgql.Skip()),
		field.Time("committed_at").Optional().Nillable(),
		field.Enum("kind").Values("IMPORT", "UNDO").Default("IMPORT").Immutable().
			Comment("UNDO: the job that undid another one (undo_of_id)"),
		// Not "kind": that name is the IMPORT/UNDO distinction above, which the app and
		// integrators already read as ImportJob.kind.
		field.Enum("file_kind").Values("PUPILS", "TEACHERS").Default("PUPILS").
			Comment("what the file holds: a pupil export (with lesgroepen or not) or a teacher export").
			Annotations(entgql.Type("ImportKind")),
		field.Int("undo_of_id").Optional().Nillable().Immutable(),
		field.Time("undone_at").Optional().Nillable(),
		field.Time("data_purged_at").Optional().Nillable().
			Comment("when the row data (plan, change log) was purged after the retention term"),
		// A roster set (School Data Sync, OneRoster) becomes two linked jobs: the pupils first,
		// then the teachers (internal/jobs/set.go).
		field.String("source").Default("").MaxLen(500).
			Comment("where the rows came from when not from one uploaded CSV: a roster set's format and files").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("next_job_id").Optional().Nillable().Immutable().
			Comment("the job of the same roster set to continue with after this one (the teachers after the pupils)").
			Annotations(entgql.Skip()),
	}
}

// Edges of the ImportJob.
func (ImportJob) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("started_by", Account.Type).Field("started_by_id").Unique().Immutable(),
		edge.To("changes", AccountChange.Type).Annotations(entgql.Skip()),
		edge.To("blobs", ImportBlob.Type).Annotations(entgql.Skip()),
		// One edge with both directions: a lone unique To edge to the same type is ent's
		// bidirectional O2O, whose QueryUndoOf read undo_of_id backwards (the undone import
		// answered its UNDO job as its undoOf). Only the UNDO job holds undo_of_id.
		edge.To("undone_by", ImportJob.Type).Unique().
			Comment("the UNDO job that undid this import").
			Annotations(entgql.Skip(entgql.SkipAll)).
			From("undo_of").Field("undo_of_id").Unique().Immutable().
			Comment("the import this UNDO job undid").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the ImportJob.
func (ImportJob) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("school_id", "status"),
		index.Fields("school_id", "created_at"),
	}
}

// Annotations of the ImportJob.
func (ImportJob) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}
