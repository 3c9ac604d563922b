package store

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/numo/accounts/ent/account"
)

// StartCode is what a generation of login letters writes to one account (package startcode).
type StartCode struct {
	AccountID int
	// Username is given to an account that has none yet; an account that has one keeps it.
	Username string
	// Hash is the start code's argon2id hash: the code itself never reaches the database.
	Hash      string
	ExpiresAt time.Time
}

// startCodeBatch is how many accounts one UPDATE writes on PostgreSQL.
const startCodeBatch = 2000

// SetStartCodes writes the start codes of active accounts of the school: hash, expiry and now
// as the time it was made (a new code replaces the old one, which stops working), and the
// username where the account has none (usernames are stable once given). updated_at (the
// roster's version) moves only for an account that got a username: a code is no roster data.
// On PostgreSQL one UPDATE per batch from arrays, elsewhere one UPDATE per account in the
// caller's transaction. It returns how many accounts were written.
func SetStartCodes(ctx context.Context, e Execer, d string, schoolID int, now time.Time, codes []StartCode) (int, error) {
	if d == dialect.Postgres {
		n := 0
		for start := 0; start < len(codes); start += startCodeBatch {
			m, err := setStartCodesPostgres(ctx, e, schoolID, now, codes[start:min(start+startCodeBatch, len(codes))])
			if err != nil {
				return n, err
			}
			n += m
		}
		return n, nil
	}
	q := setStartCodeQuery(d)
	n := 0
	for _, c := range codes {
		res, err := e.ExecContext(ctx, q, c.Username, c.Hash, c.ExpiresAt, now, c.Username, now, c.AccountID, schoolID, account.StatusACTIVE.String())
		if err != nil {
			return n, fmt.Errorf("set start code of account %d: %w", c.AccountID, err)
		}
		m, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("set start code of account %d: %w", c.AccountID, err)
		}
		n += int(m)
	}
	return n, nil
}

// keepUsername is "CASE WHEN username = ” THEN <v> ELSE username END" (SET expressions read
// the row as it was, in both dialects).
func keepUsername(b *entsql.Builder, col string, value func(*entsql.Builder)) {
	b.WriteString("CASE WHEN ").WriteString(col).WriteString(" = '' THEN ")
	value(b)
	b.WriteString(" ELSE ").WriteString(col).WriteString(" END")
}

// setStartCodeQuery is the UPDATE of one account: username (kept when set), hash, expiry,
// generated-at, updated_at (moved only with a new username), by id, school and ACTIVE status.
func setStartCodeQuery(d string) string {
	u := build(d).Update(account.Table)
	col := entsql.Dialect(d).String(func(b *entsql.Builder) { b.Ident(account.FieldUsername) })
	u.Set(account.FieldUsername, entsql.ExprFunc(func(b *entsql.Builder) {
		keepUsername(b, col, func(b *entsql.Builder) { b.Arg(param) })
	}))
	u.Set(account.FieldStartCodeHash, param)
	u.Set(account.FieldStartCodeExpiresAt, param)
	u.Set(account.FieldStartCodeGeneratedAt, param)
	u.Set(account.FieldUpdatedAt, entsql.ExprFunc(func(b *entsql.Builder) {
		b.WriteString("CASE WHEN ").WriteString(col).WriteString(" = '' AND ").Arg(param).WriteString(" <> '' THEN ").Arg(param).
			WriteString(" ELSE ").Ident(account.FieldUpdatedAt).WriteString(" END")
	}))
	u.Where(entsql.And(entsql.EQ(account.FieldID, 0), entsql.EQ(account.FieldSchoolID, 0), entsql.EQ(account.FieldStatus, "")))
	q, _ := u.Query()
	return q
}

// setStartCodesQuery is PostgreSQL's UPDATE of many accounts from unnest() of arrays: $1 ids,
// $2 usernames, $3 hashes, $4 expiry times; $5 now, $6 the school, $7 the ACTIVE status.
func setStartCodesQuery() string {
	return entsql.Dialect(dialect.Postgres).String(func(b *entsql.Builder) {
		col := "a." + b.Quote(account.FieldUsername)
		b.WriteString("UPDATE ").Ident(account.Table).WriteString(" AS a SET ").Ident(account.FieldUsername).WriteString(" = ")
		keepUsername(b, col, func(b *entsql.Builder) { b.WriteString("v.username") })
		b.Comma().Ident(account.FieldStartCodeHash).WriteString(" = v.hash")
		b.Comma().Ident(account.FieldStartCodeExpiresAt).WriteString(" = v.expires")
		b.Comma().Ident(account.FieldStartCodeGeneratedAt).WriteString(" = $5")
		b.Comma().Ident(account.FieldUpdatedAt).WriteString(" = CASE WHEN " + col + " = '' AND v.username <> '' THEN $5 ELSE a.").
			Ident(account.FieldUpdatedAt).WriteString(" END")
		b.WriteString(" FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) AS v(id, username, hash, expires)")
		b.WriteString(" WHERE a.").Ident(account.FieldID).WriteString(" = v.id AND a.").Ident(account.FieldSchoolID).WriteString(" = $6")
		b.WriteString(" AND a.").Ident(account.FieldStatus).WriteString(" = $7")
	})
}

func setStartCodesPostgres(ctx context.Context, e Execer, schoolID int, now time.Time, codes []StartCode) (int, error) {
	ids := make([]int64, len(codes))
	users, hashes, expires := make([]string, len(codes)), make([]string, len(codes)), make([]string, len(codes))
	for i, c := range codes {
		ids[i], users[i], hashes[i], expires[i] = int64(c.AccountID), c.Username, c.Hash, c.ExpiresAt.Format(time.RFC3339Nano)
	}
	res, err := e.ExecContext(ctx, setStartCodesQuery(), pq.Array(ids), pq.Array(users), pq.Array(hashes), pq.Array(expires),
		now, schoolID, account.StatusACTIVE.String())
	if err != nil {
		return 0, fmt.Errorf("set start codes: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("set start codes: %w", err)
	}
	return int(n), nil
}
