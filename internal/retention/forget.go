package retention

import (
	"fmt"
	"strings"
	"time"

	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// forgotten is what forgetting accounts removed.
type forgotten struct {
	accounts int
	changes  int
	// audit is how many audit events were pseudonymised.
	audit int
}

// forget deletes accounts of the transaction's school and every trace of them the product
// keeps: their change records in the import history, their sessions and teacher links, their
// rows in the plans of imports that still keep row data (with the problems reported on those
// lines of the file), and their values among the example values of stored column mappings.
// The audit log keeps its events, pseudonymised (see forgetAudit).
//
// Each deleted account becomes a DELETE in the school's roster change log, with origin
// (erasure or retention), and its earlier entries there lose their data (package feed).
func (t *schoolTx) forget(ids []int, origin feed.Origin) (forgotten, error) {
	var f forgotten
	w := newWho()
	people := newErasedPeople()
	values := map[string]bool{}
	found, err := t.loadForgotten(ids, w, people, values)
	if err != nil {
		return f, fmt.Errorf("load accounts to forget: %w", err)
	}
	err = batches(found, func(batch []int) error {
		// Earlier names and addresses, as the change records kept them, go from the mappings too.
		if err := store.EachBefore(t.ctx, t, t.d, batch, func(raw []byte) { earlierValues(raw, values, people) }); err != nil {
			return fmt.Errorf("read change records: %w", err)
		}
		accounts, changes, err := store.DeleteAccounts(t.ctx, t, t.d, t.schoolID, batch)
		if err != nil {
			return fmt.Errorf("delete accounts: %w", err)
		}
		f.accounts += accounts
		f.changes += changes
		return nil
	})
	if err != nil {
		return f, err
	}
	if len(found) == 0 {
		return f, nil
	}
	if _, err := feed.Record(t.ctx, t, t.d, t.schoolID, origin, 0, time.Now(), feed.Touched{Accounts: found}); err != nil {
		return f, err
	}
	if f.audit, err = t.forgetAudit(people); err != nil {
		return f, err
	}
	if err := t.scrubPlans(w); err != nil {
		return f, err
	}
	if err := t.scrubMappings(values); err != nil {
		return f, err
	}
	return f, nil
}

// loadForgotten reads the school's accounts among ids into w, people and values (their key,
// names and addresses, lower case) and returns the ids it found.
func (t *schoolTx) loadForgotten(ids []int, w *who, people *erasedPeople, values map[string]bool) ([]int, error) {
	var found []int
	err := batches(ids, func(batch []int) error {
		return store.EachAccountByID(t.ctx, t, t.d, t.schoolID, batch, func(a *store.AccountRow) {
			found = append(found, a.ID)
			w.add(a.ID, a.Key)
			people.add(a.ID, a.Username, a.Email, a.EckID, a.FirstName, a.Infix, a.LastName)
			for _, s := range []string{a.FirstName, a.LastName, a.Email, a.Username, a.EckID, a.Key} {
				if s != "" {
					values[strings.ToLower(s)] = true
				}
			}
		})
	})
	return found, err
}

// earlierValues adds the key, names and addresses of a stored before-state to values, and its
// username, e-mail address and ECK iD to people.
func earlierValues(raw []byte, values map[string]bool, people *erasedPeople) {
	b, err := store.DecodeAccountState(raw)
	if err != nil {
		return
	}
	for _, v := range []string{b.Key, b.FirstName, b.LastName} {
		if v != "" {
			values[strings.ToLower(v)] = true
		}
	}
	for _, v := range []string{b.Email, b.Username, b.EckID} {
		if v != "" {
			values[strings.ToLower(v)] = true
			people.addToken(v)
		}
	}
}

// scrubPlans removes the accounts' rows from every stored plan of the school, and the
// problems on those rows from the plan's job report.
func (t *schoolTx) scrubPlans(w *who) error {
	plans, err := store.SchoolPlans(t.ctx, t, t.d, t.schoolID)
	if err != nil {
		return fmt.Errorf("list stored plans: %w", err)
	}
	for _, b := range plans {
		data, err := store.BlobData(t.ctx, t, t.d, b.BlobID)
		if err != nil {
			return fmt.Errorf("read plan of job %d: %w", b.JobID, err)
		}
		scrubbed, lines, changed, err := scrubPlan(data, w)
		if err != nil {
			return fmt.Errorf("plan of job %d: %w", b.JobID, err)
		}
		if !changed {
			continue
		}
		if err := store.SetBlobData(t.ctx, t, t.d, b.BlobID, scrubbed); err != nil {
			return fmt.Errorf("rewrite plan of job %d: %w", b.JobID, err)
		}
		if err := t.scrubReportOf(b.JobID, lines); err != nil {
			return err
		}
	}
	return nil
}

func (t *schoolTx) scrubReportOf(jobID int, lines map[int]bool) error {
	raw, _, err := store.JobStored(t.ctx, t, t.d, jobID)
	if err != nil {
		return fmt.Errorf("read report of job %d: %w", jobID, err)
	}
	rep, changed, err := scrubReport(raw, lines)
	if err != nil {
		return fmt.Errorf("report of job %d: %w", jobID, err)
	}
	if changed {
		if err := store.SetJobReport(t.ctx, t, t.d, jobID, rep); err != nil {
			return fmt.Errorf("rewrite report of job %d: %w", jobID, err)
		}
	}
	return nil
}

// scrubMappings removes the values from the example values of the school's stored mappings.
func (t *schoolTx) scrubMappings(values map[string]bool) error {
	_, err := t.dropSamples(false, values)
	return err
}

// dropSamples removes example values from the stored mappings of the school's jobs (with
// finishedOnly, of its committed or undone jobs that keep their row data): all of them (drop
// nil), or those among drop's values. It returns how many mappings changed.
func (t *schoolTx) dropSamples(finishedOnly bool, drop map[string]bool) (int, error) {
	type mapping struct {
		jobID int
		raw   []byte
	}
	var ms []mapping
	if err := store.EachJobMapping(t.ctx, t, t.d, t.schoolID, finishedOnly, func(id int, raw []byte) {
		ms = append(ms, mapping{id, raw})
	}); err != nil {
		return 0, fmt.Errorf("read mappings: %w", err)
	}
	n := 0
	for _, m := range ms {
		out, changed, err := scrubSamples(m.raw, drop)
		if err != nil {
			return n, fmt.Errorf("mapping of job %d: %w", m.jobID, err)
		}
		if changed {
			if err := store.SetJobMapping(t.ctx, t, t.d, m.jobID, out); err != nil {
				return n, fmt.Errorf("rewrite mapping of job %d: %w", m.jobID, err)
			}
			n++
		}
	}
	return n, nil
}
