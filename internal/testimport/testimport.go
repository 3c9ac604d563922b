// Package testimport sets up what the tests of the packages that work on committed imports
// (undo, retention) start from: the repository's test files, a school with its admin, and
// imports committed at a chosen time. Only tests import it.
package testimport

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// Sys is the context of test set-up: the product's own work, allowed everything.
var Sys = auth.System(context.Background())

var sys = Sys

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

// Commit commits data into the school as an import job at the given time, its kind sniffed
// and its mapping proposed as the wizard does, confirming the archive and year guards when
// they apply, and returns the committed job. With stored it records the
// job the way the import service does: created at that time, with the previewed plan stored
// beside it and the file's columns, with their example values, in its mapping.
func Commit(t testing.TB, db *store.DB, schoolID int, name string, data []byte, actions importer.Actions, at time.Time, stored bool) *ent.ImportJob {
	t.Helper()
	p, err := importer.PrepareFor(data, "", nil, nil)
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

// Input prepares data as the wizard reads it, its kind sniffed and its mapping proposed, and
// returns what the planner takes.
func Input(t testing.TB, data []byte) importer.PlanInput {
	t.Helper()
	p, err := importer.PrepareFor(data, "", nil, nil)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	return p.Input
}

// LinkSets is every account's links of the kinds (memberships, teachings) in the school, as
// "key: class, class*" (a mentor's class marked *), by key (e-mail for an account without
// one); with jobs, each link also names the import that made it ("class@7").
func LinkSets(t testing.TB, db *store.DB, schoolID int, jobs bool, kinds ...store.LinkKind) map[string]string {
	t.Helper()
	names := map[int]string{}
	for _, c := range db.Client.Class.Query().Where(class.SchoolID(schoolID)).AllX(sys) {
		names[c.ID] = c.Name
	}
	keys := map[int]string{}
	for _, a := range db.Client.Account.Query().Where(account.SchoolID(schoolID)).AllX(sys) {
		keys[a.ID] = a.Email
		if a.ExternalKey != nil {
			keys[a.ID] = *a.ExternalKey
		}
	}
	sets := map[string][]string{}
	for _, k := range kinds {
		byJob := map[[2]int]string{}
		if jobs {
			byJob = linkJobs(db, k)
		}
		if err := store.EachLink(sys, db.SQL, db.Dialect, k, schoolID, func(l store.Link) {
			n := names[l.ClassID]
			if l.Mentor {
				n += "*"
			}
			sets[keys[l.AccountID]] = append(sets[keys[l.AccountID]], n+byJob[[2]int{l.AccountID, l.ClassID}])
		}); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]string{}
	for k, s := range sets {
		slices.Sort(s)
		out[k] = strings.Join(s, ", ")
	}
	return out
}

// linkJobs is "@job" of every link of the kind that an import made, by account and class.
func linkJobs(db *store.DB, k store.LinkKind) map[[2]int]string {
	out := map[[2]int]string{}
	add := func(accountID, classID int, jobID *int) {
		if jobID != nil {
			out[[2]int{accountID, classID}] = fmt.Sprintf("@%d", *jobID)
		}
	}
	if k == store.Teachings {
		for _, l := range db.Client.Teaching.Query().AllX(sys) {
			add(l.AccountID, l.ClassID, l.ImportJobID)
		}
		return out
	}
	for _, l := range db.Client.Membership.Query().AllX(sys) {
		add(l.AccountID, l.GroupID, l.ImportJobID)
	}
	return out
}
