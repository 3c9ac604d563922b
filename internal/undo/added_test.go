package undo_test

import (
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/undo"
)

// TestUndoRemovesAdditions imports 30 new pupils and undoes the import. The import records its
// additions on the accounts (accounts.import_job_id) and writes no change record for them; a
// database from before that field has an ADDED change record per addition and no mark on the
// accounts (oldFormat turns the first into the second). Either way the undo finds and deletes
// every added account and leaves the school as it was.
func TestUndoRemovesAdditions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		oldFormat bool
	}{
		{"marked on the account", false},
		{"ADDED change records of an older numo", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				s := newSchool(t, db, "55EE")
				empty, emptyClasses := snapshot(t, db, s.ID), classes(t, db, s.ID)
				job := importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
				if job.Added != 30 {
					t.Fatalf("import added %d pupils, want 30", job.Added)
				}
				if n := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID)).CountX(sys); n != 0 {
					t.Fatalf("an import of new pupils wrote %d change records, want 0", n)
				}
				added := db.Client.Account.Query().Where(account.ImportJobID(job.ID)).IDsX(sys)
				if len(added) != 30 {
					t.Fatalf("%d accounts marked as added by the import, want 30", len(added))
				}
				if tc.oldFormat {
					for _, id := range added {
						db.Client.AccountChange.Create().SetJobID(job.ID).SetAccountID(id).SetAction(accountchange.ActionADDED).ExecX(sys)
					}
					// As an older numo left them: no mark, and updated_at as the import wrote it.
					q, args := entsql.Dialect(db.Dialect).Update(account.Table).SetNull(account.FieldImportJobID).
						Where(entsql.EQ(account.FieldImportJobID, job.ID)).Query()
					if _, err := db.SQL.ExecContext(sys, q, args...); err != nil {
						t.Fatal(err)
					}
				}
				p, err := undo.Preview(s.ctx, db, job.ID)
				if err != nil || !p.Possible || p.RemoveAdded != 30 || len(p.Conflicts) != 0 || len(p.RemoveClasses) != 3 {
					t.Fatalf("preview undo: %+v, %v; want 30 to remove, 3 classes, no conflicts", p, err)
				}
				if _, err := undo.Undo(s.ctx, db, job.ID, undo.Options{}); err != nil {
					t.Fatalf("undo: %v", err)
				}
				if d := diff(empty, snapshot(t, db, s.ID)); d != "" {
					t.Fatalf("after the undo the accounts differ from before the import:\n%s", d)
				}
				if d := diff(emptyClasses, classes(t, db, s.ID)); d != "" {
					t.Fatalf("after the undo the classes differ from before the import:\n%s", d)
				}
				if n := db.Client.AccountChange.Query().Where(accountchange.JobID(job.ID)).CountX(sys); n != 0 {
					t.Fatalf("the undone import keeps %d change records", n)
				}
			})
		})
	}
}
