package retention_test

import (
	"testing"
	"time"

	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestPurgeLetters deletes the sealed login letters whose download term has passed and keeps
// the ones still waiting for their download, on both databases; a dry run deletes nothing.
func TestPurgeLetters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "16PL")
		now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
		for i, expires := range []time.Time{now.Add(-time.Minute), now.Add(-48 * time.Hour), now.Add(20 * time.Minute)} {
			db.Client.LetterBatch.Create().SetSchoolID(s.ID).SetCreatedByID(s.Admin.ID).SetHandleHash(string(rune('a'+i)) + "-hash").
				SetSealed([]byte("sealed")).SetLetters(30).SetCreatedAt(expires.Add(-30 * time.Minute)).SetExpiresAt(expires).ExecX(sys)
		}
		rep, err := retention.Purge(sys, db, now, retention.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Schools[0].Letters; got != 2 {
			t.Errorf("dry run counts %d expired batches, want 2", got)
		}
		if n := db.Client.LetterBatch.Query().CountX(sys); n != 3 {
			t.Fatalf("dry run left %d batches, want 3", n)
		}
		rep, err = retention.Purge(sys, db, now, retention.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rep.Schools[0].Letters; got != 2 {
			t.Errorf("purge deleted %d batches, want 2", got)
		}
		if left := db.Client.LetterBatch.Query().Where(letterbatch.ExpiresAtGT(now)).CountX(sys); left != 1 || db.Client.LetterBatch.Query().CountX(sys) != 1 {
			t.Errorf("the batch still waiting for its download was not kept alone")
		}
	})
}
