package graph_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// undoViewer makes a request as the viewer (what the login middleware puts in the context).
func undoViewer(v *auth.Viewer) client.Option {
	return func(r *client.Request) { r.HTTP = r.HTTP.WithContext(auth.NewContext(r.HTTP.Context(), v)) }
}

// undoImportAt commits a fixture into the school as an import job at the given time.
func undoImportAt(t *testing.T, a *api, schoolID int, name string, at time.Time) int {
	t.Helper()
	return commitFixtureAt(t, a.app.DB(), schoolID, name, at)
}

// commitFixtureAt commits a file of testdata/transition into a school as an import job at
// the given time.
func commitFixtureAt(t *testing.T, db *store.DB, schoolID int, name string, at time.Time) int {
	t.Helper()
	ctx := auth.System(context.Background())
	data, err := os.ReadFile(filepath.Join("..", "testdata", "transition", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := importer.Actions{Add: true, Update: true, Archive: true}
	plan, err := importer.PlanFor(ctx, db, schoolID, p, all)
	if err != nil {
		t.Fatal(err)
	}
	job := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName(name).SetFileSize(int64(len(data))).SetSha256("x").
		SetStatus(importjob.StatusCOMMITTING).SaveX(ctx)
	if _, err := importer.Apply(ctx, db, p.Input, schoolID, all, importer.ApplyOptions{JobID: job.ID, ConfirmArchive: plan.Guard.ToArchive, ConfirmYearDown: plan.YearGuard.YearDown, Now: at}); err != nil {
		t.Fatal(err)
	}
	return job.ID
}

const undoPreviewQuery = `query($job: ID!) { undoPreview(jobId: $job) {
  jobId possible reason removeAdded archiveAdded restoreUpdated reactivate removeClasses
  conflicts { accountId key name reason }
} }`

type undoPreviewResp struct {
	UndoPreview struct {
		JobID                      string
		Possible                   bool
		Reason                     *string
		RemoveAdded, ArchiveAdded  int
		RestoreUpdated, Reactivate int
		RemoveClasses              []string
		Conflicts                  []struct{ AccountID, Key, Name, Reason string }
	}
}

const undoMutation = `mutation($job: ID!, $skip: Boolean) { undoImport(jobId: $job, skipConflicts: $skip) {
  id kind status fileName updated archived removed unchanged undoOf { id status undoneAt }
} }`

type undoResp struct {
	UndoImport struct {
		ID, Kind, Status, FileName string
		Updated, Archived, Removed int
		Unchanged                  int
		UndoOf                     struct {
			ID, Status string
			UndoneAt   *string
		}
	}
}

// TestUndoAPI drives the undo, the school's retention settings, the export link and the
// erasure of a pupil through the GraphQL API, with the errors a client acts on.
func TestUndoAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "99XX")
		ctx := auth.System(context.Background())
		db := a.app.DB()
		// A client of its own: requests carry the viewer in their context, as the login
		// middleware sets it, instead of the API token of the shared test client.
		c := client.New(a.app.Handler(), client.Path("/query"))
		admin := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).SetFirstName("Beheer").SetLastName("Der").SaveX(ctx)
		as := undoViewer(&auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin, Name: "Beheer Der"})
		now := time.Now()
		undoImportAt(t, a, s.ID, "school_2026.csv", now.AddDate(0, 0, -2))
		jobB := undoImportAt(t, a, s.ID, "school_2027.csv", now.AddDate(0, 0, -1))
		edited := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey("4001")).OnlyX(ctx)
		edited.Update().SetEmail("hand@leerling.demo.invalid").ExecX(ctx)
		job := client.Var("job", jobB)

		var p undoPreviewResp
		c.MustPost(undoPreviewQuery, &p, job, as)
		if u := p.UndoPreview; !u.Possible || u.Reason != nil || u.RemoveAdded != 10 || u.ArchiveAdded != 0 || u.RestoreUpdated != 19 || u.Reactivate != 10 ||
			len(u.Conflicts) != 1 || u.Conflicts[0].Key != "4001" || u.Conflicts[0].AccountID != strconv.Itoa(edited.ID) {
			t.Fatalf("undoPreview %+v", u)
		}

		e := errorOf(t, c.Post(undoMutation, &undoResp{}, job, as))
		conflicts, _ := e.Extensions["conflicts"].([]any)
		if e.Extensions["code"] != "UNDO_CONFLICT" || len(conflicts) != 1 || conflicts[0].(map[string]any)["name"] != "Daan de Boer" {
			t.Fatalf("undo with a conflict: %+v", e)
		}
		if e := errorOf(t, c.Post(undoMutation, &undoResp{}, job)); e.Extensions["code"] != "UNAUTHENTICATED" {
			t.Fatalf("undo without a viewer: %+v", e)
		}

		var u undoResp
		c.MustPost(undoMutation, &u, job, client.Var("skip", true), as)
		if j := u.UndoImport; j.Kind != "UNDO" || j.Status != "COMMITTED" || j.FileName != "Ongedaan: school_2027.csv" ||
			j.Updated != 29 || j.Archived != 0 || j.Removed != 10 || j.Unchanged != 1 || j.UndoOf.ID != strconv.Itoa(jobB) || j.UndoOf.Status != "UNDONE" || j.UndoOf.UndoneAt == nil {
			t.Fatalf("undoImport %+v", j)
		}
		checkUndoOfAPI(t, c, as, jobB, u.UndoImport.ID)
		if e := errorOf(t, c.Post(undoMutation, &undoResp{}, job, as)); e.Extensions["code"] != "INVALID_STATE" {
			t.Fatalf("second undo: %+v", e)
		}
		c.MustPost(undoPreviewQuery, &p, job, as)
		if p.UndoPreview.Possible || p.UndoPreview.Reason == nil {
			t.Fatalf("undoPreview of an undone import %+v", p.UndoPreview)
		}

		checkSchoolSettingsAPI(t, c, as, s.ID)
		checkExportAndEraseAPI(t, c, as, db, s.ID, admin.ID)
	})
}

