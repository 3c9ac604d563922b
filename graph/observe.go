package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Observer is told about every GraphQL operation: metrics (internal/metrics) and traces
// (internal/tracing) implement it, and the handler takes any number (Options.Observers).
type Observer interface {
	// Operation begins observing one operation of kind (query, mutation, subscription, or ""
	// when it was refused before it could be read) named name ("" when anonymous), started at
	// start. The context it returns is the operation's from then on (it may carry a span); end
	// is called once, when the first answer is ready, with "ok", "error" (an answer with
	// errors) or "refused" (refused before execution: parse, validation, limits).
	Operation(ctx context.Context, kind, name string, start time.Time) (context.Context, func(outcome string))
}

// Outcomes of an operation, as Observer.Operation's end receives them.
const (
	OutcomeOK      = "ok"
	OutcomeError   = "error"
	OutcomeRefused = "refused"
)

type observedKey struct{}

// startOperation tells the observers that the request's operation started (its kind and name
// as parsed, else the operationName asked for) and returns what ends it for each.
func startOperation(ctx context.Context, obs []Observer) (context.Context, []func(string)) {
	oc := graphql.GetOperationContext(ctx)
	kind, name := "", oc.OperationName
	if oc.Operation != nil {
		kind, name = string(oc.Operation.Operation), oc.Operation.Name
	}
	start := oc.Stats.OperationStart
	if start.IsZero() {
		start = time.Now()
	}
	ends := make([]func(string), len(obs))
	for i, o := range obs {
		ctx, ends[i] = o.Operation(ctx, kind, name, start)
	}
	return ctx, ends
}

// observeOperations tells the observers about each operation that is executed: around its
// preparation and resolvers, until its first answer (a subscription's first event).
func observeOperations(obs []Observer) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx, ends := startOperation(ctx, obs)
		h := next(context.WithValue(ctx, observedKey{}, true))
		done := false
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if !done {
				done = true
				outcome := OutcomeOK
				if resp == nil || len(resp.Errors) > 0 {
					outcome = OutcomeError
				}
				for _, end := range ends {
					end(outcome)
				}
			}
			return resp
		}
	}
}

// observeRefusals tells the observers about the operations refused before execution (a parse
// or validation error, a limit of cost.go): gqlgen answers those without the operation
// middleware, through the response middleware alone, and without the mark observeOperations
// leaves on the context of the operations it saw.
func observeRefusals(obs []Observer) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if ctx.Value(observedKey{}) != nil || !graphql.HasOperationContext(ctx) {
			return next(ctx)
		}
		ctx, ends := startOperation(ctx, obs)
		resp := next(ctx)
		for _, end := range ends {
			end(OutcomeRefused)
		}
		return resp
	}
}
