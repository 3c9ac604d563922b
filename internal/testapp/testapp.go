// Package testapp builds the real application for tests, as `numo serve` builds it: the
// configuration from flags and environment, then app.New. Only tests import it.
package testapp

import (
	"context"
	"log/slog"
	"testing"

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
