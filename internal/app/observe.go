package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/config"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/metrics"
	"github.com/numo/accounts/internal/tracing"
)

// observability is what a process tells its operator: metrics always (served only when
// configured), traces when configured.
type observability struct {
	metrics      *metrics.Metrics
	tracer       *tracing.Tracer // nil: no traces
	stopTracing  func(context.Context) error
	metricsAddr  string
	metricsToken string
}

// newObservability starts the tracer when configured; log is wrapped so that its lines
// carry the trace of their context.
func newObservability(ctx context.Context, cfg config.Config, log *slog.Logger) (*observability, *slog.Logger, error) {
	o := &observability{metricsAddr: cfg.MetricsAddr, metricsToken: cfg.MetricsToken, stopTracing: func(context.Context) error { return nil }}
	if !cfg.Tracing {
		return o, log, nil
	}
	t, stop, err := tracing.NewOTLP(ctx, cfg.OTLPEndpoint)
	if err != nil {
		return nil, nil, err
	}
	o.tracer, o.stopTracing = t, stop
	log = slog.New(tracing.LogHandler(log.Handler()))
	log.Info("traces are exported over OTLP/HTTP", "endpoint", cfg.OTLPEndpoint)
	return o, log, nil
}

// graphObservers are told about every GraphQL operation.
func (o *observability) graphObservers() []graph.Observer {
	obs := []graph.Observer{o.metrics}
	if o.tracer != nil {
		obs = append(obs, o.tracer)
	}
	return obs
}

// phaseObservers are told about every import commit's phases.
func (o *observability) phaseObservers() []jobs.PhaseObserver {
	obs := []jobs.PhaseObserver{o.metrics}
	if o.tracer != nil {
		obs = append(obs, o.tracer)
	}
	return obs
}

// mainMetrics serves /metrics on the main address: only with NUMO_METRICS_TOKEN (nil, so
// 404, without it).
func (o *observability) mainMetrics() http.Handler {
	if o.metricsToken == "" {
		return nil
	}
	return o.metrics.Handler(o.metricsToken)
}

// observeHTTP wraps the root handler: server spans outside (their context reaches the
// GraphQL operations' spans), request metrics inside.
func (o *observability) observeHTTP(next http.Handler, route func(*http.Request) string) http.Handler {
	h := o.metrics.Middleware(next, route)
	if o.tracer != nil {
		h = o.tracer.Middleware(h, route)
	}
	return h
}

// serveMetrics serves /metrics on NUMO_METRICS_ADDR, its own listener, until ctx ends (with
// NUMO_METRICS_TOKEN set it asks for the token there too). ready gets its address.
func (o *observability) serveMetrics(ctx context.Context, log *slog.Logger, ready func(net.Addr)) error {
	if o.metricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", o.metricsAddr)
	if err != nil {
		return fmt.Errorf("metrics: listen on %s: %w", o.metricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", o.metrics.Handler(o.metricsToken))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // the process is stopping
	}()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics", "err", err)
		}
	}()
	log.Info("metrics served", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr())
	}
	return nil
}

// MetricsAddr is the address /metrics listens on, once Serve has started it (nil before, or
// without NUMO_METRICS_ADDR).
func (a *App) MetricsAddr() net.Addr {
	a.obsMu.Lock()
	defer a.obsMu.Unlock()
	return a.metricsAddr
}

func (a *App) setMetricsAddr(addr net.Addr) {
	a.obsMu.Lock()
	defer a.obsMu.Unlock()
	a.metricsAddr = addr
}
