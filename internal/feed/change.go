// Package feed is a school's roster change log: every change to its accounts and classes (and
// through them, memberships and teaching assignments) gets a position in one ordered,
// per-school log, written in the same transaction as the change itself. Integrators read it
// with rosterChanges, stream it with a subscription, and receive it by webhook.
package feed

import (
	"encoding/json"
	"time"
)

// Kind is what a change is about.
type Kind string

// The kinds of entity the log records. Memberships and teaching assignments are part of the
// account they belong to (its stamklas, lesgroepen and the classes a teacher teaches), so a
// change of membership is an ACCOUNT change carrying the account's new lists.
const (
	KindAccount Kind = "ACCOUNT"
	KindClass   Kind = "CLASS"
)

// Op is what happened to the entity.
type Op string

// UPSERT carries the entity's whole state after the change (archiving is an UPSERT with
// status ARCHIVED); DELETE carries no data at all (erasure, purge by retention).
const (
	OpUpsert Op = "UPSERT"
	OpDelete Op = "DELETE"
)

// Origin is what made the change.
type Origin string

// The origins of a change.
const (
	OriginImport    Origin = "IMPORT"
	OriginUndo      Origin = "UNDO"
	OriginManual    Origin = "MANUAL"
	OriginErasure   Origin = "ERASURE"
	OriginRetention Origin = "RETENTION"
)

// Change is one entry of a school's change log, as integrators receive it (rosterChanges, the
// subscription and webhook bodies all carry this shape).
type Change struct {
	// Position orders the school's changes: gapless per school and in commit order, so a
	// reader that has seen position p has seen every change before it.
	Position int64 `json:"position"`
	Kind     Kind  `json:"kind"`
	Op       Op    `json:"op"`
	// ID is the entity's GraphQL global ID.
	ID string `json:"entityId"`
	// Data is the entity's state after the change for UPSERT (the same field names as the
	// GraphQL type), null for DELETE.
	Data   json.RawMessage `json:"data"`
	Origin Origin          `json:"origin"`
	// JobID is the import job's GraphQL ID when an import or its undo made the change.
	JobID string    `json:"jobId,omitempty"`
	At    time.Time `json:"at"`
}
