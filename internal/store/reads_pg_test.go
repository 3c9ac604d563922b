package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestReadPool: on PostgreSQL ent's plain reads go over the one-round-trip pool (reads.go)
// while JSON columns are still written and read back intact; SQLite has no such pool.
func TestReadPool(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		s := db.Client.School.Create().SetName("Het Baken").SetBrin("01AA").
			SetLevelMappings(map[string]string{"groep 8": "8"}).SaveX(ctx)
		got := db.Client.School.Query().Where(school.ID(s.ID), school.Name("Het Baken")).OnlyX(ctx)
		if got.LevelMappings["groep 8"] != "8" {
			t.Fatalf("level mappings read back as %v", got.LevelMappings)
		}
		if db.Reads == nil {
			if db.Dialect == "postgres" {
				t.Fatal("no read pool on PostgreSQL")
			}
			return
		}
		if n := db.Reads.Stats().OpenConnections; n == 0 {
			t.Fatal("the read went over the ordinary pool")
		}
	})
}

// TestPreparedReads: a read whose text recurs is prepared on its second run and answers the
// same rows from then on, with other arguments too; writes are never prepared.
func TestPreparedReads(t *testing.T) {
	db := testdb.New(t, "postgres")
	ctx := auth.System(context.Background())
	names := []string{"Het Baken", "De Ark", "Sint-Jozef"}
	for i, n := range names {
		db.Client.School.Create().SetName(n).SetBrin(fmt.Sprintf("0%dAA", i+1)).SaveX(ctx)
	}
	before := db.PreparedReads()
	for round := 0; round < 3; round++ {
		for _, n := range names {
			got := db.Client.School.Query().Where(school.Name(n)).OnlyX(ctx)
			if got.Name != n {
				t.Fatalf("round %d: asked %q, read %q", round, n, got.Name)
			}
		}
	}
	if got := db.PreparedReads() - before; got != 1 {
		t.Fatalf("%d statement texts prepared for one recurring read, want 1", got)
	}
}

// TestMaxConns checks that the process's connection budget (--db-max-conns) is split between
// the ordinary pool and the pool of one-round-trip reads, so that N processes on one
// PostgreSQL open at most N × the budget; the default is store.DefaultMaxConns.
func TestMaxConns(t *testing.T) {
	for _, tt := range []struct {
		opts            []store.Option
		ordinary, reads int
	}{
		{nil, store.DefaultMaxConns / 2, store.DefaultMaxConns - store.DefaultMaxConns/2},
		{[]store.Option{store.WithMaxConns(20)}, 10, 10},
		{[]store.Option{store.WithMaxConns(9)}, 4, 5},
		{[]store.Option{store.WithMaxConns(1)}, 2, 2}, // at least 4 in all
	} {
		db := testdb.New(t, "postgres", tt.opts...)
		if got := db.SQL.Stats().MaxOpenConnections; got != tt.ordinary {
			t.Errorf("ordinary pool %d connections, want %d", got, tt.ordinary)
		}
		if got := db.Reads.Stats().MaxOpenConnections; got != tt.reads {
			t.Errorf("read pool %d connections, want %d", got, tt.reads)
		}
	}
}
