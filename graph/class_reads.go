package graph

// One statement for a class with its pupils.
//
// An integrator's roster read, node(id:) { ... on Class { name pupils(first: 30) { edges {
// node { firstName lastName … } } } } }, costs entgql's field collection two statements: the
// class, then its first pupils. When the read is that plain — the node asked for as a Class
// only, one pupils connection with only first (no where, orderBy, after, before, last, or
// totalCount), and the pupils' plain columns only — the node resolver reads the class with
// its first pupils as a JSON column of the class's row (store.PupilsJSON, PostgreSQL), and the
// Class.pupils resolver builds the connection from it. The class query is ent's, so the class
// interceptor narrows it as always; the pupils subquery is narrowed by the account
// interceptor's own rule (schema.AccountVisible for the viewer), which no interceptor would
// add to a subquery. Anything else takes entgql's road unchanged.

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/schema"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// pupilColumns are the Account fields a preloaded pupil answers, with their columns: the
// fields read straight from a column of the ent struct (no edge, method or resolver).
var pupilColumns = map[string]string{
	"id":          account.FieldID,
	"createdAt":   account.FieldCreatedAt,
	"updatedAt":   account.FieldUpdatedAt,
	"schoolID":    account.FieldSchoolID,
	"role":        account.FieldRole,
	"externalKey": account.FieldExternalKey,
	"firstName":   account.FieldFirstName,
	"infix":       account.FieldInfix,
	"lastName":    account.FieldLastName,
	"email":       account.FieldEmail,
	"username":    account.FieldUsername,
	"eckID":       account.FieldEckID,
	"level":       account.FieldLevel,
	"year":        account.FieldYear,
	"classID":     account.FieldClassID,
	"status":      account.FieldStatus,
	"archivedAt":  account.FieldArchivedAt,
}

// classPupilsPlan is a node(id:) read that one statement answers.
type classPupilsPlan struct {
	alias   string   // of the pupils field
	first   int      // its page size
	columns []string // the pupils' columns its selection reads
}

// pupilsColumn names the JSON column of a pupils field: its alias and page size, so that the
// resolver finds only what was loaded for exactly that field.
func pupilsColumn(alias string, first int) string {
	return fmt.Sprintf("pupils:%s:%d", alias, first)
}

// classWithPupils answers node(id:) with one statement when the read allows it (see the top of
// this file); nil, nil when it does not, or when id is no class the viewer reads (the caller
// then asks ent, which answers what it always did).
func (r *queryResolver) classWithPupils(ctx context.Context, id int) (*ent.Class, error) {
	if r.db == nil || r.db.Dialect != dialect.Postgres {
		return nil, nil
	}
	fc, oc := graphql.GetFieldContext(ctx), graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return nil, nil
	}
	plan, ok := planClassPupils(oc, fc.Field)
	if !ok {
		return nil, nil
	}
	var visible func(*entsql.Selector)
	if !auth.IsSystem(ctx) {
		v := auth.FromContext(ctx)
		if v == nil {
			return nil, nil // ent refuses the anonymous caller
		}
		visible = schema.AccountVisible(v)
	}
	c, err := r.client.Class.Query().Where(class.ID(id)).
		Modify(store.PupilsJSON(pupilsColumn(plan.alias, plan.first), plan.first+1, plan.columns, visible)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return c, err
}

// planClassPupils reports whether the selection of node(id:) is a class with one plain pupils
// connection, and what to load for it.
func planClassPupils(oc *graphql.OperationContext, node graphql.CollectedField) (classPupilsPlan, bool) {
	for _, sel := range node.Selections {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name != "id" && s.Name != "__typename" {
				return classPupilsPlan{}, false
			}
		case *ast.InlineFragment:
			if s.TypeCondition != "Class" {
				return classPupilsPlan{}, false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || s.Definition.TypeCondition != "Class" {
				return classPupilsPlan{}, false
			}
		default:
			return classPupilsPlan{}, false
		}
	}
	var pupils []graphql.CollectedField
	for _, f := range graphql.CollectFields(oc, node.Selections, classImplementors) {
		if f.Name == "pupils" {
			pupils = append(pupils, f)
		}
	}
	if len(pupils) != 1 {
		return classPupilsPlan{}, false
	}
	first, ok := onlyFirst(pupils[0].ArgumentMap(oc.Variables))
	if !ok {
		return classPupilsPlan{}, false
	}
	columns, ok := pupilsConnectionColumns(oc, pupils[0].Selections)
	if !ok {
		return classPupilsPlan{}, false
	}
	return classPupilsPlan{alias: pupils[0].Alias, first: first, columns: columns}, true
}

// onlyFirst returns the page size of a connection field's arguments when first (1 to
// MaxPageSize) is the only one given.
func onlyFirst(args map[string]any) (int, bool) {
	first := 0
	for k, v := range args {
		if v == nil {
			continue
		}
		if k != "first" {
			return 0, false
		}
		switch n := v.(type) {
		case int64:
			first = int(n)
		case int:
			first = n
		default:
			return 0, false
		}
	}
	return first, first > 0 && first <= MaxPageSize
}

// pupilsConnectionColumns returns the pupil columns a pupils connection's selection reads, when
// it reads only edges (cursor, node of plain fields) and pageInfo.
func pupilsConnectionColumns(oc *graphql.OperationContext, sel ast.SelectionSet) ([]string, bool) {
	seen := map[string]bool{}
	var columns []string
	for _, f := range graphql.CollectFields(oc, sel, []string{"AccountConnection"}) {
		switch f.Name {
		case "__typename", "pageInfo":
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, []string{"AccountEdge"}) {
				switch e.Name {
				case "__typename", "cursor":
				case "node":
					for _, n := range graphql.CollectFields(oc, e.Selections, accountImplementors) {
						if n.Name == "__typename" {
							continue
						}
						c, ok := pupilColumns[n.Name]
						if !ok {
							return nil, false
						}
						if !seen[c] {
							seen[c] = true
							columns = append(columns, c)
						}
					}
				default:
					return nil, false
				}
			}
		default:
			return nil, false // totalCount, or a field this file does not know
		}
	}
	return columns, true
}

// preloadedPupils is the pupils connection classWithPupils loaded for this field, built as
// entgql builds it from eager-loaded pupils; false when none was loaded for it.
func preloadedPupils(ctx context.Context, obj *ent.Class, after *ent.Cursor, first *int, before *ent.Cursor, last *int, orderBy []*ent.AccountOrder, where *ent.AccountWhereInput) (*ent.AccountConnection, bool, error) {
	if first == nil || after != nil || before != nil || last != nil || len(orderBy) > 0 || where != nil {
		return nil, false, nil
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false, nil
	}
	raw, err := obj.Value(pupilsColumn(fc.Field.Alias, *first))
	if err != nil {
		return nil, false, nil // not loaded with the class
	}
	nodes, err := store.DecodePupils(raw)
	if err != nil {
		return nil, true, err
	}
	conn := &ent.AccountConnection{}
	if len(nodes) > *first {
		conn.PageInfo.HasNextPage = true
		nodes = nodes[:*first]
	}
	conn.Edges = make([]*ent.AccountEdge, len(nodes))
	for i, n := range nodes {
		// The cursor of ent's pager for the default order (by id): no order values.
		conn.Edges[i] = &ent.AccountEdge{Node: n, Cursor: ent.Cursor{ID: n.ID, Value: []any{}}}
	}
	if l := len(conn.Edges); l > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[l-1].Cursor
	}
	conn.TotalCount = len(nodes)
	return conn, true, nil
}
