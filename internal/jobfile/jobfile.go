// Package jobfile owns the formats an import job stores besides its columns: the plan blob
// (import_blobs of kind PLAN: gzip-compressed JSON of an importer.Plan) and the mapping JSON
// (import_jobs.mapping: the file's columns with their example values, the proposal and the
// admin's choices). Every reader and writer of those formats — the job service, the CLI and
// the retention purge and erasure — goes through this one codec.
package jobfile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"

	"github.com/numo/accounts/internal/importer"
)

// EncodePlan is the stored form of a plan.
func EncodePlan(p *importer.Plan) ([]byte, error) { return EncodeBlob(p, "plan") }

// DecodePlan reads a stored plan.
func DecodePlan(b []byte) (*importer.Plan, error) {
	var p importer.Plan
	if err := DecodeBlob(b, &p, "plan"); err != nil {
		return nil, err
	}
	return &p, nil
}

// EncodeBlob is the stored form of a job's blob v (a plan, a roster set's origins):
// gzip-compressed JSON; what names v in the error.
func EncodeBlob(v any, what string) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return buf.Bytes(), nil
}

// DecodeBlob reads a blob that EncodeBlob wrote into v; what names v in the error.
func DecodeBlob(b []byte, v any, what string) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// Mapping is what a job's mapping column holds: the file's columns, the proposal and the
// admin's choices.
type Mapping struct {
	Columns    []importer.Column         `json:"columns"`
	Proposed   []importer.Match          `json:"proposed"`
	Chosen     importer.Mapping          `json:"chosen"`
	Levels     map[string]importer.Level `json:"levels,omitempty"`
	Unknown    []importer.UnknownValue   `json:"unknown,omitempty"`
	Remembered bool                      `json:"remembered,omitempty"`
	Confirmed  bool                      `json:"confirmed,omitempty"`
	// UnknownTotal is how many distinct unrecognised level values the file holds; Unknown
	// lists the most frequent of them (jobs.MaxUnknownLevels). 0 in mappings stored before.
	UnknownTotal int `json:"unknownTotal,omitempty"`
	// OtherNoLevel is the admin's choice that every unrecognised level value not decided one
	// by one is "no level", for this job only (the school does not remember it).
	OtherNoLevel bool `json:"otherNoLevel,omitempty"`
	// Kind is what the file holds, as the job's file_kind: its fields are the ones Chosen
	// maps to. "" (mappings stored before kinds) is pupils.
	Kind importer.Kind `json:"kind,omitempty"`
}

// DecodeMapping reads a stored mapping; none (empty or null) is the zero Mapping. Mappings
// stored before importer.Column had json tags spell its fields "Index", "Header" and
// "Samples": encoding/json matches them case-insensitively.
func DecodeMapping(raw []byte) (*Mapping, error) {
	var m Mapping
	if len(raw) == 0 {
		return &m, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode mapping: %w", err)
	}
	return &m, nil
}

// Encode is the stored form of the mapping.
func (m *Mapping) Encode() ([]byte, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode mapping: %w", err)
	}
	return raw, nil
}

// DropSamples removes the columns' example values for which drop is true (drop nil: all of
// them) and reports whether any went. The mapping screen shows up to five values of every
// column of the file, unmapped ones too, so they may hold anything the file held.
func (m *Mapping) DropSamples(drop func(string) bool) bool {
	changed := false
	for i := range m.Columns {
		c := &m.Columns[i]
		var kept []string
		for _, s := range c.Samples {
			if drop != nil && !drop(s) {
				kept = append(kept, s)
			}
		}
		if len(kept) != len(c.Samples) {
			c.Samples, changed = kept, true
		}
	}
	return changed
}

// DropStoredSamples is DropSamples on a stored mapping: it returns the mapping to store and
// whether it changed (raw itself when not; none stays none).
func DropStoredSamples(raw []byte, drop func(string) bool) ([]byte, bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return raw, false, nil
	}
	m, err := DecodeMapping(raw)
	if err != nil {
		return nil, false, err
	}
	if !m.DropSamples(drop) {
		return raw, false, nil
	}
	out, err := m.Encode()
	return out, err == nil, err
}
