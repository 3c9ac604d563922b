package main

import "testing"

// TestPprofLoopbackOnly: the unauthenticated profiler listens only on loopback addresses.
func TestPprofLoopbackOnly(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{":6060", false}, // every interface
		{"0.0.0.0:6060", false},
		{"10.0.0.5:6060", false},
		{"pprof.example.nl:6060", false},
		{"127.0.0.1", false}, // no port
	} {
		if got := loopback(tt.addr); got != tt.want {
			t.Errorf("loopback(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
