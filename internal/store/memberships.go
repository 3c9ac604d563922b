package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/teaching"
)

// A pupil's lesgroepen (memberships) and a teacher's groups (teachings, class_teachers) are
// links between an account and a class of its school; a teaching also says whether the teacher
// is the class's mentor. Both carry the import that made them (import_job_id). The statements
// below read, add and remove them in bulk, for an import's commit, its rollback and an undo.

// Link is an account's membership of a class, or (Teachings) its teaching of it.
type Link struct {
	AccountID, ClassID int
	Mentor             bool // teachings only
}

// LinkKind is the table of a Link: Memberships or Teachings.
type LinkKind int

const (
	// Memberships are pupils in lesgroepen (table memberships).
	Memberships LinkKind = iota
	// Teachings are teachers of groups and mentors of stamklassen (table class_teachers).
	Teachings
)

func (k LinkKind) String() string {
	if k == Teachings {
		return "teachings"
	}
	return "memberships"
}

// linkTable is the table of a LinkKind and its columns of the account, the class
// (memberships call it group_id: accounts has a class_id too, and ent's eager loading of
// Class.members selects both) and the import job that made the link.
type linkTable struct{ name, account, class, job string }

var linkTables = [...]linkTable{
	Memberships: {membership.Table, membership.FieldAccountID, membership.FieldGroupID, membership.FieldImportJobID},
	Teachings:   {teaching.Table, teaching.FieldAccountID, teaching.FieldClassID, teaching.FieldImportJobID},
}

// table is the link table of k.
func (k LinkKind) table() string { return linkTables[k].name }

// classColumn is the column of k that holds the class.
func (k LinkKind) classColumn() string { return linkTables[k].class }

// accountColumn is the column of k that holds the account.
func (k LinkKind) accountColumn() string { return linkTables[k].account }

// jobColumn is the column of k that holds the import job that made the link.
func (k LinkKind) jobColumn() string { return linkTables[k].job }

// insertColumns are the columns an added link writes, in the order of insertValues.
func (k LinkKind) insertColumns() []string {
	if k == Teachings {
		return []string{teaching.FieldClassID, teaching.FieldAccountID, teaching.FieldMentor, teaching.FieldImportJobID}
	}
	return []string{membership.FieldGroupID, membership.FieldAccountID, membership.FieldImportJobID}
}

// insertValues appends the values of insertColumns for l, made by the job (0: none), to buf.
func (k LinkKind) insertValues(buf []any, l Link, jobID int) []any {
	if k == Teachings {
		return append(buf, l.ClassID, l.AccountID, l.Mentor, nullInt(jobID))
	}
	return append(buf, l.ClassID, l.AccountID, nullInt(jobID))
}

// readColumns are the columns a read of links returns: account, class and (teachings) mentor.
func (k LinkKind) readColumns() []string {
	if k == Teachings {
		return []string{teaching.FieldAccountID, teaching.FieldClassID, teaching.FieldMentor}
	}
	return []string{membership.FieldAccountID, membership.FieldGroupID}
}

// schoolClasses is the subquery of the ids of the school's classes: memberships and teachings
// carry no school of their own, their class does.
func schoolClasses(d string, schoolID int) *entsql.Selector {
	return build(d).Select(class.FieldID).From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID))
}

