// Package httpserver puts Numo accounts on HTTP: the GraphQL endpoint, health, downloads and
// the embedded single-page app, behind CORS, request body limits and access logging.
package httpserver

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/rs/cors"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/httpserver/origin"
)

// Options are what the server routes to.
type Options struct {
	// GraphQL serves /query (POST, GET, multipart and websocket).
	GraphQL http.Handler
	// SPA is the built single-page app (index.html at its root); nil serves a placeholder.
	SPA fs.FS
	// DevProxy, when set, receives every SPA request instead (the Vite dev server).
	DevProxy *url.URL
	// AllowedOrigins may call the API cross-origin: exact origins (scheme, host and port);
	// none when empty.
	AllowedOrigins []string
	// MaxBodyBytes bounds a request body that is not an upload; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxUploadBytes is the largest uploaded file: a multipart request to /query may carry it
	// plus UploadEnvelopeBytes. 0 means uploads get MaxBodyBytes too.
	MaxUploadBytes int64
	// Health answers /readyz (ready to serve: the database answers); nil means always
	// ready. /healthz is liveness only: 200 while the process serves.
	Health func(r *http.Request) error
	// Metrics serves GET /metrics ahead of authentication (it checks its own operator
	// token); nil means /metrics is 404 like any other path that is not the app.
	Metrics http.Handler
	// Observe, when set, wraps the whole handler (outermost, before CORS and authentication)
	// for metrics and tracing; route names a request by the pattern it matches ("/query",
	// "GET /api/accounts/{id}/export.json", "/" for the app), never by its raw path.
	Observe func(next http.Handler, route func(*http.Request) string) http.Handler
	// Routes adds handlers for other paths under /api/ (method and path pattern as http.ServeMux).
	Routes map[string]http.Handler
	// Logger logs each request.
	Logger *slog.Logger
	// Authenticate wraps every route (inside CORS): it puts the viewer into the request context.
	Authenticate func(http.Handler) http.Handler
}

// New builds the server's root handler.
func New(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle("/query", compressed(o.GraphQL))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if o.Health != nil {
			if err := o.Health(r); err != nil {
				o.Logger.Warn("readiness check failed", "err", err)
				http.Error(w, "not ready", http.StatusServiceUnavailable)
				return
			}
		}
		io.WriteString(w, "ok\n")
	})
	for pattern, h := range o.Routes {
		mux.Handle(pattern, compressed(h))
	}
	// Unknown API-ish paths are 404 before the SPA's catch-all answers index.html.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		apperr.Write(w, http.StatusNotFound, apperr.ErrUnknownRoute)
	})
	if o.DevProxy != nil {
		mux.Handle("/", httputil.NewSingleHostReverseProxy(o.DevProxy))
	} else {
		mux.Handle("/", spaHandler(o.SPA))
	}
	allowed := origin.NewList(o.AllowedOrigins)
	c := cors.New(cors.Options{
		// An explicit function: rs/cors allows every origin when AllowedOrigins is empty.
		// It answers with the request's own Origin, never "*", so credentials stay safe.
		AllowOriginFunc:  allowed.Contains,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Content-Type", "Authorization", "Apollo-Require-Preflight", "X-Requested-With"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	var h http.Handler = mux
	if o.Authenticate != nil {
		h = o.Authenticate(h)
	}
	limits := bodyLimits{json: o.MaxBodyBytes, login: MaxLoginBodyBytes}
	if limits.json <= 0 {
		limits.json = DefaultMaxBodyBytes
	}
	limits.upload = limits.json
	if o.MaxUploadBytes > 0 {
		limits.upload = max(limits.json, o.MaxUploadBytes+UploadEnvelopeBytes)
	}
	h = c.Handler(limitBodies(limits, h))
	if o.Metrics != nil {
		h = metricsFirst(o.Metrics, h)
	}
	h = accessLog(o.Logger, securityHeaders(h))
	if o.Observe != nil {
		h = o.Observe(h, func(r *http.Request) string {
			if o.Metrics != nil && r.URL.Path == "/metrics" {
				return "/metrics" // answered by metricsFirst, outside the mux
			}
			_, p := mux.Handler(r)
			return p
		})
	}
	return h
}

// metricsFirst answers /metrics with m before authentication: Prometheus sends its operator
// token as "Authorization: Bearer", which the API would refuse as an unknown API token.
func metricsFirst(m, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			m.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// spaHandler serves hashed assets with immutable caching, index.html without caching, and
// index.html for every other path so that client-side routes survive a reload. Each file goes
// out precompressed when the build made a variant the client accepts (static.go).
func spaHandler(dist fs.FS) http.Handler {
	files := assets(orEmpty(dist))
	index := files["index.html"]
	if index == nil {
		index = &asset{contentType: "text/html; charset=utf-8", plain: newVariant([]byte(placeholder), "")}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && p != "index.html" {
			if a := files[p]; a != nil {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else {
					w.Header().Set("Cache-Control", "no-cache")
				}
				a.serve(w, r, p)
				return
			}
			if path.Ext(p) != "" || isNotApp("/"+p) {
				http.NotFound(w, r) // a missing file or a path that is not the app's
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		index.serve(w, r, "index.html")
	})
}

func orEmpty(f fs.FS) fs.FS {
	if f == nil {
		return emptyFS{}
	}
	return f
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

const placeholder = `<!doctype html><html lang="nl"><meta charset="utf-8"><title>Numo accounts</title>
<body><h1>Numo accounts</h1><p>De app is niet meegebouwd. Bouw haar met <code>make build</code>;
de GraphQL-API staat op <a href="/query">/query</a>.</p></body></html>`

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController and the websocket upgrade reach the real writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog logs one line per request (websocket upgrades when they end).
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return
		}
		log.DebugContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}
