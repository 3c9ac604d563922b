package graph

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/apperr"
)

// Codes of the refusals the HTTP transports answer themselves.
const (
	// CodeBadRequest refuses a request that carries no GraphQL document (400).
	CodeBadRequest = apperr.CodeBadRequest
	// CodeMethodNotAllowed refuses a mutation or subscription sent with GET (405).
	CodeMethodNotAllowed = apperr.CodeMethodNotAllowed
)

// mediaGraphQLResponse is the media type of the GraphQL over HTTP specification under which
// the status code tells whether the request was executed.
const mediaGraphQLResponse = "application/graphql-response+json"

// mediaJSON is the default media type of the answers.
const mediaJSON = "application/json"

// overHTTP wraps one of gqlgen's HTTP transports (GET, POST, multipart) and gives its answers
// the status codes of the GraphQL over HTTP specification
// (https://graphql.github.io/graphql-over-http/draft/); gqlgen still reads the request and
// executes. The media type is negotiated here (negotiate).
//
// A request error, one raised before execution (parse, validation, variable coercion, the
// refusals of operationCost and mustChange), is answered without a "data" entry: with 200
// under application/json, and under application/graphql-response+json with 400 (403 for
// PASSWORD_CHANGE_REQUIRED). gqlgen answers 422 under application/json and always sends
// "data": null. A request without a document is not well-formed: 400 BAD_REQUEST under both
// media types, unless it names a persisted query. GET runs only queries: anything else is
// 405 METHOD_NOT_ALLOWED with Allow: POST (gqlgen: 406). An API token over its rate limit is
// answered 429 RATE_LIMITED under both media types, with Retry-After. The remaining 422s, gqlgen's refusals
// of a malformed multipart form, become 400.
type overHTTP struct{ graphql.Transport }

// Do runs the wrapped transport with an executor that answers request errors itself.
func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// gqlgen takes the first supported type listed, ignoring q-values, and answers an Accept
	// that lists none with application/graphql-response+json: it is told the negotiated one.
	r.Header.Set("Accept", negotiate(r.Header.Values("Accept")))
	aw := &answerWriter{ResponseWriter: w}
	r = withRateSlot(r) // an API token's RateLimit-* headers (ratelimit.go)
	t.Transport.Do(aw, r, &requestErrors{GraphExecutor: exec, w: aw, queriesOnly: r.Method == http.MethodGet})
}

// negotiate picks the media type of the answer from the Accept header: the supported type
// with the highest q-value, the first listed on a tie; */* and application/* mean
// application/json. Without an Accept header, or when it lists no supported type, the answer
// is application/json (the specification allows that or 406; a client that cannot read it
// can still tell the error from the status).
func negotiate(accept []string) string {
	best, bestQ := mediaJSON, 0.0
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			media, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			switch media {
			case mediaGraphQLResponse, mediaJSON:
			case "*/*", "application/*":
				media = mediaJSON
			default:
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					continue
				}
			}
			if q > bestQ {
				best, bestQ = media, q
			}
		}
	}
	return best
}

// requestErrors answers every error of CreateOperationContext itself, with the status of the
// specification and without "data", then returns the errors to the transport, which neither
// executes nor gets to write its own answer (answerWriter drops it).
type requestErrors struct {
	graphql.GraphExecutor
	w *answerWriter
	// queriesOnly refuses mutations and subscriptions (GET).
	queriesOnly bool
}

// CreateOperationContext parses, validates and prepares the operation.
func (e *requestErrors) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		oc := &graphql.OperationContext{}
		errs := gqlerror.List{gqlError(apperr.ErrNoQuery)}
		e.answer(ctx, oc, http.StatusBadRequest, errs)
		return oc, errs
	}
	oc, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	setRateHeaders(ctx, e.w.Header())
	if errs != nil {
		e.answer(ctx, oc, e.statusFor(errs), errs)
		return oc, errs
	}
	if e.queriesOnly && oc.Operation != nil && oc.Operation.Operation != ast.Query {
		errs := gqlerror.List{gqlError(apperr.ErrMutationByGET)}
		e.w.Header().Set("Allow", http.MethodPost)
		e.answer(ctx, oc, http.StatusMethodNotAllowed, errs)
		return oc, errs
	}
	return oc, nil
}

