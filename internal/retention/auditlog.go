package retention

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// DefaultAuditRetentionDays is the audit log's term of a school that did not choose one (the
// schema's default), and the term of events that belong to no school.
const DefaultAuditRetentionDays = 365

// erasedActor replaces an erased account wherever the audit log named it: as the actor of
// the events it did itself, and in the details of events about it.
const erasedActor = "gewist account"

// auditBatch is how many audit events one statement of the term's purge deletes. Each batch
// commits on its own: a log kept for years before its first purge shrinks without holding
// the write lock (and the sign-ins that write to the log) for long.
const auditBatch = 1000

// purgeAudit deletes the audit events of the school (schoolID 0: of no school) that happened
// before cutoff, in batches of auditBatch, each in its own transaction; in a dry run it only
// counts them. It returns how many there were.
//
// It does not take the school's import lock: an import only appends to the log. On
// PostgreSQL the times are compared in SQL (timestamptz; the (school_id, at) index); on SQLite
// they are compared in Go, as elsewhere in the purge (SQLite keeps them as text), in one
// read of the school's events (ids and times; paging it by id would sort them per page).
func purgeAudit(ctx context.Context, db *store.DB, schoolID int, cutoff time.Time, dryRun bool) (int, error) {
	ph := importer.Placeholder(db.Dialect)
	school, args := "school_id = "+ph(1), []any{schoolID}
	if schoolID == 0 {
		school, args = "school_id IS NULL", nil
	}
	if db.Dialect == dialect.Postgres {
		at := ph(len(args) + 1)
		args = append(args, cutoff)
		if dryRun {
			var n int
			err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events WHERE "+school+" AND at < "+at, args...).Scan(&n)
			return n, err
		}
		total := 0
		for {
			res, err := db.SQL.ExecContext(ctx, "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE "+school+
				" AND at < "+at+" ORDER BY id LIMIT "+strconv.Itoa(auditBatch)+")", args...)
			if err != nil {
				return total, fmt.Errorf("delete audit events: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, err
			}
			total += int(n)
			if n < auditBatch {
				return total, nil
			}
		}
	}
	// One read of the school's events (id and time only), then the deletes, a batch at a time:
	// paging the read by id would sort the school's events again for every page.
	var old []int
	err := scanRows(ctx, db.SQL, "SELECT id, at FROM audit_events WHERE "+school, args, func(rows *sql.Rows) error {
		var id int
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		if at.Before(cutoff) {
			old = append(old, id)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("find audit events past the term: %w", err)
	}
	if dryRun {
		return len(old), nil
	}
	total := 0
	for start := 0; start < len(old); start += auditBatch {
		batch := old[start:min(start+auditBatch, len(old))]
		ids := make([]any, len(batch))
		for i, id := range batch {
			ids[i] = id
		}
		res, err := db.SQL.ExecContext(ctx, "DELETE FROM audit_events WHERE id "+inList(ph, 1, len(ids)), ids...)
		if err != nil {
			return total, fmt.Errorf("delete audit events: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// inList renders "IN (…)" with placeholders from..from+n-1.
func inList(ph func(int) string, from, n int) string {
	var b strings.Builder
	b.WriteString("IN (")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ph(from + i))
	}
	b.WriteString(")")
	return b.String()
}

// erasedPeople names the accounts being forgotten, as the audit log's details may name them.
type erasedPeople struct {
	ids    map[int]bool
	tokens map[string]bool // usernames, e-mail addresses and ECK iDs, lower case
	names  []string        // full names, as "First infix Last"
}

func newErasedPeople() *erasedPeople {
	return &erasedPeople{ids: map[int]bool{}, tokens: map[string]bool{}}
}

func (p *erasedPeople) add(id int, username, email, eckID, first, infix, last string) {
	p.ids[id] = true
	for _, v := range []string{username, email, eckID} {
		p.addToken(v)
	}
	if name := strings.Join(strings.Fields(first+" "+infix+" "+last), " "); strings.Contains(name, " ") {
		p.names = append(p.names, name)
	}
}

// addToken adds an earlier username, e-mail address or ECK iD of one of the people.
func (p *erasedPeople) addToken(v string) {
	// Shorter values would match ordinary words and numbers of other events.
	if v = strings.ToLower(strings.TrimSpace(v)); len([]rune(v)) >= 3 {
		p.tokens[v] = true
	}
}

// accountMention is how audit details name an account: "account 12", optionally followed by
// " (username)" and, in events written before the address had its column, " from 1.2.3.4".
var accountMention = regexp.MustCompile(`\baccount (\d+)\b(?: \([^)]*\))?(?: from \S+)?`)

// detailToken is a word of an audit detail as a username, e-mail address or ECK iD (a URL)
// is written; the punctuation that may end a sentence is trimmed before it is compared.
var detailToken = regexp.MustCompile(`[\p{L}\p{N}._@+'/:-]+`)

// scrubber rewrites audit details so that they no longer name the people.
type scrubber struct {
	p     *erasedPeople
	names *regexp.Regexp // nil without names
}

func (p *erasedPeople) scrubber() *scrubber {
	s := &scrubber{p: p}
	if len(p.names) > 0 {
		quoted := make([]string, len(p.names))
		for i, n := range p.names {
			quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(n), " ", `\s+`)
		}
		s.names = regexp.MustCompile(`(?i)(?:` + strings.Join(quoted, "|") + `)`)
	}
	return s
}

// scrub returns the detail with every mention of the people replaced by erasedActor.
func (s *scrubber) scrub(detail string) string {
	out := accountMention.ReplaceAllStringFunc(detail, func(m string) string {
		id, _ := strconv.Atoi(accountMention.FindStringSubmatch(m)[1])
		if s.p.ids[id] {
			return erasedActor
		}
		return m
	})
	out = detailToken.ReplaceAllStringFunc(out, func(w string) string {
		if s.p.tokens[strings.ToLower(strings.Trim(w, ".'-:/"))] {
			return erasedActor
		}
		return w
	})
	if s.names != nil {
		out = s.names.ReplaceAllString(out, erasedActor)
	}
	return out
}

// forgetAudit pseudonymises the school's audit events by and about the people: the events
// stay (the school's log keeps its shape and its counts), but
//   - an event the account did itself loses its actor (the name becomes erasedActor, the
//     account number goes) and its address;
//   - an event about the account loses the account number, and its address too when no other
//     account or token did it (a failed login on the account: the address is the one that
//     tried it);
//   - any detail that names the account ("account 12 (jansen01)", its username, e-mail
//     address, ECK iD or full name), also in events written before the columns existed,
//     names erasedActor instead.
//
// It returns how many events it changed.
func (t *schoolTx) forgetAudit(p *erasedPeople) (int, error) {
	if len(p.ids) == 0 {
		return 0, nil
	}
	ids := make([]int, 0, len(p.ids))
	for id := range p.ids {
		ids = append(ids, id)
	}
	s := p.scrubber()
	details := map[int]string{} // event id -> its new detail
	read := func(rows *sql.Rows) (int, error) {
		var id int
		var detail string
		if err := rows.Scan(&id, &detail); err != nil {
			return 0, err
		}
		if d := s.scrub(detail); d != detail {
			details[id] = d
		}
		return id, nil
	}
	check := func(rows *sql.Rows) error {
		_, err := read(rows)
		return err
	}
	// The events without a subject may name anybody in their detail (and those written
	// before the columns existed do); they are read in one pass, keeping only what changes.
	if err := t.scan("SELECT id, detail FROM audit_events WHERE school_id = "+t.ph(1)+" AND subject_account_id IS NULL AND detail <> ''",
		[]any{t.schoolID}, check); err != nil {
		return 0, fmt.Errorf("read audit details: %w", err)
	}
	changed := map[int]bool{}
	err := batches(ids, func(args []any) error {
		// Two lists of the same ids: SQLite's placeholders are positional.
		bySubject, byActor := t.in(2, len(args)), t.in(2+len(args), len(args))
		both := append(append([]any{t.schoolID}, args...), args...)
		one := append([]any{t.schoolID}, args...)
		if err := t.scan("SELECT id, detail FROM audit_events WHERE school_id = "+t.ph(1)+" AND (subject_account_id "+bySubject+
			" OR actor_account_id "+byActor+")", both, func(rows *sql.Rows) error {
			id, err := read(rows)
			changed[id] = true
			return err
		}); err != nil {
			return fmt.Errorf("read audit events: %w", err)
		}
		for _, q := range []struct{ what, sql string }{
			{"address of failed logins", "UPDATE audit_events SET remote_addr = '' WHERE school_id = " + t.ph(1) + " AND subject_account_id " + bySubject +
				" AND actor_account_id IS NULL AND actor_token_id IS NULL"},
			{"actor", "UPDATE audit_events SET actor = '" + erasedActor + "', actor_account_id = NULL, remote_addr = '' WHERE school_id = " +
				t.ph(1) + " AND actor_account_id " + bySubject},
			{"subject", "UPDATE audit_events SET subject_account_id = NULL WHERE school_id = " + t.ph(1) + " AND subject_account_id " + bySubject},
		} {
			if _, err := t.exec(q.sql, one...); err != nil {
				return fmt.Errorf("pseudonymise audit events (%s): %w", q.what, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for id, d := range details {
		if _, err := t.exec("UPDATE audit_events SET detail = "+t.ph(1)+" WHERE id = "+t.ph(2), d, id); err != nil {
			return 0, fmt.Errorf("pseudonymise audit detail: %w", err)
		}
		changed[id] = true
	}
	return len(changed), nil
}
