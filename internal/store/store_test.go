package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"sync"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = auth.System(context.Background())

// TestConcurrentMigrate starts the migration of one empty database from several "processes"
// at once, as when two numo servers start together: all must succeed.
func TestConcurrentMigrate(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				db, err := store.Open(sys, url)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				errs <- db.Migrate(sys)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent migrate: %v", err)
			}
		}
		db, err := store.Open(sys, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Client.School.Create().SetName("Na migratie").SetBrin("00AA").Save(sys); err != nil {
			t.Fatalf("use migrated schema: %v", err)
		}
	})
}

func TestOpenRejects(t *testing.T) {
	for _, url := range []string{"", "file:", "file:/x.db?%zz"} {
		if db, err := store.Open(sys, url); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}

// TestPingAfterServerDroppedConnections reproduces issue 10.15's /healthz that reported
// unhealthy after a PostgreSQL restart although the pool had recovered: the server ends every
// connection of the pool (as a restart does), and the very next health check must say healthy.
func TestPingAfterServerDroppedConnections(t *testing.T) {
	raw := testdb.URL(t, "postgres")
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", "numo_health_test_"+q.Get("search_path"))
	u.RawQuery = q.Encode()
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Fill the pool with idle connections.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			db.SQL.Exec("SELECT pg_sleep(0.05)")
		})
	}
	wg.Wait()
	if idle := db.SQL.Stats().Idle; idle < 2 {
		t.Fatalf("only %d idle connections to drop", idle)
	}
	admin, err := sql.Open("postgres", testdb.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ended int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
		q.Get("application_name")).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended < 2 {
		t.Fatalf("ended %d connections", ended)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("the first health check after the server dropped the pool's connections: %v", err)
	}
}

// TestNoOrphanMemberships: memberships have no foreign keys (withoutMembershipForeignKeys), so
// every statement of the store that deletes accounts or classes deletes their memberships; each
// case leaves only the memberships of what still exists, on both databases.
func TestNoOrphanMemberships(t *testing.T) {
	type world struct{ school, pupil, other, stamklas, group, group2 int }
	cases := []struct {
		name   string
		delete func(ctx context.Context, db *store.DB, w world) error
		left   int // memberships left of the four
	}{
		{"DeleteClass", func(ctx context.Context, db *store.DB, w world) error {
			return store.DeleteClass(ctx, db.SQL, db.Dialect, w.group, w.school)
		}, 2},
		{"DeleteJobClasses", func(ctx context.Context, db *store.DB, w world) error {
			return store.DeleteJobClasses(ctx, db.SQL, db.Dialect, 41)
		}, 2},
		{"DeleteUnfinishedAccount", func(ctx context.Context, db *store.DB, w world) error {
			return store.DeleteUnfinishedAccount(ctx, db.SQL, db.Dialect, w.pupil, w.school)
		}, 2},
		{"DeleteUnfinishedAdded", func(ctx context.Context, db *store.DB, w world) error {
			_, err := store.DeleteUnfinishedAdded(ctx, db.SQL, db.Dialect, 41, w.school, 100)
			return err
		}, 2},
		{"DeleteAccounts", func(ctx context.Context, db *store.DB, w world) error {
			_, _, err := store.DeleteAccounts(ctx, db.SQL, db.Dialect, w.school, []int{w.pupil, w.other})
			return err
		}, 0},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := db.Client
				brin := string(rune('A'+i)) + "9OR"
				s := c.School.Create().SetName(brin).SetBrin(brin).SaveX(ctx)
				st := c.Class.Create().SetSchoolID(s.ID).SetName("1A").SaveX(ctx)
				g := c.Class.Create().SetSchoolID(s.ID).SetName("1a.ne").SetKind(class.KindLESGROEP).SetCreatedByJobID(41).SaveX(ctx)
				g2 := c.Class.Create().SetSchoolID(s.ID).SetName("1a.en").SetKind(class.KindLESGROEP).SaveX(ctx)
				p := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("1").SetFirstName("Eva").SetLastName("Kok").SetClassID(st.ID).SetImportJobID(41).SaveX(ctx)
				o := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("2").SetFirstName("Sem").SetLastName("Smit").SetClassID(st.ID).SaveX(ctx)
				w := world{s.ID, p.ID, o.ID, st.ID, g.ID, g2.ID}
				for _, a := range []int{p.ID, o.ID} {
					for _, gr := range []int{g.ID, g2.ID} {
						c.Membership.Create().SetAccountID(a).SetGroupID(gr).SaveX(ctx)
					}
				}
				if err := tc.delete(ctx, db, w); err != nil {
					t.Fatal(err)
				}
				all := c.Membership.Query().Where(membership.HasGroupWith(class.SchoolID(s.ID))).AllX(ctx)
				orphans := 0
				for _, m := range c.Membership.Query().AllX(ctx) {
					if !c.Account.Query().Where(account.ID(m.AccountID)).ExistX(ctx) || !c.Class.Query().Where(class.ID(m.GroupID)).ExistX(ctx) {
						orphans++
					}
				}
				if orphans != 0 || len(all) != tc.left {
					t.Errorf("%d orphan memberships, %d of the school's left (want %d)", orphans, len(all), tc.left)
				}
			})
		}
	})
}
