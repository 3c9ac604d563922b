// Package testapp builds the real application for tests, as `numo serve` builds it: the
// configuration from flags and environment, then app.New (New), and serves it over real HTTP
// on a loopback port (Serve); Logs collects what it logs. Only tests import it.
package testapp

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/config"
)

// New loads the configuration from args and env (a missing variable is empty), builds the
// app logging to log (nil: nowhere) and closes it when the test ends.
func New(t testing.TB, log *slog.Logger, args []string, env map[string]string) *app.App {
	t.Helper()
	cfg, err := config.Load(args, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// Serve builds the app like New and serves it over HTTP on a free loopback port until the test
// ends (args must not set --addr). It returns the base URL and a function that shuts the server
// down gracefully, as a signal to `numo serve` does, and reports how long that took.
func Serve(t testing.TB, log *slog.Logger, args []string, env map[string]string) (base string, stop func() (time.Duration, error)) {
	t.Helper()
	return ServeApp(t, New(t, log, append([]string{"--addr", "127.0.0.1:0"}, args...), env))
}

// ServeApp serves a, built by New with --addr 127.0.0.1:0, over HTTP until the test ends, like
// Serve.
func ServeApp(t testing.TB, a *app.App) (base string, stop func() (time.Duration, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ctx, func(addr net.Addr) { addrc <- addr }) }()
	select {
	case addr := <-addrc:
		base = "http://" + addr.String()
	case err := <-errc:
		cancel()
		t.Fatalf("Serve: %v", err)
	}
	var once sync.Once
	var took time.Duration
	var err error
	stop = func() (time.Duration, error) {
		once.Do(func() {
			begin := time.Now()
			cancel()
			err = <-errc
			took = time.Since(begin)
		})
		return took, err
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// Login posts a password sign-in to base's /api/login as the app's sign-in form does; the
// caller closes the answer's body.
func Login(t testing.TB, base, school, user, password string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"school": school, "username": user, "password": password})
	resp, err := http.Post(base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// SessionCookie is the answer's session cookie as a Cookie header value ("" when it set none).
func SessionCookie(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "numo_session" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// Logs collects what a logger writes from other goroutines (the app's, a scheduler's) while
// the test reads it: slog.New(slog.NewTextHandler(logs, nil)).
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything written so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
