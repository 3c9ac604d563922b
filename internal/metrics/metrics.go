// Package metrics owns what a numo process tells its operator in the Prometheus format
// (github.com/prometheus/client_golang): HTTP requests by route pattern and status, GraphQL
// operations by name and outcome, import phases with rows, the database pool, active
// websockets and subscriptions, with the Go runtime's and the process's own. It serves them
// only to the operator (Handler): on a separate listen address, or behind a bearer token.
package metrics

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MaxOperationNames bounds the distinct GraphQL operation names counted: a client chooses
// its operation names, so past this many, new names are counted as OtherOperation.
const MaxOperationNames = 200

// Names of the operations that are not counted by their own name.
const (
	AnonymousOperation = "(anonymous)" // an operation without a name
	OtherOperation     = "(other)"     // a name past MaxOperationNames, or not a GraphQL name
)

// Metrics holds the process's collectors in a registry of its own (not the global one), so
// that two servers in one test process do not collide.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.HistogramVec
	operations   *prometheus.HistogramVec
	phases       *prometheus.HistogramVec
	phaseRows    *prometheus.CounterVec
	websockets   prometheus.Gauge
	subscription prometheus.Gauge
	webhooks     *prometheus.HistogramVec

	mu    sync.Mutex
	names map[string]bool // the operation names counted by their own name
}

// New registers numo's collectors, the Go runtime's, the process's and, when db is not nil,
// the database pool's (sql.DBStats).
func New(db *sql.DB) *Metrics {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "numo_http_request_duration_seconds", Help: "HTTP requests by route pattern, method and status code, with their durations (a websocket's lasts as long as it is open).", Buckets: buckets,
		}, []string{"route", "method", "code"}),
		operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "numo_graphql_operation_duration_seconds", Help: "GraphQL operations by type, name and outcome (ok, error, refused), from the start of parsing to the first answer.", Buckets: buckets,
		}, []string{"type", "name", "outcome"}),
		phases: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "numo_import_phase_duration_seconds", Help: "Import commit phases (planning, writing) by outcome, with their durations.", Buckets: append(buckets, 120, 300, 600),
		}, []string{"phase", "outcome"}),
		phaseRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "numo_import_phase_rows_total", Help: "Rows handled by import commit phases (planning: rows planned, writing: accounts written).",
		}, []string{"phase"}),
		websockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "numo_websockets_active", Help: "Websocket connections open now.",
		}),
		subscription: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "numo_graphql_subscriptions_active", Help: "GraphQL subscriptions running now.",
		}),
		webhooks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "numo_webhook_delivery_duration_seconds", Help: "Webhook delivery attempts by outcome (OK, HTTP_ERROR, TIMEOUT, NETWORK_ERROR, REFUSED), with their durations; the count is the number of attempts.", Buckets: buckets,
		}, []string{"outcome"}),
		names: map[string]bool{},
	}
	m.reg.MustRegister(m.httpRequests, m.operations, m.phases, m.phaseRows, m.websockets, m.subscription, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, "numo"))
	}
	return m
}

// Registry is where the collectors are registered (for tests and further collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format. With a token, a request must carry
// "Authorization: Bearer <token>" or is answered 401 (Prometheus's scrape config sends it with
// `authorization: {credentials: …}`); without one it answers everyone, for a listener that
// only the operator reaches.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="numo metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Middleware counts each request by the route pattern it matched (route), never its raw path,
// whose IDs would make every request a series of its own. A websocket is counted as open
// while its request lasts.
func (m *Metrics) Middleware(next http.Handler, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			m.websockets.Inc()
			defer m.websockets.Dec()
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		pattern := route(r)
		if pattern == "" {
			pattern = "(none)"
		}
		m.httpRequests.WithLabelValues(pattern, method(r.Method), strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
	})
}

// method bounds the method label to the ones HTTP defines.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.written {
		s.status, s.written = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.written = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and the websocket upgrade reach the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Operation counts one GraphQL operation (graph.Observer): kind is query, mutation,
// subscription or "" when it was refused before it could be read; end is called once with
// its outcome. A subscription counts as active until ctx ends.
func (m *Metrics) Operation(ctx context.Context, kind, name string, start time.Time) (context.Context, func(outcome string)) {
	if kind == "subscription" {
		m.subscription.Inc()
		context.AfterFunc(ctx, m.subscription.Dec)
	}
	if kind == "" {
		kind = "unknown"
	}
	name = m.bucket(name)
	var once sync.Once
	return ctx, func(outcome string) {
		once.Do(func() { m.operations.WithLabelValues(kind, name, outcome).Observe(time.Since(start).Seconds()) })
	}
}

// bucket is the label of an operation name: the name itself for the first MaxOperationNames
// GraphQL names seen, AnonymousOperation or OtherOperation otherwise.
func (m *Metrics) bucket(name string) string {
	if name == "" {
		return AnonymousOperation
	}
	if !graphQLName(name) {
		return OtherOperation
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= MaxOperationNames {
		return OtherOperation
	}
	m.names[name] = true
	return name
}

// graphQLName reports whether s is a GraphQL name of at most 64 characters.
func graphQLName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ImportPhase times one phase of an import commit (jobs.PhaseObserver); end is called once
// with the rows it handled and its error.
func (m *Metrics) ImportPhase(ctx context.Context, jobID int, phase string) func(rows int, err error) {
	start := time.Now()
	return func(rows int, err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		m.phases.WithLabelValues(phase, outcome).Observe(time.Since(start).Seconds())
		m.phaseRows.WithLabelValues(phase).Add(float64(rows))
	}
}

// WebhookDelivery counts one webhook delivery attempt by its outcome, with its duration
// (webhook.Options.Observe).
func (m *Metrics) WebhookDelivery(outcome string, d time.Duration) {
	m.webhooks.WithLabelValues(outcome).Observe(d.Seconds())
}
