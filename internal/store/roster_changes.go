package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/class"
	rosterchange "github.com/numo/accounts/ent/rosterchangelog"
	"github.com/numo/accounts/ent/school"
)

// The statements of the roster change log (package feed): the per-school position counter,
// the log's rows, and the reads of the state an entry carries.
//
// Positions are gapless and in commit order per school: AppendRosterChanges takes them with
// one UPDATE schools SET feed_position = feed_position + n ... RETURNING inside the writing
// transaction. The row lock that UPDATE takes holds every other writer of the school's log
// until this transaction ends, so a later position can never commit before an earlier one
// (an autoincrement id could: sequences are handed out at INSERT, not at COMMIT). SQLite has
// one writer at a time, which orders them the same way.

// RosterChangeRow is one entry to append to a school's log.
type RosterChangeRow struct {
	Kind     rosterchange.Kind
	Op       rosterchange.Op
	EntityID int
	// Data is the entity's state as JSON; "" for a DELETE.
	Data   string
	Origin rosterchange.Origin
	// JobID is the import job (or undo job) of the change, 0 for none.
	JobID int
}

// rosterChangeColumns are the columns AppendRosterChanges writes, in rowValues' order.
var rosterChangeColumns = []string{rosterchange.FieldSchoolID, rosterchange.FieldPosition, rosterchange.FieldKind, rosterchange.FieldOp,
	rosterchange.FieldEntityID, rosterchange.FieldData, rosterchange.FieldOrigin, rosterchange.FieldJobID, rosterchange.FieldCreatedAt}

func (r *RosterChangeRow) values(buf []any, schoolID int, pos int64, at time.Time) []any {
	var data any
	if r.Data != "" {
		data = r.Data
	}
	return append(buf, schoolID, pos, r.Kind.String(), r.Op.String(), r.EntityID, data, r.Origin.String(), nullInt(r.JobID), at)
}

// rosterInsertBatch is how many entries one multi-row INSERT writes (9 parameters each).
const rosterInsertBatch = 500

