package graph

import (
	"context"
	"errors"
	"log/slog"
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
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/store"
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
	// MaxDepth bounds how deeply one operation nests.
	MaxDepth int
	// Logger receives one line per operation and every internal error.
	Logger *slog.Logger
	// AllowedOrigins are the browser origins, besides the server's own, that may open a websocket.
	AllowedOrigins []string
	// MaxUploadBytes bounds a multipart upload.
	MaxUploadBytes int64
	// Introspection allows schema introspection.
	Introspection bool
	// ComplexityLimit bounds the cost of one operation.
	ComplexityLimit int
}

// NewHandler builds the gqlgen server with an explicit list of transports: websocket
// (graphql-transport-ws) for subscriptions, GET for queries, POST and multipart POST.
func NewHandler(o Options) *handler.Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{client: o.Client, db: o.DB, jobs: o.Jobs, authn: o.Authn, maxUpload: o.MaxUploadBytes}}))
	var initFunc transport.WebsocketInitFunc
	if o.Authn != nil {
		initFunc = o.Authn.WebsocketInit
	}
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc:              initFunc,
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{
			OriginPatterns: originPatterns(o.AllowedOrigins),
		}},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: o.MaxUploadBytes, MaxMemory: 32 << 20})

	srv.AroundFields(visibleFilters) // every where input sees only what the viewer reads (visibility.go)
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	// Introspection for everyone when configured, else for signed-in admins only.
	srv.Use(extension.Introspection{})
	srv.Use(introspectionFor{all: o.Introspection})
	if o.MaxDepth == 0 {
		o.MaxDepth = 12
	}
	srv.Use(depthLimit{max: o.MaxDepth})
	srv.Use(mustChange{}) // a one-time password allows only changePassword and viewer
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(o.ComplexityLimit))

	log := o.Logger
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		start := time.Now()
		h := next(ctx)
		op := ""
		if oc.Operation != nil {
			op = string(oc.Operation.Operation)
		}
		log.Info("graphql", "op", op, "name", oc.OperationName, "ms", time.Since(start).Milliseconds())
		return h
	})
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.Error("graphql panic", "panic", p)
		return &gqlerror.Error{Message: "interne fout; probeer het later opnieuw", Extensions: map[string]any{"code": "INTERNAL"}}
	})
	return srv
}

// originPatterns turns origins like https://a.nl into the host patterns coder/websocket checks
// against the Origin header (the server's own host is always allowed).
func originPatterns(origins []string) []string {
	var p []string
	for _, o := range origins {
		for _, prefix := range []string{"https://", "http://"} {
			if len(o) > len(prefix) && o[:len(prefix)] == prefix {
				p = append(p, o[len(prefix):])
			}
		}
	}
	return p
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
		if code == "INTERNAL" {
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
		return "NOT_FOUND", "niet gevonden", nil
	case ent.IsValidationError(err):
		return "INVALID_INPUT", err.Error(), nil
	case ent.IsConstraintError(err):
		return "CONFLICT", "dit botst met bestaande gegevens", nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "CANCELED", "de aanvraag is afgebroken", nil
	}
	return "INTERNAL", "interne fout; probeer het later opnieuw", nil
}
