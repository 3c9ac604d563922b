package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// Issue 15 through the real HTTP API on both databases: a roster set (SDS v1, SDS v2.1,
// OneRoster 1.1, 1.2) uploaded as a GraphQL multipart request of several files becomes a
// pupil job and a teacher job, each through preview -> commit; a damaged set is refused with
// its code, file and line and makes no job. Fixtures: testdata/rosterset (invented people).

const uploadSetMutation = `mutation($school: ID!, $files: [Upload!]!, $brin: String, $stamklassen: [String!]) {
  uploadRosterSet(schoolId: $school, files: $files, brin: $brin, stamklassen: $stamklassen) {
    format version pupils teachers groups skippedTotal
    school { identifier name } schools { identifier }
    skipped { file line reason reasonEn }
    warningsTotal warnings { file line message } inferRule inferredClasses { name file line pupils }
    classParts { name pupils section }
    jobs { id fileKind status source nextJob { id } }
  } }`

type setJob struct {
	ID, FileKind, Status, Source string
	NextJob                      *struct{ ID string }
}

type setUpload struct {
	Format, Version                        string
	Pupils, Teachers, Groups, SkippedTotal int
	School                                 struct{ Identifier, Name string }
	Schools                                []struct{ Identifier string }
	Skipped                                []struct {
		File, Reason, ReasonEn string
		Line                   int
	}
	Jobs            []setJob
	WarningsTotal   int
	InferRule       *string
	InferredClasses []struct {
		Name, File   string
		Line, Pupils int
	}
	ClassParts []struct {
		Name    string
		Pupils  int
		Section bool
	}
}

type setResult struct {
	Data struct {
		UploadRosterSet *setUpload
	}
	Errors []gqlError
}

// setFiles are the files of a set folder under testdata/rosterset.
func setFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "testdata", "rosterset", dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "rosterset", dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// uploadSet posts files as one multipart request (GraphQL multipart request spec), in name
// order, the way the app sends a dropped set.
func (a *api) uploadSet(schoolID int, files map[string][]byte, brin string) setResult {
	a.t.Helper()
	return a.uploadSetWith(schoolID, files, brin, nil)
}

