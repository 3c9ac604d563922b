package graph

// Filters see only what the viewer reads.
//
// The ent interceptors (ent/schema/rules.go) narrow every query of an entity to what the viewer
// may read, but entgql's where inputs turn an edge predicate such as
// `schools(where: {hasAccountsWith: [{id: …, emailHasPrefix: …}]})` into a plain SQL subquery
// that no interceptor sees: without more, a pupil could read any account's e-mail address one
// character at a time through the count of their own school.
//
// So every where input is narrowed before it reaches the database: each where input nested
// under an edge (hasXWith, at any depth, inside not/and/or too) gets the visibility predicate of
// the entity the edge leads to — the same function the interceptor of that entity uses — and a
// bare hasX: true/false becomes "has a neighbour the viewer reads" (or its negation).
//
// The choke point is gqlgen's field middleware (visibleFilters, installed by NewHandler), which
// every field of every operation passes through before its resolver runs. Where inputs reach
// the database by two roads, and it narrows both:
//   - as field arguments: the middleware narrows the parsed arguments (wherever an argument
//     holds a where input) before the resolver — root connections, hand-written resolvers,
//     entgql's edge resolvers — reads them;
//   - through entgql's field collection, which eager-loads nested connections such as
//     schools { edges { node { accounts(where: …) } } } and unmarshals their where arguments
//     afresh from the document, through the input unmarshalers in the context: the middleware
//     installs unmarshalers that narrow every where input they produce.
// A where input type without a rule, or an edge to one, is refused rather than run.

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/schema"
	"github.com/numo/accounts/internal/auth"
)

// visibleRule adds to a where input (a pointer to its struct) the predicate of the rows the
// viewer reads.
type visibleRule func(v *auth.Viewer, where reflect.Value)

// typedRule is an entity's rule with the where input type it applies to.
type typedRule struct {
	typ  reflect.Type
	rule visibleRule
}

// ruleOf binds an entity's visibility predicate to its where input type.
func ruleOf[W any, P any](add func(*W, ...P), visible func(*auth.Viewer) P) typedRule {
	return typedRule{reflect.TypeFor[W](), func(v *auth.Viewer, where reflect.Value) {
		add(where.Interface().(*W), visible(v))
	}}
}

// visibleRules holds the rule of every entity that has a where input.
var visibleRules = byType(
	ruleOf((*ent.AccountWhereInput).AddPredicates, schema.AccountVisible),
	ruleOf((*ent.ApiTokenWhereInput).AddPredicates, schema.APITokenVisible),
	ruleOf((*ent.AuditEventWhereInput).AddPredicates, schema.AuditEventVisible),
	ruleOf((*ent.ClassWhereInput).AddPredicates, schema.ClassVisible),
	ruleOf((*ent.ImportJobWhereInput).AddPredicates, schema.ImportJobVisible),
	ruleOf((*ent.SchoolWhereInput).AddPredicates, schema.SchoolVisible),
)

func byType(rules ...typedRule) map[reflect.Type]visibleRule {
	m := make(map[reflect.Type]visibleRule, len(rules))
	for _, r := range rules {
		m[r.typ] = r.rule
	}
	return m
}

// isWhereInput reports whether t is a where input struct: one with a rule, or one named like
// one (which then lacks its rule).
func isWhereInput(t reflect.Type) bool {
	if _, ok := visibleRules[t]; ok {
		return true
	}
	return t.Kind() == reflect.Struct && strings.HasSuffix(t.Name(), "WhereInput")
}

// NarrowWhere narrows a where input (a pointer to one of ent's where input structs; nil is
// left alone) for the viewer: see the top of this file. A nil viewer reads nothing.
func NarrowWhere(v *auth.Viewer, where any) error {
	w := reflect.ValueOf(where)
	if w.Kind() != reflect.Pointer || !isWhereInput(w.Type().Elem()) {
		return fmt.Errorf("graph: %T is not a where input", where)
	}
	if w.IsNil() {
		return nil
	}
	if err := rewriteBare(w); err != nil {
		return err
	}
	return narrowEdges(v, w)
}

// wherePlan is where a where input type keeps its edges, found once per type by reflection.
type wherePlan struct {
	and    int        // index of And
	bare   []bareEdge // hasX *bool with its hasXWith
	nested []nestedWhere
	err    error // the type holds where inputs in a way this file does not know
}

// bareEdge is a bare hasX and its hasXWith field.
type bareEdge struct{ has, with int }

// nestedWhere is a field holding where inputs: not, and, or, or an edge.
type nestedWhere struct {
	index int
	edge  bool
	slice bool
}

var wherePlans sync.Map // reflect.Type -> *wherePlan

