package graph

import (
	"context"
	"errors"
	"sync"

	"github.com/numo/accounts/internal/undo"
)

// operationMemo keeps results that several fields of one operation would otherwise compute
// each: twenty aliases of undoPreview for one job plan that undo once. It lives in the
// operation's context and dies with it, so no answer outlives the request it was made for.
type operationMemo struct {
	mu   sync.Mutex
	undo map[int]*memoEntry[*undo.Plan]
}

// memoEntry is one result, computed by the first field that asks; the others wait for it.
type memoEntry[T any] struct {
	done chan struct{}
	val  T
	err  error
}

type operationMemoKey struct{}

// errComputeFailed answers the fields that waited for a computation that panicked.
var errComputeFailed = errors.New("shared computation failed")

// withOperationMemo gives an operation its memo.
func withOperationMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, operationMemoKey{}, &operationMemo{})
}

// undoPreviewOnce returns the undo plan of a job, computing it once per operation. Outside
// an operation (no memo in ctx) it just computes.
func undoPreviewOnce(ctx context.Context, jobID int, compute func() (*undo.Plan, error)) (*undo.Plan, error) {
	m, _ := ctx.Value(operationMemoKey{}).(*operationMemo)
	if m == nil {
		return compute()
	}
	m.mu.Lock()
	if m.undo == nil {
		m.undo = map[int]*memoEntry[*undo.Plan]{}
	}
	e, ok := m.undo[jobID]
	if !ok {
		e = &memoEntry[*undo.Plan]{done: make(chan struct{})}
		m.undo[jobID] = e
	}
	m.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.val, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer close(e.done)
	e.err = errComputeFailed // stays when compute panics, for the fields waiting on it
	e.val, e.err = compute()
	return e.val, e.err
}
