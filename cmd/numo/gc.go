package main

import (
	"os"
	"runtime/debug"
)

// serveGCPercent and serveMemoryLimit are the garbage collector's settings of `numo serve`
// unless GOGC or GOMEMLIMIT say otherwise. A roster read allocates much and keeps little (the
// live heap of a busy server is small), so with Go's default GOGC=100 the collector ran very
// often: at 400 numo's CPU per request fell by about 27 % on both roster reads of
// `make bench-api` (BENCHMARKS.md), and p99 with it. The memory limit bounds what the larger
// target may cost when the live heap is large (a big import in the same process): the
// collector then runs as often as it needs to stay under it.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 1 << 30
)

// tuneGC applies serveGCPercent and serveMemoryLimit where the environment sets neither.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}
