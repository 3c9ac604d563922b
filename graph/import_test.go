package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// api is a real numo handler on a test database, driven through gqlgen's client.
type api struct {
	t     *testing.T
	app   *app.App
	c     *client.Client
	token string
}

// newAPI starts a numo handler on a fresh database with one school, and signs in to it with
// an API token that may read rosters and run imports.
func newAPI(t *testing.T, kind, brin string) (*api, *ent.School) {
	t.Helper()
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--demo=false"}, nil)
	sys := auth.System(context.Background())
	s := a.DB().Client.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(sys)
	admin := a.DB().Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).SetFirstName("Test").SetLastName("Beheerder").SaveX(sys)
	_, secret, err := a.Authn().CreateToken(auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin}),
		s.ID, "tests", []auth.Scope{auth.ScopeReadRosters, auth.ScopeRunImports})
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(a.Handler(), client.Path("/query"), client.AddHeader("Authorization", "Bearer "+secret))
	return &api{t: t, app: a, c: c, token: secret}, s
}

func fixture(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string
	Extensions map[string]any
}

// errorOf returns the first GraphQL error of a failed client call.
func errorOf(t *testing.T, err error) gqlError {
	t.Helper()
	if err == nil {
		t.Fatal("want a GraphQL error, got none")
	}
	var raw client.RawJsonError
	if !errors.As(err, &raw) {
		t.Fatalf("not a GraphQL error: %v", err)
	}
	var errs []gqlError
	if err := json.Unmarshal(raw.RawMessage, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("decode errors %s: %v", raw.RawMessage, err)
	}
	return errs[0]
}

const uploadMutation = `mutation($school: ID!, $file: Upload!) { upload(schoolId: $school, file: $file) {
  id status encoding delimiter headerLine rowCount fileName
  columns { index header samples field confidence }
  fields { name required }
  mappingProblems { code message }
} }`

type uploadResp struct {
	Upload struct {
		ID, Status, Encoding, Delimiter, FileName string
		HeaderLine, RowCount                      int
		Columns                                   []struct {
			Index      int
			Header     string
			Samples    []string
			Field      *string
			Confidence float64
		}
		Fields []struct {
			Name     string
			Required bool
		}
		MappingProblems []struct{ Code, Message string }
	}
}

const previewMutation = `mutation($job: ID!, $actions: [ImportAction!]!) { preview(jobId: $job, actions: $actions) {
  counts { added updated archived unchanged skipped refused }
  classesToCreate
  archiveGuard { confirmationRequired toArchive activePupils thresholdPercent }
  users(limit: 5) { total items { outcome line key firstName infix lastName className } }
  updated: users(outcome: UPDATED, search: "Vries-Jansen") { total items { key changes { field before after } } }
} }`

type previewResp struct {
	Preview struct {
		Counts          struct{ Added, Updated, Archived, Unchanged, Skipped, Refused int }
		ClassesToCreate []string
		ArchiveGuard    struct {
			ConfirmationRequired                      bool
			ToArchive, ActivePupils, ThresholdPercent int
		}
		Users struct {
			Total int
			Items []struct {
				Outcome, Key, FirstName, Infix, LastName, ClassName string
				Line                                                *int
			}
		}
		Updated struct {
			Total int
			Items []struct {
				Key     string
				Changes []struct{ Field, Before, After string }
			}
		}
	}
}

const progressSubscription = `subscription($job: ID!) { importProgress(jobId: $job) {
  jobId status phase done total final error counts { added updated archived } report { counts { added updated archived refused } classesCreated }
} }`

type progressResp struct {
	ImportProgress struct {
		JobID, Status, Phase string
		Done, Total          int
		Final                bool
		Error                *string
		Counts               struct{ Added, Updated, Archived int }
		Report               *struct {
			Counts         struct{ Added, Updated, Archived, Refused int }
			ClassesCreated []string
		}
	}
}

func (a *api) upload(schoolID int, name string) (uploadResp, error) {
	var r uploadResp
	err := a.c.Post(uploadMutation, &r, client.Var("school", schoolID), client.Var("file", fixture(a.t, name)), client.WithFiles())
	return r, err
}

// mustUpload uploads a fixture and fails the test when the upload is refused.
func (a *api) mustUpload(schoolID int, name string) uploadResp {
	a.t.Helper()
	r, err := a.upload(schoolID, name)
	if err != nil {
		a.t.Fatalf("upload %s: %v", name, err)
	}
	return r
}

