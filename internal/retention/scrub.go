package retention

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
)

// This file edits the stored data of import jobs: a plan and a mapping through their one codec
// (package jobfile), and a result report — of an import or an undo — as JSON whose fields it
// does not know are kept as they are.

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

func (w *who) matches(u *importer.PlannedUser) bool {
	if u.AccountID != 0 {
		return w.ids[u.AccountID]
	}
	return u.Key != "" && w.keys[u.Key]
}

// rowsOf returns the plan's users that belong to the accounts, as stored.
func rowsOf(plan *importer.Plan, w *who) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i := range plan.Users {
		if u := &plan.Users[i]; w.matches(u) {
			raw, err := json.Marshal(u)
			if err != nil {
				return nil, fmt.Errorf("write plan user: %w", err)
			}
			out = append(out, raw)
		}
	}
	return out, nil
}

// scrubPlan removes the accounts' users from a stored plan, and the problems reported on
// their lines of the file. It returns the new plan, those lines and whether anything changed.
func scrubPlan(data []byte, w *who) ([]byte, map[int]bool, bool, error) {
	plan, err := jobfile.DecodePlan(data)
	if err != nil {
		return nil, nil, false, err
	}
	lines := map[int]bool{}
	kept := plan.Users[:0]
	for _, u := range plan.Users {
		if !w.matches(&u) {
			kept = append(kept, u)
			continue
		}
		if u.Line > 0 {
			lines[u.Line] = true
		}
	}
	if len(kept) == len(plan.Users) {
		return data, nil, false, nil
	}
	plan.Users = kept
	plan.Refused = keepProblems(plan.Refused, lines)
	plan.Warnings = keepProblems(plan.Warnings, lines)
	out, err := jobfile.EncodePlan(plan)
	return out, lines, true, err
}

// keepProblems drops the problems on the given lines of the file (a problem about the whole
// file, line 0, stays).
func keepProblems(ps []importer.Problem, lines map[int]bool) []importer.Problem {
	kept := make([]importer.Problem, 0, len(ps))
	for _, p := range ps {
		if p.Line == 0 || !lines[p.Line] {
			kept = append(kept, p)
		}
	}
	return kept
}

// dropProblems removes the refused rows and warnings on the given lines of the file from a
// report (a problem about the whole file, line 0, stays).
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
// or those equal to one of drop's values (lower case).
func scrubSamples(raw []byte, drop map[string]bool) ([]byte, bool, error) {
	if drop == nil {
		return jobfile.DropStoredSamples(raw, nil)
	}
	return jobfile.DropStoredSamples(raw, func(s string) bool { return drop[strings.ToLower(s)] })
}

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}
