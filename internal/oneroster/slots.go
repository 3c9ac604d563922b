package oneroster

import "sync"

// MaxExports is how many exports one numo process streams at once. An export of a board's
// 100,000 pupils holds a database connection and a read transaction for several seconds, so an
// admin (or a token) repeating the download must not take the pool from everyone else.
const MaxExports = 4

// slots admit at most max exports at once and one per school: a second download of the same
// school while the first streams is refused, not queued.
type slots struct {
	mu      sync.Mutex
	max     int
	running map[int]bool
}

func newSlots(max int) *slots { return &slots{max: max, running: map[int]bool{}} }

// acquire takes a slot for the school; ok is false when the school exports already or all
// slots are taken. release gives it back.
func (s *slots) acquire(schoolID int) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[schoolID] || len(s.running) >= s.max {
		return nil, false
	}
	s.running[schoolID] = true
	return func() {
		s.mu.Lock()
		delete(s.running, schoolID)
		s.mu.Unlock()
	}, true
}
