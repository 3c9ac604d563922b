package metrics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/numo/accounts/internal/metrics"
)

// scrape returns what Handler answers (without a token).
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// TestOperationNamesBounded: a client chooses its operation names, so only the first
// MaxOperationNames GraphQL names get a series of their own; later names, names that are not
// GraphQL names and very long ones are (other), a missing one (anonymous).
func TestOperationNamesBounded(t *testing.T) {
	m := metrics.New(nil)
	end := func(kind, name string) {
		_, done := m.Operation(context.Background(), kind, name, time.Now())
		done("ok")
		done("error") // counted once
	}
	for i := range metrics.MaxOperationNames + 50 {
		end("query", fmt.Sprintf("Op%d", i))
	}
	end("query", "Op0")
	end("query", "")
	end("query", "not a name {}")
	end("query", strings.Repeat("A", 65))
	body := scrape(t, m)
	for _, c := range []struct {
		series string
		count  string
	}{
		{`name="Op0",outcome="ok",type="query"}`, "2"},
		{fmt.Sprintf(`name="Op%d",outcome="ok",type="query"}`, metrics.MaxOperationNames-1), "1"},
		{`name="(other)",outcome="ok",type="query"}`, "52"},
		{`name="(anonymous)",outcome="ok",type="query"}`, "1"},
	} {
		if !strings.Contains(body, "numo_graphql_operation_duration_seconds_count{"+c.series+" "+c.count+"\n") {
			t.Errorf("want %s %s", c.series, c.count)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`name="Op%d"`, metrics.MaxOperationNames)) || strings.Contains(body, `outcome="error"`) {
		t.Error("a name past the cap or a second end was counted")
	}
	if n := testutil.CollectAndCount(m.Registry(), "numo_graphql_operation_duration_seconds"); n != metrics.MaxOperationNames+2 {
		t.Errorf("%d operation series, want %d", n, metrics.MaxOperationNames+2)
	}
}

// TestActiveGauges: a subscription is active until its context ends; a websocket request is
// open while it lasts; an import phase counts its rows and outcome.
func TestActiveGauges(t *testing.T) {
	m := metrics.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	_, done := m.Operation(ctx, "subscription", "Progress", time.Now())
	done("ok")
	if body := scrape(t, m); !strings.Contains(body, "numo_graphql_subscriptions_active 1\n") {
		t.Errorf("subscription not active:\n%s", body)
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(scrape(t, m), "numo_graphql_subscriptions_active 0\n") {
		if time.Now().After(deadline) {
			t.Fatal("subscription still active after its context ended")
		}
		time.Sleep(5 * time.Millisecond)
	}

	inside := make(chan string, 1)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside <- scrape(t, m)
		w.WriteHeader(http.StatusSwitchingProtocols)
	}), func(*http.Request) string { return "/query" })
	req := httptest.NewRequest("GET", "/query", nil)
	req.Header.Set("Upgrade", "websocket")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if body := <-inside; !strings.Contains(body, "numo_websockets_active 1\n") {
		t.Error("websocket not counted while open")
	}
	body := scrape(t, m)
	if !strings.Contains(body, "numo_websockets_active 0\n") || !strings.Contains(body, `numo_http_request_duration_seconds_count{code="101",method="GET",route="/query"} 1`) {
		t.Errorf("after the websocket:\n%s", body)
	}

	m.ImportPhase(context.Background(), 7, "planning")(120, nil)
	m.ImportPhase(context.Background(), 7, "writing")(40, fmt.Errorf("disk full"))
	body = scrape(t, m)
	for _, want := range []string{`numo_import_phase_rows_total{phase="planning"} 120`, `numo_import_phase_rows_total{phase="writing"} 40`,
		`numo_import_phase_duration_seconds_count{outcome="ok",phase="planning"} 1`, `numo_import_phase_duration_seconds_count{outcome="error",phase="writing"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %s", want)
		}
	}
}

// TestHandlerToken: with a token only "Authorization: Bearer <token>" is answered.
func TestHandlerToken(t *testing.T) {
	h := metrics.New(nil).Handler("operator-token-0123456789")
	for _, c := range []struct {
		header string
		status int
	}{
		{"", 401}, {"Bearer wrong", 401}, {"operator-token-0123456789", 401}, {"Basic operator-token-0123456789", 401},
		{"Bearer operator-token-0123456789", 200},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/metrics", nil)
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%q: %d, want %d", c.header, rec.Code, c.status)
		}
	}
}