// uploadSetWith is uploadSet naming the set's stamklassen (nil: none named).
func (a *api) uploadSetWith(schoolID int, files map[string][]byte, brin string, stamklassen []string) setResult {
	a.t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	vars := map[string]any{"school": schoolID, "files": make([]any, len(names))}
	if brin != "" {
		vars["brin"] = brin
	}
	if stamklassen != nil {
		vars["stamklassen"] = stamklassen
	}
	ops, _ := json.Marshal(map[string]any{"query": uploadSetMutation, "variables": vars})
	fileMap := map[string][]string{}
	for i := range names {
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	mapJSON, _ := json.Marshal(fileMap)
	parts := make([]formFile, 0, len(names))
	for _, n := range names {
		parts = append(parts, formFile{n, files[n]})
	}
	var r setResult
	a.serveJSON(uploadForm("/query", string(ops), string(mapJSON), parts...), &r)
	return r
}

// mustUploadSet uploads the set of a folder under testdata/rosterset; a refusal ends the test.
func (a *api) mustUploadSet(schoolID int, dir string) *setUpload {
	a.t.Helper()
	r := a.uploadSet(schoolID, setFiles(a.t, dir), "")
	if len(r.Errors) > 0 || r.Data.UploadRosterSet == nil {
		a.t.Fatalf("upload: %+v", r.Errors)
	}
	return r.Data.UploadRosterSet
}

// jobCount is how many import jobs the school has.
func (a *api) jobCount() int {
	a.t.Helper()
	var r struct{ ImportJobs struct{ TotalCount int } }
	a.c.MustPost(`{ importJobs(first: 1) { totalCount } }`, &r)
	return r.ImportJobs.TotalCount
}

// TestRosterSetFormats: each format's valid set reaches committed pupils, teachers and
// memberships through the two linked jobs.
func TestRosterSetFormats(t *testing.T) {
	for _, tc := range []struct{ dir, format, source string }{
		{"sds1", "SDS1", "School Data Sync v1 (Student.csv"},
		{"sds21", "SDS2.1", "School Data Sync v2.1 ("},
		{"oneroster11", "ONEROSTER1.1", "OneRoster 1.1 (users.csv"},
		{"oneroster12", "ONEROSTER1.2", "OneRoster 1.2 (users.csv"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			testdb.EachKind(t, func(t *testing.T, kind string) {
				a, s := newAPI(t, kind, "99XZ00")
				up := a.mustUploadSet(s.ID, tc.dir)
				if up.Format != tc.format || up.Pupils != 20 || up.Teachers != 4 || up.Groups == 0 || len(up.Jobs) != 2 {
					t.Fatalf("upload: %+v", up)
				}
				// These sets say which classes are stamklassen (OneRoster's classType, Numo's
				// metadata.numo.classType in the SDS ones): nothing is inferred.
				if up.InferRule != nil || len(up.InferredClasses) != 0 || up.WarningsTotal != 0 {
					t.Errorf("inferred stamklassen: %v %+v, %d warnings", up.InferRule, up.InferredClasses, up.WarningsTotal)
				}
				pj, tj := up.Jobs[0], up.Jobs[1]
				if pj.FileKind != "PUPILS" || tj.FileKind != "TEACHERS" || pj.NextJob == nil || pj.NextJob.ID != tj.ID || tj.NextJob != nil {
					t.Fatalf("jobs: %+v", up.Jobs)
				}
				if !strings.HasPrefix(pj.Source, tc.source) || !strings.HasPrefix(tj.Source, FormatPrefix(tc.source)) {
					t.Errorf("sources: %q, %q", pj.Source, tj.Source)
				}
				a.decideLevels(pj.ID, "havo")
				p := a.groupPreview(pj.ID, "ADD", "UPDATE")
				if p.Counts.Added != 20 || p.Counts.Refused != 0 || p.Counts.GroupsJoined == 0 {
					t.Fatalf("pupil preview: %+v", p.Counts)
				}
				if joined, _, created := a.commitGroups(pj.ID, nil); joined == 0 || len(created) == 0 {
					t.Fatalf("pupil commit: joined %d, created %v", joined, created)
				}
				tp := a.groupPreview(tj.ID, "ADD", "UPDATE")
				if tp.Counts.Added != 4 || tp.Counts.Refused != 0 || len(tp.GroupsToCreate) != 0 {
					t.Fatalf("teacher preview (after the pupils' groups exist): %+v", tp)
				}
				a.commitGroups(tj.ID, nil)
				kind, members, teachers, _, found := a.class("4H-wiB1")
				if !found || kind != "LESGROEP" || len(members) == 0 || !slices.Contains(teachers, "BAK") {
					t.Fatalf("4H-wiB1: %s members %v teachers %v", kind, members, teachers)
				}
				// The lesgroepen the set's import created have the set's subjects.
				cl := a.app.DB().Client.Class.Query().Where(class.SchoolID(s.ID), class.Name("4H-wiB1")).OnlyX(auth.System(context.Background()))
				if cl.Subject != "Wiskunde B" {
					t.Errorf("4H-wiB1 has subject %q, want Wiskunde B", cl.Subject)
				}
				// Undo, the teachers first: the set's groups and people go as they came.
				a.undo(tj.ID)
				a.undo(pj.ID)
				if _, _, _, _, found := a.class("4H-wiB1"); found {
					t.Error("4H-wiB1 is still there after undoing the set")
				}
			})
		})
	}
}

// FormatPrefix is a source's format, before the files.
func FormatPrefix(source string) string {
	return strings.TrimSuffix(strings.SplitN(source, " (", 2)[0], " ")
}

