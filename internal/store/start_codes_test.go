package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestSetStartCodes writes start codes in one batch on both databases: a username only where
// there was none (and then updated_at moves with it), the hash, expiry and generated-at for
// every active account of the school; an archived account and another school's are not written.
func TestSetStartCodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		s := db.Client.School.Create().SetName("School").SetBrin("99ZZ").SaveX(ctx)
		other := db.Client.School.Create().SetName("Andere").SetBrin("98ZZ").SaveX(ctx)
		before := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		mk := func(school int, first, username string, status account.Status) int {
			return db.Client.Account.Create().SetSchoolID(school).SetFirstName(first).SetLastName("X").SetUsername(username).
				SetStatus(status).SetUpdatedAt(before).SaveX(ctx).ID
		}
		fresh := mk(s.ID, "Nieuw", "", account.StatusACTIVE)
		named := mk(s.ID, "Bekend", "bekend", account.StatusACTIVE)
		gone := mk(s.ID, "Oud", "", account.StatusARCHIVED)
		elsewhere := mk(other.ID, "Ander", "", account.StatusACTIVE)
		now := time.Date(2026, 9, 7, 10, 0, 0, 0, time.UTC)
		exp := time.Date(2026, 9, 21, 21, 59, 59, 0, time.UTC)
		rows := []store.StartCode{
			{AccountID: fresh, Username: "nieuw.x", Hash: "$argon2id$a", ExpiresAt: exp},
			{AccountID: named, Username: "zou-niet-mogen", Hash: "$argon2id$b", ExpiresAt: exp}, // keeps "bekend"
			{AccountID: gone, Username: "oud.x", Hash: "$argon2id$c", ExpiresAt: exp},
			{AccountID: elsewhere, Username: "ander.x", Hash: "$argon2id$d", ExpiresAt: exp},
		}
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := store.SetStartCodes(ctx, tx, db.Dialect, s.ID, now, rows)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d accounts written, want 2 (the archived one and another school's left out)", n)
		}
		tests := []struct {
			id                 int
			username, hash     string
			updated            time.Time
			expires, generated bool
		}{
			{fresh, "nieuw.x", "$argon2id$a", now, true, true},
			{named, "bekend", "$argon2id$b", before, true, true},
			{gone, "", "", before, false, false},
			{elsewhere, "", "", before, false, false},
		}
		for _, tt := range tests {
			a := db.Client.Account.GetX(ctx, tt.id)
			if a.Username != tt.username || a.StartCodeHash != tt.hash || !a.UpdatedAt.Equal(tt.updated) ||
				(a.StartCodeExpiresAt != nil) != tt.expires || (a.StartCodeGeneratedAt != nil) != tt.generated {
				t.Errorf("account %s: username %q, hash %q, updated %v, expires %v, generated %v", a.FirstName, a.Username, a.StartCodeHash,
					a.UpdatedAt, a.StartCodeExpiresAt, a.StartCodeGeneratedAt)
				continue
			}
			if tt.expires && (!a.StartCodeExpiresAt.Equal(exp) || !a.StartCodeGeneratedAt.Equal(now)) {
				t.Errorf("account %s: expires %v, generated %v", a.FirstName, a.StartCodeExpiresAt, a.StartCodeGeneratedAt)
			}
		}
	})
}
