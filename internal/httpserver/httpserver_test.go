package httpserver_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/numo/accounts/internal/httpserver"
)

// TestRoutes: /query, /healthz and the extra routes reach their handlers; unknown /api/ paths
// are 404 NOT_FOUND in the JSON error shape before the SPA's catch-all; hashed assets are
// cached for a year, index.html and other files are revalidated, client routes get
// index.html, a missing file is 404, a write to the SPA is 405; every answer carries the
// security headers.
func TestRoutes(t *testing.T) {
	healthy := true
	h := httpserver.New(httpserver.Options{
		GraphQL: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "graphql") }),
		SPA: fstest.MapFS{
			"index.html":             {Data: []byte("<!doctype html><title>Numo</title>")},
			"assets/index-3f9a1c.js": {Data: []byte("console.log(1)")},
			"favicon.svg":            {Data: []byte("<svg/>")},
		},
		Routes: map[string]http.Handler{"GET /api/things/{id}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "thing "+r.PathValue("id"))
		})},
		Health: func(*http.Request) error {
			if !healthy {
				return errors.New("database down")
			}
			return nil
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	for _, c := range []struct {
		method, path string
		status       int
		body, cache  string // body: a part of it
		contentType  string
	}{
		{"POST", "/query", 200, "graphql", "", ""},
		{"GET", "/healthz", 200, "ok", "no-store", ""},
		{"GET", "/readyz", 200, "ok", "no-store", ""},
		{"GET", "/api/things/7", 200, "thing 7", "", ""},
		{"GET", "/api/nothing", 404, `"code":"NOT_FOUND"`, "no-store", "application/json; charset=utf-8"},
		{"POST", "/api/nothing/deeper", 404, `"messageEn":"This route does not exist."`, "no-store", "application/json; charset=utf-8"},
		{"GET", "/", 200, "<title>Numo</title>", "no-cache", "text/html; charset=utf-8"},
		{"GET", "/index.html", 200, "<title>Numo</title>", "no-cache", "text/html; charset=utf-8"},
		{"GET", "/beheer/import/12", 200, "<title>Numo</title>", "no-cache", "text/html; charset=utf-8"},
		{"GET", "/assets/index-3f9a1c.js", 200, "console.log", "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"GET", "/favicon.svg", 200, "<svg/>", "no-cache", "image/svg+xml"},
		{"GET", "/assets/gone-000000.js", 404, "not found", "", ""},
		{"POST", "/beheer", 405, "method not allowed", "", ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader("{}")))
		res := rec.Result()
		if res.StatusCode != c.status || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: %d %q, want %d with %q", c.method, c.path, res.StatusCode, rec.Body, c.status, c.body)
		}
		if c.cache != "" && res.Header.Get("Cache-Control") != c.cache {
			t.Errorf("%s %s: Cache-Control %q, want %q", c.method, c.path, res.Header.Get("Cache-Control"), c.cache)
		}
		if c.contentType != "" && res.Header.Get("Content-Type") != c.contentType {
			t.Errorf("%s %s: Content-Type %q, want %q", c.method, c.path, res.Header.Get("Content-Type"), c.contentType)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s %s: security headers missing: %v", c.method, c.path, res.Header)
		}
		if c.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", c.method, c.path, res.Header.Get("Allow"))
		}
		if strings.HasPrefix(c.path, "/api/nothing") {
			var body struct{ Errors []struct{ Message string } }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Message != "Deze route bestaat niet." {
				t.Errorf("%s %s: body %s", c.method, c.path, rec.Body)
			}
		}
	}

	healthy = false
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "database down") {
		t.Errorf("not ready: %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK { // liveness: the process serves, whatever the database does
		t.Errorf("liveness while not ready: %d %q", rec.Code, rec.Body)
	}
}

// TestPlaceholderWithoutSPA: a build without the app answers a page that points at /query.
func TestPlaceholderWithoutSPA(t *testing.T) {
	h := httpserver.New(httpserver.Options{GraphQL: http.NotFoundHandler(), Logger: slog.New(slog.DiscardHandler)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/roster", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `href="/query"`) || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("placeholder: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

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