// TestRosterSetRefused: each damaged set is refused with its code, file and line, and makes no
// job; too many files are refused before reading.
func TestRosterSetRefused(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "12AB00")
		for _, tc := range []struct {
			dir, setCode, file string
			line               int
		}{
			{"sds1-missing-file", "SET_MISSING_FILE", "TeacherRoster.csv", 0},
			{"sds1-dangling", "SET_DANGLING_REF", "StudentEnrollment.csv", 68},
			{"sds1-duplicate-id", "SET_DUPLICATE_ID", "Teacher.csv", 4},
			{"sds1-malformed", "SET_MALFORMED_CSV", "Student.csv", 4},
			{"sds21-dangling", "SET_DANGLING_REF", "enrollments.csv", 77},
			{"sds21-missing-file", "SET_MISSING_FILE", "roles.csv", 0},
			{"oneroster12-delta", "SET_DELTA", "", -1},
			{"oneroster11-delta", "SET_DELTA", "", -1},
			{"oneroster12-duplicate-id", "SET_DUPLICATE_ID", "", -1},
			{"oneroster12-dangling", "SET_DANGLING_REF", "", -1},
			{"oneroster12-malformed", "SET_MALFORMED_CSV", "", -1},
			{"oneroster12-missing-file", "SET_MISSING_FILE", "", -1},
			{"oneroster12-two-homerooms", "SET_INVALID_ROWS", "", -1},
			{"oneroster12-two-schools", "SET_CHOOSE_SCHOOL", "", -1},
		} {
			r := a.uploadSet(s.ID, setFiles(t, filepath.Join("damaged", tc.dir)), "")
			if r.Data.UploadRosterSet != nil || len(r.Errors) == 0 {
				t.Errorf("%s: accepted", tc.dir)
				continue
			}
			ext := r.Errors[0].Extensions
			if ext["code"] != "ROSTER_SET_REJECTED" || ext["setCode"] != tc.setCode || r.Errors[0].Message == "" || ext["messageEn"] == "" {
				t.Errorf("%s: %+v", tc.dir, r.Errors[0])
			}
			if tc.line >= 0 && (ext["file"] != tc.file || ext["line"] != float64(tc.line)) {
				t.Errorf("%s: file %v line %v, want %s %d", tc.dir, ext["file"], ext["line"], tc.file, tc.line)
			}
		}
		many := map[string][]byte{}
		for i := range 33 {
			many[fmt.Sprintf("f%02d.csv", i)] = []byte("a,b\n1,2\n")
		}
		if r := a.uploadSet(s.ID, many, ""); len(r.Errors) == 0 || r.Errors[0].Extensions["setCode"] != "SET_TOO_MANY_FILES" {
			t.Errorf("33 files: %+v", r.Errors)
		}
		if n := a.jobCount(); n != 0 {
			t.Errorf("refused sets made %d jobs", n)
		}
	})
}

// TestRosterSetSchoolsAndLines: a set of two schools imports the chosen school's rows (by
// brin, or the Numo school's own BRIN) and reports the rest as skipped; a row problem names
// the set's file and line.
func TestRosterSetSchoolsAndLines(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "98YY01")
		files := setFiles(t, filepath.Join("damaged", "oneroster12-two-schools"))
		for _, brin := range []string{"99XZ00", ""} {
			r := a.uploadSet(s.ID, files, brin)
			up := r.Data.UploadRosterSet
			if len(r.Errors) > 0 || up == nil {
				t.Fatalf("brin %q: %+v", brin, r.Errors)
			}
			want := brin
			if want == "" {
				want = "98YY01" // the Numo school's own
			}
			if up.School.Identifier != want || len(up.Schools) != 2 || up.SkippedTotal == 0 || len(up.Skipped) == 0 || up.Skipped[0].File == "" || up.Skipped[0].Line < 2 {
				t.Errorf("brin %q: %+v", brin, up)
			}
		}

		// Two pupils with one e-mail address: the warning names users.csv and its lines.
		set := setFiles(t, "oneroster12")
		lines := strings.Split(string(set["users.csv"]), "\n")
		email := strings.Split(lines[1], ",")[10]
		lines[2] = strings.Replace(lines[2], strings.Split(lines[2], ",")[10], email, 1)
		set["users.csv"] = []byte(strings.Join(lines, "\n"))
		r := a.uploadSet(s.ID, set, "99XZ00")
		if len(r.Errors) > 0 {
			t.Fatalf("upload: %+v", r.Errors)
		}
		job := r.Data.UploadRosterSet.Jobs[0].ID
		var pr struct {
			Preview struct {
				Warnings []struct {
					Line          int
					SourceFile    *string
					Code, Message string
					MessageEn     string
				}
				Users struct {
					Items []struct {
						Key        string
						Line       *int
						SourceFile *string
					}
				}
			}
		}
		a.c.MustPost(`mutation($job: ID!) { preview(jobId: $job, actions: [ADD]) { warnings { line sourceFile code message messageEn }
		  users(limit: 100) { items { key line sourceFile } } } }`, &pr, client.Var("job", job))
		found := false
		for _, w := range pr.Preview.Warnings {
			if w.SourceFile == nil || *w.SourceFile != "users.csv" || !strings.Contains(lines[w.Line-1], email) {
				continue
			}
			found = true
			if !strings.Contains(w.Message, "van users.csv") || !strings.Contains(w.MessageEn, "of users.csv") {
				t.Errorf("warning text names no set file: %q / %q", w.Message, w.MessageEn)
			}
		}
		if !found {
			t.Errorf("no warning on users.csv about %s: %+v", email, pr.Preview.Warnings)
		}
		report := downloadReport(t, a, job, "nl")
		contains(t, "report", report, "users.csv:", "van users.csv")
		for _, u := range pr.Preview.Users.Items {
			if u.SourceFile == nil || *u.SourceFile != "users.csv" || u.Line == nil || !strings.Contains(lines[*u.Line-1], u.Key) {
				t.Errorf("user %s: line %v in %v", u.Key, u.Line, u.SourceFile)
			}
		}
	})
}

