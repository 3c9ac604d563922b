package graph

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/undo"
)

// TestPageSizeGuard is the cap where rows are fetched, behind operationCost: a resolver is
// never called with a page over MaxPageSize or more ids than that.
func TestPageSizeGuard(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, c := range []struct {
		args map[string]any
		ok   bool
	}{
		{map[string]any{"first": n(1000)}, true},
		{map[string]any{"first": (*int)(nil), "last": n(10)}, true},
		{map[string]any{"first": n(1001)}, false},
		{map[string]any{"last": n(-1)}, false},
		{map[string]any{"ids": make([]int, 1001)}, false},
		{map[string]any{"ids": make([]int, 3)}, true},
		{nil, true},
	} {
		ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{
			Object: "Query", Field: graphql.CollectedField{Field: &ast.Field{Name: "accounts"}}, Args: c.args})
		called := false
		_, err := pageSizeGuard(ctx, func(context.Context) (any, error) { called = true; return nil, nil })
		var ae *apperr.Error
		switch {
		case c.ok && (err != nil || !called):
			t.Errorf("%v: refused (%v) or not resolved", c.args, err)
		case !c.ok && (called || !errors.As(err, &ae) || ae.Code() != apperr.CodePageSize):
			t.Errorf("%v: resolved %v, err %v", c.args, called, err)
		}
	}
}

// TestUndoPreviewOnce: fields of one operation asking the same job, at the same time, share
// one computation; another job or another operation computes again.
func TestUndoPreviewOnce(t *testing.T) {
	var computed atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	compute := func() (*undo.Plan, error) {
		if computed.Add(1) == 1 {
			close(entered)
			<-release
		}
		return &undo.Plan{JobID: 7}, nil
	}
	ctx := withOperationMemo(context.Background())
	var wg sync.WaitGroup
	plans := make([]*undo.Plan, 20)
	wg.Add(1)
	go func() { defer wg.Done(); plans[0], _ = undoPreviewOnce(ctx, 7, compute) }()
	<-entered // the first field is computing; the other nineteen arrive now
	for i := 1; i < len(plans); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); plans[i], _ = undoPreviewOnce(ctx, 7, compute) }()
	}
	close(release)
	wg.Wait()
	if computed.Load() != 1 {
		t.Fatalf("twenty fields computed the plan %d times", computed.Load())
	}
	for _, p := range plans {
		if p != plans[0] {
			t.Fatal("fields got different plans")
		}
	}
	undoPreviewOnce(ctx, 8, compute)
	undoPreviewOnce(withOperationMemo(context.Background()), 7, compute)
	if computed.Load() != 3 {
		t.Fatalf("another job and another operation computed %d times in all, want 3", computed.Load())
	}
}
