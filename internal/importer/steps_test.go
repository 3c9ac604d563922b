package importer_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// pupils is an invented export of n pupils with keys from first on; tag changes every e-mail,
// so that a second file with another tag updates the pupils both share.
func pupils(t *testing.T, first, n int, tag string) *importer.Prepared {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;E-mail\r\n")
	firsts := []string{"Sanne", "Daan", "Zoë", "Mehmet", "Noor", "Lieke"}
	lasts := []string{"Jansen", "Vries", "Dijk", "Bakker", "Çelik"}
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "%d;%s;%s;%d%c;%s%d@leerling.demo.invalid\r\n", i, firsts[i%6], lasts[i/6%5], 1+i%4, 'A'+rune(i/500%4), tag, i)
	}
	p, err := importer.Prepare(b.Bytes(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// snapshot is everything an import may change in a school, as text: its accounts (every
// column but the bookkeeping of sign-in), its classes and its change records.
func snapshot(t *testing.T, db *store.DB, schoolID int) [][]string {
	t.Helper()
	d := entsql.Dialect(db.Dialect)
	c, a := entsql.Table(accountchange.Table).As("c"), entsql.Table(account.Table).As("a")
	var out [][]string
	for _, b := range []entsql.Querier{
		d.Select(account.FieldID, account.FieldExternalKey, account.FieldRole, account.FieldStatus, account.FieldFirstName,
			account.FieldInfix, account.FieldLastName, account.FieldSortName, account.FieldEmail, account.FieldUsername,
			account.FieldEckID, account.FieldLevel, account.FieldYear, account.FieldClassID, account.FieldArchivedAt,
			account.FieldCreatedAt, account.FieldUpdatedAt, account.FieldImportJobID).
			From(entsql.Table(account.Table)).Where(entsql.EQ(account.FieldSchoolID, schoolID)).OrderBy(account.FieldID),
		d.Select(class.FieldID, class.FieldName, class.FieldNameKey, class.FieldCreatedByJobID).
			From(entsql.Table(class.Table)).Where(entsql.EQ(class.FieldSchoolID, schoolID)).OrderBy(class.FieldID),
		d.Select(c.C(accountchange.FieldJobID), c.C(accountchange.FieldAccountID), c.C(accountchange.FieldAction)).
			From(c).Join(a).On(a.C(account.FieldID), c.C(accountchange.FieldAccountID)).
			Where(entsql.EQ(a.C(account.FieldSchoolID), schoolID)).OrderBy(c.C(accountchange.FieldJobID), c.C(accountchange.FieldAccountID)),
	} {
		q, args := b.Query()
		rows, err := db.SQL.QueryContext(context.Background(), q, args...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = fmt.Sprintf("%v:%s", v.Valid, normTime(v.String))
			}
			out = append(out, row)
		}
		rows.Close()
		out = append(out, []string{"--"})
	}
	return out
}

// normTime writes a stored time in one form: SQLite keeps the text its writer chose.
func normTime(s string) string {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z07:00"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm.UTC().Format(time.RFC3339Nano)
		}
	}
	return s
}

// crash stands for the death of the process in the middle of a commit: a panic in the
// progress callback leaves the commit where it was, without any of its own error handling.
type crash struct{}

