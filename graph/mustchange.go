package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// mustChange refuses an account that signed in with a one-time password everything but
// changing it: the root fields changePassword and viewer (and __typename). Below viewer it
// may read the fields of its account and school, not their edges. The ent rules narrow such a
// viewer to itself as well (auth.Viewer.IsAdminOf and CanReadSchool are false for it); this
// gate keeps the API's answer plain: PASSWORD_CHANGE_REQUIRED.
type mustChange struct{ extensionBase }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = mustChange{}

func (mustChange) ExtensionName() string { return "PasswordChangeRequired" }

// mustChangeRoots are the root fields an account with a one-time password may ask for.
var mustChangeRoots = map[string]bool{"changePassword": true, "viewer": true, "__typename": true}

func (mustChange) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	v := auth.FromContext(ctx)
	if v == nil || !v.MustChangePassword || oc.Operation == nil {
		return nil
	}
	w := mustChangeWalk{doc: oc.Doc, seen: map[mustChangeSeen]bool{}}
	if w.allowed(oc.Operation.SelectionSet, 1) {
		return nil
	}
	return gqlError(apperr.ErrPasswordChangeRequired)
}

// mustChangeWalk checks an operation's selections, expanding each fragment once per depth and
// ignoring type conditions and @skip/@include (it may refuse more than is asked, never less).
type mustChangeWalk struct {
	doc  *ast.QueryDocument
	seen map[mustChangeSeen]bool
}

type mustChangeSeen struct {
	name  string
	depth int
}

// allowed reports whether the selections at depth (1 = root fields) stay within what a
// must-change viewer may ask: allowed root fields; below them two levels, of which the second
// only leaf fields (viewer { account { id username } school { name brin } }).
func (w mustChangeWalk) allowed(set ast.SelectionSet, depth int) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			switch {
			case depth == 1 && !mustChangeRoots[s.Name]:
				return false
			case depth >= 3 && len(s.SelectionSet) > 0:
				return false
			case len(s.SelectionSet) > 0 && !w.allowed(s.SelectionSet, depth+1):
				return false
			}
		case *ast.InlineFragment:
			if !w.allowed(s.SelectionSet, depth) {
				return false
			}
		case *ast.FragmentSpread:
			key := mustChangeSeen{s.Name, depth}
			if w.seen[key] {
				continue
			}
			w.seen[key] = true
			f := w.doc.Fragments.ForName(s.Name)
			if f == nil || !w.allowed(f.SelectionSet, depth) {
				return false
			}
		}
	}
	return true
}
