// Package gctune holds the garbage collector's settings of `numo serve`, so that the server and
// the benchmarks that stand for it (an import's commit, a roster read) run with the same ones.
package gctune

import (
	"os"
	"runtime/debug"
)

// GCPercent and MemoryLimit are the collector's settings unless GOGC or GOMEMLIMIT say
// otherwise.
//
// A roster read allocates much and keeps little (the live heap of a busy server is small), so
// with Go's default GOGC=100 the collector ran very often: at 400 numo's CPU per request fell by
// about 27 % on both roster reads of `make bench-api` (BENCHMARKS.md), and p99 with it.
//
// The soft memory limit bounds what that larger target costs when the live heap is large: a
// board's commit (100,000 pupils, 800,000 memberships) keeps about 190 MB live, and GOGC=400
// alone would let the heap grow to five times that; with the limit the collector runs as often
// as it needs to keep the process under about 400 MB (issue 14's goal). A roster read's
// heap stays far below it, so the limit does not cost reads anything.
const (
	GCPercent   = 400
	MemoryLimit = 340 << 20
)

// Apply sets GCPercent and MemoryLimit where the environment sets neither GOGC nor GOMEMLIMIT.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
