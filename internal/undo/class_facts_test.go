package undo_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/undo"
)

// TestUndoClassFacts: a class's level and year follow its pupils through a commit (in steps on
// SQLite) and back through the undo of it (issue 12, point 5).
func TestUndoClassFacts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "12UF")
		add := importer.Actions{Add: true, Update: true}
		at := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
		importAt(t, db, s.ID, "eerste.csv", fixture(t, "class_facts/eerste.csv"), add, at)
		checkClass(t, db, s.ID, "1A", "vmbo-b/k 1", "after the first import")
		job := importAt(t, db, s.ID, "tweede.csv", fixture(t, "class_facts/tweede.csv"), add, at.Add(time.Hour))
		checkClass(t, db, s.ID, "1A", "vmbo-k 2", "after the second import")
		if _, err := undo.Undo(s.ctx, db, job.ID, undo.Options{Now: at.Add(2 * time.Hour)}); err != nil {
			t.Fatalf("undo: %v", err)
		}
		checkClass(t, db, s.ID, "1A", "vmbo-b/k 1", "after the undo")
	})
}

func checkClass(t *testing.T, db *store.DB, schoolID int, name, want, when string) {
	t.Helper()
	c := db.Client.Class.Query().Where(class.SchoolID(schoolID), class.Name(name)).OnlyX(sys)
	got := c.Level + " -"
	if c.Year != nil {
		got = c.Level + " " + strconv.Itoa(*c.Year)
	}
	if got != want {
		t.Fatalf("%s class %s is %q, want %q", when, name, got, want)
	}
}
