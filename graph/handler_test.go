package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql"

	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// logLines decodes the JSON log lines with the given msg.
func logLines(t *testing.T, logs *testapp.Logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// TestOperationLogMeasuresTheOperation: the one log line per operation carries how long the
// operation took, resolvers included (it measured only the dispatch, which logged ms=0 for a
// query whose resolver took 120 ms).
func TestOperationLogMeasuresTheOperation(t *testing.T) {
	const slow = 120 * time.Millisecond
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		logs := &testapp.Logs{}
		srv := graph.NewHandler(graph.Options{Client: db.Client, DB: db, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Name == "viewer" {
				time.Sleep(slow)
			}
			return next(ctx)
		})
		var resp struct{ Viewer *struct{ Role string } }
		client.New(srv).MustPost(`query Slow { viewer { role } }`, &resp)
		lines := logLines(t, logs, "graphql")
		if len(lines) != 1 {
			t.Fatalf("%d operation log lines, want 1:\n%s", len(lines), logs)
		}
		if l := lines[0]; l["op"] != "query" || l["name"] != "Slow" || l["ms"].(float64) < float64(slow.Milliseconds()) {
			t.Errorf("log line %v, want op=query name=Slow ms>=%d", l, slow.Milliseconds())
		}
	})
}

// TestPanicIsLoggedWithStack: a resolver's panic answers the client only the generic INTERNAL
// error, and the log carries the panic, the field's path and the stack (it had the panic
// alone).
func TestPanicIsLoggedWithStack(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		logs := &testapp.Logs{}
		srv := graph.NewHandler(graph.Options{Client: db.Client, DB: db, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
			if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Name == "viewer" {
				panic("secret detail of a bug")
			}
			return next(ctx)
		})
		var resp struct{ Viewer *struct{ Role string } }
		err := client.New(srv).Post(`{ viewer { role } }`, &resp)
		var errs []struct {
			Message    string
			Extensions map[string]any
		}
		if err == nil || json.Unmarshal([]byte(err.Error()), &errs) != nil || len(errs) != 1 {
			t.Fatalf("answer %v", err)
		}
		if e := errs[0]; e.Message != "interne fout; probeer het later opnieuw" || e.Extensions["code"] != "INTERNAL" || strings.Contains(err.Error(), "secret") {
			t.Errorf("client saw %+v", e)
		}
		lines := logLines(t, logs, "graphql panic")
		if len(lines) != 1 {
			t.Fatalf("%d panic log lines, want 1:\n%s", len(lines), logs)
		}
		l := lines[0]
		stack, _ := l["stack"].(string)
		if l["panic"] != "secret detail of a bug" || l["path"] != "viewer" || !strings.Contains(stack, "goroutine") || !strings.Contains(stack, "handler_test.go") {
			t.Errorf("panic log line %v", l)
		}
	})
}

// TestDownloadRefusalsAreJSON: the report and export downloads refuse in the one JSON error
// shape (they answered text/plain "onbekende import" and "404 page not found"): the same
// 404 NOT_FOUND for a job or account that does not exist, one of another school, and
// nobody signed in; and so does an unknown /api/ path. Their successes are unchanged.
func TestDownloadRefusalsAreJSON(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			get := func(c caller, path string) (int, string, string) {
				status, h, body := w.get(t, c, path)
				return status, h.Get("Content-Type"), body
			}
			report := fmt.Sprintf("/api/import-jobs/%d/report.csv", w.ids["job"])
			export := fmt.Sprintf("/api/accounts/%d/export.json", w.ids["target"])
			for _, c := range []struct {
				who, path, message string
			}{
				{"admin", "/api/import-jobs/999999/report.csv", "onbekende import"},
				{"admin", "/api/import-jobs/x/report.csv", "onbekende import"},
				{"adminOther", report, "onbekende import"},
				{"anonymous", report, "onbekende import"},
				{"admin", "/api/accounts/999999/export.json", "onbekend account"},
				{"adminOther", export, "onbekend account"},
				{"anonymous", export, "onbekend account"},
				{"admin", "/api/nothing-here", "Deze route bestaat niet."},
			} {
				status, ct, body := get(w.callers[c.who], c.path)
				var r gqlResult
				if err := json.Unmarshal([]byte(body), &r); err != nil || status != http.StatusNotFound || ct != "application/json; charset=utf-8" ||
					len(r.Errors) != 1 || r.Errors[0].Message != c.message || r.Errors[0].Extensions["code"] != "NOT_FOUND" || r.Errors[0].Extensions["messageEn"] == nil {
					t.Errorf("%s GET %s: %d %s %s", c.who, c.path, status, ct, body)
				}
			}
			if status, ct, _ := get(w.callers["admin"], report); status != 200 || !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("the admin's report: %d %s", status, ct)
			}
			if status, ct, _ := get(w.callers["admin"], export); status != 200 || !strings.HasPrefix(ct, "application/json") {
				t.Errorf("the admin's export: %d %s", status, ct)
			}
		})
	}
}
