// Package config owns the settings of a numo process: defaults, NUMO_* environment variables
// and command-line flags (in rising precedence), and their validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of `numo serve`.
type Config struct {
	// Addr is the TCP address the HTTP server listens on.
	Addr string
	// DatabaseURL selects the storage: a SQLite file ("file:numo.db", "numo.db") or "postgres://…".
	DatabaseURL string
	// AllowedOrigins are the browser origins allowed to call the API cross-origin (CORS and websocket).
	AllowedOrigins []string
	// Demo creates the demo school on first start with an empty database.
	Demo bool
	// MaxUploadBytes is the largest CSV upload accepted.
	MaxUploadBytes int64
	// Introspection enables GraphQL schema introspection.
	Introspection bool
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// PublicURL is the address people open the app at (https://numo.school.nl), printed on
	// login letters as where to sign in; empty means the address the admin's browser used.
	PublicURL string
	// DevProxy, when set, is the URL of a Vite dev server the SPA requests are proxied to.
	DevProxy string
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// ComplexityLimit bounds the cost of one GraphQL operation.
	ComplexityLimit int
	// DBMaxConns is the most PostgreSQL connections the process opens (store.WithMaxConns):
	// the sum over all processes must stay under the server's max_connections.
	DBMaxConns int
	// SecureCookies marks the session cookie Secure: set it when numo is served over HTTPS.
	SecureCookies bool
	// AdminPassword, when set, is the password of a school's first admin (else a one-time
	// password is printed on the terminal, never to the log). Only from NUMO_ADMIN_PASSWORD:
	// never a flag.
	AdminPassword string
	// PurgeEvery is how often the retention purge runs inside numo serve.
	PurgeEvery time.Duration
	// FeedKeepDays is how many days the roster change feed keeps its entries (the retention
	// purge prunes older ones; a reader from before them gets CURSOR_TOO_OLD).
	FeedKeepDays int
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For
	// header is believed for the client's address; none by default, when the connection's
	// address is the client's.
	TrustedProxies []netip.Prefix
	// CommitDeadAfter is how long a committing process may stay silent before another process
	// marks its import failed (its transaction has rolled back with its connection).
	CommitDeadAfter time.Duration
	// MetricsAddr, when set, is a listen address of its own for /metrics (127.0.0.1:9090),
	// which only the operator should reach.
	MetricsAddr string
	// MetricsToken, when set, serves /metrics on the main address too, to requests with
	// "Authorization: Bearer <token>". Only from NUMO_METRICS_TOKEN: never a flag.
	MetricsToken string
	// OTLPEndpoint is where traces go (OTLP over HTTP, e.g. http://collector:4318); empty
	// with Tracing set means the exporter reads the standard OTEL_EXPORTER_OTLP_* variables.
	OTLPEndpoint string
	// RateRequests and RatePoints are every API token's budget per minute, in GraphQL
	// operations and in complexity points (internal/ratelimit), across all processes; 0
	// means no limit on that budget.
	RateRequests, RatePoints int64
	// Tracing turns OpenTelemetry traces on: NUMO_OTLP_ENDPOINT, or the standard
	// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, is set.
	Tracing bool
	// WebhookAllowNets are the networks (addresses or CIDR ranges) that webhooks may reach
	// although they are internal (loopback, private, link-local); plain http is allowed only
	// to an address inside them. None by default: webhooks go to public https URLs only.
	WebhookAllowNets []netip.Prefix
}

// ErrInvalid is wrapped by every validation error of Load.
var ErrInvalid = errors.New("invalid configuration")

// Load reads the configuration: defaults, then the NUMO_* variables from getenv, then the flags
// in args (without the program and subcommand names).
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("numo serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		c   Config
		raw rawFlags
	)
	raw.register(fs, &c, getenv)
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%w: unexpected argument %q", ErrInvalid, fs.Arg(0))
	}
	var errs []error
	bad := func(name string, err error) { errs = append(errs, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)) }
	c.AdminPassword = getenv("NUMO_ADMIN_PASSWORD")
	c.MetricsToken = strings.TrimSpace(getenv("NUMO_METRICS_TOKEN"))
	c.Tracing = c.OTLPEndpoint != "" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	raw.parseInto(&c, bad)
	c.validate(bad)
	return c, errors.Join(errs...)
}

// rawFlags holds the flag values that still need parsing into typed Config fields.
type rawFlags struct {
	origins     string
	uploadMB    string
	demo, intro string
	shutdown    string
	complexity  string
	deadAfter   string
	secure      string
	purgeEvery  string
	feedKeep    string
	proxies     string
	maxConns    string
	webhookNets string
	rateReq     string
	ratePoints  string
}

