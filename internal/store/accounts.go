package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/names"
)

// Person is an account's roster data as an import matches it against a file's row (the
// importer's Person) and as a change record keeps it.
type Person struct {
	Key       string `json:"key"`
	FirstName string `json:"firstName"`
	Infix     string `json:"infix"`
	LastName  string `json:"lastName"`
	Class     string `json:"class"`
	Level     string `json:"level"`
	Year      int    `json:"year,omitempty"`
	Email     string `json:"email"`
	Username  string `json:"username"`
	EckID     string `json:"eckId"`
}

// AccountState is an account's data as a change record stores it (account_changes.before):
// what an import or an undo changed, so that the change can be rolled back or undone. The
// embedded Person's fields are stored at the top level of the JSON, as they always were.
type AccountState struct {
	Person
	Status  string `json:"status"`
	ClassID *int   `json:"classId,omitempty"`
	// ArchivedAt is when an archived account was archived (change records written before it
	// was kept do not have it).
	ArchivedAt *time.Time `json:"archivedAt,omitempty"`
	// UpdatedAt lets the rollback of an unfinished commit restore the account exactly.
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
	// Groups are a pupil's lesgroepen (class ids, memberships) and Teaches a teacher's
	// teaching assignments before the change, when the change replaced them; nil means not
	// recorded (records from before lesgroepen, or a file without the column): a rollback or
	// undo leaves them as they are. An empty, non-nil list records "none".
	Groups  []int           `json:"groups,omitempty"`
	Teaches []TeachingState `json:"teaches,omitempty"`
}

// accountStateJSON is AccountState without its MarshalJSON.
type accountStateJSON AccountState

// MarshalJSON writes Groups and Teaches when they are recorded, an empty list as [] (plain
// omitempty would drop it, and "no groups before" would read back as "not recorded").
func (s AccountState) MarshalJSON() ([]byte, error) {
	w := struct {
		accountStateJSON
		Groups  *[]int           `json:"groups,omitempty"`
		Teaches *[]TeachingState `json:"teaches,omitempty"`
	}{accountStateJSON: accountStateJSON(s)}
	if s.Groups != nil {
		w.Groups = &s.Groups
	}
	if s.Teaches != nil {
		w.Teaches = &s.Teaches
	}
	return json.Marshal(w)
}

// Encode is the state as account_changes.before stores it.
func (s *AccountState) Encode() string {
	raw, _ := json.Marshal(s) // plain strings, ints and times: cannot fail
	return string(raw)
}

// DecodeAccountState reads a stored before-state.
func DecodeAccountState(raw []byte) (*AccountState, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("change record without a before-state")
	}
	var s AccountState
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decode before-state: %w", err)
	}
	return &s, nil
}

// Archived reports whether the state is an archived account.
func (s *AccountState) Archived() bool { return s.Status == string(account.StatusARCHIVED) }

// stateColumns are the columns of an account that a change writes and a rollback or undo
// restores, in the order of stateValues; updated_at and sort_name follow them.
var stateColumns = []string{
	account.FieldFirstName, account.FieldInfix, account.FieldLastName, account.FieldEmail, account.FieldUsername,
	account.FieldEckID, account.FieldLevel, account.FieldYear, account.FieldClassID, account.FieldStatus, account.FieldArchivedAt,
}

// stateValues are the values of stateColumns; an ArchivedAt of an active account is NULL.
func (s *AccountState) stateValues() []any {
	var archivedAt any
	if s.ArchivedAt != nil && s.Archived() {
		archivedAt = *s.ArchivedAt
	}
	return []any{s.FirstName, s.Infix, s.LastName, s.Email, s.Username, s.EckID, s.Level, nullInt(s.Year), intOrNil(s.ClassID),
		s.Status, archivedAt}
}

