package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// purgeRows counts the rows a purge may delete or change, to see that a dry run changes nothing.
func purgeRows(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := auth.System(context.Background())
	c := db.Client
	purged := c.ImportJob.Query().Where(importjob.DataPurgedAtNotNil()).CountX(ctx)
	return fmt.Sprintf("accounts=%d blobs=%d jobs purged=%d audit=%d", c.Account.Query().CountX(ctx), c.ImportBlob.Query().CountX(ctx),
		purged, c.AuditEvent.Query().CountX(ctx))
}

// TestPurgeCommand runs numo purge as an operator would: a dry run (text and JSON) that
// changes nothing, then the purge, then a purge with nothing left to do.
func TestPurgeCommand(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		db, err := openMigrated(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := auth.System(context.Background())
		s := db.Client.School.Create().SetName("Het Talent").SetBrin("99XX").SaveX(ctx)
		old := db.Client.Account.Create().SetSchoolID(s.ID).SetFirstName("Oud").SetLastName("Leerling").
			SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Now().AddDate(-3, 0, 0)).SaveX(ctx)
		db.Client.Account.Create().SetSchoolID(s.ID).SetFirstName("Nieuw").SetLastName("Leerling").ExecX(ctx)
		job := db.Client.ImportJob.Create().SetSchoolID(s.ID).SetFileName("oud.csv").SetFileSize(3).SetSha256("x").
			SetCreatedAt(time.Now().AddDate(0, 0, -2)).SaveX(ctx)
		db.Client.ImportBlob.Create().SetJobID(job.ID).SetKind(importblob.KindFILE).SetData([]byte("a;b")).ExecX(ctx)

		before := purgeRows(t, db)
		for _, args := range [][]string{{"--dry-run"}, {"--dry-run", "--json"}} {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), append([]string{"purge", "--db", url}, args...), &out, &errOut); code != 0 {
				t.Fatalf("numo purge %v: exit %d: %s", args, code, errOut.String())
			}
			if args[len(args)-1] == "--json" {
				var rep struct {
					DryRun  bool
					Schools []struct {
						Brin                       string
						Accounts, Abandoned, Files int
					}
				}
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.DryRun || len(rep.Schools) != 1 ||
					rep.Schools[0].Accounts != 1 || rep.Schools[0].Abandoned != 1 || rep.Schools[0].Files != 1 {
					t.Fatalf("numo purge --dry-run --json: %s (%v)", out.String(), err)
				}
			} else if !strings.Contains(out.String(), "99XX Het Talent") || !strings.Contains(out.String(), "would purge 1 archived account") ||
				!strings.Contains(out.String(), "1 uploaded file") {
				t.Fatalf("numo purge --dry-run:\n%s", out.String())
			}
			if after := purgeRows(t, db); after != before {
				t.Fatalf("numo purge %v changed the database: %s, before %s", args, after, before)
			}
		}

		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"purge", "--db", url}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "purged 1 archived account") {
			t.Fatalf("numo purge: exit %d\n%s%s", code, out.String(), errOut.String())
		}
		if db.Client.Account.Query().Where(account.ID(old.ID)).ExistX(ctx) || db.Client.ImportBlob.Query().ExistX(ctx) {
			t.Fatal("numo purge left the archived account or the abandoned file")
		}
		out.Reset()
		if code := run(context.Background(), []string{"purge", "--db", url}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "nothing to purge") {
			t.Fatalf("second numo purge: exit %d\n%s", code, out.String())
		}
		if code := run(context.Background(), []string{"purge", "--db", url, "extra"}, &out, &errOut); code != 2 {
			t.Fatalf("numo purge with an argument: exit %d, want 2", code)
		}
	})
}
