package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
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
		classes := db.Client.Class.Query().Where(class.KindEQ(class.KindSTAMKLAS)).CountX(ctx)
		groups := db.Client.Class.Query().Where(class.KindEQ(class.KindLESGROEP)).CountX(ctx)
		if pupils != 25 || classes != 5 || groups != 3 {
			t.Fatalf("demo school has %d pupils in %d classes and %d lesgroepen, want 25 in 5 and 3", pupils, classes, groups)
		}
		// The teacher of issue 14 reads exactly the pupils of their lesgroep and their mentor class.
		kramer := db.Client.Account.Query().Where(account.Username("jkramer")).OnlyX(ctx)
		v := auth.NewContext(context.Background(), &auth.Viewer{AccountID: kramer.ID, SchoolID: kramer.SchoolID, Role: auth.RoleTeacher})
		var seen []string
		for _, a := range db.Client.Account.Query().Where(account.RoleEQ(account.RolePUPIL)).Order(ent.Asc(account.FieldExternalKey)).AllX(v) {
			seen = append(seen, *a.ExternalKey)
		}
		want := []string{"070501", "070503", "070504", "080401", "080402", "080403", "080404", "080405"}
		if !slices.Equal(seen, want) {
			t.Fatalf("jkramer reads pupils %v, want %v (vwo4.ne1 and mentor class 3H)", seen, want)
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
