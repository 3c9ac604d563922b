// Package app wires a numo server process together from its configuration: storage, the
// import service, the GraphQL handler and the HTTP server, with a graceful shutdown.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/numo/accounts/frontend"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/graphiql"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/auth/oidc"
	"github.com/numo/accounts/internal/config"
	"github.com/numo/accounts/internal/demo"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/httpserver"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/metrics"
	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/rostercsv"
	"github.com/numo/accounts/internal/startcode"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/webhook"
)

// App is one running numo server process.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	db      *store.DB
	bus     pubsub.Bus
	jobs    *jobs.Service
	authn   *authn.Service
	handler http.Handler
	// stopPurge stops the scheduled retention purge.
	stopPurge func()
	// stopTokens stops the API token cache.
	stopTokens func()
	// detachFeed undoes feed.Attach (Close).
	detachFeed func()
	// hooks delivers the webhooks (started by Serve).
	hooks *webhook.Dispatcher
	// rate is the API tokens' rate limit, shared with the other processes on the database.
	rate *ratelimit.Limiter
	// obs are the metrics and traces (observe.go).
	obs         *observability
	obsMu       sync.Mutex
	metricsAddr net.Addr
}

// New opens and migrates the database, seeds the demo school when asked and the database is
// empty, and builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	obs, log, err := newObservability(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.WithMaxConns(cfg.DBMaxConns))
	if err != nil {
		obs.stopTracing(ctx) //nolint:errcheck // nothing was traced yet
		return nil, err
	}
	obs.metrics = metrics.New(db.SQL)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	sys := auth.System(ctx)
	if err := backfillSortNames(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if cfg.Demo {
		seeded, err := demo.SeedIfEmpty(sys, db.Client)
		if err != nil {
			db.Close()
			return nil, err
		}
		if seeded {
			log.Info("created the demo school", "brin", demo.BRIN)
		}
	}
	a := &App{cfg: cfg, log: log, db: db, authn: authn.New(db.Client, log), obs: obs}
	a.authn.SecureCookie = cfg.SecureCookies
	a.authn.TrustedProxies = cfg.TrustedProxies
	if err := a.ensureAdmins(sys); err != nil {
		db.Close()
		return nil, err
	}
	// Progress and credential ends cross processes through LISTEN/NOTIFY on PostgreSQL.
	if a.bus, err = db.Bus(log); err != nil {
		db.Close()
		return nil, err
	}
	a.authn.Bus = a.bus // ends websockets in every process when their credential ends
	a.stopTokens = a.authn.StartTokenCache(0)
	a.jobs = jobs.New(db, a.bus, log)
	a.jobs.DeadAfter = cfg.CommitDeadAfter
	a.jobs.HeartbeatInterval = min(cfg.CommitDeadAfter/5, 2*time.Second)
	a.jobs.Phases = obs.phaseObservers()
	a.jobs.Start()
	a.stopPurge = retention.StartSchedulerFeed(context.Background(), db, log, cfg.PurgeEvery, cfg.FeedKeepDays)
	// Roster changes wake the feed's subscribers and the webhook dispatcher after their commit;
	// on SQLite (an in-process bus) only once the database is attached to the bus.
	a.detachFeed = feed.Attach(db, a.bus)
	a.hooks = webhook.New(db, webhook.Options{Source: webhook.FeedSource{DB: db}, Bus: a.bus, Topic: feed.Topic,
		Guard: webhook.Guard{Allow: cfg.WebhookAllowNets}, Log: log, Observe: obs.metrics.WebhookDelivery})
	a.rate = ratelimit.New(ratelimit.NewStore(db), ratelimit.Options{
		Limit: ratelimit.Usage{Requests: cfg.RateRequests, Points: cfg.RatePoints}, Logger: log})
	a.rate.Start()
	a.handler = a.newHandler()
	return a, nil
}

// newHandler builds the HTTP handler: the GraphQL server, the SPA and the plain HTTP routes.
func (a *App) newHandler() http.Handler {
	gql := graph.NewHandler(graph.Options{
		Client:          a.db.Client,
		DB:              a.db,
		Jobs:            a.jobs,
		Authn:           a.authn,
		Logger:          a.log,
		AllowedOrigins:  a.cfg.AllowedOrigins,
		MaxUploadBytes:  a.cfg.MaxUploadBytes,
		Introspection:   a.cfg.Introspection,
		ComplexityLimit: a.cfg.ComplexityLimit,
		Observers:       a.obs.graphObservers(),
		Webhooks:        webhook.NewService(a.db, a.hooks),
		RateLimit:       a.rate,
	})
	explorer := graphiql.New() // GraphiQL for admins and API tokens
	var proxy *url.URL
	if a.cfg.DevProxy != "" {
		proxy, _ = url.Parse(a.cfg.DevProxy) // validated by config.Load
	}
	return httpserver.New(httpserver.Options{
		GraphQL:        gql,
		SPA:            frontend.Dist(),
		DevProxy:       proxy,
		AllowedOrigins: a.cfg.AllowedOrigins,
		MaxUploadBytes: a.cfg.MaxUploadBytes,
		Health:         func(r *http.Request) error { return a.db.Ping(r.Context()) },
		Metrics:        a.obs.mainMetrics(),
		Observe:        a.obs.observeHTTP,
		Routes: map[string]http.Handler{
			"GET /api/import-jobs/{id}/report.csv":  a.jobs.ReportHandler(),
			"GET /api/import-jobs/{id}/refused.csv": a.jobs.RefusedHandler(),
			"GET /api/accounts/{id}/export.json":    retention.ExportHandler(a.db),
			"GET /api/letters/{file}":               startcode.DownloadHandler(a.db.Client, a.cfg.PublicURL, a.log),
			"GET /api/schools/{id}/oneroster.zip":   oneroster.Handler(a.db, a.log),
			"GET /api/classes/{id}/roster.csv":      rostercsv.Handler(a.db.Client, a.log),
			"GET /graphiql":                         explorer.Page(),
			"GET /graphiql/{file}":                  explorer.Files(),
			"POST /api/login":                       a.authn.LoginHandler(),
			"POST /api/logout":                      a.authn.LogoutHandler(),
			"GET /api/sso/":                         oidc.New(a.db.Client, a.authn, a.log).WithPublicURL(a.cfg.PublicURL).Handler(), // single sign-on
		},
		Authenticate: func(h http.Handler) http.Handler { return a.authn.Middleware(a.cfg.AllowedOrigins, h) },
		Logger:       a.log,
	})
}

