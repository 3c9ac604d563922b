package app

import (
	"io"
	"testing"
)

// SetTerminal makes ensureAdmins see w as the interactive terminal on stderr (nil: stderr is
// not a terminal) until the test ends.
func SetTerminal(t testing.TB, w io.Writer) {
	old := terminal
	terminal = func() io.Writer { return w }
	t.Cleanup(func() { terminal = old })
}
