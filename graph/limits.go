package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/auth"
)

// introspectionFor turns introspection off for everyone but admin accounts and API tokens
// (integrators read the schema's descriptions in GraphiQL, /graphiql), unless it is on for
// all; anonymous callers, teachers and pupils never get it then.
// An operation that asks __schema or __type without it is refused by operationCost (cost.go)
// with code INTROSPECTION_DISABLED before it runs.
type introspectionFor struct {
	extensionBase
	all bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionFor{}

func (introspectionFor) ExtensionName() string { return "IntrospectionForAdmins" }

func (i introspectionFor) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !i.all {
		v := auth.FromContext(ctx)
		oc.DisableIntrospection = v == nil || (!v.IsToken() && v.Role != auth.RoleAdmin)
	}
	return nil
}
