package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// Change records written before the before-state had one type: the import engine's (with
// updatedAt) and the undo's (without); both must still decode.
func TestDecodeStoredAccountStates(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      store.AccountState
	}{
		{"import", `{"key":"0042","firstName":"Zoë","infix":"van","lastName":"Dijk","class":"2A","level":"HAVO","year":2,"email":"z@x.nl","username":"zoe","eckId":"","status":"ARCHIVED","classId":7,"archivedAt":"2026-01-02T03:04:05Z","updatedAt":"2026-02-03T04:05:06.123456Z"}`,
			store.AccountState{Person: store.Person{Key: "0042", FirstName: "Zoë", Infix: "van", LastName: "Dijk", Class: "2A", Level: "HAVO", Year: 2, Email: "z@x.nl", Username: "zoe"}, Status: "ARCHIVED"}},
		{"undo", `{"key":"1","firstName":"A","infix":"","lastName":"B","class":"","level":"","email":"","username":"","eckId":"","status":"ACTIVE"}`,
			store.AccountState{Person: store.Person{Key: "1", FirstName: "A", LastName: "B"}, Status: "ACTIVE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.DecodeAccountState([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "import" && (got.ClassID == nil || *got.ClassID != 7 || got.ArchivedAt == nil || got.UpdatedAt == nil ||
				!got.UpdatedAt.Equal(time.Date(2026, 2, 3, 4, 5, 6, 123456000, time.UTC))) {
				t.Fatalf("pointers = %+v", got)
			}
			got.ClassID, got.ArchivedAt, got.UpdatedAt = nil, nil, nil
			if !reflect.DeepEqual(*got, tc.want) {
				t.Fatalf("decoded %+v, want %+v", *got, tc.want)
			}
			if again, err := store.DecodeAccountState([]byte(got.Encode())); err != nil || !reflect.DeepEqual(*again, *got) {
				t.Fatalf("round trip = %+v, %v", again, err)
			}
		})
	}
	if _, err := store.DecodeAccountState([]byte("null")); err == nil {
		t.Fatal("a missing before-state decoded")
	}
}

