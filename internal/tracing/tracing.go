// Package tracing owns a numo process's OpenTelemetry traces (the OTel Go SDK with the OTLP
// over HTTP exporter, off unless configured): HTTP server spans (otelhttp), a span per GraphQL
// operation (graph.Observer: gqlgen has no OpenTelemetry support of its own), a span per
// import commit phase (jobs.PhaseObserver), and the trace and span IDs in log lines (LogHandler).
package tracing

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Name is the service name and the instrumentation scope of numo's spans.
const Name = "numo"

// Tracer makes numo's spans through a TracerProvider of its own (not the global one, so that
// two servers in one test process do not share one).
type Tracer struct {
	tp     trace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

// New makes spans with tp (tests pass one with an in-memory exporter).
func New(tp trace.TracerProvider) *Tracer {
	return &Tracer{tp: tp, tracer: tp.Tracer(Name), prop: propagation.TraceContext{}}
}

// NewOTLP exports spans in batches over OTLP/HTTP to endpoint (a base URL such as
// http://collector:4318; spans go to its /v1/traces), or, when endpoint is empty, where the
// standard OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT variables say
// (with OTEL_EXPORTER_OTLP_HEADERS and the rest, read by the exporter). shutdown flushes
// what is buffered.
func NewOTLP(ctx context.Context, endpoint string) (t *Tracer, shutdown func(context.Context) error, err error) {
	var opts []otlptracehttp.Option
	if endpoint != "" {
		opts = append(opts, otlptracehttp.WithEndpointURL(strings.TrimSuffix(endpoint, "/")+"/v1/traces"))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", Name)))
	if err != nil {
		return nil, nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(2*time.Second)), sdktrace.WithResource(res))
	return New(tp), tp.Shutdown, nil
}

// Middleware starts a server span per request, named by its method and route pattern (never
// its raw path), continuing a trace whose traceparent header the client sent. Probes and
// metrics scrapes get none.
func (t *Tracer) Middleware(next http.Handler, route func(*http.Request) string) http.Handler {
	return otelhttp.NewHandler(next, Name,
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + route(r) }),
		otelhttp.WithFilter(func(r *http.Request) bool {
			switch r.URL.Path {
			case "/healthz", "/readyz", "/metrics":
				return false
			}
			return true
		}),
	)
}

// Operation starts a span for one GraphQL operation (graph.Observer), named as OpenTelemetry's
// GraphQL conventions say: "query RosterOfClass"; it ends at the first answer, in error when
// the answer carries errors or the operation was refused.
func (t *Tracer) Operation(ctx context.Context, kind, name string, start time.Time) (context.Context, func(outcome string)) {
	spanName := kind
	if kind == "" {
		spanName = "GraphQL operation"
	}
	if name != "" {
		spanName += " " + truncate(name, 64)
	}
	ctx, span := t.tracer.Start(ctx, strings.TrimSpace(spanName), trace.WithTimestamp(start), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("graphql.operation.type", kind), attribute.String("graphql.operation.name", truncate(name, 64))))
	return ctx, func(outcome string) {
		span.SetAttributes(attribute.String("numo.graphql.outcome", outcome))
		if outcome != "ok" {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
}

// ImportPhase starts a span for one phase of an import commit (jobs.PhaseObserver).
func (t *Tracer) ImportPhase(ctx context.Context, jobID int, phase string) func(rows int, err error) {
	_, span := t.tracer.Start(ctx, "import "+phase, trace.WithAttributes(attribute.Int("numo.import.job_id", jobID), attribute.String("numo.import.phase", phase)))
	return func(rows int, err error) {
		span.SetAttributes(attribute.Int("numo.import.rows", rows))
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "import failed")
		}
		span.End()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