// scanLinks runs a read of k's readColumns and calls fn for every link.
func scanLinks(ctx context.Context, q Querier, k LinkKind, sel *entsql.Selector, fn func(Link)) error {
	return scan(ctx, q, sel, func(rows *sql.Rows) error {
		var l Link
		dest := []any{&l.AccountID, &l.ClassID}
		if k == Teachings {
			dest = append(dest, &l.Mentor)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn(l)
		return nil
	})
}

// EachMembership calls fn(account, class) for every membership of a pupil in one of the
// school's lesgroepen (a pupil's stamklas is accounts.class_id, not a membership).
func EachMembership(ctx context.Context, q Querier, d string, schoolID int, fn func(accountID, classID int)) error {
	return EachLink(ctx, q, d, Memberships, schoolID, func(l Link) { fn(l.AccountID, l.ClassID) })
}

// EachLink calls fn for every link of kind k to one of the school's classes.
func EachLink(ctx context.Context, q Querier, d string, k LinkKind, schoolID int, fn func(Link)) error {
	sel := build(d).Select(k.readColumns()...).From(entsql.Table(k.table())).
		Where(entsql.In(k.classColumn(), schoolClasses(d, schoolID)))
	if err := scanLinks(ctx, q, k, sel, fn); err != nil {
		return fmt.Errorf("read %s of school %d: %w", k, schoolID, err)
	}
	return nil
}

// EachLinkOf calls fn for every link of kind k of the accounts among list to one of the
// school's classes, by account and class.
func EachLinkOf(ctx context.Context, q Querier, d string, k LinkKind, schoolID int, list []int, fn func(Link)) error {
	for start := 0; start < len(list); start += idBatch {
		in := ids(list[start:min(start+idBatch, len(list))])
		sel := build(d).Select(k.readColumns()...).From(entsql.Table(k.table())).
			Where(entsql.And(entsql.In(k.accountColumn(), in...), entsql.In(k.classColumn(), schoolClasses(d, schoolID)))).
			OrderBy(k.accountColumn(), k.classColumn())
		if err := scanLinks(ctx, q, k, sel, fn); err != nil {
			return fmt.Errorf("read %s of %d accounts: %w", k, len(list), err)
		}
	}
	return nil
}

// InsertLinks adds the links of kind k that each passes to put, made by the job (0: none), in
// one bulk write: COPY on PostgreSQL, a prepared INSERT per row on SQLite.
func InsertLinks(ctx context.Context, tx Preparer, d string, k LinkKind, jobID int, each func(put func(Link) error) error) error {
	return bulkInsert(ctx, tx, d, k.table(), k.insertColumns(), func(put func(...any) error) error {
		var buf []any
		return each(func(l Link) error {
			buf = k.insertValues(buf[:0], l, jobID)
			return put(buf...)
		})
	})
}

// linkBatch is how many links one statement of DeleteLinks or AddLinks writes on PostgreSQL
// (arrays of ids).
const linkBatch = 20000

// DeleteLinks removes the links of kind k (by account and class; Mentor is not compared): on
// PostgreSQL one DELETE per batch from arrays of the ids, elsewhere one DELETE per account with
// an IN list of its classes. Every link must exist.
func DeleteLinks(ctx context.Context, e Execer, d string, k LinkKind, links []Link) error {
	if len(links) == 0 {
		return nil
	}
	if d != dialect.Postgres {
		return deleteLinksByAccount(ctx, e, d, k, links)
	}
	for batch := range slices.Chunk(links, linkBatch) {
		accounts, classes := make([]int64, len(batch)), make([]int64, len(batch))
		for i, l := range batch {
			accounts[i], classes[i] = int64(l.AccountID), int64(l.ClassID)
		}
		res, err := e.ExecContext(ctx, deleteLinksQuery(k), pq.Array(accounts), pq.Array(classes))
		if err != nil {
			return fmt.Errorf("delete %d %s: %w", len(batch), k, err)
		}
		if n, err := res.RowsAffected(); err != nil || int(n) != len(batch) {
			return fmt.Errorf("delete %s: %d of %d deleted (%v)", k, n, len(batch), err)
		}
	}
	return nil
}

// deleteLinksQuery is PostgreSQL's DELETE of the links whose account and class are at the same
// position of the arrays $1 and $2.
func deleteLinksQuery(k LinkKind) string {
	return entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		b.WriteString("DELETE FROM ").Ident(k.table()).WriteString(" AS l USING unnest($1::bigint[], $2::bigint[]) AS v(a, c) WHERE l.").
			Ident(k.accountColumn()).WriteString(" = v.a AND l.").Ident(k.classColumn()).WriteString(" = v.c")
	})
}

