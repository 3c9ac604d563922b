package authn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// Sign-in throttling lives in the database (table login_throttles), so that it holds across
// concurrent requests and across numo processes. Every attempt first reserves a place in each
// counter that applies to it, with one atomic UPDATE that counts the attempt as a failure and
// is refused when the counter is locked; only then is the password checked. Thirty concurrent
// wrong passwords therefore cannot all be checked against a count that none of them has
// raised yet: exactly Max of them are checked, the rest are refused.
//
// A reservation is settled afterwards: kept (a failure), or undone (a success, or the server
// was too busy to check the password).

// Limit is one throttling rule: at most Max failures within Window; the Max-th failure locks
// the counter for LockFor (from then on, attempts are refused without checking the password).
type Limit struct {
	Max     int
	Window  time.Duration
	LockFor time.Duration
}

// Limits are the throttling rules of signing in. Counters are kept for what the person typed
// (school and username, whether that account exists or not), so an unknown username is locked
// exactly like a known one and the answers cannot tell them apart.
type Limits struct {
	// AccountAddress counts one username at one school from one client address.
	AccountAddress Limit
	// Account counts one username at one school from all addresses together.
	Account Limit
	// Address counts one client address over all schools and usernames.
	Address Limit
}

// DefaultLimits are the limits of a numo server.
var DefaultLimits = Limits{AccountAddress: LimitAccountAddress, Account: LimitAccount, Address: LimitAddress}

// The default limits.
var (
	// LimitAccountAddress: 5 failures for one username at one school from one client address
	// lock that combination for 15 minutes. The same account from another address, and other
	// accounts from this address, are not affected.
	LimitAccountAddress = Limit{Max: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	// LimitAccount: 50 failures for one username at one school from all addresses together
	// within 15 minutes lock the account for 15 minutes: the ceiling for a guessing attack
	// spread over many addresses (at least 10 of them, given LimitAccountAddress).
	LimitAccount = Limit{Max: 50, Window: 15 * time.Minute, LockFor: 15 * time.Minute}
	// LimitAddress: 100 failures from one client address within 10 minutes, over all
	// usernames, lock that address for 10 minutes: the ceiling for password spraying.
	LimitAddress = Limit{Max: 100, Window: 10 * time.Minute, LockFor: 10 * time.Minute}
)

// counter is one row of login_throttles that an attempt reserves a place in.
type counter struct {
	key     string // unique: kind and hash of what is counted
	subject string // hash of school and username, "" for an address
	limit   Limit
	// onSuccess says what a successful sign-in does with the reservation: reset the counter
	// (the person proved they know the password) or only give the reservation back (an address
	// counter: a signed-in attacker must not wipe the failures of their address).
	resetOnSuccess bool
}

// digest hashes the parts of a key: no username or address is stored in clear.
func digest(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// subjectOf is the subject of an account's counters: its school (BRIN, upper case) and the
// username as typed, folded to lower case.
func subjectOf(brin, username string) string {
	return digest(strings.ToUpper(brin), strings.ToLower(username))
}

// countersFor are the counters of an attempt, in the order they are reserved: first the
// account at this address (a locked one is refused before it counts anywhere else), then the
// address, then the account across all addresses (only attempts that passed both address
// rules count towards an account's ceiling, so no single address can reach it).
func (l Limits) countersFor(brin, username, addr string) []counter {
	subj := subjectOf(brin, username)
	return []counter{
		{key: "ua:" + digest(subj, addr), subject: subj, limit: l.AccountAddress, resetOnSuccess: true},
		{key: "a:" + digest(addr), limit: l.Address},
		{key: "u:" + subj, subject: subj, limit: l.Account, resetOnSuccess: true},
	}
}

// throttle is c as package store keeps it.
func (c counter) throttle() store.Throttle {
	return store.Throttle{Key: c.key, Subject: c.subject, Max: c.limit.Max}
}

// reserve counts one attempt against c, atomically: false when c is locked.
func (s *Service) reserve(ctx context.Context, c counter, now time.Time) (bool, error) {
	ok, err := store.ReserveThrottle(auth.System(ctx), s.client, c.throttle(),
		now.UnixMilli(), now.Add(-c.limit.Window).UnixMilli(), now.Add(c.limit.LockFor).UnixMilli())
	if err != nil {
		return false, fmt.Errorf("throttle: %w", err)
	}
	return ok, nil
}

// release gives a reservation back: the attempt did not fail after all (or was never checked).
// A lock that the reservation set goes with it.
func (s *Service) release(ctx context.Context, c counter) error {
	if err := store.ReleaseThrottle(auth.System(ctx), s.client, c.throttle()); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

// reset clears a counter after a successful sign-in.
func (s *Service) reset(ctx context.Context, c counter) error {
	if err := store.ResetThrottle(auth.System(ctx), s.client, c.key); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

// settle ends the reservations of an attempt: a failure keeps them; a success resets the
// account's counters and gives the address's reservation back; an attempt that was never
// checked (busy server) gives them all back.
func (s *Service) settle(ctx context.Context, held []counter, outcome attemptOutcome) {
	ctx = context.WithoutCancel(ctx) // the client may have gone; the counts must still be right
	for _, c := range held {
		var err error
		switch {
		case outcome == outcomeFailed:
			continue
		case outcome == outcomeSucceeded && c.resetOnSuccess:
			err = s.reset(ctx, c)
		default:
			err = s.release(ctx, c)
		}
		if err != nil {
			s.log.Error("login: settle throttle", "err", err)
		}
	}
}

type attemptOutcome int

const (
	outcomeFailed attemptOutcome = iota
	outcomeSucceeded
	outcomeUnchecked
)

// clearThrottles removes an account's counters (at every address): after a password reset its
// owner can sign in at once.
func (s *Service) clearThrottles(ctx context.Context, brin string, usernames ...string) error {
	var subjects []string
	for _, u := range usernames {
		if u = strings.TrimSpace(u); u != "" {
			subjects = append(subjects, subjectOf(brin, u))
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	if err := store.ClearThrottles(auth.System(ctx), s.client, subjects); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

// PurgeThrottles deletes counters whose window and lock are both over: they would start
// afresh anyway. It returns how many it deleted.
func (s *Service) PurgeThrottles(ctx context.Context, now time.Time) (int, error) {
	longest := max(s.Limits.AccountAddress.Window, s.Limits.Account.Window, s.Limits.Address.Window)
	n, err := store.PurgeThrottles(auth.System(ctx), s.client, now.Add(-longest).UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("purge throttles: %w", err)
	}
	return n, nil
}