// TestCommitInStepsRollsBack interrupts a commit of 1,000 updates, 1,000 additions and 1,000
// archives halfway — by a crash (the process is gone: the next start rolls back) and by a
// cancellation (the commit rolls itself back) — and checks that the school is exactly as it
// was, then commits the same job in full. On SQLite the commit runs in steps of 1,000 rows,
// so the crash really leaves part of the import written until the rollback; on PostgreSQL it
// is one transaction and nothing is written.
func TestCommitInStepsRollsBack(t *testing.T) {
	// "crash, marked failed" is `numo import` killed, whose job a person then marked FAILED.
	for _, how := range []string{"crash", "crash, marked failed", "cancel"} {
		t.Run(how, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				sys := auth.System(context.Background())
				s := newSchool(t, db.Client, "77GG")
				apply(t, db, pupils(t, 1000, 2000, "oud"), s.ID, all, importer.ApplyOptions{})
				before := snapshot(t, db, s.ID)
				pos, read := feedRead(t, db, s.ID)
				next := pupils(t, 2000, 2000, "nieuw") // 1,000 updated, 1,000 added, 1,000 archived
				preview, err := importer.PlanFor(sys, db, s.ID, next, all)
				if err != nil {
					t.Fatal(err)
				}
				if c := preview.Counts; c.Added != 1000 || c.Updated != 1000 || c.Archived != 1000 {
					t.Fatalf("preview %+v", c)
				}
				job := db.Client.ImportJob.Create().SetSchoolID(s.ID).SetFileName("next.csv").SetFileSize(1).SetSha256("x").
					SetStatus(importjob.StatusCOMMITTING).SaveX(sys)
				ctx, cancel := context.WithCancel(sys)
				defer cancel()
				opt := importer.ApplyOptions{JobID: job.ID, ExpectedHash: preview.Hash, ConfirmArchive: 1000,
					Progress: func(p importer.Progress) {
						if p.Phase == "writing" && p.Done >= 1500 {
							if how != "cancel" {
								panic(crash{})
							}
							cancel()
						}
					}}
				err = applyCatchingCrash(ctx, db, next, s.ID, opt)
				if err == nil {
					t.Fatal("the interrupted commit succeeded")
				}
				if how != "cancel" {
					rollBackCrashedCommit(t, db, s.ID, job.ID, how == "crash, marked failed")
				}
				if got := snapshot(t, db, s.ID); !reflect.DeepEqual(got, before) {
					t.Fatalf("after the %s and its rollback the school differs from before:\n got %v\nwant %v", how, diff(got, before), "")
				}
				// The steps logged what they wrote, the rollback took it back: the log after the
				// full read ends where a full read does now.
				_, now := feedRead(t, db, s.ID)
				if got := replayLog(t, db, s.ID, pos, read); !reflect.DeepEqual(got, now) {
					for k, v := range got {
						if !reflect.DeepEqual(v, now[k]) {
							t.Fatalf("after the %s and its rollback the change log replays %s to %v, the school has %v", how, k, v, now[k])
						}
					}
					t.Fatalf("after the %s and its rollback the change log replays to %d entities, the school has %d", how, len(got), len(now))
				}
				j := db.Client.ImportJob.GetX(sys, job.ID)
				if j.CommittedAt != nil || (j.Status != importjob.StatusCOMMITTING) != (how == "crash, marked failed") {
					t.Fatalf("job after the rollback: %s, committed at %v; want it as it was, without a commit time", j.Status, j.CommittedAt)
				}
				db.Client.ImportJob.UpdateOneID(job.ID).SetStatus(importjob.StatusCOMMITTING).ExecX(sys)
				checkCommitAfterRollback(t, db, s.ID, job.ID, next, opt, preview)
			})
		})
	}
}

// applyCatchingCrash applies next and turns the crash its Progress callback panics with into an error.
func applyCatchingCrash(ctx context.Context, db *store.DB, next *importer.Prepared, schoolID int, opt importer.ApplyOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crash); !ok {
				panic(r)
			}
			err = errors.New("crashed")
		}
	}()
	_, err = importer.Apply(ctx, db, next.Input, schoolID, all, opt)
	return err
}