// updateAccountQuery is the one UPDATE of an account's state: stateColumns, updated_at
// (COALESCE: a nil UpdatedAt keeps the stored one) and the sort key, by id and school.
func updateAccountQuery(d string) string {
	u := build(d).Update(account.Table)
	for _, c := range stateColumns {
		u.Set(c, param)
	}
	u.Set(account.FieldUpdatedAt, entsql.ExprFunc(func(b *entsql.Builder) {
		b.WriteString("COALESCE(").Arg(param).Comma().Ident(account.FieldUpdatedAt).WriteString(")")
	}))
	u.Set(account.FieldSortName, param)
	u.Where(entsql.And(entsql.EQ(account.FieldID, 0), entsql.EQ(account.FieldSchoolID, 0)))
	q, _ := u.Query()
	return q
}

// updateAccountArgs are the arguments of updateAccountQuery; a nil at keeps updated_at.
func updateAccountArgs(id, schoolID int, s *AccountState, at *time.Time) []any {
	var updated any
	if at != nil {
		updated = *at
	}
	return append(s.stateValues(), updated, names.SortKey(s.LastName, s.FirstName), id, schoolID)
}

// UpdateAccount writes the state s to the school's account id, and updated_at = at (nil keeps it).
func UpdateAccount(ctx context.Context, e Execer, d string, id, schoolID int, s *AccountState, at *time.Time) error {
	_, err := e.ExecContext(ctx, updateAccountQuery(d), updateAccountArgs(id, schoolID, s, at)...)
	return err
}

// SetAccountKey sets the school's account's external key ("" clears it): a teacher account
// without a code that an import matched by e-mail gets the file's code, and a rollback or an
// undo takes it away again.
func SetAccountKey(ctx context.Context, e Execer, d string, id, schoolID int, key string) error {
	var v any
	if key != "" {
		v = key
	}
	_, err := exec(ctx, e, build(d).Update(account.Table).Set(account.FieldExternalKey, v).
		Where(entsql.And(entsql.EQ(account.FieldID, id), entsql.EQ(account.FieldSchoolID, schoolID))))
	if err != nil {
		return fmt.Errorf("set key of account %d: %w", id, err)
	}
	return nil
}

// archiveAccountQuery archives an account: the time, the account, its school. Its start code
// goes (a reactivated account gets a new letter, not the old one back).
func archiveAccountQuery(d string) string {
	q, _ := build(d).Update(account.Table).
		Set(account.FieldStatus, account.StatusARCHIVED.String()).Set(account.FieldArchivedAt, param).Set(account.FieldUpdatedAt, param).
		Set(account.FieldStartCodeHash, entsql.Expr("NULL")).Set(account.FieldStartCodeExpiresAt, entsql.Expr("NULL")).
		Where(entsql.And(entsql.EQ(account.FieldID, 0), entsql.EQ(account.FieldSchoolID, 0))).Query()
	return q
}

// NewAccount is a pupil's or teacher's account that an import adds.
type NewAccount struct {
	SchoolID int
	// Role is the account's role; "" is a pupil.
	Role                                                           account.Role
	Key, FirstName, Infix, LastName, Email, Username, EckID, Level string
	Year                                                           int
	ClassID                                                        *int
	// JobID is the import job that adds the account (0 for none): the account carries its
	// record of the addition, there is no ADDED change record (see AddedBy).
	JobID int
	Now   time.Time
}

// newAccountColumns is the column list of an added account, in the order of NewAccount.values.
var newAccountColumns = []string{account.FieldSchoolID, account.FieldRole, account.FieldExternalKey, account.FieldFirstName,
	account.FieldInfix, account.FieldLastName, account.FieldEmail, account.FieldUsername, account.FieldEckID, account.FieldLevel,
	account.FieldYear, account.FieldClassID, account.FieldStatus, account.FieldCreatedAt, account.FieldUpdatedAt, account.FieldSortName, account.FieldImportJobID}

