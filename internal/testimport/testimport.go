// Package testimport sets up what the tests of the packages that work on committed imports
// (undo, retention) start from: the repository's test files, a school with its admin, and
// imports committed at a chosen time. Only tests import it.
package testimport

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = auth.System(context.Background())

// Fixture reads a file below the repository's testdata folder.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// All is every action of an import: add, update and archive.
var All = importer.Actions{Add: true, Update: true, Archive: true}

// School is a test school with its admin and the admin's request context.
type School struct {
	*ent.School
	Admin *ent.Account
	Ctx   context.Context
}

// NewSchool creates the school "School <brin>" with its admin "Beheer Der" and returns them
// with the admin's request context, coming from remoteAddr ("" for none).
func NewSchool(t testing.TB, db *store.DB, brin, remoteAddr string) *School {
	t.Helper()
	s := db.Client.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(sys)
	admin := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).SetFirstName("Beheer").SetLastName("Der").SaveX(sys)
	ctx := auth.NewContext(context.Background(), &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin, Name: "Beheer Der", RemoteAddr: remoteAddr})
	return &School{School: s, Admin: admin, Ctx: ctx}
}

// Commit commits data into the school as an import job at the given time, confirming the
// archive and year guards when they apply, and returns the committed job. With stored it records the
// job the way the import service does: created at that time, with the previewed plan stored
// beside it and the file's columns, with their example values, in its mapping.
func Commit(t testing.TB, db *store.DB, schoolID int, name string, data []byte, actions importer.Actions, at time.Time, stored bool) *ent.ImportJob {
	t.Helper()
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatalf("prepare %s: %v", name, err)
	}
	plan, err := importer.PlanFor(sys, db, schoolID, p, actions)
	if err != nil {
		t.Fatalf("plan %s: %v", name, err)
	}
	create := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName(name).SetFileSize(int64(len(data))).SetSha256("x").
		SetStatus(importjob.StatusCOMMITTING)
	if stored {
		f, err := importer.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		mapping, err := json.Marshal(map[string]any{"columns": f.Columns, "chosen": map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		create.SetMapping(mapping).SetCreatedAt(at)
	}
	job := create.SaveX(sys)
	if stored {
		db.Client.ImportBlob.Create().SetJobID(job.ID).SetKind(importblob.KindPLAN).SetData(GzipJSON(t, plan)).ExecX(sys)
	}
	if _, err := importer.Apply(sys, db, p.Input, schoolID, actions, importer.ApplyOptions{JobID: job.ID, ConfirmArchive: plan.Guard.ToArchive, ConfirmYearDown: plan.YearGuard.YearDown, Now: at}); err != nil {
		t.Fatalf("apply %s: %v", name, err)
	}
	return db.Client.ImportJob.GetX(sys, job.ID)
}

// GzipJSON is v as gzipped JSON, the way the product stores plans and reports.
func GzipJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}
