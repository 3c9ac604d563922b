//go:build !linux

package store

import (
	"errors"
	"os"
)

// fileLocks is false here: without open file description locks, a commit on SQLite left by a
// dead process is found when numo starts (every COMMITTING job then counts as dead).
const fileLocks = false

var errNoFileLocks = errors.New("no open file description locks on this system")

func lockRange(string, int) (*os.File, bool, error) { return nil, false, errNoFileLocks }

func rangeLocked(string, int) (bool, error) { return false, errNoFileLocks }
