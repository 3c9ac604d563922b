package store

import (
	"context"
	"errors"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/ratewindow"
)

// The shared counts of the API tokens' rate limit (table rate_windows; the rules are in
// package ratelimit). Every process adds its own counts with one atomic upsert and reads the
// totals back in the same statement, on both dialects (SQLite ≥ 3.35 has RETURNING). The
// file is not named after the table: Go builds a file ending in _windows.go for Windows only.

// AddRateUsage adds requests and points to the row of (tokenID, window), making it when
// missing, and returns the row's totals after the addition.
func (d *DB) AddRateUsage(ctx context.Context, tokenID int, window, requests, points int64) (totalRequests, totalPoints int64, err error) {
	found, err := scanOne(ctx, d.SQL, d.upsertRate(tokenID, window, requests, points), &totalRequests, &totalPoints)
	if err == nil && !found {
		err = errNoRateRow
	}
	return totalRequests, totalPoints, err
}

// AddRateUsageWithin adds requests and points to the row of (tokenID, window) only when its
// totals stay within maxRequests and maxPoints: ok is false, and nothing changed, otherwise.
// A missing row is made with the counts as they are; the caller does not ask for more than
// the limit at once.
func (d *DB) AddRateUsageWithin(ctx context.Context, tokenID int, window, requests, points, maxRequests, maxPoints int64) (totalRequests, totalPoints int64, ok bool, err error) {
	b := d.upsertRate(tokenID, window, requests, points)
	b.OnConflict(entsql.UpdateWhere(entsql.P(func(p *entsql.Builder) {
		p.Join(plus(ratewindow.FieldRequests, requests)).WriteOp(entsql.OpLTE).Arg(maxRequests).
			WriteString(" AND ").
			Join(plus(ratewindow.FieldPoints, points)).WriteOp(entsql.OpLTE).Arg(maxPoints)
	})))
	ok, err = scanOne(ctx, d.SQL, b, &totalRequests, &totalPoints)
	return totalRequests, totalPoints, ok, err
}

// upsertRate is the INSERT … ON CONFLICT (token_id, window_start) DO UPDATE that adds the
// counts and returns the totals.
func (d *DB) upsertRate(tokenID int, window, requests, points int64) *entsql.InsertBuilder {
	return build(d.Dialect).Insert(ratewindow.Table).
		Columns(ratewindow.FieldTokenID, ratewindow.FieldWindowStart, ratewindow.FieldRequests, ratewindow.FieldPoints).
		Values(tokenID, window, requests, points).
		OnConflict(
			entsql.ConflictColumns(ratewindow.FieldTokenID, ratewindow.FieldWindowStart),
			entsql.ResolveWith(func(u *entsql.UpdateSet) {
				u.Set(ratewindow.FieldRequests, plus(ratewindow.FieldRequests, requests))
				u.Set(ratewindow.FieldPoints, plus(ratewindow.FieldPoints, points))
			}),
		).
		Returning(ratewindow.FieldRequests, ratewindow.FieldPoints)
}

// plus is the expression "rate_windows.col + n": the row's count, not the excluded one.
func plus(col string, n int64) entsql.Querier {
	return entsql.ExprFunc(func(b *entsql.Builder) {
		b.Ident(ratewindow.Table).WriteByte('.').Ident(col).WriteOp(entsql.OpAdd).Arg(n)
	})
}

// errNoRateRow is returned when the upsert returned no row, which it always should.
var errNoRateRow = errors.New("rate window upsert returned no row")

// PruneRateWindows deletes the rows of windows that began before before (Unix seconds).
func (d *DB) PruneRateWindows(ctx context.Context, before int64) error {
	query, args := build(d.Dialect).Delete(ratewindow.Table).Where(entsql.LT(ratewindow.FieldWindowStart, before)).Query()
	_, err := d.SQL.ExecContext(ctx, query, args...)
	return err
}
