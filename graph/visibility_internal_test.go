package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestNarrowedInputsCoverTheSchema checks that the unmarshalers visibleFilters installs know
// every input type of the schema, so that code unmarshalling an input from the context (entgql's
// field collection, the generated Unmarshal… helpers) finds each one.
func TestNarrowedInputsCoverTheSchema(t *testing.T) {
	ctx := graphql.WithInputUnmarshalerIndex(context.Background(), narrowedInputs(context.Background()))
	s := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	n := 0
	for name, def := range s.Types {
		if def.Kind != ast.InputObject {
			continue
		}
		n++
		var out any
		// The generated unmarshaler is reached (and then finds no request): only a missing
		// entry answers "no unmarshaler".
		if err := graphql.UnmarshalNamedInputFromContext(ctx, name, nil, &out); err != nil && strings.Contains(err.Error(), "no unmarshaler") {
			t.Errorf("input %s is missing from narrowedInputs: %v", name, err)
		}
	}
	if n == 0 {
		t.Fatal("the schema has no input types")
	}
}
