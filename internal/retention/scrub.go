package retention

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
)

// This file edits the stored JSON of import jobs without depending on the import engine's
// types: a plan (gzip JSON in import_blobs), a result report and a mapping. Fields it does not
// know are kept as they are.

// who names the accounts whose rows are to be found in stored import data.
type who struct {
	ids  map[int]bool
	keys map[string]bool // pupil keys as stored, and without leading zeros (as Excel writes them)
}

func newWho() *who { return &who{ids: map[int]bool{}, keys: map[string]bool{}} }

func (w *who) add(id int, key string) {
	w.ids[id] = true
	if key != "" {
		w.keys[key] = true
		if k := strings.TrimLeft(key, "0"); k != "" {
			w.keys[k] = true
		}
	}
}

// plannedRow is what identifies a user of a stored plan.
type plannedRow struct {
	AccountID int    `json:"accountId"`
	Key       string `json:"key"`
	Line      int    `json:"line"`
}

func (w *who) matches(r plannedRow) bool {
	if r.AccountID != 0 {
		return w.ids[r.AccountID]
	}
	return r.Key != "" && w.keys[r.Key]
}

// decodePlan reads a stored plan as raw JSON fields.
func decodePlan(data []byte) (map[string]json.RawMessage, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var plan map[string]json.RawMessage
	if err := json.NewDecoder(zr).Decode(&plan); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return plan, nil
}

func encodePlan(plan map[string]json.RawMessage) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(plan); err != nil {
		return nil, fmt.Errorf("write plan: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("write plan: %w", err)
	}
	return buf.Bytes(), nil
}

// rowsOf returns the plan's users that belong to the accounts, as stored.
func rowsOf(plan map[string]json.RawMessage, w *who) ([]json.RawMessage, error) {
	var users []json.RawMessage
	if err := json.Unmarshal(orNull(plan["users"]), &users); err != nil {
		return nil, fmt.Errorf("read plan users: %w", err)
	}
	var out []json.RawMessage
	for _, u := range users {
		var r plannedRow
		if err := json.Unmarshal(u, &r); err != nil {
			return nil, fmt.Errorf("read plan user: %w", err)
		}
		if w.matches(r) {
			out = append(out, u)
		}
	}
	return out, nil
}

// scrubPlan removes the accounts' users from a stored plan, and the problems reported on
// their lines of the file. It returns the new plan, those lines and whether anything changed.
func scrubPlan(data []byte, w *who) ([]byte, map[int]bool, bool, error) {
	plan, err := decodePlan(data)
	if err != nil {
		return nil, nil, false, err
	}
	var users []json.RawMessage
	if err := json.Unmarshal(orNull(plan["users"]), &users); err != nil {
		return nil, nil, false, fmt.Errorf("read plan users: %w", err)
	}
	lines := map[int]bool{}
	kept := users[:0]
	for _, u := range users {
		var r plannedRow
		if err := json.Unmarshal(u, &r); err != nil {
			return nil, nil, false, fmt.Errorf("read plan user: %w", err)
		}
		if !w.matches(r) {
			kept = append(kept, u)
			continue
		}
		if r.Line > 0 {
			lines[r.Line] = true
		}
	}
	if len(kept) == len(users) {
		return data, nil, false, nil
	}
	if plan["users"], err = json.Marshal(kept); err != nil {
		return nil, nil, false, err
	}
	if err := dropProblems(plan, lines); err != nil {
		return nil, nil, false, err
	}
	out, err := encodePlan(plan)
	return out, lines, true, err
}

// dropProblems removes the refused rows and warnings on the given lines of the file (a plan's
// or a report's; a problem about the whole file, line 0, stays).
func dropProblems(doc map[string]json.RawMessage, lines map[int]bool) error {
	for _, field := range []string{"refused", "warnings"} {
		raw, ok := doc[field]
		if !ok {
			continue
		}
		var list []json.RawMessage
		if err := json.Unmarshal(orNull(raw), &list); err != nil {
			return fmt.Errorf("read %s: %w", field, err)
		}
		kept := make([]json.RawMessage, 0, len(list))
		for _, p := range list {
			var pr struct {
				Line int `json:"line"`
			}
			if err := json.Unmarshal(p, &pr); err != nil {
				return fmt.Errorf("read %s: %w", field, err)
			}
			if pr.Line == 0 || !lines[pr.Line] {
				kept = append(kept, p)
			}
		}
		b, err := json.Marshal(kept)
		if err != nil {
			return err
		}
		doc[field] = b
	}
	return nil
}

// scrubReport removes the problems on the given lines from a job's result report.
func scrubReport(raw []byte, lines map[int]bool) ([]byte, bool, error) {
	if len(raw) == 0 || string(raw) == "null" || len(lines) == 0 {
		return raw, false, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, fmt.Errorf("read report: %w", err)
	}
	if err := dropProblems(doc, lines); err != nil {
		return nil, false, err
	}
	out, err := json.Marshal(doc)
	return out, !bytes.Equal(out, raw), err
}

// minimalReport keeps of a job's result report what stays after the row data is purged: the
// counts, the created classes and, for an undo, its numbers. The row-level lists (refused
// rows and warnings name pupils and quote their values; an undo's conflicts name them) go.
func minimalReport(raw []byte) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return raw, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	out := map[string]json.RawMessage{"refused": json.RawMessage("[]"), "warnings": json.RawMessage("[]"), "purged": json.RawMessage("true")}
	for _, keep := range []string{"counts", "classesCreated"} {
		if v, ok := doc[keep]; ok {
			out[keep] = v
		}
	}
	if u, ok := doc["undo"]; ok {
		var undo map[string]json.RawMessage
		if err := json.Unmarshal(u, &undo); err != nil {
			return nil, fmt.Errorf("read report: %w", err)
		}
		delete(undo, "conflicts")
		b, err := json.Marshal(undo)
		if err != nil {
			return nil, err
		}
		out["undo"] = b
	}
	return json.Marshal(out)
}

// scrubSamples removes example values from a job's stored mapping: all of them (drop nil),
// or those equal to one of drop's values. The mapping screen shows up to five values of
// every column of the file, unmapped ones too, so they may hold anything the file held.
func scrubSamples(raw []byte, drop map[string]bool) ([]byte, bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return raw, false, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, fmt.Errorf("read mapping: %w", err)
	}
	var cols []map[string]json.RawMessage
	if err := json.Unmarshal(orNull(doc["columns"]), &cols); err != nil {
		return nil, false, fmt.Errorf("read mapping columns: %w", err)
	}
	changed := false
	for _, c := range cols {
		for _, field := range []string{"Samples", "samples"} {
			v, ok := c[field]
			if !ok {
				continue
			}
			var samples []string
			if err := json.Unmarshal(orNull(v), &samples); err != nil {
				return nil, false, fmt.Errorf("read mapping samples: %w", err)
			}
			kept := []string{}
			for _, s := range samples {
				if drop != nil && !drop[strings.ToLower(s)] {
					kept = append(kept, s)
				}
			}
			if len(kept) == len(samples) {
				continue
			}
			changed = true
			if len(kept) == 0 {
				delete(c, field)
				continue
			}
			b, err := json.Marshal(kept)
			if err != nil {
				return nil, false, err
			}
			c[field] = b
		}
	}
	if !changed {
		return raw, false, nil
	}
	b, err := json.Marshal(cols)
	if err != nil {
		return nil, false, err
	}
	doc["columns"] = b
	out, err := json.Marshal(doc)
	return out, true, err
}

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}
