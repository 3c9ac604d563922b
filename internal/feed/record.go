package feed

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"

	rosterchange "github.com/numo/accounts/ent/rosterchangelog"
	"github.com/numo/accounts/internal/store"
)

// Touched is what one transaction changed in one school's roster: the accounts and classes
// whose rows or links it wrote (created, changed or deleted).
type Touched struct {
	Accounts, Classes []int
}

// Record appends the school's roster changes of a transaction to its log, in that
// transaction (tx) so that they commit or roll back with the change: for every account and
// class among touched its whole state now (UPSERT) or, when it no longer exists, a DELETE
// without data. Classes come before accounts (an account's classID refers to a class that
// its reader already has) and deletions of classes last. It returns the position of the last
// entry. Positions are gapless and in commit order per school (store.AppendRosterChanges).
//
// After the commit, subscribers hear of it: on PostgreSQL through a NOTIFY sent in tx (so it
// is delivered at COMMIT, to every process), on SQLite through Wake.
func Record(ctx context.Context, tx store.Execer, d string, schoolID int, origin Origin, jobID int, at time.Time, touched Touched) (int64, error) {
	accounts, classes := uniq(touched.Accounts), uniq(touched.Classes)
	if len(accounts)+len(classes) == 0 {
		return 0, nil
	}
	var upClasses, delClasses, upAccounts, delAccounts []store.RosterChangeRow
	o := rosterchange.Origin(origin)
	seen := map[int]bool{}
	var buf []byte // each entry's JSON, reused
	// A nil list reads the whole school: only ask for the ids there are.
	var err error
	if len(classes) > 0 {
		err = store.EachFeedClass(ctx, tx, d, schoolID, classes, func(c *store.FeedClass) {
			seen[c.ID] = true
			buf = appendClassData(buf[:0], schoolID, c)
			upClasses = append(upClasses, store.RosterChangeRow{Kind: rosterchange.KindCLASS, Op: rosterchange.OpUPSERT, EntityID: c.ID,
				Data: string(buf), Origin: o, JobID: jobID})
		})
	}
	if err != nil {
		return 0, fmt.Errorf("roster changes: %w", err)
	}
	for _, id := range classes {
		if !seen[id] {
			delClasses = append(delClasses, store.RosterChangeRow{Kind: rosterchange.KindCLASS, Op: rosterchange.OpDELETE, EntityID: id, Origin: o, JobID: jobID})
		}
	}
	clear(seen)
	if len(accounts) > 0 {
		err = store.EachFeedAccount(ctx, tx, d, schoolID, accounts, func(a *store.FeedAccount) {
			seen[a.ID] = true
			buf = appendAccountData(buf[:0], schoolID, a)
			upAccounts = append(upAccounts, store.RosterChangeRow{Kind: rosterchange.KindACCOUNT, Op: rosterchange.OpUPSERT, EntityID: a.ID,
				Data: string(buf), Origin: o, JobID: jobID})
		})
	}
	if err != nil {
		return 0, fmt.Errorf("roster changes: %w", err)
	}
	for _, id := range accounts {
		if !seen[id] {
			delAccounts = append(delAccounts, store.RosterChangeRow{Kind: rosterchange.KindACCOUNT, Op: rosterchange.OpDELETE, EntityID: id, Origin: o, JobID: jobID})
		}
	}
	rows := slices.Concat(upClasses, upAccounts, delAccounts, delClasses)
	last, err := store.AppendRosterChanges(ctx, tx, d, schoolID, at, rows)
	if err != nil {
		return 0, fmt.Errorf("roster changes: %w", err)
	}
	if err := forgetDeleted(ctx, tx, d, schoolID, delAccounts, delClasses); err != nil {
		return 0, err
	}
	if err := wake(ctx, tx, d, schoolID, last); err != nil {
		return 0, err
	}
	return last, nil
}

// forgetDeleted removes the data of the earlier entries of deleted entities: an erased or
// purged pupil must not live on in the log (AVG). Those entries become DELETEs too, so a reader
// from before them still ends up without the entity, and the positions stay gapless.
func forgetDeleted(ctx context.Context, tx store.Execer, d string, schoolID int, accounts, classes []store.RosterChangeRow) error {
	for _, rows := range [][]store.RosterChangeRow{accounts, classes} {
		if len(rows) == 0 {
			continue
		}
		ids := make([]int, len(rows))
		for i, r := range rows {
			ids[i] = r.EntityID
		}
		if err := store.RedactRosterChanges(ctx, tx, d, schoolID, rows[0].Kind, ids); err != nil {
			return fmt.Errorf("roster changes: %w", err)
		}
	}
	return nil
}