func (a *api) preview(job string, actions ...string) (previewResp, error) {
	var r previewResp
	err := a.c.Post(previewMutation, &r, client.Var("job", job), client.Var("actions", actions))
	return r, err
}

func (a *api) commit(job string, confirm *int) error {
	var r map[string]any
	opts := []client.Option{client.Var("job", job)}
	if confirm != nil {
		opts = append(opts, client.Var("confirm", *confirm))
	}
	return a.c.Post(`mutation($job: ID!, $confirm: Int) { commit(jobId: $job, confirmArchive: $confirm) { id status } }`, &r, opts...)
}

// follow subscribes to a job's progress and returns every event up to the final one.
func (a *api) follow(job string) []progressResp {
	a.t.Helper()
	sub := a.c.Websocket(progressSubscription, client.Var("job", job))
	defer sub.Close()
	var events []progressResp
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var ev progressResp
		if err := sub.Next(&ev); err != nil {
			a.t.Fatalf("subscription: %v (after %d events)", err, len(events))
		}
		events = append(events, ev)
		if ev.ImportProgress.Final {
			return events
		}
	}
	a.t.Fatal("no final progress event within 30 s")
	return nil
}

// TestImportFlow drives a whole import through the API on both databases: a Windows-1252
// semicolon export uploaded, the mapping corrected, previewed, committed and followed to the
// end, and the roster queried; then a year later the guard path and a stale preview.
func TestImportFlow(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "77XX")
		up := a.mustUpload(s.ID, "transition/school_2026.csv")
		checkDetectedUpload(t, up)
		checkMappingCorrected(t, a, up)
		checkFirstCommit(t, a, up.Upload.ID)
		checkRoster1A(t, a)
		next := checkNextYear(t, a, s)
		checkReportDownload(t, a, next)
	})
}

// checkDetectedUpload checks what the upload of school_2026.csv detected and proposed.
func checkDetectedUpload(t *testing.T, up uploadResp) {
	t.Helper()
	u := up.Upload
	if u.Encoding != "windows-1252" || u.Delimiter != ";" || u.HeaderLine != 4 || u.RowCount != 30 || u.Status != "UPLOADED" {
		t.Fatalf("upload detected %+v", u)
	}
	fieldOf := map[string]string{}
	for _, c := range u.Columns {
		if c.Field != nil {
			fieldOf[c.Header] = *c.Field
		}
	}
	for header, want := range map[string]string{"Stamnr": "key", "Roepnaam": "firstName", "Tussenv": "infix", "Achternaam": "lastName", "Klas": "class", "Studie": "level", "Leerjaar": "year", "E-mail": "email"} {
		if fieldOf[header] != want {
			t.Errorf("column %s proposed as %q, want %q", header, fieldOf[header], want)
		}
	}
	if _, ok := fieldOf["Geboortedatum"]; ok {
		t.Error("Geboortedatum is mapped by default")
	}

}

// checkMappingCorrected sends a mapping with two columns on one field and no class, which is
// refused, then the proposal without E-mail, which is accepted.
func checkMappingCorrected(t *testing.T, a *api, up uploadResp) {
	t.Helper()
	u := up.Upload
	// A mapping with two columns on one field and no class is refused with every problem.
	var m map[string]any
	bad := []map[string]any{{"column": 0, "field": "key"}, {"column": 1, "field": "firstName"}, {"column": 3, "field": "lastName"}, {"column": 2, "field": "lastName"}}
	err := a.c.Post(`mutation($job: ID!, $cols: [ColumnMappingInput!]!) { setMapping(jobId: $job, columns: $cols) { id } }`, &m,
		client.Var("job", u.ID), client.Var("cols", bad))
	if e := errorOf(t, err); e.Extensions["code"] != "MAPPING_INVALID" || !strings.Contains(e.Message, "Klas") && !strings.Contains(e.Message, "klas") {
		t.Fatalf("bad mapping answered %+v", e)
	}
	// The admin corrects the proposal: the school does not want e-mail addresses in Numo.
	good := []map[string]any{}
	for _, c := range u.Columns {
		if c.Field != nil && c.Header != "E-mail" {
			good = append(good, map[string]any{"column": c.Index, "field": *c.Field})
		}
	}
	var mapped struct {
		SetMapping struct {
			Status          string
			MappingProblems []struct{ Code string }
		}
	}
	a.c.MustPost(`mutation($job: ID!, $cols: [ColumnMappingInput!]!) { setMapping(jobId: $job, columns: $cols) { status mappingProblems { code } } }`, &mapped,
		client.Var("job", u.ID), client.Var("cols", good))
	if mapped.SetMapping.Status != "MAPPED" || len(mapped.SetMapping.MappingProblems) != 0 {
		t.Fatalf("setMapping: %+v", mapped)
	}

}