// planOf returns the plan of where input struct type t.
func planOf(t reflect.Type) *wherePlan {
	if p, ok := wherePlans.Load(t); ok {
		return p.(*wherePlan)
	}
	p := &wherePlan{and: -1}
	if and, ok := t.FieldByName("And"); ok {
		p.and = and.Index[0]
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if with, ok := t.FieldByName(f.Name + "With"); ok && strings.HasPrefix(f.Name, "Has") && f.Type == reflect.TypeFor[*bool]() {
			if with.Type.Kind() != reflect.Slice || with.Type.Elem().Kind() != reflect.Pointer || !isWhereInput(with.Type.Elem().Elem()) || p.and < 0 {
				p.err = fmt.Errorf("graph: %s.%s is not an edge this sanitiser knows", t.Name(), with.Name)
			}
			p.bare = append(p.bare, bareEdge{has: i, with: with.Index[0]})
		}
		var elem reflect.Type
		switch {
		case f.Type.Kind() == reflect.Pointer:
			elem = f.Type.Elem()
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Pointer:
			elem = f.Type.Elem().Elem()
		default:
			continue
		}
		if !isWhereInput(elem) {
			continue
		}
		edge := f.Name != "Not" && f.Name != "And" && f.Name != "Or"
		if edge && (!strings.HasPrefix(f.Name, "Has") || !strings.HasSuffix(f.Name, "With")) {
			p.err = fmt.Errorf("graph: %s.%s holds where inputs but is no edge this sanitiser knows", t.Name(), f.Name)
		}
		p.nested = append(p.nested, nestedWhere{index: i, edge: edge, slice: f.Type.Kind() == reflect.Slice})
	}
	actual, _ := wherePlans.LoadOrStore(t, p)
	return actual.(*wherePlan)
}

// rewriteBare turns every bare hasX: true into hasXWith: [{}] and every hasX: false into
// and: [{not: {hasXWith: [{}]}}], throughout the tree, so that narrowEdges scopes them.
func rewriteBare(w reflect.Value) error {
	s := w.Elem()
	t := s.Type()
	p := planOf(t)
	if p.err != nil {
		return p.err
	}
	for _, b := range p.bare {
		has := s.Field(b.has)
		if has.IsNil() {
			continue
		}
		yes := has.Elem().Bool()
		has.SetZero()
		with := s.Field(b.with)
		blank := reflect.New(with.Type().Elem().Elem()) // narrowEdges adds the visibility rule
		if yes {
			with.Set(reflect.Append(with, blank))
			continue
		}
		inner := reflect.New(t)
		inner.Elem().Field(b.with).Set(reflect.Append(reflect.Zero(with.Type()), blank))
		neg := reflect.New(t)
		neg.Elem().FieldByName("Not").Set(inner)
		and := s.Field(p.and)
		and.Set(reflect.Append(and, neg))
	}
	return forEachNested(w, func(_ bool, n reflect.Value) error { return rewriteBare(n) })
}

// narrowEdges adds the visibility rule of its entity to every where input nested under an edge.
func narrowEdges(v *auth.Viewer, w reflect.Value) error {
	return forEachNested(w, func(edge bool, n reflect.Value) error {
		if edge {
			rule, ok := visibleRules[n.Type().Elem()]
			if !ok {
				return fmt.Errorf("graph: no visibility rule for %s", n.Type().Elem().Name())
			}
			rule(v, n)
		}
		return narrowEdges(v, n)
	})
}