// checkUndoOfAPI reads both jobs of an undo by id: only the UNDO job has an undoOf, the job it
// undid (ent once read the edge backwards and gave the undone import its UNDO job).
func checkUndoOfAPI(t *testing.T, c *client.Client, as client.Option, undoneID int, undoID string) {
	t.Helper()
	var r struct {
		Undone, Undo struct {
			Kind   string
			UndoOf *struct{ ID string }
		}
	}
	c.MustPost(`query($a: ID!, $b: ID!) {
	  undone: node(id: $a) { ... on ImportJob { kind undoOf { id } } }
	  undo: node(id: $b) { ... on ImportJob { kind undoOf { id } } } }`, &r, client.Var("a", undoneID), client.Var("b", undoID), as)
	if r.Undone.Kind != "IMPORT" || r.Undone.UndoOf != nil {
		t.Fatalf("the undone import has undoOf %+v, want none", r.Undone.UndoOf)
	}
	if r.Undo.Kind != "UNDO" || r.Undo.UndoOf == nil || r.Undo.UndoOf.ID != strconv.Itoa(undoneID) {
		t.Fatalf("the UNDO job has undoOf %+v, want %d", r.Undo.UndoOf, undoneID)
	}
}

// checkSchoolSettingsAPI sets the school's job data retention term through the API, and checks
// that a term out of range is refused.
func checkSchoolSettingsAPI(t *testing.T, c *client.Client, as client.Option, schoolID int) {
	t.Helper()
	var set struct {
		UpdateSchoolSettings struct{ JobDataRetentionDays, ArchivedRetentionDays int }
	}
	settings := `mutation($school: ID!, $days: Int) { updateSchoolSettings(schoolId: $school, input: {jobDataRetentionDays: $days}) {
	  jobDataRetentionDays archivedRetentionDays } }`
	c.MustPost(settings, &set, client.Var("school", schoolID), client.Var("days", 7), as)
	if set.UpdateSchoolSettings.JobDataRetentionDays != 7 || set.UpdateSchoolSettings.ArchivedRetentionDays != 730 {
		t.Fatalf("updateSchoolSettings %+v", set)
	}
	if e := errorOf(t, c.Post(settings, &set, client.Var("school", schoolID), client.Var("days", 400), as)); e.Extensions["code"] != "INVALID_INPUT" {
		t.Fatalf("a term out of range: %+v", e)
	}
}

// checkExportAndEraseAPI checks a pupil's export link and erasure through the API, and that an
// admin cannot be erased.
func checkExportAndEraseAPI(t *testing.T, c *client.Client, as client.Option, db *store.DB, schoolID, adminID int) {
	t.Helper()
	ctx := auth.System(context.Background())
	var acc struct {
		Accounts struct {
			Edges []struct {
				Node struct{ ID, ExportURL string }
			}
		}
	}
	c.MustPost(`query { accounts(first: 1, where: {externalKey: "4003"}) { edges { node { id exportUrl } } } }`, &acc, as)
	if len(acc.Accounts.Edges) != 1 || acc.Accounts.Edges[0].Node.ExportURL != "/api/accounts/"+acc.Accounts.Edges[0].Node.ID+"/export.json" {
		t.Fatalf("exportUrl %+v", acc)
	}
	var erased struct{ ErasePupil bool }
	c.MustPost(`mutation($id: ID!) { erasePupil(accountId: $id) }`, &erased, client.Var("id", acc.Accounts.Edges[0].Node.ID), as)
	if !erased.ErasePupil || db.Client.Account.Query().Where(account.SchoolID(schoolID), account.ExternalKey("4003")).ExistX(ctx) {
		t.Fatal("erasePupil left the account")
	}
	if e := errorOf(t, c.Post(`mutation($id: ID!) { erasePupil(accountId: $id) }`, &erased, client.Var("id", adminID), as)); e.Extensions["code"] != "INVALID_STATE" {
		t.Fatalf("erasing an admin: %+v", e)
	}
}