// AppendRosterChanges appends rows to the school's log at the next positions, in e's
// transaction, and returns the last position (the school's position when rows is empty). A
// transaction (*sql.Tx) on PostgreSQL writes them with COPY.
func AppendRosterChanges(ctx context.Context, e Execer, d string, schoolID int, at time.Time, rows []RosterChangeRow) (int64, error) {
	last, err := bumpFeedPosition(ctx, e, d, schoolID, len(rows))
	if err != nil || len(rows) == 0 {
		return last, err
	}
	first := last - int64(len(rows)) + 1
	if p, ok := e.(Preparer); ok && (d == dialect.Postgres || len(rows) > rosterInsertBatch) {
		var buf []any
		return last, bulkInsert(ctx, p, d, rosterchange.Table, rosterChangeColumns, func(put func(row ...any) error) error {
			for i := range rows {
				buf = rows[i].values(buf[:0], schoolID, first+int64(i), at)
				if err := put(buf...); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for start := 0; start < len(rows); start += rosterInsertBatch {
		batch := rows[start:min(start+rosterInsertBatch, len(rows))]
		ins := build(d).Insert(rosterchange.Table).Columns(rosterChangeColumns...)
		for i := range batch {
			ins.Values(batch[i].values(make([]any, 0, len(rosterChangeColumns)), schoolID, first+int64(start+i), at)...)
		}
		if _, err := exec(ctx, e, ins); err != nil {
			return 0, fmt.Errorf("append roster changes: %w", err)
		}
	}
	return last, nil
}

// bumpFeedPosition adds n to the school's feed position and returns the new value; the
// UPDATE's row lock orders the school's writers until the transaction ends.
func bumpFeedPosition(ctx context.Context, e Execer, d string, schoolID, n int) (int64, error) {
	var last int64
	found, err := scanOne(ctx, e, build(d).Update(school.Table).Add(school.FieldFeedPosition, n).
		Where(entsql.EQ(school.FieldID, schoolID)).Returning(school.FieldFeedPosition), &last)
	if err != nil {
		return 0, fmt.Errorf("roster change position of school %d: %w", schoolID, err)
	}
	if !found {
		return 0, fmt.Errorf("roster change position: school %d not found", schoolID)
	}
	return last, nil
}

// RosterPosition returns the position of the school's last roster change; read in the
// transaction of a full read of the roster, it is where that read's feed continues.
func RosterPosition(ctx context.Context, q Querier, d string, schoolID int) (int64, error) {
	var pos int64
	found, err := scanOne(ctx, q, build(d).Select(school.FieldFeedPosition).From(entsql.Table(school.Table)).
		Where(entsql.EQ(school.FieldID, schoolID)), &pos)
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return 0, fmt.Errorf("roster position of school %d: %w", schoolID, err)
	}
	return pos, nil
}

// StoredRosterChange is an entry of a school's log as read back.
type StoredRosterChange struct {
	Position int64
	Kind     string
	Op       string
	EntityID int
	Data     []byte // nil for a DELETE
	Origin   string
	JobID    int
	At       time.Time
}

// RosterChangesAfter returns up to limit entries of the school's log after position after, in order.
func RosterChangesAfter(ctx context.Context, q Querier, d string, schoolID int, after int64, limit int) ([]StoredRosterChange, error) {
	var out []StoredRosterChange
	sel := build(d).Select(rosterchange.FieldPosition, rosterchange.FieldKind, rosterchange.FieldOp, rosterchange.FieldEntityID,
		rosterchange.FieldData, rosterchange.FieldOrigin, rosterchange.FieldJobID, rosterchange.FieldCreatedAt).
		From(entsql.Table(rosterchange.Table)).
		Where(entsql.And(entsql.EQ(rosterchange.FieldSchoolID, schoolID), entsql.GT(rosterchange.FieldPosition, after))).
		OrderBy(rosterchange.FieldPosition).Limit(limit)
	err := scan(ctx, q, sel, func(rows *sql.Rows) error {
		var c StoredRosterChange
		var data sql.NullString
		var job sql.NullInt64
		if err := rows.Scan(&c.Position, &c.Kind, &c.Op, &c.EntityID, &data, &c.Origin, &job, &c.At); err != nil {
			return err
		}
		if data.Valid && data.String != "" && data.String != "null" {
			c.Data = []byte(data.String)
		}
		c.JobID = int(job.Int64)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roster changes of school %d after %d: %w", schoolID, after, err)
	}
	return out, nil
}

// FeedAccount is an account's state as its roster change carries it: its roster fields and
// links, never its password, start code or sign-in state.
type FeedAccount struct {
	ID                                                 int
	Role, Status                                       string
	Key                                                *string
	FirstName, Infix, LastName, Email, Username, EckID string
	Level                                              string
	Year, ClassID                                      *int
	ArchivedAt                                         *time.Time
	// Groups are its lesgroepen, Teaches the classes it teaches and Mentors those of them it
	// mentors, each by class id, ascending.
	Groups, Teaches, Mentors []int
}

// FeedClass is a class's state as its roster change carries it.
type FeedClass struct {
	ID                  int
	Name, Kind, Subject string
	Level               string
	Year                *int
}

// feedWholeSchool is the number of ids above which a read of states reads the whole school
// and picks (one statement) instead of IN lists (a statement per feedIDBatch).
const (
	feedWholeSchool = 4000
	feedIDBatch     = 500
)

// EachFeedAccount calls fn with the state of each of the school's accounts among list (all of
// them for a nil list), by id; an id that is not the school's account is left out.
func EachFeedAccount(ctx context.Context, q Querier, d string, schoolID int, list []int, fn func(*FeedAccount)) error {
	whole := list == nil || len(list) > feedWholeSchool
	want := map[int]bool{}
	for _, id := range list {
		want[id] = true
	}
	byID := map[int]*FeedAccount{}
	var order []*FeedAccount
	read := func(sel *entsql.Selector) error {
		return scan(ctx, q, sel, func(rows *sql.Rows) error {
			a, school, err := scanFeedAccount(rows)
			if err != nil || school != schoolID || (list != nil && !want[a.ID]) {
				return err
			}
			byID[a.ID] = a
			order = append(order, a)
			return nil
		})
	}
	link := func(k LinkKind, l Link) {
		a := byID[l.AccountID]
		switch {
		case a == nil:
		case k == Memberships:
			a.Groups = append(a.Groups, l.ClassID)
		default:
			a.Teaches = append(a.Teaches, l.ClassID)
			if l.Mentor {
				a.Mentors = append(a.Mentors, l.ClassID)
			}
		}
	}
	if whole {
		if err := read(feedAccountSelect(d, schoolID, nil)); err != nil {
			return err
		}
		for _, k := range []LinkKind{Memberships, Teachings} {
			if err := EachLink(ctx, q, d, k, schoolID, func(l Link) { link(k, l) }); err != nil {
				return err
			}
		}
	} else {
		sorted := slices.Clone(list)
		slices.Sort(sorted)
		for start := 0; start < len(sorted); start += feedIDBatch {
			batch := sorted[start:min(start+feedIDBatch, len(sorted))]
			if err := read(feedAccountSelect(d, schoolID, batch)); err != nil {
				return err
			}
			for _, k := range []LinkKind{Memberships, Teachings} {
				if err := feedLinksOf(ctx, q, d, k, schoolID, batch, func(l Link) { link(k, l) }); err != nil {
					return err
				}
			}
		}
	}
	slices.SortFunc(order, func(a, b *FeedAccount) int { return a.ID - b.ID })
	for _, a := range order {
		slices.Sort(a.Groups)
		slices.Sort(a.Teaches)
		slices.Sort(a.Mentors)
		fn(a)
	}
	return nil
}

// feedAccountSelect reads the school's accounts, or a batch of accounts by id with their
// school: the caller leaves out those of other schools. A batch is looked up by id alone:
// with the school in the WHERE too, SQLite (no statistics) walked the school's index, all of
// its accounts for every batch of 500 (3.5 s for the 200 batches of a commit of 100,000).
func feedAccountSelect(d string, schoolID int, batch []int) *entsql.Selector {
	where := entsql.EQ(account.FieldSchoolID, schoolID)
	if batch != nil {
		where = entsql.In(account.FieldID, ids(batch)...)
	}
	return build(d).Select(account.FieldID, account.FieldRole, account.FieldStatus, account.FieldExternalKey, account.FieldFirstName,
		account.FieldInfix, account.FieldLastName, account.FieldEmail, account.FieldUsername, account.FieldEckID, account.FieldLevel,
		account.FieldYear, account.FieldClassID, account.FieldArchivedAt, account.FieldSchoolID).From(entsql.Table(account.Table)).Where(where)
}

// feedLinksOf calls fn for every link of kind k of the accounts in batch to one of the
// school's classes: EachLinkOf with each link's class checked by id instead of a subquery of
// all of the school's classes (which SQLite ran again for every batch: 1.2 s in a commit of
// 100,000).
func feedLinksOf(ctx context.Context, q Querier, d string, k LinkKind, schoolID int, batch []int, fn func(Link)) error {
	l, c := entsql.Table(k.table()).As("l"), entsql.Table(class.Table).As("c")
	cols := k.readColumns()
	for i, col := range cols {
		cols[i] = l.C(col)
	}
	// EXISTS, not a join: SQLite without statistics would rather walk the school's classes.
	ofSchool := build(d).Select(c.C(class.FieldID)).From(c).
		Where(entsql.And(entsql.ColumnsEQ(c.C(class.FieldID), l.C(k.classColumn())), entsql.EQ(c.C(class.FieldSchoolID), schoolID)))
	sel := build(d).Select(cols...).From(l).
		Where(entsql.And(entsql.In(l.C(k.accountColumn()), ids(batch)...), entsql.Exists(ofSchool)))
	if err := scanLinks(ctx, q, k, sel, fn); err != nil {
		return fmt.Errorf("read %s of %d accounts: %w", k, len(batch), err)
	}
	return nil
}

func scanFeedAccount(rows *sql.Rows) (*FeedAccount, int, error) {
	var (
		a          FeedAccount
		key        sql.NullString
		year, cls  sql.NullInt64
		archivedAt sql.NullTime
		school     int
	)
	if err := rows.Scan(&a.ID, &a.Role, &a.Status, &key, &a.FirstName, &a.Infix, &a.LastName, &a.Email, &a.Username, &a.EckID,
		&a.Level, &year, &cls, &archivedAt, &school); err != nil {
		return nil, 0, err
	}
	if key.Valid {
		a.Key = &key.String
	}
	a.Year, a.ClassID = nullIntPtr(year), nullIntPtr(cls)
	if archivedAt.Valid {
		t := archivedAt.Time.UTC()
		a.ArchivedAt = &t
	}
	return &a, school, nil
}

func nullIntPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// EachFeedClass calls fn with the state of each of the school's classes among list (all of
// them for a nil list), by id.
func EachFeedClass(ctx context.Context, q Querier, d string, schoolID int, list []int, fn func(*FeedClass)) error {
	run := func(batch []int) error {
		where := entsql.EQ(class.FieldSchoolID, schoolID)
		if batch != nil {
			where = entsql.And(where, entsql.In(class.FieldID, ids(batch)...))
		}
		sel := build(d).Select(class.FieldID, class.FieldName, class.FieldKind, class.FieldSubject, class.FieldLevel, class.FieldYear).
			From(entsql.Table(class.Table)).Where(where).OrderBy(class.FieldID)
		return scan(ctx, q, sel, func(rows *sql.Rows) error {
			var c FeedClass
			var level sql.NullString
			var year sql.NullInt64
			if err := rows.Scan(&c.ID, &c.Name, &c.Kind, &c.Subject, &level, &year); err != nil {
				return err
			}
			c.Level, c.Year = level.String, nullIntPtr(year)
			fn(&c)
			return nil
		})
	}
	if list == nil {
		return run(nil)
	}
	sorted := slices.Clone(list)
	slices.Sort(sorted)
	for start := 0; start < len(sorted); start += feedIDBatch {
		if err := run(sorted[start:min(start+feedIDBatch, len(sorted))]); err != nil {
			return err
		}
	}
	return nil
}

// JobTouched returns the accounts of the school an import job changed (its change records)
// or added (accounts.import_job_id), and the classes it created: what its roster changes are about.
func JobTouched(ctx context.Context, q Querier, d string, jobID, schoolID int) (accounts, classes []int, err error) {
	changed := build(d).Select(accountchange.FieldAccountID).From(entsql.Table(accountchange.Table)).
		Where(entsql.EQ(accountchange.FieldJobID, jobID))
	added := build(d).Select(account.FieldID).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldImportJobID, jobID), entsql.EQ(account.FieldSchoolID, schoolID)))
	if err := scan(ctx, q, changed.UnionAll(added), collectIDs(&accounts)); err != nil {
		return nil, nil, fmt.Errorf("accounts of job %d: %w", jobID, err)
	}
	classes, err = JobClasses(ctx, q, d, jobID, schoolID)
	return accounts, classes, err
}

// JobClasses returns the classes of the school an import job created.
func JobClasses(ctx context.Context, q Querier, d string, jobID, schoolID int) ([]int, error) {
	var classes []int
	made := build(d).Select(class.FieldID).From(entsql.Table(class.Table)).
		Where(entsql.And(entsql.EQ(class.FieldCreatedByJobID, jobID), entsql.EQ(class.FieldSchoolID, schoolID)))
	if err := scan(ctx, q, made, collectIDs(&classes)); err != nil {
		return nil, fmt.Errorf("classes of job %d: %w", jobID, err)
	}
	return classes, nil
}

// JobAddedFirst returns the first limit accounts of the school an import job added, by id: the
// ones DeleteUnfinishedAdded deletes next (a rollback records their deletion).
func JobAddedFirst(ctx context.Context, q Querier, d string, jobID, schoolID, limit int) ([]int, error) {
	var out []int
	sel := build(d).Select(account.FieldID).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldImportJobID, jobID), entsql.EQ(account.FieldSchoolID, schoolID))).
		OrderBy(account.FieldID).Limit(limit)
	if err := scan(ctx, q, sel, collectIDs(&out)); err != nil {
		return nil, fmt.Errorf("accounts added by job %d: %w", jobID, err)
	}
	return out, nil
}

