package httpserver_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/numo/accounts/internal/httpserver"
)

// TestNotAppIs404: paths that are not the app (/metrics while it is off, unknown /api/ routes,
// /debug/ — pprof has its own address —, files with an extension that the app does not have,
// what lies under /query and the health probes) answer 404, never index.html with 200; the
// app's client routes still get index.html; with Metrics set, /metrics reaches it before
// authentication (which would refuse its bearer token as an unknown API token).
func TestNotAppIs404(t *testing.T) {
	spa := fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><title>Numo</title>")},
		"assets/index-3f9a1c.js": {Data: []byte("console.log(1)")},
	}
	refuseBearer := func(h http.Handler) http.Handler { // stands in for authn.Middleware
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				http.Error(w, "unknown token", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	off := httpserver.New(httpserver.Options{GraphQL: http.NotFoundHandler(), SPA: spa, Authenticate: refuseBearer, Logger: slog.New(slog.DiscardHandler)})
	var routes []string // as Observe saw them
	on := httpserver.New(httpserver.Options{GraphQL: http.NotFoundHandler(), SPA: spa, Authenticate: refuseBearer, Logger: slog.New(slog.DiscardHandler),
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "# metrics") }),
		Observe: func(next http.Handler, route func(*http.Request) string) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { routes = append(routes, route(r)); next.ServeHTTP(w, r) })
		}})
	const index = "<title>Numo</title>"
	for _, c := range []struct {
		name    string
		h       http.Handler
		path    string
		status  int
		body    string
		notBody string
	}{
		{"metrics off", off, "/metrics", 404, "", index},
		{"metrics off, below", off, "/metrics/x", 404, "", index},
		{"metrics on, bearer passes authentication", on, "/metrics", 200, "# metrics", ""},
		{"unknown api", off, "/api/unknown", 404, `"NOT_FOUND"`, index},
		{"unknown api, deeper", off, "/api/v2/classes/1", 404, `"NOT_FOUND"`, index},
		{"debug", off, "/debug/pprof/", 404, "", index},
		{"debug vars", off, "/debug/vars", 404, "", index},
		{"below query", off, "/query/x", 404, "", index},
		{"below healthz", off, "/healthz/x", 404, "", index},
		{"well-known", off, "/.well-known/security.txt", 404, "", index},
		{"unknown js", off, "/foo.js", 404, "", index},
		{"unknown png", off, "/x.png", 404, "", index},
		{"unknown asset", off, "/assets/index-000000.js", 404, "", index},
		{"dotfile", off, "/.env", 404, "", index},
		{"client route", off, "/klassen/123", 200, index, ""},
		{"client route, nested", off, "/beheer/import/12/preview", 200, index, ""},
		{"root", off, "/", 200, index, ""},
		{"metrics-like client route", off, "/metricsoverzicht", 200, index, ""},
		{"known asset", off, "/assets/index-3f9a1c.js", 200, "console.log", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", c.path, nil)
			if strings.Contains(c.name, "bearer") {
				req.Header.Set("Authorization", "Bearer operator-token")
			}
			c.h.ServeHTTP(rec, req)
			if strings.HasPrefix(c.name, "metrics on") && (len(routes) == 0 || routes[len(routes)-1] != "/metrics") {
				t.Errorf("route of /metrics: %q", routes)
			}
			b := rec.Body.String()
			if rec.Code != c.status || !strings.Contains(b, c.body) || (c.notBody != "" && strings.Contains(b, c.notBody)) {
				t.Errorf("GET %s: %d %q, want %d with %q", c.path, rec.Code, b, c.status, c.body)
			}
		})
	}
}
