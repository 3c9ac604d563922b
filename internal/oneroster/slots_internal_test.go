package oneroster

import "testing"

// TestSlots: one export per school at a time, at most max at once, and a released slot is free
// again.
func TestSlots(t *testing.T) {
	s := newSlots(2)
	steps := []struct {
		school int
		ok     bool
	}{
		{1, true},  // the first export of school 1
		{1, false}, // school 1 again while it streams
		{2, true},  // another school
		{3, false}, // all slots taken
	}
	releases := map[int]func(){}
	for i, st := range steps {
		release, ok := s.acquire(st.school)
		if ok != st.ok {
			t.Fatalf("step %d: school %d acquired %v, want %v", i, st.school, ok, st.ok)
		}
		if ok {
			releases[st.school] = release
		}
	}
	releases[1]()
	if _, ok := s.acquire(1); !ok {
		t.Error("school 1 could not export again after its export ended")
	}
	if _, ok := s.acquire(3); ok {
		t.Error("a third export ran beside two")
	}
}
