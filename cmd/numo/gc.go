package main

import "github.com/numo/accounts/internal/gctune"

// tuneGC applies the collector's settings of `numo serve` (package gctune) where the
// environment sets neither GOGC nor GOMEMLIMIT.
func tuneGC() { gctune.Apply() }
