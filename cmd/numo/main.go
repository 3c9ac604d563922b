// Command numo is Numo accounts in one binary: the server with the embedded app (`numo serve`)
// and the command-line tools for integrators and operators (`numo school`, `numo import`,
// `numo jobs`, `numo undo`, `numo purge`).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/config"
)

const usage = `numo — Numo accounts

Usage:
  numo serve [flags]                      run the server and the app (numo serve --help)
  numo school create --brin 99XX --name "…" [--db URL]
  numo school first-admin --brin 99XX [--reset] [--db URL]   print a one-time password for the school's first admin
  numo import --school BRIN [flags] FILE.csv   (numo import --help)
  numo jobs --school BRIN [--json]             the school's import history (numo jobs --help)
  numo undo --school BRIN [--dry-run] [--skip-conflicts] [--json] JOB   undo an import (numo undo --help)
  numo purge [--db URL] [--dry-run] [--json]   purge what the schools' retention terms no longer allow
  numo export-roster --school BRIN --out FILE.zip [--archived]   the roster as OneRoster 1.2 CSV (numo export-roster --help)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// commands are the command-line tools by name; each returns its exit code.
var commands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) int{
	"school":        schoolCmd,
	"import":        importCmd,
	"jobs":          jobsCmd,
	"undo":          undoCmd,
	"purge":         purgeCmd,
	"export-roster": exportRosterCmd,
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	// The command-line tools act as the product itself: whoever runs them holds the database
	// credentials. The server authorises every request by its viewer instead.
	sys := auth.System(ctx)
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(sys, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "numo: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func serve(ctx context.Context, args []string, stderr io.Writer) int {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			fmt.Fprint(stderr, serveHelp)
			return 0
		}
	}
	cfg, err := config.Load(args, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "numo serve: %v\n", err)
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	slog.SetDefault(log)
	startPprof(os.Getenv("NUMO_DEBUG_PPROF"), log)
	tuneGC()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	defer a.Close()
	if err := a.Serve(ctx, nil); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

const serveHelp = `Usage: numo serve [flags]   (every flag also as an environment variable)
  --addr ADDR              listen address (NUMO_ADDR, default :8080)
  --db URL                 SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --cors-origins LIST      comma-separated browser origins allowed cross-origin (NUMO_CORS_ORIGINS)
  --demo BOOL              create a demo school in an empty database (NUMO_DEMO, default true)
  --max-upload-mb N        largest CSV upload (NUMO_MAX_UPLOAD_MB, default 20)
  --introspection BOOL     GraphQL introspection (NUMO_INTROSPECTION, default true)
  --complexity-limit N     maximum operation complexity (NUMO_COMPLEXITY_LIMIT, default 2000)
  --log-level LEVEL        debug|info|warn|error (NUMO_LOG_LEVEL, default info)
  --log-format FORMAT      text|json (NUMO_LOG_FORMAT, default text)
  --dev-proxy URL          proxy the app to a Vite dev server (NUMO_DEV_PROXY)
  --shutdown-timeout D     graceful shutdown limit (NUMO_SHUTDOWN_TIMEOUT, default 15s)
  --purge-every D          run the retention purge this often (NUMO_PURGE_EVERY, default 1h)
  --commit-dead-after D    fail an import whose process went silent this long (NUMO_COMMIT_DEAD_AFTER, default 20s)
  --metrics-addr ADDR      serve Prometheus /metrics on this address of its own (NUMO_METRICS_ADDR; NUMO_METRICS_TOKEN serves it on --addr to that bearer token)
  --otlp-endpoint URL      export OpenTelemetry traces over OTLP/HTTP (NUMO_OTLP_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT)
`

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level)) //nolint:errcheck // validated by config.Load
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
