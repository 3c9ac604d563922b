package undo_test

import (
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/undo"
)

// TestUndoThenPreviewAgain: a school with pupils imports next year's file, undoes it, and
// previews the same file again: the preview counts what the first one counted (the added
// pupils are new again, not archived accounts coming back), and the school's accounts are
// exactly those it had before the import.
func TestUndoThenPreviewAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "12AB")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		before := snapshot(t, db, s.ID)
		fileA := fixture(t, "transition/school_2027.csv")
		first := previewCounts(t, db, s.ID, fileA)
		if first.Added != 10 || first.Updated != 20 || first.Archived != 10 {
			t.Fatalf("first preview: %+v, want 10 added, 20 updated, 10 archived", first)
		}
		job := importAt(t, db, s.ID, "school_2027.csv", fileA, all, day2)
		if _, err := undo.Undo(s.ctx, db, job.ID, undo.Options{}); err != nil {
			t.Fatal(err)
		}
		if d := diff(before, snapshot(t, db, s.ID)); d != "" {
			t.Fatalf("after the undo the accounts differ from before the import:\n%s", d)
		}
		if again := previewCounts(t, db, s.ID, fileA); again != first {
			t.Fatalf("preview after the undo: %+v, want the first preview's %+v", again, first)
		}
	})
}

func previewCounts(t *testing.T, db *store.DB, schoolID int, data []byte) importer.Counts {
	t.Helper()
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := importer.PlanFor(sys, db, schoolID, p, all)
	if err != nil {
		t.Fatal(err)
	}
	return plan.Counts
}

// TestUndoKeepsUsedAccounts: an added account that someone signed in with, that got a
// password or that the audit log tells of is a conflict, not deleted; the undo deletes the
// untouched one with its change records, and its audit entry names none of them.
func TestUndoKeepsUsedAccounts(t *testing.T) {
	file := []byte("Stamnr;Roepnaam;Achternaam;Klas\r\n6001;Fenna;Verzonnen;4B\r\n6002;Gijs;Verzonnen;4B\r\n6003;Hidde;Verzonnen;4B\r\n6004;Ilse;Bedacht;4B\r\n")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "13AB")
		importAt(t, db, s.ID, "school_2026.csv", fixture(t, "transition/school_2026.csv"), all, day1)
		job := importAt(t, db, s.ID, "nieuw.csv", file, importer.Actions{Add: true}, day2)
		if job.Added != 4 {
			t.Fatalf("added %d, want 4", job.Added)
		}
		byKey := func(key string) int {
			return db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey(key)).OnlyIDX(sys)
		}
		// A password is not roster data: setting it leaves updated_at as it is (as authn does).
		pw := db.Client.Account.GetX(sys, byKey("6001"))
		pw.Update().SetPasswordHash("$argon2id$test").SetUpdatedAt(pw.UpdatedAt).ExecX(sys)
		db.Client.Session.Create().SetAccountID(byKey("6002")).SetTokenHash("test-session").SetExpiresAt(today.Add(1e12)).ExecX(sys)
		audit.RecordAbout(s.ctx, db.Client, s.ID, byKey("6003"), "password_reset", "eenmalig wachtwoord")
		untouched := byKey("6004")

		p, err := undo.Preview(s.ctx, db, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, c := range p.Conflicts {
			reasons[c.Key] = c.Reason
		}
		if p.RemoveAdded != 1 || len(p.Conflicts) != 3 || !strings.Contains(reasons["6001"], "wachtwoord") ||
			!strings.Contains(reasons["6002"], "ingelogd") || !strings.Contains(reasons["6003"], "auditlog") {
			t.Fatalf("preview: %+v", p)
		}
		if _, err := undo.Undo(s.ctx, db, job.ID, undo.Options{SkipConflicts: true}); err != nil {
			t.Fatal(err)
		}
		if db.Client.Account.Query().Where(account.ID(untouched)).ExistX(sys) {
			t.Fatal("the untouched added account is still there")
		}
		if n := db.Client.AccountChange.Query().Where(accountchange.AccountID(untouched)).CountX(sys); n != 0 {
			t.Fatalf("%d change records of the deleted account are left", n)
		}
		for _, key := range []string{"6001", "6002", "6003"} {
			if a := db.Client.Account.GetX(sys, byKey(key)); a.Status != account.StatusACTIVE {
				t.Fatalf("conflicting account %s: %s", key, a.Status)
			}
		}
		ev := db.Client.AuditEvent.Query().Where(auditevent.SchoolID(s.ID), auditevent.Action("import_undone")).OnlyX(sys)
		if !strings.Contains(ev.Detail, "1 toegevoegde accounts verwijderd") || strings.Contains(ev.Detail, "Ilse") ||
			strings.Contains(ev.Detail, "6004") || ev.SubjectAccountID != nil {
			t.Fatalf("audit entry of the undo: %+v", ev)
		}
	})
}
