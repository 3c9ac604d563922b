package store

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/loginthrottle"
)

// The sign-in throttle's counters (table login_throttles; the rules are in package authn).
// Times are Unix milliseconds.

// Throttle is one counter as a sign-in attempt reserves it.
type Throttle struct {
	// Key identifies the counter (unique); Subject is what ClearThrottles finds it by.
	Key, Subject string
	// Max failures within the window lock the counter.
	Max int
}

// ReserveThrottle counts one attempt against t as a failure, in one atomic UPDATE that is
// refused when the counter is locked (the row is created first when it is missing): false
// when it is locked. A window that started at or before cutoff is over, so the attempt starts
// a new one at now; the Max-th failure locks the counter until lockEnd.
func ReserveThrottle(ctx context.Context, c *ent.Client, t Throttle, now, cutoff, lockEnd int64) (bool, error) {
	if err := c.LoginThrottle.Create().SetKey(t.Key).SetSubject(t.Subject).
		OnConflictColumns(loginthrottle.FieldKey).Ignore().Exec(ctx); err != nil {
		return false, err
	}
	// expired: the counting window is over, so this attempt starts a new one.
	expired := func(b *sql.Builder) { b.Ident(loginthrottle.FieldWindowStart).WriteOp(sql.OpLTE).Arg(cutoff) }
	// next is the count including this attempt.
	next := func(b *sql.Builder) {
		b.WriteString("CASE WHEN ")
		expired(b)
		b.WriteString(" THEN 1 ELSE ").Ident(loginthrottle.FieldFailures).WriteString(" + 1 END")
	}
	n, err := c.LoginThrottle.Update().
		Where(
			loginthrottle.Key(t.Key),
			loginthrottle.LockedUntilLTE(now),
			loginthrottle.Or(loginthrottle.WindowStartLTE(cutoff), loginthrottle.FailuresLT(t.Max)),
		).
		Modify(func(u *sql.UpdateBuilder) {
			// Every right-hand side reads the row as it was before this statement.
			u.Set(loginthrottle.FieldFailures, sql.ExprFunc(next))
			u.Set(loginthrottle.FieldWindowStart, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("CASE WHEN ")
				expired(b)
				b.WriteString(" THEN ").Arg(now).WriteString(" ELSE ").Ident(loginthrottle.FieldWindowStart).WriteString(" END")
			}))
			u.Set(loginthrottle.FieldLockedUntil, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("CASE WHEN ")
				next(b)
				// PostgreSQL would type a bare parameter beside ELSE 0 as integer, too small.
				b.WriteOp(sql.OpGTE).Arg(t.Max).WriteString(" THEN CAST(").Arg(lockEnd).WriteString(" AS BIGINT) ELSE 0 END")
			}))
		}).
		Save(ctx)
	return n == 1, err
}

// ReleaseThrottle gives a reservation of t back: the attempt did not fail after all (or was
// never checked). A lock that the reservation set goes with it.
func ReleaseThrottle(ctx context.Context, c *ent.Client, t Throttle) error {
	return c.LoginThrottle.Update().
		Where(loginthrottle.Key(t.Key), loginthrottle.FailuresGT(0)).
		Modify(func(u *sql.UpdateBuilder) {
			u.Set(loginthrottle.FieldFailures, sql.ExprFunc(func(b *sql.Builder) {
				b.Ident(loginthrottle.FieldFailures).WriteString(" - 1")
			}))
			u.Set(loginthrottle.FieldLockedUntil, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString("CASE WHEN ").Ident(loginthrottle.FieldFailures).WriteString(" - 1").WriteOp(sql.OpLT).Arg(t.Max).
					WriteString(" THEN 0 ELSE ").Ident(loginthrottle.FieldLockedUntil).WriteString(" END")
			}))
		}).
		Exec(ctx)
}

// ResetThrottle clears the counter with key: no failures, no lock.
func ResetThrottle(ctx context.Context, c *ent.Client, key string) error {
	return c.LoginThrottle.Update().Where(loginthrottle.Key(key)).SetFailures(0).SetLockedUntil(0).Exec(ctx)
}

// ClearThrottles deletes the counters of the subjects.
func ClearThrottles(ctx context.Context, c *ent.Client, subjects []string) error {
	_, err := c.LoginThrottle.Delete().Where(loginthrottle.SubjectIn(subjects...)).Exec(ctx)
	return err
}

// PurgeThrottles deletes the counters whose window started before windowCutoff and whose lock
// ended before now, and returns how many.
func PurgeThrottles(ctx context.Context, c *ent.Client, windowCutoff, now int64) (int, error) {
	return c.LoginThrottle.Delete().Where(
		loginthrottle.WindowStartLT(windowCutoff),
		loginthrottle.LockedUntilLT(now),
	).Exec(ctx)
}