// appendValues appends the account's column values, in newAccountColumns' order, to buf (a
// commit reuses one buffer for all its rows: a new one per row cost 25 MB per 100,000).
func (a *NewAccount) appendValues(buf []any) []any {
	role := account.RolePUPIL
	if a.Role != "" {
		role = a.Role
	}
	return append(buf, a.SchoolID, role.String(), a.Key, a.FirstName, a.Infix, a.LastName, a.Email, a.Username, a.EckID,
		a.Level, nullInt(a.Year), intOrNil(a.ClassID), account.StatusACTIVE.String(), a.Now, a.Now, names.SortKey(a.LastName, a.FirstName), nullInt(a.JobID))
}

// InsertAccounts adds the accounts that each passes to put, in one bulk write: COPY on
// PostgreSQL, a prepared INSERT per row on SQLite (cheap there: no round trips).
func InsertAccounts(ctx context.Context, tx Preparer, d string, each func(put func(*NewAccount) error) error) error {
	return bulkInsert(ctx, tx, d, account.Table, newAccountColumns, func(put func(...any) error) error {
		var buf []any
		return each(func(a *NewAccount) error {
			buf = a.appendValues(buf[:0])
			return put(buf...)
		})
	})
}

// EachAddedAccount calls fn(id, key) for every account of the school that the job added
// (accounts.import_job_id): a commit reads the ids of the accounts it just added by COPY.
func EachAddedAccount(ctx context.Context, q Querier, d string, jobID, schoolID int, fn func(id int, key string)) error {
	return eachIDKey(ctx, q, build(d).Select(account.FieldID, account.FieldExternalKey).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldImportJobID, jobID), entsql.EQ(account.FieldSchoolID, schoolID))), fn)
}

// EachAccountByKey calls fn(id, key) for every account of the school whose key is among keys,
// a batch of keys per statement.
func EachAccountByKey(ctx context.Context, q Querier, d string, schoolID int, keys []string, fn func(id int, key string)) error {
	for start := 0; start < len(keys); start += idBatch {
		batch := keys[start:min(start+idBatch, len(keys))]
		in := make([]any, len(batch))
		for i, k := range batch {
			in[i] = k
		}
		err := eachIDKey(ctx, q, build(d).Select(account.FieldID, account.FieldExternalKey).From(entsql.Table(account.Table)).
			Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.In(account.FieldExternalKey, in...))), fn)
		if err != nil {
			return err
		}
	}
	return nil
}

// eachIDKey runs a read of (id, external_key) rows.
func eachIDKey(ctx context.Context, q Querier, sel *entsql.Selector, fn func(id int, key string)) error {
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var id int
		var key sql.NullString
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		fn(id, key.String)
		return nil
	})
}

// AccountRow is an account of a school as an import plans against it.
type AccountRow struct {
	ID         int
	Key        string
	HasKey     bool
	Role       string
	Status     string
	FirstName  string
	Infix      string
	LastName   string
	Email      string
	Username   string
	EckID      string
	Level      string
	Year       int
	ClassID    int // 0 for none
	UpdatedAt  time.Time
	ArchivedAt *time.Time
}

// CountAccounts returns the number of accounts of the school.
func CountAccounts(ctx context.Context, q Querier, d string, schoolID int) (int, error) {
	n := 0
	_, err := scanOne(ctx, q, build(d).Select(entsql.Count("*")).From(entsql.Table(account.Table)).
		Where(entsql.EQ(account.FieldSchoolID, schoolID)), &n)
	return n, err
}