// TestUpdateAndRestoreAccounts writes states through the one account UPDATE (one account, and
// many at once as an import's updates and an undo do), archives many at once, and reads them
// back, on both databases.
func TestUpdateAndRestoreAccounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Client.School.Create().SetName("School").SetBrin("99ZZ").SaveX(sys)
		cl := db.Client.Class.Create().SetSchoolID(s.ID).SetName("1A").SetNameKey("1a").SaveX(sys)
		var ids []int
		for _, n := range []string{"A", "B", "C"} {
			ids = append(ids, db.Client.Account.Create().SetSchoolID(s.ID).SetExternalKey(n).SetFirstName(n).SetLastName("X").SaveX(sys).ID)
		}
		archivedAt := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		now := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
		states := []*store.AccountState{
			{Person: store.Person{FirstName: "Änne", Infix: "de", LastName: "Vries", Email: "a@x.nl", Username: "anne", EckID: "https://eck/1", Level: "VWO", Year: 3},
				ClassID: &cl.ID, Status: account.StatusACTIVE.String()},
			{Person: store.Person{FirstName: "Bob", LastName: "Bakker"}, Status: account.StatusARCHIVED.String(), ArchivedAt: &archivedAt},
		}
		if err := store.UpdateAccount(sys, db.SQL, db.Dialect, ids[0], s.ID, states[0], &now); err != nil {
			t.Fatal(err)
		}
		if err := store.UpdateAccounts(sys, db.SQL, db.Dialect, s.ID, now, ids[1:2], states[1:2]); err != nil {
			t.Fatal(err)
		}
		if err := store.ArchiveAccounts(sys, db.SQL, db.Dialect, s.ID+1, now, ids[2:]); err == nil {
			t.Error("archived an account of another school")
		}
		got := map[int]store.AccountRow{}
		if err := store.EachAccount(sys, db.SQL, db.Dialect, s.ID, func(r *store.AccountRow) { got[r.ID] = *r }); err != nil {
			t.Fatal(err)
		}
		a, b, c := got[ids[0]], got[ids[1]], got[ids[2]]
		if a.FirstName != "Änne" || a.Infix != "de" || a.Email != "a@x.nl" || a.EckID != "https://eck/1" || a.Level != "VWO" || a.Year != 3 ||
			a.ClassID != cl.ID || a.Status != "ACTIVE" || a.ArchivedAt != nil || !a.UpdatedAt.Equal(now) {
			t.Errorf("updated = %+v", a)
		}
		if b.FirstName != "Bob" || b.Status != "ARCHIVED" || b.ArchivedAt == nil || !b.ArchivedAt.Equal(archivedAt) || b.ClassID != 0 || b.Year != 0 || !b.UpdatedAt.Equal(now) {
			t.Errorf("restored = %+v", b)
		}
		if c.FirstName != "C" || c.Status != "ACTIVE" {
			t.Errorf("untouched = %+v", c)
		}
		// An archived account's start code goes with the archive.
		db.Client.Account.UpdateOneID(ids[2]).SetStartCodeHash("$argon2id$x").SetStartCodeExpiresAt(now.AddDate(0, 0, 14)).ExecX(sys)
		if err := store.ArchiveAccounts(sys, db.SQL, db.Dialect, s.ID, now, ids[2:]); err != nil {
			t.Fatal(err)
		}
		if c := db.Client.Account.GetX(sys, ids[2]); c.StartCodeHash != "" || c.StartCodeExpiresAt != nil {
			t.Errorf("archived with start code %q until %v", c.StartCodeHash, c.StartCodeExpiresAt)
		}
		if c := db.Client.Account.GetX(sys, ids[2]); c.Status != account.StatusARCHIVED || c.ArchivedAt == nil || !c.ArchivedAt.Equal(now) || !c.UpdatedAt.Equal(now) {
			t.Errorf("archived = %+v", c)
		}
		// The sort key follows the names (the rule of package names, as the ent hook keeps it).
		sorted := db.Client.Account.GetX(sys, ids[0]).SortName
		if sorted != names.SortKey("Vries", "Änne") {
			t.Errorf("sort name = %q", sorted)
		}
		// A nil time keeps updated_at (the rollback of a change record without one).
		if err := store.UpdateAccount(sys, db.SQL, db.Dialect, ids[0], s.ID, states[0], nil); err != nil {
			t.Fatal(err)
		}
		if at := db.Client.Account.GetX(sys, ids[0]).UpdatedAt; !at.Equal(now) {
			t.Errorf("updated_at = %v, want kept %v", at, now)
		}
	})
}

// TestBackfillSortNames gives an account without a sort key (from before it existed) its key.
func TestBackfillSortNames(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Client.School.Create().SetName("School").SetBrin("99ZY").SaveX(sys)
		a := db.Client.Account.Create().SetSchoolID(s.ID).SetFirstName("Émile").SetInfix("de").SetLastName("Boer").SaveX(sys)
		a = db.Client.Account.GetX(sys, a.ID) // updated_at as stored
		if _, err := db.SQL.ExecContext(sys, "UPDATE accounts SET sort_name = ''"); err != nil {
			t.Fatal(err)
		}
		if err := db.BackfillSortNames(sys); err != nil {
			t.Fatal(err)
		}
		if got := db.Client.Account.GetX(sys, a.ID); got.SortName != names.SortKey("Boer", "Émile") || !got.UpdatedAt.Equal(a.UpdatedAt) {
			t.Fatalf("sort name %q, updated %v; want %q, %v", got.SortName, got.UpdatedAt, names.SortKey("Boer", "Émile"), a.UpdatedAt)
		}
	})
}

// TestSetStartCodes writes start codes in one batch on both databases: a username only where
// there was none (and then updated_at moves with it), the hash, expiry and generated-at for
// every active account of the school; an archived account and another school's are not written.
func TestSetStartCodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Client.School.Create().SetName("School").SetBrin("99ZZ").SaveX(sys)
		other := db.Client.School.Create().SetName("Andere").SetBrin("98ZZ").SaveX(sys)
		before := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		mk := func(school int, first, username string, status account.Status) int {
			return db.Client.Account.Create().SetSchoolID(school).SetFirstName(first).SetLastName("X").SetUsername(username).
				SetStatus(status).SetUpdatedAt(before).SaveX(sys).ID
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
		tx, err := db.SQL.BeginTx(sys, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := store.SetStartCodes(sys, tx, db.Dialect, s.ID, now, rows)
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
			a := db.Client.Account.GetX(sys, tt.id)
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