// deleteLinksByAccount removes the links with one DELETE per account (SQLite: no round trips).
func deleteLinksByAccount(ctx context.Context, e Execer, d string, k LinkKind, links []Link) error {
	links = slices.Clone(links)
	slices.SortFunc(links, func(a, b Link) int { return a.AccountID - b.AccountID })
	for start := 0; start < len(links); {
		end := start + 1
		for end < len(links) && links[end].AccountID == links[start].AccountID && end-start < idBatch {
			end++
		}
		classes := make([]any, 0, end-start)
		for _, l := range links[start:end] {
			classes = append(classes, l.ClassID)
		}
		n, err := exec(ctx, e, build(d).Delete(k.table()).
			Where(entsql.And(entsql.EQ(k.accountColumn(), links[start].AccountID), entsql.In(k.classColumn(), classes...))))
		if err == nil && n != end-start {
			err = fmt.Errorf("%d of %d deleted", n, end-start)
		}
		if err != nil {
			return fmt.Errorf("delete %s of account %d: %w", k, links[start].AccountID, err)
		}
		start = end
	}
	return nil
}

// addBatch is how many links one INSERT of AddLinks writes on SQLite.
const addBatch = 500

// AddLinks adds the links of kind k, made by the job (0: none), through any Execer (an ent
// transaction too): on PostgreSQL one INSERT per batch from arrays, elsewhere multi-row
// INSERTs. A commit's bulk of links goes through InsertLinks (COPY) instead.
func AddLinks(ctx context.Context, e Execer, d string, k LinkKind, jobID int, links []Link) error {
	if d == dialect.Postgres {
		for batch := range slices.Chunk(links, linkBatch) {
			accounts, classes, mentors := make([]int64, len(batch)), make([]int64, len(batch)), make([]bool, len(batch))
			for i, l := range batch {
				accounts[i], classes[i], mentors[i] = int64(l.AccountID), int64(l.ClassID), l.Mentor
			}
			args := []any{pq.Array(classes), pq.Array(accounts), nullInt(jobID)}
			if k == Teachings {
				args = append(args, pq.Array(mentors))
			}
			if _, err := e.ExecContext(ctx, addLinksQuery(k), args...); err != nil {
				return fmt.Errorf("add %d %s: %w", len(batch), k, err)
			}
		}
		return nil
	}
	for batch := range slices.Chunk(links, addBatch) {
		ins := build(d).Insert(k.table()).Columns(k.insertColumns()...)
		for _, l := range batch {
			ins.Values(k.insertValues(nil, l, jobID)...) // a slice per row: Values keeps it
		}
		if _, err := exec(ctx, e, ins); err != nil {
			return fmt.Errorf("add %d %s: %w", len(batch), k, err)
		}
	}
	return nil
}

// addLinksQuery is PostgreSQL's INSERT of links from arrays: $1 classes, $2 accounts, $3 the
// job (NULL for none), $4 (teachings) the mentor flags.
func addLinksQuery(k LinkKind) string {
	return entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		b.WriteString("INSERT INTO ").Ident(k.table()).WriteString(" (").IdentComma(k.classColumn(), k.accountColumn(), k.jobColumn())
		if k == Teachings {
			b.Comma().Ident(teaching.FieldMentor)
		}
		b.WriteString(") SELECT v.c, v.a, $3::bigint")
		if k == Teachings {
			b.WriteString(", v.m FROM unnest($1::bigint[], $2::bigint[], $4::boolean[]) AS v(c, a, m)")
		} else {
			b.WriteString(" FROM unnest($1::bigint[], $2::bigint[]) AS v(c, a)")
		}
	})
}