// ensureAdmins makes sure that someone can become every school's admin, without a password
// ever reaching the log (log pipelines keep it): with NUMO_ADMIN_PASSWORD the first admin gets
// that one-time password; else, when stderr is a terminal, a generated one-time password is
// printed there directly; else (a service, a container, CI) nothing is generated and a warning
// says how to make one (`numo school first-admin`). Either password must be changed at the
// first sign-in (NUMO_ADMIN_PASSWORD is the same for every school).
func (a *App) ensureAdmins(ctx context.Context) error {
	schools, err := a.db.Client.School.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	term := terminal()
	for _, s := range schools {
		if a.cfg.AdminPassword == "" && term == nil {
			ok, err := a.authn.AdminCanSignIn(ctx, s.ID)
			if err != nil {
				return err
			}
			if !ok {
				a.log.Warn("first admin: no admin of this school can sign in (no password is generated when stderr is not a terminal)",
					"school", s.Brin, "fix", "run `numo school first-admin --brin "+s.Brin+
						"` on the same database (--db or NUMO_DATABASE_URL): it prints a one-time password; or start with NUMO_ADMIN_PASSWORD set")
			}
			continue
		}
		user, pw, err := a.authn.EnsureAdminPassword(ctx, s.ID, a.cfg.AdminPassword)
		switch {
		case err != nil:
			return err
		case user == "":
		case a.cfg.AdminPassword != "":
			a.log.Info("first admin can sign in with NUMO_ADMIN_PASSWORD once, then chooses a new password", "school", s.Brin, "username", user)
		default:
			PrintFirstAdmin(term, s.Brin, user, pw)
			a.log.Info("first admin: one-time password printed on the terminal", "school", s.Brin, "username", user)
		}
	}
	return nil
}

// terminal is stderr when it is an interactive terminal (not /dev/null), else nil: the only
// place `numo serve` shows a generated password. Tests replace it.
var terminal = func() io.Writer {
	fi, err := os.Stderr.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return nil
	}
	return os.Stderr
}

// PrintFirstAdmin shows a school's first admin and its one-time password to a person (a
// terminal, or stdout of `numo school first-admin`), never to a logger.
func PrintFirstAdmin(w io.Writer, brin, username, password string) {
	fmt.Fprintf(w, "\n  Numo — first admin / eerste beheerder\n"+
		"    school (BRIN):      %s\n    username:           %s\n    one-time password:  %s\n"+
		"  Sign in and choose your own password (kies bij de eerste keer inloggen je eigen wachtwoord).\n\n",
		brin, username, password)
}

// Authn is the process's sign-in service.
func (a *App) Authn() *authn.Service { return a.authn }

// Handler is the process's root HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// DB is the process's database.
func (a *App) DB() *store.DB { return a.db }

// Jobs is the process's import job service.
func (a *App) Jobs() *jobs.Service { return a.jobs }

// Close stops running imports (they roll back and are marked failed) and releases the database.
func (a *App) Close() error {
	a.stopPurge()
	a.detachFeed()
	a.jobs.Close()
	a.stopTokens()
	a.rate.Stop() // its last counts go to the database first
	a.bus.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.obs.stopTracing(ctx); err != nil {
		a.log.Warn("flushing traces", "err", err)
	}
	return a.db.Close()
}

// Serve listens on the configured address until ctx ends, then shuts down gracefully: the
// base context of every request (websocket subscriptions included, which http.Server.Shutdown
// does not wait for) is cancelled first, then in-flight requests get ShutdownTimeout to finish.
func (a *App) Serve(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Every serving process delivers webhooks; the lease in the database keeps two from
	// delivering one webhook at once. Stopped after the HTTP server (deferred).
	defer a.hooks.Start(baseCtx)()
	if err := a.obs.serveMetrics(baseCtx, a.log, a.setMetricsAddr); err != nil {
		srv.Close()
		return err
	}
	a.log.Info("numo serving", "addr", ln.Addr().String(), "db", redact(a.cfg.DatabaseURL))
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("numo shutting down")
	cancelBase()
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// redact hides a password in a database URL for the log.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
