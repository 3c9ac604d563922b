package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/auth"
)

// introspectionFor turns introspection off for everyone but admins, unless it is on for all.
type introspectionFor struct{ all bool }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionFor{}

func (introspectionFor) ExtensionName() string { return "IntrospectionForAdmins" }

func (introspectionFor) Validate(graphql.ExecutableSchema) error { return nil }

func (i introspectionFor) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if !i.all {
		v := auth.FromContext(ctx)
		oc.DisableIntrospection = v == nil || v.IsToken() || v.Role != auth.RoleAdmin
	}
	return nil
}

// depthLimit refuses operations that nest deeper than max selection sets.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string { return "DepthLimit" }

func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0) > d.max {
		err := gqlerror.Errorf("deze vraag is te diep genest (meer dan %d niveaus)", d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 64 { // fragment cycles are rejected by validation; this only bounds the walk
		return seen
	}
	deepest := seen
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				d = seen + 1
			} else {
				d = depth(s.SelectionSet, frags, seen+1)
			}
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, frags, seen)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = depth(f.SelectionSet, frags, seen)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
