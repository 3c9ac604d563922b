package graph

import (
	"context"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The generated executor calls these instead of three of gqlgen's helpers (graph/fastexec_gen.go
// rewrites gqlgen's output; BENCHMARKS.md, "Roster reads", has the profiles). gqlgen v0.17
// spends most of a large roster read on bookkeeping per list element, per object and per
// field rather than on the data; gqlgen.yml has no setting for any of it (exec.worker_limit
// only bounds how many of the per-element goroutines run at once).

// marshalSlice marshals the elements of a list one after another, each under a field context
// of its own index, as graphql.MarshalSliceConcurrently does but without a goroutine per
// element. A roster is a list of values already loaded by field collection; marshalling them
// in parallel cost a goroutine start, a stack grown by copying and scheduling per element (a
// 50-class × 40-pupil read started 1,450 goroutines), while the other clients' requests keep
// every core busy anyway. An element's own resolver fields still run concurrently within it.
func marshalSlice(ctx context.Context, length int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		ret[i] = marshalElementAt(graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i}), i, marshalElement)
	}
	return ret
}

// marshalElementAt marshals element i; a panic becomes a field error and a null, as in gqlgen.
func marshalElementAt(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}

// newDeferredGroup is graphql.NewDeferredGroup when one of the object's fields is deferred
// (@defer), and otherwise an empty group that costs nothing: gqlgen builds one per object,
// its response path included, whether or not anything is deferred.
func newDeferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{Context: ctx}
}

// resolveField is graphql.ResolveField, except that a field read straight from a Go struct
// field (no resolver, no method, no directive, hence no arguments) does not pass through the
// field middleware (Server.AroundFields): it runs no code that a middleware could guard,
// narrow or time, and the middleware chain was a third of the cost of each of a roster's
// thousands of such fields. Every resolver and method field still passes through it.
func resolveField[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next graphql.Resolver) graphql.Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret graphql.Marshaler) {
	if k, _ := plainKinds.Load(field.Definition); k == plainString {
		if res, err := fieldResolver(ctx); err == nil {
			if m, ok := plainLeaf(res); ok {
				return m
			}
		}
	}
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	if field.Definition != nil {
		if _, seen := plainKinds.Load(field.Definition); !seen {
			plainKinds.Store(field.Definition, kindOf(fc, field, middlewareChain != nil))
		}
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	var res any
	if middlewareChain == nil && !fc.IsMethod && !fc.IsResolver {
		res, err = fieldResolver(ctx)
	} else {
		next := func(rctx context.Context) (any, error) {
			ctx = rctx // the children see the context the middleware passed on
			return fieldResolver(rctx)
		}
		if middlewareChain != nil {
			next = middlewareChain(ctx, next)
		}
		res, err = oc.ResolverMiddleware(ctx, next)
	}
	return fieldResult(ctx, oc, fc, res, err, marshal, field.Selections, nonNull)
}

// fieldResult marshals a field's value, or records its error or invalid null, as gqlgen's
// resolveField does.
func fieldResult[T any](ctx context.Context, oc *graphql.OperationContext, fc *graphql.FieldContext, res any, err error,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler, sel ast.SelectionSet, nonNull bool,
) graphql.Marshaler {
	if err != nil {
		oc.Error(ctx, graphql.AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if res == nil {
		if nonNull || fc.NonNull {
			graphql.AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if v, ok := res.(T); ok {
		fc.Result = v
		return marshal(ctx, sel, v)
	}
	if m, ok := res.(graphql.Marshaler); ok {
		fc.Result = m
		return m
	}
	var t T
	graphql.AddErrorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, res, t)
	return graphql.Null
}

// fieldSet is the generated executor's graphql.FieldSet, marshalled without gqlgen's map of
// the names written and its heap copy of every field (a third of a roster's allocations).
type fieldSet struct {
	*graphql.FieldSet
	fields []graphql.CollectedField
}

// newFieldSet stands for graphql.NewFieldSet.
func newFieldSet(fields []graphql.CollectedField) *fieldSet {
	return &fieldSet{FieldSet: graphql.NewFieldSet(fields), fields: fields}
}

// MarshalGQL writes the object: each response name once, as gqlgen does. A response name is
// a GraphQL name ([_A-Za-z][_0-9A-Za-z]*) and needs no escaping.
func (m *fieldSet) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	first := true
	for i := range m.fields {
		alias := m.fields[i].Alias
		if seenBefore(m.fields[:i], alias) {
			continue
		}
		if !first {
			io.WriteString(w, ",")
		}
		first = false
		io.WriteString(w, `"`)
		io.WriteString(w, alias)
		io.WriteString(w, `":`)
		if v := m.Values[i]; v != nil {
			v.MarshalGQL(w)
		} else {
			io.WriteString(w, "null")
		}
	}
	io.WriteString(w, "}")
}

// seenBefore reports whether one of fields answers under alias already.
func seenBefore(fields []graphql.CollectedField, alias string) bool {
	for j := range fields {
		if fields[j].Alias == alias {
			return true
		}
	}
	return false
}

// plainKind is what resolveField knows about a field definition once it has seen it.
type plainKind uint8

const (
	notPlain    plainKind = iota + 1 // a resolver, a method, a directive or arguments
	plainField                       // a Go struct field
	plainString                      // a Go struct field of type String (string or *string)
)

// plainKinds caches the kind of every field definition (*ast.FieldDefinition) seen.
var plainKinds sync.Map

// plainLeaf marshals a plain String or Boolean field's value without a field context of its
// own: the value cannot fail or be an invalid null, so nothing would read that context. It
// reports false for anything else (a nil pointer, another type), which takes the full way.
func plainLeaf(res any) (graphql.Marshaler, bool) {
	switch v := res.(type) {
	case string:
		return graphql.MarshalString(v), true
	case *string:
		if v != nil {
			return graphql.MarshalString(*v), true
		}
	}
	return nil, false
}

// kindOf classifies a field by its context. Only a field selected on its object type itself
// can be plainString: the definition of a field selected through an interface is the
// interface's, shared by objects that may resolve it differently.
func kindOf(fc *graphql.FieldContext, field graphql.CollectedField, directives bool) plainKind {
	def, parent := field.Definition, field.ObjectDefinition
	switch {
	case directives || fc.IsMethod || fc.IsResolver || len(fc.Args) > 0 || len(def.Arguments) > 0:
		return notPlain
	case parent != nil && parent.Kind == ast.Object && parent.Name == fc.Object &&
		def.Type != nil && def.Type.Elem == nil && def.Type.NamedType == "String":
		return plainString
	}
	return plainField
}
