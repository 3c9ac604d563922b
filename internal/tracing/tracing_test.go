package tracing_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/numo/accounts/internal/tracing"
)

// TestSpans: an operation's span is named by its type and name and ends in error when refused
// or answered with errors; an import phase's span records its rows and its error; the log
// handler adds trace_id and span_id only to lines logged with a span in their context.
func TestSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tr := tracing.New(tp)
	var buf bytes.Buffer
	log := slog.New(tracing.LogHandler(slog.NewTextHandler(&buf, nil))).With("component", "test")

	ctx, end := tr.Operation(context.Background(), "query", "Roster", time.Now())
	log.InfoContext(ctx, "inside")
	end("ok")
	_, end = tr.Operation(context.Background(), "", "", time.Now())
	end("refused")
	_, end = tr.Operation(context.Background(), "mutation", "Commit", time.Now())
	end("error")
	tr.ImportPhase(context.Background(), 42, "writing")(17, errors.New("disk full"))
	log.Info("outside")

	spans := exp.GetSpans()
	if len(spans) != 4 {
		t.Fatalf("%d spans", len(spans))
	}
	for i, want := range []struct {
		name string
		code codes.Code
	}{{"query Roster", codes.Unset}, {"GraphQL operation", codes.Error}, {"mutation Commit", codes.Error}, {"import writing", codes.Error}} {
		if spans[i].Name != want.name || spans[i].Status.Code != want.code {
			t.Errorf("span %d: %q %v, want %q %v", i, spans[i].Name, spans[i].Status, want.name, want.code)
		}
	}
	rows := int64(-1)
	for _, a := range spans[3].Attributes {
		if a.Key == "numo.import.rows" {
			rows = a.Value.AsInt64()
		}
	}
	if len(spans[3].Events) != 1 || rows != 17 {
		t.Errorf("import span: %v %v", spans[3].Attributes, spans[3].Events)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.Contains(lines[0], "trace_id="+spans[0].SpanContext.TraceID().String()) ||
		!strings.Contains(lines[0], "span_id="+spans[0].SpanContext.SpanID().String()) || !strings.Contains(lines[0], "component=test") {
		t.Errorf("line with a span: %s", lines[0])
	}
	if strings.Contains(lines[1], "trace_id") {
		t.Errorf("line without a span: %s", lines[1])
	}
}
