package feed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
	"github.com/numo/accounts/internal/undo"
)

var sys = auth.System(context.Background())

// roster is a full read of a school: every account and class by "KIND:id", as the change log's
// data (JSON, decoded for comparison).
type roster map[string]any

func fullRead(t *testing.T, db *store.DB, schoolID int) roster {
	t.Helper()
	out := roster{}
	put := func(key string, v any) {
		b, _ := json.Marshal(v)
		var x any
		json.Unmarshal(b, &x)
		out[key] = x
	}
	if err := store.EachFeedClass(sys, db.SQL, db.Dialect, schoolID, nil, func(c *store.FeedClass) {
		put(fmt.Sprintf("CLASS:%d", c.ID), feed.ClassDataOf(schoolID, c))
	}); err != nil {
		t.Fatal(err)
	}
	if err := store.EachFeedAccount(sys, db.SQL, db.Dialect, schoolID, nil, func(a *store.FeedAccount) {
		put(fmt.Sprintf("ACCOUNT:%d", a.ID), feed.AccountDataOf(schoolID, a))
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// replay applies the school's changes after position from to snap, checking that their
// positions follow each other without a gap, and returns the last position.
func replay(t *testing.T, db *store.DB, schoolID int, from int64, snap roster) int64 {
	t.Helper()
	pos := from
	for {
		page, err := feed.After(sys, db, schoolID, pos, 7) // small pages: the cursor is exercised
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return pos
		}
		for _, c := range page {
			if c.Position != pos+1 {
				t.Fatalf("position %d after %d: a gap", c.Position, pos)
			}
			pos = c.Position
			key := string(c.Kind) + ":" + c.ID
			switch c.Op {
			case feed.OpUpsert:
				var x any
				if err := json.Unmarshal(c.Data, &x); err != nil {
					t.Fatalf("change %d: %v", c.Position, err)
				}
				snap[key] = x
			case feed.OpDelete:
				if c.Data != nil {
					t.Errorf("change %d: a DELETE with data %s", c.Position, c.Data)
				}
				delete(snap, key)
			}
		}
	}
}

// commitTeachers commits a teacher file of the repository's testdata as an import job.
func commitTeachers(t *testing.T, db *store.DB, schoolID int, name string, at time.Time) {
	t.Helper()
	p, err := importer.PrepareFor(testimport.Fixture(t, name), importer.KindTeachers, nil, nil)
	if err != nil {
		t.Fatalf("prepare %s: %v", name, err)
	}
	plan, err := importer.PlanFor(sys, db, schoolID, p, testimport.All)
	if err != nil {
		t.Fatalf("plan %s: %v", name, err)
	}
	job := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName(name).SetFileSize(1).SetSha256("x").
		SetStatus(importjob.StatusCOMMITTING).SetFileKind(importjob.FileKindTEACHERS).SaveX(sys)
	if _, err := importer.Apply(sys, db, p.Input, schoolID, testimport.All, importer.ApplyOptions{JobID: job.ID,
		ConfirmArchive: plan.Guard.ToArchive, ConfirmYearDown: plan.YearGuard.YearDown, Now: at}); err != nil {
		t.Fatalf("apply %s: %v", name, err)
	}
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReplay is the change log's promise (issue 18): a full read of a school, then a year of
// changes through every writer — imports that add, update and archive pupils and teachers with
// their lesgroepen, an undo, a teacher made and given classes by hand, login letters that give
// usernames, an erasure and the retention purge — and the log after the full read's position,
// applied to it, gives exactly a fresh full read. On both databases.
func TestReplay(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := testimport.NewSchool(t, db, "18FE", "")
		start := time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)
		testimport.Commit(t, db, s.ID, "leerlingen.csv", testimport.Fixture(t, "lesgroepen/api-leerlingen.csv"), testimport.All, start, true)

		pos, err := feed.Position(sys, db, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		snap := fullRead(t, db, s.ID)

		commitTeachers(t, db, s.ID, "teachers/api-docenten.csv", start.Add(time.Hour))
		wissel := testimport.Commit(t, db, s.ID, "wissel.csv", testimport.Fixture(t, "lesgroepen/api-leerlingen-wissel.csv"), testimport.All, start.Add(2*time.Hour), true)
		if _, err := undo.Undo(s.Ctx, db, wissel.ID, undo.Options{SkipConflicts: true, Now: start.Add(3 * time.Hour)}); err != nil {
			t.Fatalf("undo: %v", err)
		}
		commitTeachers(t, db, s.ID, "teachers/api-docenten-wissel.csv", start.Add(4*time.Hour))

		svc := authn.New(db.Client, slog.Default())
		teacher, err := svc.CreateTeacher(s.Ctx, s.ID, authn.TeacherInput{FirstName: "Iris", LastName: "Veld", Email: "i.veld@docent.example.nl", Username: "iveld"})
		if err != nil {
			t.Fatal(err)
		}
		classes := db.Client.Class.Query().IDsX(sys)
		if _, err := svc.SetTeacherClasses(s.Ctx, teacher.ID, classes[:2]); err != nil {
			t.Fatal(err)
		}

		year2 := start.AddDate(1, 0, 0)
		testimport.Commit(t, db, s.ID, "jaar2.csv", fixture(t, "leerlingen-jaar2.csv"), testimport.All, year2, true)
		erased := db.Client.Account.Query().Where(account.ExternalKey("6010")).OnlyIDX(sys)
		if err := retention.Erase(s.Ctx, db, erased); err != nil {
			t.Fatalf("erase: %v", err)
		}
		// Three years on, the archived pupils of year 2 are past their retention.
		if _, err := retention.Purge(sys, db, year2.AddDate(3, 0, 0), retention.Options{}); err != nil {
			t.Fatalf("purge: %v", err)
		}
		if n := db.Client.Account.Query().Where(account.StatusEQ(account.StatusARCHIVED)).CountX(sys); n != 0 {
			t.Fatalf("%d archived accounts left after the purge, want 0 (the test would not cover it)", n)
		}

		last := replay(t, db, s.ID, pos, snap)
		now, err := feed.Position(sys, db, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last != now || last <= pos {
			t.Fatalf("replayed up to %d, the school is at %d (snapshot at %d)", last, now, pos)
		}
		fresh := fullRead(t, db, s.ID)
		if !reflect.DeepEqual(snap, fresh) {
			for k, v := range fresh {
				if !reflect.DeepEqual(snap[k], v) {
					t.Errorf("%s: replayed %v, full read %v", k, snap[k], v)
				}
			}
			for k, v := range snap {
				if _, ok := fresh[k]; !ok {
					t.Errorf("%s: replayed %v, gone in the full read", k, v)
				}
			}
		}
		t.Logf("replayed %d changes over %d entities", last-pos, len(fresh))
	})
}