// ReplaceLinks gives each account of want exactly its links of kind k (to classes of the
// school; links to classes that no longer exist are left out): it removes the others and adds
// the missing ones, made by the job (0: none), and keeps the links that stay as they are
// (with the import that made them). A teaching whose mentor flag differs is replaced. An undo
// and the rollback of an unfinished commit restore recorded before-sets with it.
func ReplaceLinks(ctx context.Context, tx Execer, d string, k LinkKind, schoolID, jobID int, want map[int][]Link) error {
	if len(want) == 0 {
		return nil
	}
	accounts := make([]int, 0, len(want))
	for a := range want {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	have := map[Link]bool{}
	if err := EachLinkOf(ctx, tx, d, k, schoolID, accounts, func(l Link) { have[l] = true }); err != nil {
		return err
	}
	classes, err := classSet(ctx, tx, d, schoolID)
	if err != nil {
		return err
	}
	var add []Link
	for _, a := range accounts {
		for _, l := range want[a] {
			l.AccountID = a
			if k != Teachings {
				l.Mentor = false
			}
			if have[l] {
				delete(have, l) // stays
			} else if classes[l.ClassID] {
				add = append(add, l)
			}
		}
	}
	remove := make([]Link, 0, len(have))
	for l := range have {
		remove = append(remove, l)
	}
	if err := DeleteLinks(ctx, tx, d, k, remove); err != nil {
		return err
	}
	return AddLinks(ctx, tx, d, k, jobID, add)
}

// classSet is the set of ids of the school's classes.
func classSet(ctx context.Context, q Querier, d string, schoolID int) (map[int]bool, error) {
	out := map[int]bool{}
	err := scan(ctx, q, schoolClasses(d, schoolID), func(rows *sql.Rows) error {
		var id int
		err := rows.Scan(&id)
		out[id] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("classes of school %d: %w", schoolID, err)
	}
	return out, nil
}

// LinkStmts are the prepared one-row INSERT and DELETE of links of one kind: a commit in steps
// (SQLite) writes each account's links with them, in the step of its account.
type LinkStmts struct {
	ctx      context.Context
	kind     LinkKind
	ins, del *sql.Stmt
	buf      []any
}

// PrepareLinkStmts prepares the statements in tx.
func PrepareLinkStmts(ctx context.Context, tx Preparer, d string, k LinkKind) (*LinkStmts, error) {
	s := &LinkStmts{ctx: ctx, kind: k}
	var err error
	if s.ins, err = tx.PrepareContext(ctx, insertQuery(d, k.table(), k.insertColumns())); err != nil {
		return nil, fmt.Errorf("prepare insert of %s: %w", k, err)
	}
	q, _ := build(d).Delete(k.table()).Where(entsql.And(entsql.EQ(k.accountColumn(), param), entsql.EQ(k.classColumn(), param))).Query()
	if s.del, err = tx.PrepareContext(ctx, q); err != nil {
		s.Close()
		return nil, fmt.Errorf("prepare delete of %s: %w", k, err)
	}
	return s, nil
}

// Add adds a link made by the job (0: none).
func (s *LinkStmts) Add(l Link, jobID int) error {
	s.buf = s.kind.insertValues(s.buf[:0], l, jobID)
	if _, err := s.ins.ExecContext(s.ctx, s.buf...); err != nil {
		return fmt.Errorf("add %s of account %d in class %d: %w", s.kind, l.AccountID, l.ClassID, err)
	}
	return nil
}

// Delete removes a link, which must exist.
func (s *LinkStmts) Delete(l Link) error {
	res, err := s.del.ExecContext(s.ctx, l.AccountID, l.ClassID)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = fmt.Errorf("%d deleted", n)
		}
	}
	if err != nil {
		return fmt.Errorf("delete %s of account %d in class %d: %w", s.kind, l.AccountID, l.ClassID, err)
	}
	return nil
}

// Close closes the statements.
func (s *LinkStmts) Close() {
	for _, st := range []*sql.Stmt{s.ins, s.del} {
		if st != nil {
			st.Close()
		}
	}
}