// decideLevels confirms a job's proposed columns and maps each level value Numo does not know
// (a set's grades, "10") to level, as the mapping step asks the admin.
func (a *api) decideLevels(job, level string) {
	a.t.Helper()
	var r struct {
		Node struct {
			Columns []struct {
				Index int
				Field *string
			}
			LevelValues []struct{ Value string }
		}
	}
	a.c.MustPost(`query($job: ID!) { node(id: $job) { ... on ImportJob { columns { index field } levelValues { value } } } }`, &r, client.Var("job", job))
	if len(r.Node.LevelValues) == 0 {
		return
	}
	cols := []map[string]any{}
	for _, c := range r.Node.Columns {
		cols = append(cols, map[string]any{"column": c.Index, "field": c.Field})
	}
	levels := []map[string]any{}
	for _, v := range r.Node.LevelValues {
		levels = append(levels, map[string]any{"value": v.Value, "level": level})
	}
	var out struct{ SetMapping struct{ Status string } }
	a.c.MustPost(`mutation($job: ID!, $cols: [ColumnMappingInput!]!, $levels: [LevelMappingInput!]) {
	  setMapping(jobId: $job, columns: $cols, levels: $levels) { status } }`, &out,
		client.Var("job", job), client.Var("cols", cols), client.Var("levels", levels))
}

// TestRosterSetSize: the files of a set together may be as large as one upload; more is
// FILE_REJECTED too_large, as for a file, and makes no job.
func TestRosterSetSize(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--demo=false", "--max-upload-mb", "1"}, nil)
		sys := auth.System(context.Background())
		s := a.DB().Client.School.Create().SetName("School 99XZ00").SetBrin("99XZ00").SaveX(sys)
		admin := a.DB().Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleADMIN).SetFirstName("Test").SetLastName("Beheerder").SaveX(sys)
		_, secret, err := a.Authn().CreateToken(auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin}),
			s.ID, "tests", []auth.Scope{auth.ScopeRunImports})
		if err != nil {
			t.Fatal(err)
		}
		api := &api{t: t, app: a, c: client.New(a.Handler(), client.Path("/query"), client.AddHeader("Authorization", "Bearer "+secret)), token: secret}
		files := setFiles(t, "oneroster12")
		files["extra-1.csv"] = bytes.Repeat([]byte("x,y\n"), 150_000) // 600 kB
		files["extra-2.csv"] = bytes.Repeat([]byte("x,y\n"), 150_000)
		r := api.uploadSet(s.ID, files, "")
		if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "FILE_REJECTED" || r.Errors[0].Extensions["reason"] != "too_large" {
			t.Fatalf("1.2 MB of files under a 1 MB limit: %+v", r.Errors)
		}
		if n := api.jobCount(); n != 0 {
			t.Errorf("%d jobs", n)
		}
		if r := api.uploadSet(s.ID, setFiles(t, "oneroster12"), ""); len(r.Errors) > 0 {
			t.Errorf("the set alone: %+v", r.Errors)
		}
	})
}

// TestRosterSetInferredClasses: a School Data Sync set as Dutch schools make it (no class
// type) has its stamklassen inferred from the section names, and says so.
func TestRosterSetInferredClasses(t *testing.T) {
	for _, tc := range []struct{ dir, class string }{{"sds1-nl", "H4a"}, {"sds21-nl", "1A"}} {
		t.Run(tc.dir, func(t *testing.T) {
			testdb.EachKind(t, func(t *testing.T, kind string) {
				a, s := newAPI(t, kind, "12AB00")
				up := a.mustUploadSet(s.ID, tc.dir)
				names := []string{}
				for _, c := range up.InferredClasses {
					if c.Pupils == 0 || c.File == "" || c.Line < 2 {
						t.Errorf("inferred %+v", c)
					}
					names = append(names, c.Name)
				}
				if up.InferRule == nil || *up.InferRule != "sds-section-names" || !slices.Contains(names, tc.class) {
					t.Fatalf("inferred: %v %v", up.InferRule, names)
				}
				a.decideLevels(up.Jobs[0].ID, "havo")
				if p := a.groupPreview(up.Jobs[0].ID, "ADD"); p.Counts.Added == 0 || !slices.Contains(p.ClassesToCreate, tc.class) {
					t.Errorf("pupil preview: %+v", p)
				}
			})
		})
	}
}