// checkFirstCommit previews and commits job, follows it to the end and checks that it cannot
// be applied again.
func checkFirstCommit(t *testing.T, a *api, job string) {
	t.Helper()
	p, err := a.preview(job, "ADD", "UPDATE")
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if c := p.Preview.Counts; c.Added != 30 || c.Updated+c.Archived+c.Refused != 0 || p.Preview.Users.Total != 30 || len(p.Preview.Users.Items) != 5 {
		t.Fatalf("preview: %+v", p.Preview)
	}
	if got := strings.Join(p.Preview.ClassesToCreate, ","); got != "1A,2A,3A" {
		t.Fatalf("classes to create %q", got)
	}
	if err := a.commit(job, nil); err != nil {
		t.Fatalf("commit: %v", err)
	}
	events := a.follow(job)
	last := events[len(events)-1].ImportProgress
	if last.Status != "COMMITTED" || last.Report == nil || last.Report.Counts.Added != 30 || last.Done != last.Total || last.Counts.Added != 30 {
		t.Fatalf("final progress %+v (after %d events)", last, len(events))
	}
	// A late subscriber gets the final state at once.
	if late := a.follow(job); len(late) != 1 || late[0].ImportProgress.Report.Counts.Added != 30 {
		t.Fatalf("late subscriber got %+v", late)
	}
	// Applying the same job again is refused and changes nothing.
	if e := errorOf(t, a.commit(job, nil)); e.Extensions["code"] != "INVALID_STATE" {
		t.Fatalf("second commit answered %+v", e)
	}

}

// checkRoster1A queries the roster of class 1A after the first import.
func checkRoster1A(t *testing.T, a *api) {
	t.Helper()
	var roster struct {
		Classes struct {
			Edges []struct {
				Node struct {
					Name   string
					Pupils struct {
						TotalCount int
						Edges      []struct {
							Node struct{ FirstName, Infix, LastName string }
						}
					}
				}
			}
		}
	}
	a.c.MustPost(`{ classes(first: 1, where: {name: "1A"}) { edges { node { name pupils(first: 50, where: {status: ACTIVE}, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) { totalCount edges { node { firstName infix lastName } } } } } } }`, &roster)
	if len(roster.Classes.Edges) != 1 || roster.Classes.Edges[0].Node.Pupils.TotalCount != 10 {
		t.Fatalf("roster of 1A: %+v", roster)
	}
	var names []string
	for _, e := range roster.Classes.Edges[0].Node.Pupils.Edges {
		names = append(names, e.Node.FirstName+" "+e.Node.LastName)
	}
	if !strings.Contains(strings.Join(names, ","), "Zoë Broek") {
		t.Fatalf("roster of 1A lacks Zoë (diacritics through Windows-1252): %v", names)
	}

}