// EachAccount calls fn for every account of the school, by id. The row is reused.
func EachAccount(ctx context.Context, q Querier, d string, schoolID int, fn func(*AccountRow)) error {
	var (
		a          AccountRow
		key        sql.NullString
		year       sql.NullInt64
		classID    sql.NullInt64
		archivedAt sql.NullTime
	)
	sel := build(d).Select(account.FieldID, account.FieldExternalKey, account.FieldRole, account.FieldStatus, account.FieldFirstName,
		account.FieldInfix, account.FieldLastName, account.FieldEmail, account.FieldUsername, account.FieldEckID, account.FieldLevel,
		account.FieldYear, account.FieldClassID, account.FieldUpdatedAt, account.FieldArchivedAt).
		From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldSchoolID, schoolID)).OrderBy(account.FieldID)
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		if err := rows.Scan(&a.ID, &key, &a.Role, &a.Status, &a.FirstName, &a.Infix, &a.LastName, &a.Email, &a.Username, &a.EckID,
			&a.Level, &year, &classID, &a.UpdatedAt, &archivedAt); err != nil {
			return err
		}
		a.Key, a.HasKey, a.Year, a.ClassID = key.String, key.Valid, int(year.Int64), int(classID.Int64)
		a.ArchivedAt = nil
		if archivedAt.Valid {
			t := archivedAt.Time
			a.ArchivedAt = &t
		}
		fn(&a)
		return nil
	})
}

// AccountStmts are the prepared statements of a commit's writes of single accounts.
type AccountStmts struct {
	ctx                    context.Context
	ins, upd, arch, change *sql.Stmt
	buf                    []any // the values of the row being inserted
}

// PrepareAccountStmts prepares, in tx, the update and archive of an account and, with
// inserts, the insert of an account and of a change record.
func PrepareAccountStmts(ctx context.Context, tx Preparer, d string, inserts bool) (*AccountStmts, error) {
	s := &AccountStmts{ctx: ctx}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	s.upd = prep(updateAccountQuery(d))
	s.arch = prep(archiveAccountQuery(d))
	if inserts {
		s.ins = prep(insertQuery(d, account.Table, newAccountColumns))
		s.change = prep(insertQuery(d, changeTable, changeColumns))
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return s, nil
}

// Insert adds an account and returns its id (LastInsertId, not RETURNING: a query's rows
// cost a goroutine each under a context). SQLite only.
func (s *AccountStmts) Insert(a *NewAccount) (int, error) {
	s.buf = a.appendValues(s.buf[:0])
	res, err := s.ins.ExecContext(s.ctx, s.buf...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	return int(id), err
}

// Update writes the state to the school's account id, updated at now.
func (s *AccountStmts) Update(id, schoolID int, st *AccountState, now time.Time) error {
	_, err := s.upd.ExecContext(s.ctx, updateAccountArgs(id, schoolID, st, &now)...)
	return err
}

// Archive archives the school's account id at now.
func (s *AccountStmts) Archive(id, schoolID int, now time.Time) error {
	_, err := s.arch.ExecContext(s.ctx, account.StatusARCHIVED.String(), now, now, id, schoolID)
	return err
}

// Change records a change of the job (see InsertChanges).
func (s *AccountStmts) Change(c *Change) error {
	s.buf = c.appendValues(s.buf[:0])
	_, err := s.change.ExecContext(s.ctx, s.buf...)
	return err
}

// Close closes the statements.
func (s *AccountStmts) Close() {
	for _, st := range []*sql.Stmt{s.ins, s.upd, s.arch, s.change} {
		if st != nil {
			st.Close()
		}
	}
}

// insertQuery is a one-row INSERT into table with a parameter per column.
func insertQuery(d, table string, cols []string) string {
	q, _ := build(d).Insert(table).Columns(cols...).Values(params(len(cols))...).Query()
	return q
}

// copyQuery is PostgreSQL's COPY of the columns into table from the client.
func copyQuery(table string, cols []string) string {
	b := entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		b.WriteString("COPY ").Ident(table).WriteString(" (").IdentComma(cols...).WriteString(") FROM STDIN")
	})
	return b
}