// TestRosterSetChosenStamklassen: a set of the TeamSync Magister→SDS script holds only
// class-and-subject sections ("1A ak"), so no stamklas is inferred and the upload offers the
// class parts; uploaded again with the admin's choice every pupil has their Klas, the chosen
// classes are created as stamklassen and the sections stay lesgroepen. Too many or too long
// names are INVALID_INPUT and make no job.
func TestRosterSetChosenStamklassen(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "34CD00")
		files := setFiles(t, "sds1-teamsync")
		r := a.uploadSet(s.ID, files, "")
		up := r.Data.UploadRosterSet
		if len(r.Errors) > 0 || up == nil {
			t.Fatalf("upload: %+v", r.Errors)
		}
		if up.WarningsTotal != 5 || up.InferRule == nil || *up.InferRule != "sds-section-names" || len(up.InferredClasses) != 0 {
			t.Errorf("without a choice: %d warnings, rule %v, inferred %+v", up.WarningsTotal, up.InferRule, up.InferredClasses)
		}
		if got := fmt.Sprint(up.ClassParts); got != "[{1A 2 false} {1B 2 false} {2A 1 false}]" {
			t.Errorf("class parts %s", got)
		}
		for _, bad := range [][]string{make([]string, 501), {strings.Repeat("x", 101)}} {
			before := a.jobCount()
			if r := a.uploadSetWith(s.ID, files, "", bad); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "INVALID_INPUT" {
				t.Errorf("%d names of %d chars: %+v", len(bad), len(bad[0]), r.Errors)
			}
			if n := a.jobCount(); n != before {
				t.Errorf("a refused choice made %d jobs", n-before)
			}
		}
		r = a.uploadSetWith(s.ID, files, "", []string{"1A", "1B"})
		up = r.Data.UploadRosterSet
		if len(r.Errors) > 0 || up == nil {
			t.Fatalf("upload with stamklassen: %+v", r.Errors)
		}
		if up.InferRule == nil || *up.InferRule != "chosen" || fmt.Sprint(up.InferredClasses) != "[{1A  0 2} {1B  0 2}]" || up.WarningsTotal != 1 {
			t.Errorf("chosen: rule %v inferred %+v, %d warnings", up.InferRule, up.InferredClasses, up.WarningsTotal)
		}
		// 2A was not chosen: its one pupil keeps the warning and is refused.
		a.decideLevels(up.Jobs[0].ID, "havo")
		if p := a.groupPreview(up.Jobs[0].ID, "ADD"); p.Counts.Added != 4 || p.Counts.Refused != 1 {
			t.Errorf("pupil preview without 2A: %+v", p.Counts)
		}
		r = a.uploadSetWith(s.ID, files, "", []string{"1A", "1B", "2A"})
		up = r.Data.UploadRosterSet
		if len(r.Errors) > 0 || up == nil || up.WarningsTotal != 0 {
			t.Fatalf("upload with every stamklas: %+v %+v", r.Errors, up)
		}
		pj := up.Jobs[0].ID
		a.decideLevels(pj, "havo")
		p := a.groupPreview(pj, "ADD")
		if p.Counts.Added != 5 || p.Counts.Refused != 0 || !slices.Contains(p.ClassesToCreate, "1A") || !slices.Contains(p.ClassesToCreate, "1B") {
			t.Fatalf("pupil preview: %+v classes %v", p.Counts, p.ClassesToCreate)
		}
		a.commitGroups(pj, nil)
		sys := auth.System(context.Background())
		for name, want := range map[string]string{"1A": "STAMKLAS", "1B": "STAMKLAS", "1A ak": "LESGROEP", "1B ne": "LESGROEP"} {
			got, members, _, _, found := a.class(name)
			if !found || got != want {
				t.Errorf("%s: %s (found %v), want %s", name, got, found, want)
				continue
			}
			if want == "LESGROEP" && len(members) != 2 {
				t.Errorf("lesgroep %s has members %v", name, members)
			}
			if want == "STAMKLAS" {
				cl := a.app.DB().Client.Class.Query().Where(class.SchoolID(s.ID), class.Name(name)).OnlyX(sys)
				if n := a.app.DB().Client.Account.Query().Where(account.ClassID(cl.ID)).CountX(sys); n != 2 {
					t.Errorf("stamklas %s has %d pupils, want 2", name, n)
				}
			}
		}
	})
}
