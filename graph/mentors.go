package graph

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/teaching"
)

// maxMentors is how many mentors Class.mentors lists per class (a stamklas has one or two).
const maxMentors = 20

// mentorLoader reads Class.mentors for a whole list of classes at once: the first class of a
// page asks for the mentors of every class of that page (two statements: the mentor
// assignments and their teachers, both through the viewer's rules), the others find theirs
// loaded. One loader serves one operation (visibleFilters installs it).
type mentorLoader struct {
	mu      sync.Mutex
	byClass map[int][]*ent.Account
}

type mentorLoaderKey struct{}

// withMentorLoader gives the operation of ctx a mentor loader.
func withMentorLoader(ctx context.Context) context.Context {
	return context.WithValue(ctx, mentorLoaderKey{}, &mentorLoader{byClass: map[int][]*ent.Account{}})
}

// classMentors is the resolver of Class.mentors.
func classMentors(ctx context.Context, client *ent.Client, c *ent.Class) ([]*ent.Account, error) {
	l, _ := ctx.Value(mentorLoaderKey{}).(*mentorLoader)
	if l == nil {
		l = &mentorLoader{byClass: map[int][]*ent.Account{}}
	}
	return l.mentors(ctx, client, c.ID)
}

func (l *mentorLoader) mentors(ctx context.Context, client *ent.Client, classID int) ([]*ent.Account, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.byClass[classID]; ok {
		return m, nil
	}
	ids := []int{classID}
	for _, id := range siblingClasses(ctx) {
		if _, ok := l.byClass[id]; !ok && id != classID {
			ids = append(ids, id)
		}
	}
	rows, err := client.Teaching.Query().Where(teaching.Mentor(true), teaching.ClassIDIn(ids...)).WithTeacher().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("mentors: %w", err)
	}
	for _, id := range ids {
		l.byClass[id] = []*ent.Account{}
	}
	for _, t := range rows {
		if t.Edges.Teacher != nil { // a teacher the viewer does not read is left out
			l.byClass[t.ClassID] = append(l.byClass[t.ClassID], t.Edges.Teacher)
		}
	}
	for _, id := range ids {
		m := l.byClass[id]
		slices.SortFunc(m, func(a, b *ent.Account) int {
			return cmp.Or(cmp.Compare(a.LastName, b.LastName), cmp.Compare(a.FirstName, b.FirstName), cmp.Compare(a.ID, b.ID))
		})
		l.byClass[id] = m[:min(len(m), maxMentors)]
	}
	return l.byClass[classID], nil
}

// siblingClasses is the IDs of the list of classes the class being resolved was read in (a
// connection's edges, a plain list, the classes among nodes(ids:)), found up its field
// contexts; nil for a single class.
func siblingClasses(ctx context.Context) []int {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		switch list := fc.Result.(type) {
		case []*ent.ClassEdge:
			ids := make([]int, 0, len(list))
			for _, e := range list {
				if e != nil && e.Node != nil {
					ids = append(ids, e.Node.ID)
				}
			}
			return ids
		case []*ent.Class:
			ids := make([]int, 0, len(list))
			for _, c := range list {
				if c != nil {
					ids = append(ids, c.ID)
				}
			}
			return ids
		case []ent.Noder: // nodes(ids:)
			var ids []int
			for _, n := range list {
				if c, ok := n.(*ent.Class); ok && c != nil {
					ids = append(ids, c.ID)
				}
			}
			return ids
		default:
			if fc.Result != nil && reflect.TypeOf(fc.Result).Kind() == reflect.Slice {
				return nil // the class is one element of a list of something else
			}
		}
	}
	return nil
}