// bulkInsert writes the rows that each passes to put into table: COPY on PostgreSQL, a
// prepared INSERT per row on SQLite.
func bulkInsert(ctx context.Context, tx Preparer, d, table string, cols []string, each func(put func(row ...any) error) error) error {
	q := insertQuery(d, table, cols)
	if d == dialect.Postgres {
		q = copyQuery(table, cols)
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer stmt.Close()
	n := 0
	err = each(func(row ...any) error {
		n++
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("insert into %s, row %d: %w", table, n, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d == dialect.Postgres {
		if _, err := stmt.ExecContext(ctx); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	return nil
}

// UpdateAccounts writes many states at once, updated at now (an import's updates, an undo's
// restores): on PostgreSQL one UPDATE per batch from arrays of the values (one statement per
// account cost a round trip each: 100,000 updated accounts took 19-29 s of a commit, 20,000
// restored ones 4.6 s), elsewhere updateAccountQuery per account.
func UpdateAccounts(ctx context.Context, e Execer, d string, schoolID int, now time.Time, ids []int, states []*AccountState) error {
	if d != dialect.Postgres {
		q := updateAccountQuery(d)
		for i, s := range states {
			if _, err := e.ExecContext(ctx, q, updateAccountArgs(ids[i], schoolID, s, &now)...); err != nil {
				return fmt.Errorf("update account %d: %w", ids[i], err)
			}
		}
		return nil
	}
	for start := 0; start < len(ids); start += UpdateBatch {
		end := min(start+UpdateBatch, len(ids))
		if err := updateBatchPostgres(ctx, e, schoolID, now, ids[start:end], states[start:end]); err != nil {
			return err
		}
	}
	return nil
}

// ArchiveAccounts archives the school's accounts ids at now: on PostgreSQL one UPDATE per
// UpdateBatch ids, elsewhere one per account.
func ArchiveAccounts(ctx context.Context, e Execer, d string, schoolID int, now time.Time, ids []int) error {
	if d != dialect.Postgres {
		q := archiveAccountQuery(d)
		for _, id := range ids {
			res, err := e.ExecContext(ctx, q, account.StatusARCHIVED.String(), now, now, id, schoolID)
			if err != nil {
				return fmt.Errorf("archive account %d: %w", id, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("archive account %d: not in school %d (%v)", id, schoolID, err)
			}
		}
		return nil
	}
	for start := 0; start < len(ids); start += UpdateBatch {
		batch := ids[start:min(start+UpdateBatch, len(ids))]
		ids64 := make([]int64, len(batch))
		for i, id := range batch {
			ids64[i] = int64(id)
		}
		res, err := e.ExecContext(ctx, archiveBatchQuery(), account.StatusARCHIVED.String(), now, schoolID, pq.Array(ids64))
		if err != nil {
			return fmt.Errorf("archive accounts: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || int(n) != len(batch) {
			return fmt.Errorf("archive accounts: %d of %d archived (%v)", n, len(batch), err)
		}
	}
	return nil
}

// archiveBatchQuery is PostgreSQL's archive of many accounts (their start codes go, as in
// archiveAccountQuery): $1 the status, $2 the time, $3 the school, $4 the ids.
func archiveBatchQuery() string {
	return entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		b.WriteString("UPDATE ").Ident(account.Table).WriteString(" SET ").Ident(account.FieldStatus).WriteString(" = $1, ").
			Ident(account.FieldArchivedAt).WriteString(" = $2, ").Ident(account.FieldUpdatedAt).WriteString(" = $2, ").
			Ident(account.FieldStartCodeHash).WriteString(" = NULL, ").Ident(account.FieldStartCodeExpiresAt).WriteString(" = NULL WHERE ").
			Ident(account.FieldSchoolID).WriteString(" = $3 AND ").Ident(account.FieldID).WriteString(" = ANY($4::bigint[])")
	})
}

// UpdateBatch is how many accounts one UPDATE writes on PostgreSQL.
const UpdateBatch = 5000

// updateBatchQuery is PostgreSQL's UPDATE of accounts from unnest() of arrays: $1 the ids, then
// one text array per state column, $n+2 the time, $n+3 the school, $n+4 the sort keys.
func updateBatchQuery() string {
	return entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		n := len(stateColumns)
		b.WriteString("UPDATE ").Ident(account.Table).WriteString(" AS a SET ")
		for _, c := range stateColumns {
			b.Ident(c).WriteString(" = v.").Ident(c)
			switch c {
			case account.FieldYear, account.FieldClassID:
				b.WriteString("::bigint")
			case account.FieldArchivedAt:
				b.WriteString("::timestamptz")
			}
			b.Comma()
		}
		b.Ident(account.FieldUpdatedAt).WriteString(" = $" + strconv.Itoa(n+2)).Comma()
		b.Ident(account.FieldSortName).WriteString(" = v.").Ident(account.FieldSortName)
		b.WriteString(" FROM unnest($1::bigint[]")
		for i := range n {
			b.WriteString(", $" + strconv.Itoa(i+2) + "::text[]")
		}
		b.WriteString(", $" + strconv.Itoa(n+4) + "::text[]) AS v(").Ident(account.FieldID).Comma().IdentComma(stateColumns...).Comma().
			Ident(account.FieldSortName).WriteString(") WHERE a.").Ident(account.FieldID).WriteString(" = v.").Ident(account.FieldID).
			WriteString(" AND a.").Ident(account.FieldSchoolID).WriteString(" = $" + strconv.Itoa(n+3))
	})
}

func updateBatchPostgres(ctx context.Context, e Execer, schoolID int, now time.Time, ids []int, states []*AccountState) error {
	cols := make([][]sql.NullString, len(stateColumns))
	sortNames := make([]string, len(ids))
	for c := range cols {
		cols[c] = make([]sql.NullString, len(ids))
	}
	for i, s := range states {
		for c, v := range s.stateValues() {
			switch v := v.(type) {
			case nil:
			case string:
				cols[c][i] = sql.NullString{String: v, Valid: true}
			case int:
				cols[c][i] = sql.NullString{String: strconv.Itoa(v), Valid: true}
			case time.Time:
				cols[c][i] = sql.NullString{String: v.Format(time.RFC3339Nano), Valid: true}
			}
		}
		sortNames[i] = names.SortKey(s.LastName, s.FirstName)
	}
	ids64 := make([]int64, len(ids))
	for i, id := range ids {
		ids64[i] = int64(id)
	}
	args := []any{pq.Array(ids64)}
	for _, c := range cols {
		args = append(args, pq.Array(c))
	}
	args = append(args, now, schoolID, pq.Array(sortNames))
	res, err := e.ExecContext(ctx, updateBatchQuery(), args...)
	if err != nil {
		return fmt.Errorf("update accounts: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || int(n) != len(ids) {
		return fmt.Errorf("update accounts: %d of %d updated (%v)", n, len(ids), err)
	}
	return nil
}

// DeleteUnfinishedAccount deletes an account that only an unfinished commit made, with its
// sessions (it has none: no password yet).
func DeleteUnfinishedAccount(ctx context.Context, e Execer, d string, id, schoolID int) error {
	return execAll(ctx, e,
		build(d).Delete(session.Table).Where(entsql.EQ(session.FieldAccountID, id)),
		build(d).Delete(membership.Table).Where(entsql.EQ(membership.FieldAccountID, id)),
		build(d).Delete(account.Table).Where(entsql.And(entsql.EQ(account.FieldID, id), entsql.EQ(account.FieldSchoolID, schoolID))))
}

// DeleteUnfinishedAdded deletes up to limit of the school's accounts that the job added (its
// accounts.import_job_id) with their sessions: the rollback of an unfinished commit. It returns
// how many it deleted.
func DeleteUnfinishedAdded(ctx context.Context, tx Execer, d string, jobID, schoolID, limit int) (int, error) {
	var list []int
	err := scan(ctx, tx, build(d).Select(account.FieldID).From(entsql.Table(account.Table)).
		Where(entsql.And(entsql.EQ(account.FieldImportJobID, jobID), entsql.EQ(account.FieldSchoolID, schoolID))).
		OrderBy(account.FieldID).Limit(limit), func(rows *sql.Rows) error {
		var id int
		err := rows.Scan(&id)
		list = append(list, id)
		return err
	})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	for start := 0; start < len(list); start += idBatch {
		in := ids(list[start:min(start+idBatch, len(list))])
		if err := execAll(ctx, tx,
			build(d).Delete(session.Table).Where(entsql.In(session.FieldAccountID, in...)),
			build(d).Delete(membership.Table).Where(entsql.In(membership.FieldAccountID, in...)),
			build(d).Delete(account.Table).Where(entsql.And(entsql.EQ(account.FieldSchoolID, schoolID), entsql.In(account.FieldID, in...)))); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

// idBatch is how many ids one IN list holds.
const idBatch = 500

// BackfillSortNames gives accounts from before the sort key existed their key. It leaves
// updated_at alone (the roster did not change) and is safe to run from several processes.
func (d *DB) BackfillSortNames(ctx context.Context) error {
	type todo struct {
		id          int
		last, first string
	}
	var list []todo
	if err := scan(ctx, d.SQL, build(d.Dialect).Select(account.FieldID, account.FieldLastName, account.FieldFirstName).
		From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldSortName, "")), func(rows *sql.Rows) error {
		var t todo
		if err := rows.Scan(&t.id, &t.last, &t.first); err != nil {
			return err
		}
		list = append(list, t)
		return nil
	}); err != nil || len(list) == 0 {
		return err
	}
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	q, _ := build(d.Dialect).Update(account.Table).Set(account.FieldSortName, param).Where(entsql.EQ(account.FieldID, param)).Query()
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, t := range list {
		if _, err := stmt.ExecContext(ctx, names.SortKey(t.last, t.first), t.id); err != nil {
			return fmt.Errorf("account %d: %w", t.id, err)
		}
	}
	return tx.Commit()
}

// Activity is what happened to an account outside the import history: what an undo must not
// wipe out by deleting an account its import added.
type Activity struct {
	Password bool // it has a password (the import never sets one)
	SignedIn bool // it has a session
	Audited  bool // the audit log has an event about it
}

// AccountActivity returns the activity of those of the school's accounts among list that have
// any, by id.
func AccountActivity(ctx context.Context, q Querier, d string, schoolID int, list []int) (map[int]Activity, error) {
	out := map[int]Activity{}
	mark := func(b entsql.Querier, set func(*Activity)) error {
		return scan(ctx, q, b, func(rows *sql.Rows) error {
			var id int
			if err := rows.Scan(&id); err != nil {
				return err
			}
			a := out[id]
			set(&a)
			out[id] = a
			return nil
		})
	}
	for start := 0; start < len(list); start += idBatch {
		in := ids(list[start:min(start+idBatch, len(list))])
		steps := []struct {
			q   entsql.Querier
			set func(*Activity)
		}{
			{build(d).Select(account.FieldID).From(entsql.Table(account.Table)).Where(entsql.And(
				entsql.EQ(account.FieldSchoolID, schoolID), entsql.In(account.FieldID, in...),
				entsql.NotNull(account.FieldPasswordHash), entsql.NEQ(account.FieldPasswordHash, ""))),
				func(a *Activity) { a.Password = true }},
			{build(d).Select(session.FieldAccountID).Distinct().From(entsql.Table(session.Table)).
				Where(entsql.In(session.FieldAccountID, in...)), func(a *Activity) { a.SignedIn = true }},
			{build(d).Select(auditevent.FieldSubjectAccountID).Distinct().From(entsql.Table(auditevent.Table)).
				Where(entsql.In(auditevent.FieldSubjectAccountID, in...)), func(a *Activity) { a.Audited = true }},
		}
		for _, s := range steps {
			if err := mark(s.q, s.set); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
