package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/httpserver"
	"github.com/numo/accounts/internal/httpserver/origin"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/ratelimit"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/webhook"
)

// Options configures the GraphQL handler.
type Options struct {
	// Client is the ent client every resolver works through.
	Client *ent.Client
	// DB is the database, for the domain packages that write raw SQL (undo, retention).
	DB *store.DB
	// Jobs runs the import jobs.
	Jobs *jobs.Service
	// Authn signs viewers in (websocket init payloads) and manages tokens and passwords.
	Authn *authn.Service
	// MaxDepth bounds how deeply one operation nests; 0 means DefaultMaxDepth.
	MaxDepth int
	// Logger receives one line per operation and every internal error.
	Logger *slog.Logger
	// AllowedOrigins are the browser origins, besides the server's own, that may open a websocket.
	AllowedOrigins []string
	// MaxUploadBytes bounds a multipart upload.
	MaxUploadBytes int64
	// Introspection allows schema introspection.
	Introspection bool
	// ComplexityLimit bounds the cost of one operation (see cost.go); 0 means
	// DefaultComplexityLimit.
	ComplexityLimit int
	// Observers are told about every operation: metrics and traces (observe.go).
	Observers []Observer
	// Webhooks manages the webhooks (nil: a service whose dispatcher only sends test events,
	// to public https URLs).
	Webhooks *webhook.Service
	// RateLimit, when set, limits the operations of API tokens (ratelimit.go).
	RateLimit *ratelimit.Limiter
}

// NewHandler builds the gqlgen server with an explicit list of transports: websocket
// (graphql-transport-ws) for subscriptions, GET for queries, POST and multipart POST.
func NewHandler(o Options) *handler.Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Webhooks == nil && o.DB != nil {
		o.Webhooks = webhook.NewService(o.DB, webhook.New(o.DB, webhook.Options{Source: webhook.FeedSource{DB: o.DB}, Log: o.Logger}))
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{client: o.Client, db: o.DB, jobs: o.Jobs, authn: o.Authn, maxUpload: o.MaxUploadBytes, webhooks: o.Webhooks}}))
	var initFunc transport.WebsocketInitFunc
	if o.Authn != nil {
		initFunc = o.Authn.WebsocketInit
	}
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc:              initFunc,
		// Origin is checked here, scheme included; coder/websocket's own check compares hosts only.
		Implementation:   originChecked{allowed: origin.NewList(o.AllowedOrigins)},
		PayloadReadLimit: &maxSocketMessage,
	})
	if o.Authn != nil {
		srv.Use(socketRecheck{authn: o.Authn, log: o.Logger}) // a socket's credential is checked at every operation
	}
	srv.AddTransport(transport.Options{})
	// The HTTP transports answer with the status codes of GraphQL over HTTP (transport.go).
	srv.AddTransport(overHTTP{transport.GET{}})
	srv.AddTransport(overHTTP{transport.POST{}})
	// The request may carry the file plus the operations and map parts; the upload resolver
	// refuses a file over MaxUploadBytes itself (FILE_REJECTED).
	multipartMax := o.MaxUploadBytes
	if multipartMax > 0 {
		multipartMax += httpserver.UploadEnvelopeBytes
	}
	srv.AddTransport(overHTTP{transport.MultipartForm{MaxUploadSize: multipartMax, MaxMemory: 32 << 20}})

	srv.AroundFields(visibleFilters) // every where input sees only what the viewer reads (visibility.go)
	srv.AroundFields(pageSizeGuard)  // defence in depth behind operationCost (cost.go)
	validated := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(validated)
	srv.SetParserTokenLimit(MaxQueryTokens)
	// Introspection for everyone when configured, else for signed-in admins only.
	srv.Use(extension.Introspection{})
	srv.Use(introspectionFor{all: o.Introspection})
	srv.Use(mustChange{})          // a one-time password allows only changePassword and viewer
	srv.Use(newPersistedQueries()) // APQ (apq.go)
	if o.MaxDepth == 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.ComplexityLimit == 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	// After the introspection extensions (it refuses __schema when they turned it off) and
	// after APQ (it bounds the query APQ looked up).
	srv.Use(&operationCost{limit: o.ComplexityLimit, maxDepth: o.MaxDepth, validated: validated, rate: tokenLimit{o.RateLimit}})

	log := o.Logger
	if len(o.Observers) > 0 {
		srv.AroundOperations(observeOperations(o.Observers))
		srv.AroundResponses(observeRefusals(o.Observers))
	}
	srv.AroundOperations(logOperation(log))
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic(log))
	return srv
}

