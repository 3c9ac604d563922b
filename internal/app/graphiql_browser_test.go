package app_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/graphiql"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// TestGraphiQLInChromium opens /graphiql in Debian's Chromium (headless) against a real numo
// whose machine has no route to a CDN anyway: GraphiQL renders from the binary's own files
// under its Content-Security-Policy, with no violation reported, and its docs pane's
// introspection reaches /query. Skipped without Chromium or without GraphiQL's npm build.
func TestGraphiQLInChromium(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (scripts/test.sh installs it)")
	}
	if !graphiql.New().Built() {
		t.Skip("GraphiQL's npm build is not in this binary (npm run build in graphiql/)")
	}
	logs := &testapp.Logs{}
	a := testapp.New(t, slog.New(slog.NewTextHandler(logs, nil)), []string{"--db", testdb.URL(t, "sqlite"), "--addr", "127.0.0.1:0"}, nil)
	base, _ := testapp.ServeApp(t, a)

	bctx, bcancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer bcancel()
	cmd := exec.CommandContext(bctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=15000", "--dump-dom", base+"/graphiql")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(string(dom), "graphiql-container") || !strings.Contains(string(dom), "Authorization") {
		t.Errorf("GraphiQL did not render (or has no Headers placeholder):\n%.2000s", dom)
	}
	if s := stderr.String(); strings.Contains(s, "Content Security Policy") || strings.Contains(s, "Refused to") {
		t.Errorf("CSP violations:\n%s", s)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "name=IntrospectionQuery") {
		if time.Now().After(deadline) {
			t.Fatalf("GraphiQL's introspection never reached /query:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