// rollBackCrashedCommit checks that a crashed commit holds the school (on SQLite), then rolls it back as the next start of numo does.
func rollBackCrashedCommit(t *testing.T, db *store.DB, schoolID, jobID int, markFailed bool) {
	t.Helper()
	sys := auth.System(context.Background())
	if markFailed {
		db.Client.ImportJob.UpdateOneID(jobID).SetStatus(importjob.StatusFAILED).ExecX(sys)
	}
	if db.Dialect == dialect.SQLite {
		// Part of the import is written, and the school is held for it.
		if n := db.Client.AccountChange.Query().CountX(sys); n == 0 || n >= 3000 {
			t.Fatalf("after the crash %d change records, want part of the 3,000", n)
		}
		tx, _ := db.SQL.BeginTx(sys, nil)
		if err := store.LockSchool(sys, tx, db.Dialect, schoolID); !errors.Is(err, store.ErrSchoolBusy) {
			t.Fatalf("LockSchool during an unfinished commit: %v, want ErrSchoolBusy", err)
		}
		tx.Rollback()
	}
	// What the next start of numo does (internal/jobs reaps the dead commit).
	if _, err := importer.RollBack(sys, db, jobID); err != nil {
		t.Fatalf("roll back: %v", err)
	}
}

// checkCommitAfterRollback commits the same job again, now in full, with its preview still valid.
func checkCommitAfterRollback(t *testing.T, db *store.DB, schoolID, jobID int, next *importer.Prepared, opt importer.ApplyOptions, preview *importer.Plan) {
	t.Helper()
	sys := auth.System(context.Background())
	var stats importer.ApplyStats
	opt.Progress, opt.Stats = nil, &stats
	plan, err := importer.Apply(sys, db, next.Input, schoolID, all, opt)
	if err != nil {
		t.Fatalf("commit after the rollback: %v", err)
	}
	if plan.Counts != preview.Counts || db.Client.ImportJob.GetX(sys, jobID).Status != importjob.StatusCOMMITTED {
		t.Fatalf("commit after the rollback: %+v", plan.Counts)
	}
	if db.Dialect == dialect.SQLite && stats.Transactions < 4 {
		t.Fatalf("a commit of 3,000 rows on SQLite took %d transactions, want steps of at most 1,000 rows", stats.Transactions)
	}
	t.Logf("%s: %d write transactions, the longest %v", db.Dialect, stats.Transactions, stats.Longest)
}

// feedRead is a full read of the school as its change log carries it (by "KIND:id", decoded),
// and the position the log continues from.
func feedRead(t *testing.T, db *store.DB, schoolID int) (int64, map[string]any) {
	t.Helper()
	sys := auth.System(context.Background())
	pos, err := feed.Position(sys, db, schoolID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	put := func(key string, v any) {
		b, _ := json.Marshal(v)
		var x any
		json.Unmarshal(b, &x)
		out[key] = x
	}
	err = store.EachFeedClass(sys, db.SQL, db.Dialect, schoolID, nil, func(c *store.FeedClass) {
		put(fmt.Sprintf("CLASS:%d", c.ID), feed.ClassDataOf(schoolID, c))
	})
	if err == nil {
		err = store.EachFeedAccount(sys, db.SQL, db.Dialect, schoolID, nil, func(a *store.FeedAccount) {
			put(fmt.Sprintf("ACCOUNT:%d", a.ID), feed.AccountDataOf(schoolID, a))
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return pos, out
}

// replayLog applies the school's change log after position from to a copy of snap.
func replayLog(t *testing.T, db *store.DB, schoolID int, from int64, snap map[string]any) map[string]any {
	t.Helper()
	out := maps.Clone(snap)
	for {
		page, err := feed.After(auth.System(context.Background()), db, schoolID, from, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		for _, c := range page {
			if c.Position != from+1 {
				t.Fatalf("change log position %d after %d", c.Position, from)
			}
			from = c.Position
			key := string(c.Kind) + ":" + c.ID
			if c.Op == feed.OpDelete {
				delete(out, key)
				continue
			}
			var x any
			if err := json.Unmarshal(c.Data, &x); err != nil {
				t.Fatal(err)
			}
			out[key] = x
		}
	}
}

// diff returns the first rows where got and want differ.
func diff(got, want [][]string) string {
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("row %d: %v, want %v", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d rows, want %d", len(got), len(want))
}
