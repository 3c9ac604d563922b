package httpserver

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/numo/accounts/internal/apperr"
)

// Request body limits. A body is refused before it is read when its Content-Length says it is
// too large, and cut off (the connection closed) when it grows past the limit while streaming.
const (
	// DefaultMaxBodyBytes bounds a JSON (or any other non-upload) request body: 1 MiB.
	DefaultMaxBodyBytes int64 = 1 << 20
	// MaxLoginBodyBytes bounds the body of POST /api/login and /api/logout: 16 KiB.
	MaxLoginBodyBytes int64 = 16 << 10
	// UploadEnvelopeBytes is what a multipart upload may carry besides the file itself (the
	// operations and map parts, part headers and boundaries): 1 MiB.
	UploadEnvelopeBytes int64 = 1 << 20
)

// bodyLimits chooses the limit of each request's body.
type bodyLimits struct {
	json, upload, login int64
}

// limitFor is the largest body r may carry.
func (l bodyLimits) limitFor(r *http.Request) int64 {
	switch {
	case r.URL.Path == "/api/login" || r.URL.Path == "/api/logout":
		return l.login
	case r.URL.Path == "/query" && isMultipart(r):
		return l.upload
	}
	return l.json
}

func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/")
}

// limitBodies refuses a body whose Content-Length is over its limit with 413 before reading
// a byte of it, and wraps every other body in http.MaxBytesReader: a streamed (chunked) body
// ends with an error at the limit and the connection is closed after the answer, which is
// then 413 too, whatever the handler made of the error. Nothing here buffers the body.
func limitBodies(l bodyLimits, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		limit := l.limitFor(r)
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			writeTooLarge(w, limit)
			return
		}
		body := &watchedBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit)}
		r.Body = body
		tw := &tooLargeWriter{ResponseWriter: w, body: body, limit: limit}
		next.ServeHTTP(tw, r)
	})
}

// watchedBody notes when the body went past its limit.
type watchedBody struct {
	io.ReadCloser
	tooLarge atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && errors.As(err, &mbe) {
		b.tooLarge.Store(true)
	}
	return n, err
}

// tooLargeWriter answers 413 TOO_LARGE in place of whatever the handler answers once the
// body went past its limit (gqlgen, for one, would answer a decoding error), and in place of
// any 413 of the handler's own, so that every such refusal has one shape.
type tooLargeWriter struct {
	http.ResponseWriter
	body     *watchedBody
	limit    int64
	decided  bool
	replaced bool
}

func (w *tooLargeWriter) decide(code int) {
	if w.decided {
		return
	}
	w.decided = true
	if w.body.tooLarge.Load() || code == http.StatusRequestEntityTooLarge {
		w.replaced = true
		writeTooLarge(w.ResponseWriter, w.limit)
	}
}

func (w *tooLargeWriter) WriteHeader(code int) {
	w.decide(code)
	if !w.replaced {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *tooLargeWriter) Write(p []byte) (int, error) {
	w.decide(http.StatusOK)
	if w.replaced {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *tooLargeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes on a flush (multipart/mixed and SSE answers stream).
func (w *tooLargeWriter) Flush() {
	w.decide(http.StatusOK)
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.replaced {
		f.Flush()
	}
}

// writeTooLarge answers 413 TOO_LARGE in the shape of a GraphQL error (apperr.Write), so that
// the app shows it like any other refusal.
func writeTooLarge(w http.ResponseWriter, limit int64) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	apperr.Write(w, http.StatusRequestEntityTooLarge, apperr.TooLarge(limit))
}
