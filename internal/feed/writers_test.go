package feed_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/store"
)

// notRecorded are the files that write accounts, classes or their links without a roster
// change, each with the reason.
var notRecorded = map[string]string{
	"internal/demo/demo.go":             "seeds a new demo school: its first full read has it all",
	"internal/testimport/testimport.go": "test helper: the admin of a new test school",
	"internal/testapp/ssoe2e/main.go":   "end-to-end fixture: seeds a new school",
	"internal/importer/apply_groups.go": "part of the commit whose Apply records it (recordChanges)",
	"internal/auth/authn/startcode.go":  "must_change_password only: no roster data",
	"internal/store/roster_changes.go":  "the log itself",
}

// TestEveryWriterRecords: every file outside package store that calls a store function writing
// accounts, classes, memberships or teachings (store.RosterWriters), or creates, updates or
// deletes them through ent, also calls feed.Record (or importer's recordChanges), or is listed
// in notRecorded with its reason. A new writer that forgets the change log fails here.
func TestEveryWriterRecords(t *testing.T) {
	root := filepath.Join("..", "..")
	storeCall := regexp.MustCompile(`store\.(` + strings.Join(store.RosterWriters, "|") + `)\(`)
	entCall := regexp.MustCompile(`\.(Account|Class|Membership|Teaching)\.(Create|CreateBulk|MapCreateBulk|Update|UpdateOne|UpdateOneID|Delete|DeleteOne|DeleteOneID)\(`)
	records := regexp.MustCompile(`feed\.Record\(|recordChanges\(|createRecorded\(`)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "ent" || rel == "frontend" || rel == "internal/store" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(src)
		if !storeCall.MatchString(s) && !entCall.MatchString(s) {
			return nil
		}
		if _, ok := notRecorded[filepath.ToSlash(rel)]; ok || records.MatchString(s) {
			return nil
		}
		t.Errorf("%s writes accounts, classes or their links but records no roster change (feed.Record): record it in the same transaction, or list it in notRecorded with the reason", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for f := range notRecorded {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("notRecorded lists %s, which is gone", f)
		}
	}
}
