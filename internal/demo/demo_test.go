package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/demo"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

func TestSeedIfEmpty(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		for i, want := range []bool{true, false} {
			seeded, err := demo.SeedIfEmpty(ctx, db.Client)
			if err != nil || seeded != want {
				t.Fatalf("call %d: SeedIfEmpty = %v, %v; want %v", i+1, seeded, err, want)
			}
		}
		pupils := db.Client.Account.Query().Where(account.RoleEQ(account.RolePUPIL)).CountX(ctx)
		classes := db.Client.Class.Query().CountX(ctx)
		if pupils != 25 || classes != 5 {
			t.Fatalf("demo school has %d pupils in %d classes, want 25 in 5", pupils, classes)
		}
		for _, c := range db.Client.Class.Query().AllX(ctx) {
			if c.NameKey == "" {
				t.Fatalf("class %q has no name key: the schema hook did not run", c.Name)
			}
		}
		// Every class's level and year are already its pupils' (issue 12): the rule that imports
		// and undos apply changes nothing in the demo.
		school := db.Client.School.Query().OnlyX(ctx)
		if n, err := store.RefreshClassFacts(ctx, db.SQL, db.Dialect, school.ID, time.Now()); err != nil || n != 0 {
			t.Fatalf("the demo's class facts differ from its pupils' in %d classes (%v)", n, err)
		}
	})
}