// collectIDs scans rows of one id each into dst.
func collectIDs(dst *[]int) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var id int
		if err := rows.Scan(&id); err != nil {
			return err
		}
		*dst = append(*dst, id)
		return nil
	}
}

// RosterWriters is the list of store functions that write accounts, classes or
// their links (see feed's TestEveryWriterRecords): each caller must record roster changes.
var RosterWriters = strings.Fields(`UpdateAccount SetAccountKey InsertAccounts PrepareAccountStmts
	UpdateAccounts ArchiveAccounts DeleteUnfinishedAccount DeleteUnfinishedAdded InsertLinks DeleteLinks AddLinks ReplaceLinks
	PrepareLinkStmts InsertClasses DeleteJobClasses DeleteClass DeleteAccounts RefreshClassFacts SetClassFacts SetStartCodes`)

// RedactRosterChanges turns the school's earlier UPSERTs of the entities of the kind into
// DELETEs without data (an erased or purged account must not live on in the log).
func RedactRosterChanges(ctx context.Context, e Execer, d string, schoolID int, kind rosterchange.Kind, list []int) error {
	for start := 0; start < len(list); start += feedIDBatch {
		batch := list[start:min(start+feedIDBatch, len(list))]
		_, err := exec(ctx, e, build(d).Update(rosterchange.Table).Set(rosterchange.FieldOp, rosterchange.OpDELETE.String()).
			SetNull(rosterchange.FieldData).Where(entsql.And(entsql.EQ(rosterchange.FieldSchoolID, schoolID),
			entsql.EQ(rosterchange.FieldKind, kind.String()), entsql.In(rosterchange.FieldEntityID, ids(batch)...),
			entsql.EQ(rosterchange.FieldOp, rosterchange.OpUPSERT.String()))))
		if err != nil {
			return fmt.Errorf("redact roster changes: %w", err)
		}
	}
	return nil
}

