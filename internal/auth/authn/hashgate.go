package authn

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// ErrBusy means the server is already computing as many password hashes as it allows at once
// and none came free in time: try again in a moment. (An argon2id hash takes 64 MiB: thirty at
// once took 4 GiB.)
var ErrBusy = apperr.ErrBusy

// DefaultHashConcurrency is how many argon2id hashes a process computes at once: the number of
// CPUs, at least 2 and at most 4 (at most 256 MiB).
func DefaultHashConcurrency() int { return min(4, max(2, runtime.NumCPU())) }

// DefaultHashWait is how long a sign-in or password change waits for a free hash slot before it
// answers ErrBusy.
const DefaultHashWait = 5 * time.Second

// hashGate bounds the password hashes computed at once (a counting semaphore) and remembers the
// most that ever ran together.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration

	mu      sync.Mutex
	running int
	peak    int
}

func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, n), wait: wait}
}

// do runs fn, a password hash, once a slot is free; ErrBusy when none is within the wait.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	g.running++
	g.peak = max(g.peak, g.running)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
		<-g.slots
	}()
	fn()
	return nil
}

// HashPeak is the most password hashes this service has computed at the same time.
func (s *Service) HashPeak() int {
	s.hashes.mu.Lock()
	defer s.hashes.mu.Unlock()
	return s.hashes.peak
}

// checkPassword compares password with an argon2id hash within the gate.
func (s *Service) checkPassword(ctx context.Context, hash, password string) (ok bool, err error) {
	if gateErr := s.hashes.do(ctx, func() { ok, err = auth.CheckPassword(hash, password) }); gateErr != nil {
		return false, gateErr
	}
	return ok, err
}

// hashPassword makes an argon2id hash of password within the gate.
func (s *Service) hashPassword(ctx context.Context, password string) (hash string, err error) {
	if gateErr := s.hashes.do(ctx, func() { hash, err = auth.HashPassword(password) }); gateErr != nil {
		return "", gateErr
	}
	return hash, err
}

// dummyHash is checked when no account matches a sign-in, so that an unknown username costs
// the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword("numo dummy password, never anybody's")
	if err != nil {
		panic(err) // crypto/rand failed: nothing works then
	}
	return h
})
