package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	gen "github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/hook"
	"github.com/numo/accounts/internal/names"
)

// The hooks keep the columns that are derived from others (an account's sort_name, a class's
// name_key) in step on every write, so that no caller can store one that does not follow.

// derived is the hook that runs set on every create and update of an M before it is written;
// set fills in the derived fields, or refuses the write with an error.
func derived[M ent.Mutation](set func(context.Context, M) error) ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			mm, ok := m.(M)
			if !ok {
				return nil, fmt.Errorf("unexpected mutation type %T. expect %T", m, mm)
			}
			if err := set(ctx, mm); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)
}

// sortNameFollowsNames sets an account's sort_name from its names whenever one of them is
// written. Changing one name of a single account reads the other from the row; a write to
// several accounts must give both.
func sortNameFollowsNames(ctx context.Context, m *gen.AccountMutation) error {
	last, lastSet := m.LastName()
	first, firstSet := m.FirstName()
	if !lastSet && !firstSet {
		return nil
	}
	if m.Op().Is(ent.OpUpdateOne) {
		var err error
		if !lastSet {
			if last, err = m.OldLastName(ctx); err != nil {
				return err
			}
		}
		if !firstSet {
			if first, err = m.OldFirstName(ctx); err != nil {
				return err
			}
		}
	} else if !lastSet || !firstSet {
		return fmt.Errorf("account: change a name of several accounts only with both names (the sort key needs both)")
	}
	m.SetSortName(names.SortKey(last, first))
	return nil
}

// nameKeyFollowsName sets a class's name_key from its name whenever the name is written.
func nameKeyFollowsName(_ context.Context, m *gen.ClassMutation) error {
	if name, ok := m.Name(); ok {
		m.SetNameKey(names.ClassKey(name))
	}
	return nil
}