func uniq(ids []int) []int {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// AccountData is an account's state in a change, with the field names of the GraphQL type
// Account (and its links by id); no password, start code or sign-in state.
type AccountData struct {
	ID               string     `json:"id"`
	SchoolID         string     `json:"schoolID"`
	Role             string     `json:"role"`
	Status           string     `json:"status"`
	ExternalKey      *string    `json:"externalKey"`
	FirstName        string     `json:"firstName"`
	Infix            string     `json:"infix"`
	LastName         string     `json:"lastName"`
	Email            string     `json:"email"`
	Username         string     `json:"username"`
	EckID            string     `json:"eckID"`
	Level            string     `json:"level"`
	Year             *int       `json:"year"`
	ClassID          *string    `json:"classID"`
	ArchivedAt       *time.Time `json:"archivedAt"`
	GroupIDs         []string   `json:"groupIDs"`
	TeachingClassIDs []string   `json:"teachingClassIDs"`
	MentorClassIDs   []string   `json:"mentorClassIDs"`
}

// ClassData is a class's state in a change, with the field names of the GraphQL type Class.
type ClassData struct {
	ID       string `json:"id"`
	SchoolID string `json:"schoolID"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Level    string `json:"level"`
	Year     *int   `json:"year"`
	Subject  string `json:"subject"`
}

// AccountDataOf is the data of an account's state.
func AccountDataOf(schoolID int, a *store.FeedAccount) AccountData {
	out := AccountData{ID: itoa(a.ID), SchoolID: itoa(schoolID), Role: a.Role, Status: a.Status, ExternalKey: a.Key, FirstName: a.FirstName,
		Infix: a.Infix, LastName: a.LastName, Email: a.Email, Username: a.Username, EckID: a.EckID, Level: a.Level, Year: a.Year,
		ArchivedAt: a.ArchivedAt, GroupIDs: strs(a.Groups), TeachingClassIDs: strs(a.Teaches), MentorClassIDs: strs(a.Mentors)}
	if a.ClassID != nil {
		s := itoa(*a.ClassID)
		out.ClassID = &s
	}
	return out
}

// ClassDataOf is the data of a class's state.
func ClassDataOf(schoolID int, c *store.FeedClass) ClassData {
	return ClassData{ID: itoa(c.ID), SchoolID: itoa(schoolID), Name: c.Name, Kind: c.Kind, Level: c.Level, Year: c.Year, Subject: c.Subject}
}

// appendAccountData appends the JSON of an account's state to b: byte for byte what
// json.Marshal(AccountDataOf(schoolID, a)) writes (TestDataJSON), without its reflection. An
// import of 100,000 pupils encodes 100,000 of them in its commit.
func appendAccountData(b []byte, schoolID int, a *store.FeedAccount) []byte {
	b = append(b, `{"id":`...)
	b = appendIDString(b, a.ID)
	b = append(b, `,"schoolID":`...)
	b = appendIDString(b, schoolID)
	b = appendField(b, `,"role":`, a.Role)
	b = appendField(b, `,"status":`, a.Status)
	b = append(b, `,"externalKey":`...)
	if a.Key == nil {
		b = append(b, "null"...)
	} else {
		b = appendString(b, *a.Key)
	}
	b = appendField(b, `,"firstName":`, a.FirstName)
	b = appendField(b, `,"infix":`, a.Infix)
	b = appendField(b, `,"lastName":`, a.LastName)
	b = appendField(b, `,"email":`, a.Email)
	b = appendField(b, `,"username":`, a.Username)
	b = appendField(b, `,"eckID":`, a.EckID)
	b = appendField(b, `,"level":`, a.Level)
	b = append(b, `,"year":`...)
	b = appendIntOrNull(b, a.Year)
	b = append(b, `,"classID":`...)
	if a.ClassID == nil {
		b = append(b, "null"...)
	} else {
		b = appendIDString(b, *a.ClassID)
	}
	b = append(b, `,"archivedAt":`...)
	if a.ArchivedAt == nil {
		b = append(b, "null"...)
	} else {
		// time.Time's MarshalJSON: RFC 3339 with nanoseconds, quoted.
		b = append(b, '"')
		b = a.ArchivedAt.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	b = appendIDs(b, `,"groupIDs":`, a.Groups)
	b = appendIDs(b, `,"teachingClassIDs":`, a.Teaches)
	b = appendIDs(b, `,"mentorClassIDs":`, a.Mentors)
	return append(b, '}')
}

// appendClassData appends the JSON of a class's state to b: what
// json.Marshal(ClassDataOf(schoolID, c)) writes.
func appendClassData(b []byte, schoolID int, c *store.FeedClass) []byte {
	b = append(b, `{"id":`...)
	b = appendIDString(b, c.ID)
	b = append(b, `,"schoolID":`...)
	b = appendIDString(b, schoolID)
	b = appendField(b, `,"name":`, c.Name)
	b = appendField(b, `,"kind":`, c.Kind)
	b = appendField(b, `,"level":`, c.Level)
	b = append(b, `,"year":`...)
	b = appendIntOrNull(b, c.Year)
	b = appendField(b, `,"subject":`, c.Subject)
	return append(b, '}')
}

func appendField(b []byte, key, s string) []byte {
	return appendString(append(b, key...), s)
}

// appendIDString appends an id as a JSON string ("42").
func appendIDString(b []byte, id int) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(id), 10)
	return append(b, '"')
}

func appendIntOrNull(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

// appendIDs appends a key and a list of ids as a JSON array of strings ([] when empty).
func appendIDs(b []byte, key string, ids []int) []byte {
	b = append(b, key...)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendIDString(b, id)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does (HTML escaping on):
// ", \\ and control characters escaped, <, > and & as \u003c, \u003e, \u0026, U+2028 and
// U+2029 escaped, and invalid UTF-8 replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func itoa(n int) string { return strconv.Itoa(n) }

func strs(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = itoa(id)
	}
	return out
}

// isPostgres reports whether d is PostgreSQL.
func isPostgres(d string) bool { return d == dialect.Postgres }