// register declares every flag on fs, each defaulting to its NUMO_* variable from getenv.
func (r *rawFlags) register(fs *flag.FlagSet, c *Config, getenv func(string) string) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("NUMO_ADDR", ":8080"), "listen address (NUMO_ADDR)")
	fs.StringVar(&c.DatabaseURL, "db", env("NUMO_DATABASE_URL", "file:numo.db"), "database: SQLite file or postgres:// URL (NUMO_DATABASE_URL)")
	fs.StringVar(&r.origins, "cors-origins", env("NUMO_CORS_ORIGINS", ""), "comma-separated allowed browser origins (NUMO_CORS_ORIGINS)")
	fs.StringVar(&r.demo, "demo", env("NUMO_DEMO", "true"), "create a demo school in an empty database (NUMO_DEMO)")
	fs.StringVar(&r.uploadMB, "max-upload-mb", env("NUMO_MAX_UPLOAD_MB", "20"), "largest accepted upload in MB (NUMO_MAX_UPLOAD_MB)")
	fs.StringVar(&r.intro, "introspection", env("NUMO_INTROSPECTION", "true"), "allow GraphQL introspection (NUMO_INTROSPECTION)")
	fs.StringVar(&c.LogLevel, "log-level", env("NUMO_LOG_LEVEL", "info"), "debug, info, warn or error (NUMO_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("NUMO_LOG_FORMAT", "text"), "text or json (NUMO_LOG_FORMAT)")
	fs.StringVar(&c.PublicURL, "public-url", env("NUMO_PUBLIC_URL", ""), "the address people open the app at, printed on login letters (NUMO_PUBLIC_URL)")
	fs.StringVar(&c.DevProxy, "dev-proxy", env("NUMO_DEV_PROXY", ""), "proxy the SPA to this Vite dev server URL (NUMO_DEV_PROXY)")
	fs.StringVar(&r.shutdown, "shutdown-timeout", env("NUMO_SHUTDOWN_TIMEOUT", "15s"), "graceful shutdown limit (NUMO_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&r.complexity, "complexity-limit", env("NUMO_COMPLEXITY_LIMIT", "500000"), "maximum cost of one GraphQL operation (NUMO_COMPLEXITY_LIMIT)")
	fs.StringVar(&r.deadAfter, "commit-dead-after", env("NUMO_COMMIT_DEAD_AFTER", "20s"), "fail an import whose process is silent this long (NUMO_COMMIT_DEAD_AFTER)")
	fs.StringVar(&r.purgeEvery, "purge-every", env("NUMO_PURGE_EVERY", "1h"), "how often to purge data past the schools' retention terms (NUMO_PURGE_EVERY)")
	fs.StringVar(&r.feedKeep, "feed-keep-days", env("NUMO_FEED_KEEP_DAYS", "90"), "days the roster change feed keeps its entries (NUMO_FEED_KEEP_DAYS)")
	fs.StringVar(&r.proxies, "trusted-proxies", env("NUMO_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (NUMO_TRUSTED_PROXIES)")
	fs.StringVar(&r.maxConns, "db-max-conns", env("NUMO_DB_MAX_CONNS", "64"), "most PostgreSQL connections this process opens, half of them for one-round-trip reads (NUMO_DB_MAX_CONNS)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("NUMO_METRICS_ADDR", ""), "serve /metrics on this address of its own, e.g. 127.0.0.1:9090 (NUMO_METRICS_ADDR)")
	fs.StringVar(&c.OTLPEndpoint, "otlp-endpoint", env("NUMO_OTLP_ENDPOINT", ""), "send OpenTelemetry traces to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318 (NUMO_OTLP_ENDPOINT)")
	fs.StringVar(&r.rateReq, "rate-limit-requests", env("NUMO_RATE_LIMIT_REQUESTS", "600"), "GraphQL operations per minute of one API token, all processes together; 0: no limit (NUMO_RATE_LIMIT_REQUESTS)")
	fs.StringVar(&r.ratePoints, "rate-limit-points", env("NUMO_RATE_LIMIT_POINTS", "5000000"), "complexity points per minute of one API token, all processes together; 0: no limit (NUMO_RATE_LIMIT_POINTS)")
	fs.StringVar(&r.webhookNets, "webhook-allow-nets", env("NUMO_WEBHOOK_ALLOW_NETS", ""), "comma-separated addresses or CIDR ranges of internal networks webhooks may reach, over http too (NUMO_WEBHOOK_ALLOW_NETS)")
	fs.StringVar(&r.secure, "secure-cookies", env("NUMO_SECURE_COOKIES", "false"), "session cookie only over HTTPS (NUMO_SECURE_COOKIES)")
}

// parseInto converts the raw flag values into c's typed fields, reporting each bad one to bad.
func (r *rawFlags) parseInto(c *Config, bad func(string, error)) {
	var err error
	if c.Demo, err = strconv.ParseBool(r.demo); err != nil {
		bad("demo", err)
	}
	if c.PurgeEvery, err = time.ParseDuration(r.purgeEvery); err != nil || c.PurgeEvery < time.Minute {
		bad("purge-every", fmt.Errorf("want a duration of at least 1m, got %q", r.purgeEvery))
	}
	if c.FeedKeepDays, err = strconv.Atoi(r.feedKeep); err != nil || c.FeedKeepDays < 1 || c.FeedKeepDays > 3650 {
		bad("feed-keep-days", fmt.Errorf("want a whole number of days from 1 to 3650, got %q", r.feedKeep))
	}
	if c.SecureCookies, err = strconv.ParseBool(r.secure); err != nil {
		bad("secure-cookies", err)
	}
	if c.Introspection, err = strconv.ParseBool(r.intro); err != nil {
		bad("introspection", err)
	}
	if mb, err := strconv.ParseInt(r.uploadMB, 10, 64); err != nil || mb < 1 || mb > 1024 {
		bad("max-upload-mb", fmt.Errorf("want a whole number of MB from 1 to 1024, got %q", r.uploadMB))
	} else {
		c.MaxUploadBytes = mb << 20
	}
	if c.ShutdownTimeout, err = time.ParseDuration(r.shutdown); err != nil || c.ShutdownTimeout <= 0 {
		bad("shutdown-timeout", fmt.Errorf("want a positive duration such as 15s, got %q", r.shutdown))
	}
	if c.CommitDeadAfter, err = time.ParseDuration(r.deadAfter); err != nil || c.CommitDeadAfter < time.Second {
		bad("commit-dead-after", fmt.Errorf("want a duration of at least 1s, got %q", r.deadAfter))
	}
	if c.ComplexityLimit, err = strconv.Atoi(r.complexity); err != nil || c.ComplexityLimit < 10 {
		bad("complexity-limit", fmt.Errorf("want a whole number of at least 10, got %q", r.complexity))
	}
	if c.DBMaxConns, err = strconv.Atoi(r.maxConns); err != nil || c.DBMaxConns < 4 || c.DBMaxConns > 1000 {
		bad("db-max-conns", fmt.Errorf("want a whole number from 4 to 1000, got %q", r.maxConns))
	}
	for _, o := range strings.Split(r.origins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("cors-origins", fmt.Errorf("%q is not an origin like https://numo.example.nl", o))
			continue
		}
		c.AllowedOrigins = append(c.AllowedOrigins, u.Scheme+"://"+u.Host)
	}
	if c.TrustedProxies, err = ParseTrustedProxies(r.proxies); err != nil {
		bad("trusted-proxies", err)
	}
	if c.WebhookAllowNets, err = ParseTrustedProxies(r.webhookNets); err != nil {
		bad("webhook-allow-nets", err)
	}
	r.parseRates(c, bad)
}

// parseRates reads the rate limit's budgets. A points budget under the complexity limit
// would refuse forever an operation that the complexity limit allows.
func (r *rawFlags) parseRates(c *Config, bad func(string, error)) {
	var err error
	if c.RateRequests, err = strconv.ParseInt(r.rateReq, 10, 64); err != nil || c.RateRequests < 0 {
		bad("rate-limit-requests", fmt.Errorf("want a whole number of operations per minute, 0 for no limit, got %q", r.rateReq))
	}
	if c.RatePoints, err = strconv.ParseInt(r.ratePoints, 10, 64); err != nil || c.RatePoints < 0 {
		bad("rate-limit-points", fmt.Errorf("want a whole number of points per minute, 0 for no limit, got %q", r.ratePoints))
	} else if c.RatePoints > 0 && c.RatePoints < int64(c.ComplexityLimit) {
		bad("rate-limit-points", fmt.Errorf("%d is under the complexity limit of one operation (%d): use at least that, or 0", c.RatePoints, c.ComplexityLimit))
	}
}

// validate checks the fields that flags set directly, reporting each bad one to bad.
func (c *Config) validate(bad func(string, error)) {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", err)
	}
	if c.DatabaseURL == "" {
		bad("db", errors.New("empty"))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", fmt.Errorf("want debug, info, warn or error, got %q", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log-format", fmt.Errorf("want text or json, got %q", c.LogFormat))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("metrics-addr", err)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		bad("NUMO_METRICS_TOKEN", errors.New("want at least 16 characters"))
	}
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("otlp-endpoint", fmt.Errorf("%q is not an http(s) URL", c.OTLPEndpoint))
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("public-url", fmt.Errorf("%q is not an http(s) URL", c.PublicURL))
		}
	}
	if c.DevProxy != "" {
		if u, err := url.Parse(c.DevProxy); err != nil || u.Host == "" {
			bad("dev-proxy", fmt.Errorf("%q is not a URL", c.DevProxy))
		}
	}
}

// ParseTrustedProxies reads a comma-separated list of IP addresses and CIDR ranges
// ("10.0.0.1, 10.1.0.0/16, fd00::/8"); an address stands for itself alone (/32 or /128).
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address range like 10.0.0.0/8", item)
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is not an IP address like 10.0.0.1", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
