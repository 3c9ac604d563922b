package graph

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
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

// TestNarrowHeldFindsEveryWhereInput checks that the middleware narrows where inputs however an
// argument holds them: by pointer, by value (a required where: XWhereInput!), inside another
// input, a list or a map; and that a bare hasX: false becomes "has no neighbour the viewer reads".
func TestNarrowHeldFindsEveryWhereInput(t *testing.T) {
	no := false
	edge := func() *ent.SchoolWhereInput {
		return &ent.SchoolWhereInput{HasAccountsWith: []*ent.AccountWhereInput{{ID: new(int)}}}
	}
	type holder struct {
		ByValue ent.SchoolWhereInput
		List    []*ent.SchoolWhereInput
		Map     map[string]any
	}
	h := holder{ByValue: *edge(), List: []*ent.SchoolWhereInput{edge()}, Map: map[string]any{"w": edge(), "v": *edge()}}
	args := map[string]any{"ptr": edge(), "value": *edge(), "holder": h, "bare": &ent.SchoolWhereInput{HasAccounts: &no}}
	v := &auth.Viewer{AccountID: 1, SchoolID: 1, Role: auth.RolePupil}
	for name, arg := range args {
		c := reflect.New(reflect.TypeOf(arg)).Elem()
		c.Set(reflect.ValueOf(arg))
		if err := narrowHeld(v, c, 0); err != nil {
			t.Fatal(err)
		}
		args[name] = c.Interface()
	}
	narrowed := func(what string, w *ent.SchoolWhereInput) {
		t.Helper()
		if len(w.HasAccountsWith) != 1 || len(w.HasAccountsWith[0].Predicates) != 1 {
			t.Errorf("%s: the account edge was not narrowed: %+v", what, w.HasAccountsWith)
		}
	}
	narrowed("pointer", args["ptr"].(*ent.SchoolWhereInput))
	value := args["value"].(ent.SchoolWhereInput)
	narrowed("value", &value)
	got := args["holder"].(holder)
	narrowed("inside an input", &got.ByValue)
	narrowed("in a list", got.List[0])
	narrowed("in a map", got.Map["w"].(*ent.SchoolWhereInput))
	mv := got.Map["v"].(ent.SchoolWhereInput)
	narrowed("by value in a map", &mv)
	bare := args["bare"].(*ent.SchoolWhereInput)
	if bare.HasAccounts != nil || len(bare.And) != 1 || bare.And[0].Not == nil {
		t.Fatalf("hasAccounts: false was not rewritten: %+v", bare)
	}
	narrowed("hasAccounts: false", bare.And[0].Not)
}
