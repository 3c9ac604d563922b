package retention

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

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
	d := db.Dialect
	if d == dialect.Postgres {
		if dryRun {
			return store.CountAuditBefore(ctx, db.SQL, d, schoolID, cutoff)
		}
		total := 0
		for {
			n, err := store.DeleteAuditBefore(ctx, db.SQL, d, schoolID, cutoff, auditBatch)
			total += n
			if err != nil {
				return total, fmt.Errorf("delete audit events: %w", err)
			}
			if n < auditBatch {
				return total, nil
			}
		}
	}
	// One read of the school's events (id and time only), then the deletes, a batch at a time:
	// paging the read by id would sort the school's events again for every page.
	old, err := store.AuditEventsBefore(ctx, db.SQL, d, schoolID, cutoff)
	if err != nil {
		return 0, fmt.Errorf("find audit events past the term: %w", err)
	}
	if dryRun {
		return len(old), nil
	}
	total := 0
	for start := 0; start < len(old); start += auditBatch {
		n, err := store.DeleteAuditEvents(ctx, db.SQL, d, old[start:min(start+auditBatch, len(old))])
		total += n
		if err != nil {
			return total, fmt.Errorf("delete audit events: %w", err)
		}
	}
	return total, nil
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
	read := func(id int, detail string) error {
		if d := s.scrub(detail); d != detail {
			details[id] = d
		}
		return nil
	}
	// The events without a subject may name anybody in their detail (and those written
	// before the columns existed do); they are read in one pass, keeping only what changes.
	if err := store.EachAuditDetail(t.ctx, t, t.d, t.schoolID, nil, read); err != nil {
		return 0, fmt.Errorf("read audit details: %w", err)
	}
	changed := map[int]bool{}
	err := batches(ids, func(batch []int) error {
		if err := store.EachAuditDetail(t.ctx, t, t.d, t.schoolID, batch, func(id int, detail string) error {
			changed[id] = true
			return read(id, detail)
		}); err != nil {
			return fmt.Errorf("read audit events: %w", err)
		}
		if err := store.PseudonymiseAudit(t.ctx, t, t.d, t.schoolID, batch, erasedActor); err != nil {
			return fmt.Errorf("pseudonymise audit events: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for id, d := range details {
		if err := store.SetAuditDetail(t.ctx, t, t.d, id, d); err != nil {
			return 0, fmt.Errorf("pseudonymise audit detail: %w", err)
		}
		changed[id] = true
	}
	return len(changed), nil
}
