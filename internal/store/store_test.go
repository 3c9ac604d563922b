package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestConcurrentMigrate starts the migration of one empty database from several "processes"
// at once, as when two numo servers start together: all must succeed.
func TestConcurrentMigrate(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		ctx := auth.System(context.Background())
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, url)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				errs <- db.Migrate(ctx)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent migrate: %v", err)
			}
		}
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Client.School.Create().SetName("Na migratie").SetBrin("00AA").Save(ctx); err != nil {
			t.Fatalf("use migrated schema: %v", err)
		}
	})
}

func TestOpenRejects(t *testing.T) {
	for _, url := range []string{"", "file:", "file:/x.db?%zz"} {
		if db, err := store.Open(auth.System(context.Background()), url); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}
