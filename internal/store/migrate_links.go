package store

import (
	"context"

	"entgo.io/ent/dialect/sql/schema"

	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/migrate"
)

// withoutMembershipForeignKeys is the migration hook that leaves the foreign keys of memberships
// out of the schema (and drops them where an earlier version made them). A board's commit copies
// 800,000 memberships; two foreign-key checks per row made it about three times slower than the
// same commit without them (BENCHMARKS.md, issue 14). Like accounts.import_job_id, the store keeps
// the links whole itself: every statement here that deletes accounts or classes deletes their
// memberships first (TestNoOrphanMemberships), and reads join memberships to live accounts and
// classes, so a link can never show more than its account and class do.
func withoutMembershipForeignKeys(next schema.Creator) schema.Creator {
	return schema.CreateFunc(func(ctx context.Context, tables ...*schema.Table) error {
		out := make([]*schema.Table, len(tables))
		for i, t := range tables {
			if t.Name == membership.Table && len(t.ForeignKeys) > 0 {
				c := *t
				c.ForeignKeys = nil
				t = &c
			}
			out[i] = t
		}
		return next.Create(ctx, out...)
	})
}

// migrateOptions are the options of every migration.
func migrateOptions() []schema.MigrateOption {
	return []schema.MigrateOption{migrate.WithDropIndex(true), schema.WithHooks(withoutMembershipForeignKeys)}
}
