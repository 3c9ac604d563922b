package importer_test

import (
	"testing"

	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestClassFactsFollowPupils: after every import a class's level and year are the most common
// among its active pupils, also for a class that existed with other facts (issue 12: the
// demo's 1A said havo/vwo while its pupils were vmbo-b/k); a class without pupils keeps its own.
func TestClassFactsFollowPupils(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db.Client, "12CF")
		db.Client.Class.Create().SetSchoolID(s.ID).SetName("1A").SetLevel("havo/vwo").SetYear(3).SaveX(sys)
		db.Client.Class.Create().SetSchoolID(s.ID).SetName("1C").SetLevel("havo").SetYear(1).SaveX(sys)
		for _, step := range []struct {
			file string
			want map[string]string
		}{
			{"class_facts/eerste.csv", map[string]string{"1A": "vmbo-b/k 1", "1B": "vwo 1", "1C": "havo 1"}},
			{"class_facts/tweede.csv", map[string]string{"1A": "vmbo-k 2", "1B": "vwo 1", "1C": "havo 1"}},
		} {
			apply(t, db, prepare(t, step.file), s.ID, importer.Actions{Add: true, Update: true}, importer.ApplyOptions{})
			got := map[string]string{}
			for _, c := range db.Client.Class.Query().Where(class.SchoolID(s.ID)).AllX(sys) {
				got[c.Name] = c.Level + " " + yearOf(c.Year)
			}
			for name, want := range step.want {
				if got[name] != want {
					t.Errorf("after %s class %s is %q, want %q", step.file, name, got[name], want)
				}
			}
		}
	})
}

func yearOf(y *int) string {
	if y == nil {
		return "-"
	}
	return string(rune('0' + *y))
}
