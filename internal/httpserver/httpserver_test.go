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