// DispatchError presents errors; once the answer is written, the transport's copy is dropped
// unread, so it is not presented (or logged) twice.
func (e *requestErrors) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	if e.w.answered {
		return &graphql.Response{}
	}
	return e.GraphExecutor.DispatchError(ctx, list)
}

// DispatchOperation runs the operation and writes its answer itself: gqlgen's transports
// encode the whole response with encoding/json, which copies and re-compacts the data that
// the executor already wrote as compact JSON (about 4 % of a large roster's CPU). The
// transport's own copy, of an empty response, is then dropped unread (answerWriter).
// Incremental (@defer) answers are left to the transport.
func (e *requestErrors) DispatchOperation(ctx context.Context, oc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, oc)
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if resp == nil || e.w.answered || resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
			return resp
		}
		if !writeResponse(e.w, resp) {
			return resp
		}
		e.w.answered = true
		return &graphql.Response{}
	}, ctx
}

// writeResponse writes resp as gqlgen would, {"errors":…,"data":…,"extensions":…}, with its
// data as the executor wrote it. It reports false, having written nothing, when the errors or
// extensions cannot be encoded.
func writeResponse(w io.Writer, resp *graphql.Response) bool {
	var head, tail []byte
	head = append(head, '{')
	if len(resp.Errors) > 0 {
		b, err := json.Marshal(resp.Errors)
		if err != nil {
			return false
		}
		head = append(append(append(head, `"errors":`...), b...), ',')
	}
	head = append(head, `"data":`...)
	if len(resp.Extensions) > 0 {
		b, err := json.Marshal(resp.Extensions)
		if err != nil {
			return false
		}
		tail = append(append(tail, `,"extensions":`...), b...)
	}
	tail = append(tail, '}')
	data := []byte(resp.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	for _, b := range [][]byte{head, data, tail} {
		if _, err := w.Write(b); err != nil {
			return true // the client is gone; nothing more to write
		}
	}
	return true
}

// statusFor is the status of a request error under the media type the transport chose.
func (e *requestErrors) statusFor(errs gqlerror.List) int {
	for _, err := range errs {
		if code, _ := err.Extensions["code"].(string); code == apperr.CodeRateLimited {
			return http.StatusTooManyRequests // under either media type: nothing ran, try later
		}
	}
	media, _, _ := mime.ParseMediaType(e.w.Header().Get("Content-Type"))
	if media != mediaGraphQLResponse {
		return http.StatusOK
	}
	for _, err := range errs {
		if code, _ := err.Extensions["code"].(string); code == apperr.CodePasswordChangeRequired {
			return http.StatusForbidden
		}
	}
	return http.StatusBadRequest
}

// answer writes the request errors, presented like any other, without a "data" entry.
func (e *requestErrors) answer(ctx context.Context, oc *graphql.OperationContext, status int, errs gqlerror.List) {
	resp := e.GraphExecutor.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	b, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		apperr.Write(e.w, http.StatusInternalServerError, apperr.ErrInternal)
		e.w.answered = true
		return
	}
	e.w.WriteHeader(status)
	_, _ = e.w.Write(b)
	e.w.answered = true
}

// answerWriter drops whatever the transport writes once requestErrors has answered, and turns
// gqlgen's remaining 422s (a malformed multipart form) into 400.
type answerWriter struct {
	http.ResponseWriter
	answered bool
}

// WriteHeader passes the status on, 422 as 400, unless the answer is written.
func (w *answerWriter) WriteHeader(code int) {
	if w.answered {
		return
	}
	if code == http.StatusUnprocessableEntity {
		code = http.StatusBadRequest
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write passes the body on unless the answer is written.
func (w *answerWriter) Write(p []byte) (int, error) {
	if w.answered {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes a flush on (multipart/mixed and SSE answers stream).
func (w *answerWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.answered {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