// RefreshClassFactsOf is RefreshClassFacts that also returns the ids of the classes it changed
// (their roster changes).
func RefreshClassFactsOf(ctx context.Context, e Execer, d string, schoolID int, now time.Time) ([]int, error) {
	changes, err := ClassFactChanges(ctx, e, d, schoolID)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(changes))
	for i, c := range changes {
		out[i] = c.ID
	}
	return out, SetClassFacts(ctx, e, d, schoolID, changes, now)
}

// PostgresSchema is the schema of e's connection ("" when none), for a NOTIFY on the bus's channel.
func PostgresSchema(ctx context.Context, q Querier) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT coalesce(current_schema(), '')")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var schema string
	if rows.Next() {
		err = rows.Scan(&schema)
	}
	if err == nil {
		err = rows.Err()
	}
	return schema, err
}

// NotifyIn sends a NOTIFY through e (inside a transaction: delivered at its COMMIT).
func NotifyIn(ctx context.Context, e Execer, channel, payload string) error {
	_, err := e.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}

// DialectOf tells PostgreSQL from SQLite through q (an ent transaction), for a writer that holds
// only an ent client. SQLite has no version(): the failed statement leaves its transaction as it was.
func DialectOf(ctx context.Context, q Querier) string {
	rows, err := q.QueryContext(ctx, "SELECT version()")
	if err != nil {
		return dialect.SQLite
	}
	rows.Close()
	return dialect.Postgres
}