// logOperation writes one line per operation with its duration: from the operation's start
// (before parsing) to its first answer. next only prepares the operation; the resolvers run
// when the answer is asked for, so the line is written then. A subscription's line is written
// once its first event is answered.
func logOperation(log *slog.Logger) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		h := next(withOperationMemo(ctx))
		logged := false
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if !logged {
				logged = true
				op, name := "", oc.OperationName
				if oc.Operation != nil {
					op, name = string(oc.Operation.Operation), oc.Operation.Name
				}
				start := oc.Stats.OperationStart
				if start.IsZero() {
					start = time.Now()
				}
				log.InfoContext(ctx, "graphql", "op", op, "name", name, "ms", time.Since(start).Milliseconds())
			}
			return resp
		}
	}
}

// recoverPanic logs a resolver's panic with its stack and answers the client only the generic
// INTERNAL error.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		path := ""
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			path = fc.Path().String()
		}
		log.Error("graphql panic", "panic", fmt.Sprint(p), "path", path, "stack", string(debug.Stack()))
		return gqlError(apperr.ErrInternal)
	}
}

// maxSocketMessage bounds one websocket message, like a request body (internal/httpserver).
var maxSocketMessage int64 = 1 << 20

// originChecked accepts a websocket only from an allowed origin (origin.Allowed: the server's
// own, scheme included, or one on the list), then lets coder/websocket upgrade without its
// own host-only check. A request without Origin is not from a browser and needs no check.
type originChecked struct{ allowed origin.List }

// Accept checks the Origin, then upgrades.
func (c originChecked) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	if o := r.Header.Get("Origin"); o != "" && !origin.Allowed(r, o, c.allowed) {
		return nil, fmt.Errorf("websocket from origin %q refused", o) // gqlgen answers 400
	}
	return transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}.Accept(w, r, opts)
}

// presentError maps domain errors to client-safe GraphQL errors with a stable extensions.code;
// anything unexpected is logged and shown as a generic message.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			return gqlErr // parse and validation errors, already client-safe
		}
		pe := graphql.DefaultErrorPresenter(ctx, err)
		code, msg, ext := classify(err)
		if code == apperr.CodeInternal {
			log.Error("graphql internal error", "path", pe.Path.String(), "err", err)
		}
		pe.Message = msg
		if pe.Extensions == nil {
			pe.Extensions = map[string]any{}
		}
		pe.Extensions["code"] = code
		for k, v := range ext {
			pe.Extensions[k] = v
		}
		return pe
	}
}

// classify finds the code and client-safe message of an error.
func classify(err error) (code, msg string, ext map[string]any) {
	var coded interface {
		Code() string
		Extensions() map[string]any
	}
	switch {
	case errors.As(err, &coded):
		return coded.Code(), coded.(error).Error(), coded.Extensions()
	case ent.IsNotFound(err):
		return apperr.CodeNotFound, "niet gevonden", nil
	case ent.IsValidationError(err):
		return apperr.CodeInvalidInput, err.Error(), nil
	case ent.IsConstraintError(err):
		return fixed(apperr.ErrConflict)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fixed(apperr.ErrCanceled)
	}
	return fixed(apperr.ErrInternal)
}

// fixed is classify's answer for a refusal with a fixed text.
func fixed(e *apperr.Error) (code, msg string, ext map[string]any) {
	return e.Code(), e.Error(), e.Extensions()
}
