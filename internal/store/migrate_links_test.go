package store_test

import (
	"context"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

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