// checkNextYear uploads school_2027.csv a year later: the guard, then a stale preview, then the
// confirmed commit. It returns the job's ID.
func checkNextYear(t *testing.T, a *api, s *ent.School) string {
	t.Helper()
	ctx := auth.System(context.Background())
	db := a.app.DB().Client
	// A year later: the guard, then a stale preview, then the confirmed commit.
	up2 := a.mustUpload(s.ID, "transition/school_2027.csv")
	// The same headers again: the mapping the school confirmed comes first.
	for _, c := range up2.Upload.Columns {
		if c.Header == "E-mail" && c.Field != nil {
			t.Fatalf("second upload proposes E-mail as %s; the school left it unmatched", *c.Field)
		}
		if c.Header == "Stamnr" && (c.Field == nil || *c.Field != "key" || c.Confidence != 1) {
			t.Fatalf("second upload proposes Stamnr as %+v", c)
		}
	}
	p2, err := a.preview(up2.Upload.ID, "ADD", "UPDATE", "ARCHIVE")
	if err != nil {
		t.Fatal(err)
	}
	g := p2.Preview.ArchiveGuard
	if c := p2.Preview.Counts; c.Added != 10 || c.Updated != 20 || c.Archived != 10 || !g.ConfirmationRequired || g.ToArchive != 10 || g.ActivePupils != 30 {
		t.Fatalf("next-year preview %+v", p2.Preview)
	}
	if it := p2.Preview.Updated.Items; p2.Preview.Updated.Total != 1 || it[0].Key != "4002" {
		t.Fatalf("search for the renamed pupil: %+v", p2.Preview.Updated)
	}
	if e := errorOf(t, a.commit(up2.Upload.ID, nil)); e.Extensions["code"] != "ARCHIVE_CONFIRMATION_REQUIRED" || e.Extensions["toArchive"] != float64(10) {
		t.Fatalf("commit without confirmation answered %+v", e)
	}
	wrong := 9
	if e := errorOf(t, a.commit(up2.Upload.ID, &wrong)); e.Extensions["code"] != "ARCHIVE_CONFIRMATION_REQUIRED" {
		t.Fatalf("commit with a wrong number answered %+v", e)
	}
	db.Account.Update().Where(account.ExternalKey("4001"), account.HasSchoolWith(school.ID(s.ID))).SetEmail("handmatig@leerling.demo.invalid").ExecX(ctx)
	ten := 10
	if e := errorOf(t, a.commit(up2.Upload.ID, &ten)); e.Extensions["code"] != "STALE_PREVIEW" {
		t.Fatalf("commit after a change answered %+v", e)
	}
	if _, err := a.preview(up2.Upload.ID, "ADD", "UPDATE", "ARCHIVE"); err != nil {
		t.Fatal(err)
	}
	if err := a.commit(up2.Upload.ID, &ten); err != nil {
		t.Fatalf("confirmed commit: %v", err)
	}
	fin := a.follow(up2.Upload.ID)
	if r := fin[len(fin)-1].ImportProgress.Report; r == nil || r.Counts.Added != 10 || r.Counts.Updated != 20 || r.Counts.Archived != 10 {
		t.Fatalf("next-year result %+v", fin[len(fin)-1])
	}
	return up2.Upload.ID
}

// checkReportDownload checks that the report download of job neutralises formulas and names
// every user.
func checkReportDownload(t *testing.T, a *api, job string) {
	t.Helper()
	// The report download neutralises formulas and names every user.
	rec := a.getAs("/api/import-jobs/" + job + "/report.csv")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(body, "\ufeffRegel;Leerlingnummer") || strings.Count(body, "gearchiveerd") < 10 {
		t.Fatalf("report download: %d %s", rec.Code, body[:min(len(body), 300)])
	}
}

// TestRefusedFileLeavesNothing uploads files refused as a whole: a clear error, no job.
func TestRefusedFileLeavesNothing(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "88YY")
		ctx := auth.System(context.Background())
		for name, want := range map[string]string{
			"import/excel_renamed.csv":  "Excel",
			"import/empty.csv":          "leeg",
			"import/unclosed_quote.csv": "Op deze regel begint",
			"import/header_only.csv":    "alleen een kopregel en geen leerlingen",
		} {
			_, err := a.upload(s.ID, name)
			e := errorOf(t, err)
			if e.Extensions["code"] != "FILE_REJECTED" || !strings.Contains(e.Message, want) {
				t.Errorf("%s: %+v, want FILE_REJECTED mentioning %q", name, e, want)
			}
			// The line travels in extensions.line, which the app shows beside the message:
			// the message itself does not name it ("regel 3" three times, issue 17).
			if line, _ := e.Extensions["line"].(float64); line > 0 && strings.Contains(e.Message, "regel "+strconv.Itoa(int(line))) {
				t.Errorf("%s: message %q names its line %v, which the app shows beside it", name, e.Message, line)
			}
		}
		if n := a.app.DB().Client.ImportJob.Query().CountX(ctx) + a.app.DB().Client.ImportBlob.Query().CountX(ctx); n != 0 {
			t.Fatalf("refused uploads left %d rows", n)
		}
		var r map[string]any
		e := errorOf(t, a.c.Post(`mutation { preview(jobId: 999999, actions: [ADD]) { counts { added } } }`, &r))
		if e.Extensions["code"] != "NOT_FOUND" {
			t.Fatalf("preview of a missing job: %+v", e)
		}
	})
}
