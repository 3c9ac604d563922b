package retention

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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
func (t *schoolTx) forget(ids []int) (forgotten, error) {
	var f forgotten
	w := newWho()
	people := newErasedPeople()
	values := map[string]bool{}
	var found []int
	err := batches(ids, func(args []any) error {
		rows, err := t.QueryContext(t.ctx, "SELECT id, external_key, first_name, last_name, email, username, eck_id, infix FROM accounts WHERE school_id = "+
			t.ph(1)+" AND id "+t.in(2, len(args)), append([]any{t.schoolID}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id    int
				key   sql.NullString
				v     [5]string
				infix string
			)
			if err := rows.Scan(&id, &key, &v[0], &v[1], &v[2], &v[3], &v[4], &infix); err != nil {
				return err
			}
			found = append(found, id)
			w.add(id, key.String)
			people.add(id, v[3], v[2], v[4], v[0], infix, v[1])
			for _, s := range append(v[:], key.String) {
				if s != "" {
					values[strings.ToLower(s)] = true
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return f, fmt.Errorf("load accounts to forget: %w", err)
	}
	err = batches(found, func(args []any) error {
		in := t.in(1, len(args))
		// Earlier names and addresses, as the change records kept them, go from the mappings too.
		if err := t.scan("SELECT before FROM account_changes WHERE before IS NOT NULL AND account_id "+in, args, func(rows *sql.Rows) error {
			var raw []byte
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			var p map[string]any
			if json.Unmarshal(raw, &p) == nil {
				for _, f := range []string{"key", "firstName", "lastName", "email", "username", "eckId"} {
					if v, ok := p[f].(string); ok && v != "" {
						values[strings.ToLower(v)] = true
						if f == "email" || f == "username" || f == "eckId" {
							people.addToken(v)
						}
					}
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("read change records: %w", err)
		}
		n, err := t.exec("DELETE FROM account_changes WHERE account_id "+in, args...)
		if err != nil {
			return fmt.Errorf("delete change records: %w", err)
		}
		f.changes += n
		for _, q := range []string{
			"DELETE FROM sessions WHERE account_id " + in,
			"DELETE FROM class_teachers WHERE account_id " + in,
			"UPDATE import_jobs SET started_by_id = NULL WHERE started_by_id " + in,
		} {
			if _, err := t.exec(q, args...); err != nil {
				return fmt.Errorf("%s: %w", q[:strings.Index(q, " WHERE")], err)
			}
		}
		n, err = t.exec("DELETE FROM accounts WHERE school_id = "+t.ph(1)+" AND id "+t.in(2, len(args)), append([]any{t.schoolID}, args...)...)
		if err != nil {
			return fmt.Errorf("delete accounts: %w", err)
		}
		f.accounts += n
		return nil
	})
	if err != nil {
		return f, err
	}
	if len(found) == 0 {
		return f, nil
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

// scrubPlans removes the accounts' rows from every stored plan of the school, and the
// problems on those rows from the plan's job report.
func (t *schoolTx) scrubPlans(w *who) error {
	type blob struct{ id, jobID int }
	var blobs []blob
	err := t.scan("SELECT b.id, b.job_id FROM import_blobs b JOIN import_jobs j ON j.id = b.job_id WHERE j.school_id = "+t.ph(1)+
		" AND b.kind = 'PLAN' ORDER BY b.id", []any{t.schoolID}, func(rows *sql.Rows) error {
		var b blob
		if err := rows.Scan(&b.id, &b.jobID); err != nil {
			return err
		}
		blobs = append(blobs, b)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list stored plans: %w", err)
	}
	for _, b := range blobs {
		var data []byte
		if err := t.scan("SELECT data FROM import_blobs WHERE id = "+t.ph(1), []any{b.id}, func(rows *sql.Rows) error {
			return rows.Scan(&data)
		}); err != nil {
			return fmt.Errorf("read plan of job %d: %w", b.jobID, err)
		}
		scrubbed, lines, changed, err := scrubPlan(data, w)
		if err != nil {
			return fmt.Errorf("plan of job %d: %w", b.jobID, err)
		}
		if !changed {
			continue
		}
		if _, err := t.exec("UPDATE import_blobs SET data = "+t.ph(1)+" WHERE id = "+t.ph(2), scrubbed, b.id); err != nil {
			return fmt.Errorf("rewrite plan of job %d: %w", b.jobID, err)
		}
		if err := t.scrubReportOf(b.jobID, lines); err != nil {
			return err
		}
	}
	return nil
}

func (t *schoolTx) scrubReportOf(jobID int, lines map[int]bool) error {
	var raw []byte
	if err := t.scan("SELECT report FROM import_jobs WHERE id = "+t.ph(1), []any{jobID}, func(rows *sql.Rows) error {
		return rows.Scan(&raw)
	}); err != nil {
		return fmt.Errorf("read report of job %d: %w", jobID, err)
	}
	rep, changed, err := scrubReport(raw, lines)
	if err != nil {
		return fmt.Errorf("report of job %d: %w", jobID, err)
	}
	if changed {
		if _, err := t.exec("UPDATE import_jobs SET report = "+t.ph(1)+" WHERE id = "+t.ph(2), string(rep), jobID); err != nil {
			return fmt.Errorf("rewrite report of job %d: %w", jobID, err)
		}
	}
	return nil
}

// scrubMappings removes the values from the example values of the school's stored mappings.
func (t *schoolTx) scrubMappings(values map[string]bool) error {
	type mapping struct {
		jobID int
		raw   []byte
	}
	var ms []mapping
	err := t.scan("SELECT id, mapping FROM import_jobs WHERE school_id = "+t.ph(1)+" AND mapping IS NOT NULL ORDER BY id",
		[]any{t.schoolID}, func(rows *sql.Rows) error {
			var m mapping
			if err := rows.Scan(&m.jobID, &m.raw); err != nil {
				return err
			}
			ms = append(ms, m)
			return nil
		})
	if err != nil {
		return fmt.Errorf("read mappings: %w", err)
	}
	for _, m := range ms {
		out, changed, err := scrubSamples(m.raw, values)
		if err != nil {
			return fmt.Errorf("mapping of job %d: %w", m.jobID, err)
		}
		if changed {
			if _, err := t.exec("UPDATE import_jobs SET mapping = "+t.ph(1)+" WHERE id = "+t.ph(2), string(out), m.jobID); err != nil {
				return fmt.Errorf("rewrite mapping of job %d: %w", m.jobID, err)
			}
		}
	}
	return nil
}

// scan runs a query and calls fn for every row; the rows are closed before it returns, so
// the transaction can run the next statement.
func (t *schoolTx) scan(query string, args []any, fn func(*sql.Rows) error) error {
	return scanRows(t.ctx, t, query, args, fn)
}
