package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// numoCmd runs numo in-process and returns its exit status, stdout and stderr.
func numoCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// numoExit runs numo in-process and stops the test with its output (named name) unless it
// exits with want; it returns stdout and stderr.
func numoExit(t testing.TB, name string, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := numoCmd(args...)
	if code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", name, code, want, stdout, stderr)
	}
	return stdout, stderr
}

// numoOK runs numo in-process, stops the test with its output unless it succeeds and returns
// its stdout.
func numoOK(t testing.TB, args ...string) string {
	t.Helper()
	stdout, _ := numoExit(t, fmt.Sprint(args), 0, args...)
	return stdout
}

// cliSchool creates a school with numo school create in the database at url.
func cliSchool(t testing.TB, url, brin, name string) {
	t.Helper()
	numoOK(t, "school", "create", "--brin", brin, "--name", name, "--db", url)
}

// wantIn reports each of subs that out (the step's what) lacks.
func wantIn(t testing.TB, step, what, out string, subs []string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("%s: %s lacks %q:\n%s", step, what, s, out)
		}
	}
}
