package app_test

import (
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// otlpReceiver is a real OTLP/HTTP trace receiver on loopback: it decodes each protobuf
// export the SDK posts to /v1/traces and keeps its spans.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	posts int
}

func startReceiver(t *testing.T) (*otlpReceiver, string) {
	t.Helper()
	rcv := &otlpReceiver{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err != nil || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		rcv.mu.Lock()
		rcv.posts++
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				rcv.spans = append(rcv.spans, ss.Spans...)
			}
		}
		rcv.mu.Unlock()
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return rcv, "http://" + ln.Addr().String()
}

// span waits until a span named name has arrived and returns it.
func (r *otlpReceiver) span(t *testing.T, name string) *tracepb.Span {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r.mu.Lock()
		var names []string
		for _, s := range r.spans {
			if s.Name == name {
				r.mu.Unlock()
				return s
			}
			names = append(names, s.Name)
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no span %q among %q", name, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func attr(s *tracepb.Span, key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			if v, ok := a.Value.Value.(*commonpb.AnyValue_IntValue); ok {
				return strconv.FormatInt(v.IntValue, 10)
			}
			return a.Value.GetStringValue()
		}
	}
	return ""
}

// TestTracesExported runs numo with NUMO_OTLP_ENDPOINT at a loopback receiver: a GraphQL query
// gives an HTTP server span "POST /query" (continuing the client's traceparent) with the
// operation's span "query Whoami" below it; an import gives spans for its phases with the
// rows written; the log line of the operation carries the same trace_id. Both databases.
func TestTracesExported(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		rcv, endpoint := startReceiver(t)
		logs := &testapp.Logs{}
		a := testapp.New(t, slog.New(slog.NewTextHandler(logs, nil)), []string{"--db", testdb.URL(t, kind), "--addr", "127.0.0.1:0"},
			map[string]string{"NUMO_ADMIN_PASSWORD": adminPassword, "NUMO_OTLP_ENDPOINT": endpoint})
		base, _ := testapp.ServeApp(t, a)

		cookie := demoSession(t, a, base, "beheer")
		const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		who := gql(t, base, `query Whoami { viewer { account { school { id } } } }`, nil, "Cookie", cookie, "traceparent", parent)
		schoolID, _ := strconv.Atoi(who["data"].(map[string]any)["viewer"].(map[string]any)["account"].(map[string]any)["school"].(map[string]any)["id"].(string))
		commitSmallImport(t, base, cookie, schoolID, 12)

		op := rcv.span(t, "query Whoami")
		traceID := hex.EncodeToString(op.TraceId)
		if traceID != "4bf92f3577b34da6a3ce929d0e0e4736" || attr(op, "graphql.operation.name") != "Whoami" || attr(op, "numo.graphql.outcome") != "ok" {
			t.Errorf("operation span: trace %s, attributes %v", traceID, op.Attributes)
		}
		var server *tracepb.Span
		rcv.mu.Lock()
		for _, s := range rcv.spans {
			if s.Name == "POST /query" && hex.EncodeToString(s.TraceId) == traceID {
				server = s
			}
		}
		rcv.mu.Unlock()
		if server == nil || string(op.ParentSpanId) != string(server.SpanId) || server.Kind != tracepb.Span_SPAN_KIND_SERVER {
			t.Errorf("the operation's span is not below the request's server span %v", server)
		}
		writing := rcv.span(t, "import writing")
		if attr(writing, "numo.import.rows") != "12" || attr(writing, "numo.import.job_id") == "" {
			t.Errorf("import span attributes: %v", writing.Attributes)
		}
		rcv.span(t, "import planning")
		rcv.mu.Lock()
		parentIsMutation := false
		for _, s := range rcv.spans { // the commit runs in the background, in the trace of the mutation that started it
			parentIsMutation = parentIsMutation || (s.Name == "mutation" && string(s.SpanId) == string(writing.ParentSpanId) && string(s.TraceId) == string(writing.TraceId))
		}
		rcv.mu.Unlock()
		if !parentIsMutation {
			t.Error("the import's span is not in the trace of the commit mutation")
		}
		line := regexp.MustCompile(`(?m)^.*msg=graphql .*name=Whoami.*$`).FindString(logs.String())
		if !strings.Contains(line, "trace_id="+traceID) || !strings.Contains(line, "span_id=") {
			t.Errorf("log line without the trace: %q", line)
		}
	})
}
