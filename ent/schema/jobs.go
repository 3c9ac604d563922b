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

// AccountChange records what one import job did to one account and what the account looked
// like before, so that the job can be undone and audited. No viewer reads it.
type AccountChange struct{ ent.Schema }

// Mixin of the AccountChange: it belongs to its import job.
func (AccountChange) Mixin() []ent.Mixin {
	return []ent.Mixin{ownedBy(ImportJob.Type, "job", "changes", "job_id"), systemOnly()}
}

// Fields of the AccountChange.
func (AccountChange) Fields() []ent.Field {
	return []ent.Field{
		field.Int("account_id").Immutable(),
		field.Enum("action").Values("ADDED", "UPDATED", "ARCHIVED").Immutable(),
		field.JSON("before", json.RawMessage{}).Optional().Immutable().
			Comment("the account's fields before the job; empty for ADDED"),
	}
}

// Edges of the AccountChange.
func (AccountChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable(),
	}
}

// Indexes of the AccountChange.
func (AccountChange) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job_id", "account_id").Unique(), index.Fields("account_id")}
}

// LetterBatch is one generation of login letters waiting to be downloaded: the letters (names,
// usernames and the start codes in clear) sealed with AES-GCM under a key that only the
// download handle given to the admin holds; the row keeps the handle's SHA-256, never the
// handle. Any numo process can serve the download; without the handle the row is unreadable.
// Each format (PDF, CSV) is served once; the row is deleted when both were taken or it expired.
// Only the product's own code reads it; it is not part of the GraphQL API.
type LetterBatch struct{ ent.Schema }

// Mixin of the LetterBatch.
func (LetterBatch) Mixin() []ent.Mixin { return []ent.Mixin{systemOnly()} }

// Fields of the LetterBatch.
func (LetterBatch) Fields() []ent.Field {
	return []ent.Field{
		field.Int("school_id").Immutable(),
		field.Int("created_by_id").Immutable().Comment("the admin account that made the letters; only it downloads them"),
		field.String("handle_hash").NotEmpty().Unique().Immutable().Sensitive().
			Comment("SHA-256 of the download handle"),
		field.Bytes("sealed").Immutable().Sensitive().
			Comment("AES-256-GCM of the letters (JSON), key derived from the handle"),
		field.Int("letters").Immutable().Comment("how many letters (accounts)"),
		field.Time("created_at").Immutable(),
		field.Time("expires_at").Immutable(),
		field.Time("pdf_taken_at").Optional().Nillable(),
		field.Time("csv_taken_at").Optional().Nillable(),
	}
}

// Indexes of the LetterBatch.
func (LetterBatch) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}
