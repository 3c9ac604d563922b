package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

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
	// A nil list reads the whole school: only ask for the ids there are.
	var err error
	if len(classes) > 0 {
		err = store.EachFeedClass(ctx, tx, d, schoolID, classes, func(c *store.FeedClass) {
			seen[c.ID] = true
			upClasses = append(upClasses, store.RosterChangeRow{Kind: rosterchange.KindCLASS, Op: rosterchange.OpUPSERT, EntityID: c.ID,
				Data: string(classData(schoolID, c)), Origin: o, JobID: jobID})
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
			upAccounts = append(upAccounts, store.RosterChangeRow{Kind: rosterchange.KindACCOUNT, Op: rosterchange.OpUPSERT, EntityID: a.ID,
				Data: string(accountData(schoolID, a)), Origin: o, JobID: jobID})
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

func accountData(schoolID int, a *store.FeedAccount) []byte {
	b, _ := json.Marshal(AccountDataOf(schoolID, a)) // plain values: cannot fail
	return b
}

func classData(schoolID int, c *store.FeedClass) []byte {
	b, _ := json.Marshal(ClassDataOf(schoolID, c))
	return b
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
