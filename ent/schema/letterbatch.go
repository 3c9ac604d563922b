package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

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
