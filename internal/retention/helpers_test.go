package retention_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	entschool "github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
)

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = testimport.Sys

// school is a test school with its admin and the admin's request context.
type school = testimport.School

func newSchool(t *testing.T, db *store.DB, brin string) *school {
	t.Helper()
	return testimport.NewSchool(t, db, brin, "")
}

func viewerCtx(v *auth.Viewer) context.Context { return auth.NewContext(context.Background(), v) }

// importAt commits a file into the school as an import job at the given time, the way the
// import service does: with the previewed plan stored beside the job and the file's columns,
// with their example values, in its mapping.
func importAt(t *testing.T, db *store.DB, schoolID int, name string, data []byte, at time.Time) *ent.ImportJob {
	t.Helper()
	return testimport.Commit(t, db, schoolID, name, data, testimport.All, at, true)
}

// upload leaves an uploaded import waiting for its commit, with its file stored.
func upload(t *testing.T, db *store.DB, schoolID int, status importjob.Status, at time.Time) *ent.ImportJob {
	t.Helper()
	data := testimport.Fixture(t, "transition/school_2027.csv")
	f, err := importer.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	mapping, _ := json.Marshal(map[string]any{"columns": f.Columns})
	job := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName("wacht.csv").SetFileSize(int64(len(data))).SetSha256("x").
		SetMapping(mapping).SetStatus(status).SetCreatedAt(at).SaveX(sys)
	db.Client.ImportBlob.Create().SetJobID(job.ID).SetKind(importblob.KindFILE).SetData(data).ExecX(sys)
	return job
}

func gunzip(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dump is every row of every table the purge may touch, normalised to text, to check that a
// dry run changes nothing.
func dump(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{entschool.Table, account.Table, class.Table, class.TeachersTable, session.Table, accountchange.Table,
		importjob.Table, importblob.Table, auditevent.Table} {
		cols, rows := testdb.Rows(t, db, entsql.Dialect(db.Dialect).Select("*").From(entsql.Table(table)))
		var lines []string
		for _, vals := range rows {
			var cells []string
			for i, v := range vals {
				switch v := v.(type) {
				case time.Time:
					cells = append(cells, cols[i]+"="+v.UTC().Format(time.RFC3339Nano))
				case []byte:
					cells = append(cells, fmt.Sprintf("%s=%x", cols[i], v))
				default:
					cells = append(cells, fmt.Sprintf("%s=%v", cols[i], v))
				}
			}
			lines = append(lines, strings.Join(cells, " "))
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "%s:\n%s\n", table, strings.Join(lines, "\n"))
	}
	return b.String()
}