// forEachNested calls fn for every non-nil where input directly nested in w: in not, and, or
// (edge false) and in every edge (edge true).
func forEachNested(w reflect.Value, fn func(edge bool, n reflect.Value) error) error {
	s := w.Elem()
	p := planOf(s.Type())
	if p.err != nil {
		return p.err
	}
	for _, f := range p.nested {
		fv := s.Field(f.index)
		if !f.slice {
			if !fv.IsNil() {
				if err := fn(f.edge, fv); err != nil {
					return err
				}
			}
			continue
		}
		for j := range fv.Len() {
			if n := fv.Index(j); !n.IsNil() {
				if err := fn(f.edge, n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// narrowedInputsKey marks a context whose input unmarshalers narrow where inputs.
type narrowedInputsKey struct{}

// visibleFilters is the field middleware that narrows every where input before any resolver
// or entgql's field collection can run it (see the top of this file).
func visibleFilters(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || (!fc.IsMethod && !fc.IsResolver) {
		return next(ctx) // a plain struct field takes no argument and runs no query
	}
	if len(fc.Args) > 0 && !auth.IsSystem(ctx) {
		v := auth.FromContext(ctx)
		for name, arg := range fc.Args {
			if arg == nil {
				continue
			}
			// Narrow an addressable copy, so that where inputs held by value (a required
			// where: XWhereInput!, or one inside another input) are narrowed too.
			c := reflect.New(reflect.TypeOf(arg)).Elem()
			c.Set(reflect.ValueOf(arg))
			if err := narrowHeld(v, c, 0); err != nil {
				return nil, fmt.Errorf("argument %s: %w", name, err)
			}
			fc.Args[name] = c.Interface()
		}
	}
	// Once per operation (the fields below inherit the context): entgql's field collection
	// unmarshals nested where arguments through these.
	if ctx.Value(narrowedInputsKey{}) == nil {
		outer := ctx
		ctx = graphql.WithLazyInputUnmarshalerIndex(ctx, func() *graphql.InputUnmarshalerIndex { return narrowedInputs(outer) })
		ctx = context.WithValue(ctx, narrowedInputsKey{}, true)
		ctx = withMentorLoader(ctx) // Class.mentors reads a page of classes at once (mentors.go)
	}
	return next(ctx)
}

// maxHeldDepth bounds how deep narrowHeld looks for where inputs inside an argument.
const maxHeldDepth = 32

// narrowHeld narrows every where input that x (addressable) holds, however deep: the argument
// itself, or where inputs inside other inputs, lists and maps. Arguments are trees of a few
// levels; deeper than maxHeldDepth is refused rather than walked.
func narrowHeld(v *auth.Viewer, x reflect.Value, depth int) error {
	if depth > maxHeldDepth {
		return fmt.Errorf("graph: argument nested deeper than %d levels", maxHeldDepth)
	}
	depth++
	switch x.Kind() {
	case reflect.Pointer:
		if x.IsNil() {
			return nil
		}
		if isWhereInput(x.Type().Elem()) {
			return NarrowWhere(v, x.Interface())
		}
		return narrowHeld(v, x.Elem(), depth)
	case reflect.Interface:
		if x.IsNil() {
			return nil
		}
		c := reflect.New(x.Elem().Type()).Elem()
		c.Set(x.Elem())
		if err := narrowHeld(v, c, depth); err != nil {
			return err
		}
		x.Set(c)
	case reflect.Struct:
		if isWhereInput(x.Type()) {
			return NarrowWhere(v, x.Addr().Interface())
		}
		for i := range x.NumField() {
			if x.Type().Field(i).IsExported() {
				if err := narrowHeld(v, x.Field(i), depth); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if k := x.Type().Elem().Kind(); k <= reflect.Complex128 || k == reflect.String {
			return nil // lists of scalars (ids, bytes) hold no where input
		}
		for i := range x.Len() {
			if err := narrowHeld(v, x.Index(i), depth); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := x.MapRange()
		for iter.Next() {
			c := reflect.New(iter.Value().Type()).Elem()
			c.Set(iter.Value())
			if err := narrowHeld(v, c, depth); err != nil {
				return err
			}
			x.SetMapIndex(iter.Key(), c)
		}
	}
	return nil
}

// narrowing wraps the generated unmarshaler of a where input so that it narrows what it
// unmarshals for the viewer of the context it is called with.
func narrowing[W any](name string, outer context.Context, unmarshal func(context.Context, any) (W, error)) graphql.InputUnmarshaler {
	return graphql.NewInputUnmarshaler(name, func(ctx context.Context, raw any) (W, error) {
		w, err := unmarshal(outer, raw)
		if err != nil || auth.IsSystem(ctx) {
			return w, err
		}
		return w, NarrowWhere(auth.FromContext(ctx), &w)
	})
}

// passing hands an input that is no where input to its generated unmarshaler.
func passing[T any](name string, outer context.Context, unmarshal func(context.Context, any) (T, error)) graphql.InputUnmarshaler {
	return graphql.NewInputUnmarshaler(name, func(_ context.Context, raw any) (T, error) { return unmarshal(outer, raw) })
}

// narrowedInputs is the input unmarshaler index of a request with every where input narrowed;
// outer carries the generated index it delegates to. TestNarrowedInputsCoverTheSchema checks
// that it holds every input type of the schema.
func narrowedInputs(outer context.Context) *graphql.InputUnmarshalerIndex {
	return graphql.NewInputUnmarshalerIndex(
		narrowing("AccountWhereInput", outer, UnmarshalAccountWhereInput),
		narrowing("ApiTokenWhereInput", outer, UnmarshalApiTokenWhereInput),
		narrowing("AuditEventWhereInput", outer, UnmarshalAuditEventWhereInput),
		narrowing("ClassWhereInput", outer, UnmarshalClassWhereInput),
		narrowing("ImportJobWhereInput", outer, UnmarshalImportJobWhereInput),
		narrowing("SchoolWhereInput", outer, UnmarshalSchoolWhereInput),
		passing("AccountOrder", outer, UnmarshalAccountOrder),
		passing("ApiTokenOrder", outer, UnmarshalApiTokenOrder),
		passing("AuditEventOrder", outer, UnmarshalAuditEventOrder),
		passing("CellCorrectionInput", outer, UnmarshalCellCorrectionInput),
		passing("ClassOrder", outer, UnmarshalClassOrder),
		passing("ColumnMappingInput", outer, UnmarshalColumnMappingInput),
		passing("GenerateStartCodesInput", outer, UnmarshalGenerateStartCodesInput),
		passing("ImportJobOrder", outer, UnmarshalImportJobOrder),
		passing("LevelMappingInput", outer, UnmarshalLevelMappingInput),
		passing("SchoolOrder", outer, UnmarshalSchoolOrder),
		passing("SchoolSettingsInput", outer, UnmarshalSchoolSettingsInput),
		passing("SsoSettingsInput", outer, UnmarshalSsoSettingsInput),
		passing("StartCodeSettingsInput", outer, UnmarshalStartCodeSettingsInput),
		passing("TeacherInput", outer, UnmarshalTeacherInput),
		passing("WebhookInput", outer, UnmarshalWebhookInput),
	)
}
