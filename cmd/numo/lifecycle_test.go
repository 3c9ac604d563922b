package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

var y2026 = filepath.Join("..", "..", "testdata", "transition", "school_2026.csv")

// cli runs numo in-process and returns its exit status and stdout.
func cli(t *testing.T, url string, args ...string) (int, []byte) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(args, "--db", url), &stdout, &stderr)
	if testing.Verbose() || code != 0 {
		t.Logf("numo %v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
	}
	return code, stdout.Bytes()
}

// apiImport imports the file the way the app does: upload, preview, commit.
func apiImport(t *testing.T, db *store.DB, schoolID int, file string, setMapping func(*jobs.Service, context.Context, *ent.ImportJob)) *ent.ImportJob {
	t.Helper()
	svc := jobs.New(db, pubsub.NewLocal(), testLog(t))
	defer svc.Close()
	ctx := auth.NewContext(context.Background(), &auth.Viewer{SchoolID: schoolID, Role: auth.RoleAdmin, Name: "Beheerder", AccountID: 0})
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	job, err := svc.Upload(ctx, schoolID, filepath.Base(file), data)
	if err != nil {
		t.Fatal(err)
	}
	if setMapping != nil {
		setMapping(svc, ctx, job)
		return job
	}
	a, _ := jobs.ParseActions([]string{"ADD", "UPDATE", "ARCHIVE"})
	if _, err := svc.Preview(ctx, job.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Commit(ctx, job.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	events, err := svc.Subscribe(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	for p := range events {
		if p.Final && p.Status != "COMMITTED" {
			t.Fatalf("API commit: %+v", p)
		}
	}
	return db.Client.ImportJob.GetX(auth.System(context.Background()), job.ID)
}

// auditActions lists the audit events' actions about a job, in order.
func auditActions(t *testing.T, db *store.DB, jobID int) (actions, actors []string) {
	t.Helper()
	all := db.Client.AuditEvent.Query().Where(auditevent.DetailHasPrefix("job " + strconv.Itoa(jobID) + ":")).
		Order(ent.Asc(auditevent.FieldID)).AllX(auth.System(context.Background()))
	for _, e := range all {
		actions, actors = append(actions, e.Action), append(actors, e.Actor)
	}
	return actions, actors
}

// TestCLIImportLikeAPI: a numo import is recorded like an import from the app: the same job
// record (actions' spelling, phase, status), the same audit events (with the operator as
// actor), and it is in the history that numo jobs --json lists.
func TestCLIImportLikeAPI(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		if code, _ := cli(t, url, "school", "create", "--brin", "77LC", "--name", "Levensloop"); code != 0 {
			t.Fatal("school create")
		}
		code, out := cli(t, url, "import", "--school", "77LC", "--add", "--update", "--archive", "--json", y2026)
		if code != 0 {
			t.Fatal("numo import")
		}
		var sum importJSON
		json.Unmarshal(out, &sum)
		db, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := auth.System(context.Background())
		sc := db.Client.School.Query().Where(school.Brin("77LC")).OnlyX(ctx)
		api := apiImport(t, db, sc.ID, y2026, nil)
		cliJob := db.Client.ImportJob.GetX(ctx, sum.JobID)
		if !slices.Equal(cliJob.Actions, api.Actions) || cliJob.Phase != api.Phase || cliJob.Status != api.Status ||
			cliJob.Status != importjob.StatusCOMMITTED || cliJob.Added != 30 || api.Unchanged != 30 {
			t.Errorf("CLI job %+v\nAPI job %+v", cliJob, api)
		}
		cliActions, actors := auditActions(t, db, cliJob.ID)
		apiActions, _ := auditActions(t, db, api.ID)
		if !slices.Equal(cliActions, apiActions) || len(cliActions) != 3 || actors[0] != operatorName {
			t.Errorf("audit events: CLI %v by %v, API %v", cliActions, actors, apiActions)
		}

		code, out = cli(t, url, "jobs", "--school", "77lc", "--json")
		var hist struct {
			Jobs []jobJSON `json:"jobs"`
		}
		if err := json.Unmarshal(out, &hist); code != 0 || err != nil || len(hist.Jobs) != 2 ||
			hist.Jobs[0].ID != api.ID || hist.Jobs[1].ID != cliJob.ID || hist.Jobs[1].Added != 30 ||
			hist.Jobs[1].Status != "COMMITTED" || hist.Jobs[1].CommittedAt == nil || hist.Jobs[1].File != "school_2026.csv" {
			t.Errorf("numo jobs --json: exit %d, %v, %+v", code, err, hist)
		}
		if code, out := cli(t, url, "jobs", "--school", "77LC"); code != 0 || !bytes.Contains(out, []byte("school_2026.csv")) ||
			bytes.Count(out, []byte("COMMITTED")) != 2 {
			t.Errorf("numo jobs: exit %d\n%s", code, out)
		}
	})
}

// TestHelpListsJobCommands: numo --help names every command.
func TestHelpListsJobCommands(t *testing.T) {
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"numo serve", "numo school", "numo import", "numo jobs", "numo undo", "numo purge"} {
		if !strings.Contains(stdout.String(), c) {
			t.Errorf("numo --help lacks %s:\n%s", c, stdout.String())
		}
	}
}

// TestCLIRemembersColumnMapping: a column mapping the school confirmed in the app for the same
// headers is what numo import uses without --mapping (here: the e-mail column left out).
func TestCLIRemembersColumnMapping(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cli(t, url, "school", "create", "--brin", "77RM", "--name", "Geheugen")
		_, out := cli(t, url, "import", "--school", "77RM", "--add", "--dry-run", "--json", y2026)
		var before importJSON
		json.Unmarshal(out, &before)
		if before.Mapping["E-mail"] != "email" {
			t.Fatalf("the proposal maps %v", before.Mapping)
		}
		db, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sc := db.Client.School.Query().Where(school.Brin("77RM")).OnlyX(auth.System(context.Background()))
		apiImport(t, db, sc.ID, y2026, func(svc *jobs.Service, ctx context.Context, job *ent.ImportJob) {
			m, _ := jobs.Mapping(job)
			var cols []jobs.ColumnChoice
			for _, c := range m.ColumnViews() {
				if c.Header != "E-mail" {
					cols = append(cols, jobs.ColumnChoice{Column: c.Index, Field: c.Field})
				}
			}
			if _, err := svc.SetMapping(ctx, job.ID, cols, nil, ""); err != nil {
				t.Fatal(err)
			}
		})
		code, out := cli(t, url, "import", "--school", "77RM", "--add", "--json", y2026)
		var after importJSON
		json.Unmarshal(out, &after)
		if _, ok := after.Mapping["E-mail"]; code != 0 || ok || after.Mapping["Achternaam"] != "lastName" || after.Added != 30 {
			t.Errorf("numo import after the school's mapping: exit %d, mapping %v", code, after.Mapping)
		}
	})
}

// TestKilledImportReapedByNextImport kills numo import (SIGKILL) while it commits: the next
// numo import (no server runs) marks the job failed, rolls back what it wrote, and imports.
func TestKilledImportReapedByNextImport(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cli(t, url, "school", "create", "--brin", "77KL", "--name", "Gedood")
		db, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := auth.System(context.Background())
		killed := startImport(t, url, "77KL", bigFile(150000))
		var job *ent.ImportJob
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
			job, err = db.Client.ImportJob.Query().Where(importjob.HasSchoolWith(school.Brin("77KL"))).First(ctx)
			// On SQLite wait until its steps have written something to roll back.
			if err == nil && (kind != "sqlite" || db.Client.Account.Query().Where(account.ImportJobIDNotNil()).CountX(ctx) > 0) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("numo import did not begin its commit within 2 minutes")
			}
		}
		killed.Process.Signal(syscall.SIGKILL)
		killed.Wait()
		if kind == "sqlite" {
			time.Sleep(6 * time.Second) // a live commit beats at least every 2 s: 5 s of silence is needed
		}
		code, _ := cli(t, url, "import", "--school", "77KL", "--add", "--json", y2026)
		job = db.Client.ImportJob.GetX(ctx, job.ID)
		if code != 0 || job.Status != importjob.StatusFAILED || job.Phase != string(jobs.PhaseFailed) || job.Error == "" {
			t.Errorf("after the next numo import (exit %d) the killed job is %s/%s %q", code, job.Status, job.Phase, job.Error)
		}
		if n := db.Client.Account.Query().CountX(ctx); n != 30 {
			t.Errorf("%d accounts, want the 30 of the next import only", n)
		}
	})
}

// TestUndoCommand undoes a numo import with numo undo (a real binary): the dry run shows the
// undo preview and changes nothing; the undo archives the added pupils and is in the history.
func TestUndoCommand(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		cli(t, url, "school", "create", "--brin", "77UN", "--name", "Ongedaan")
		_, out := cli(t, url, "import", "--school", "77UN", "--add", "--json", y2026)
		var sum importJSON
		json.Unmarshal(out, &sum)
		bin := numoBinary(t)
		runBin := func(args ...string) (int, undoJSON) {
			t.Helper()
			c := execNumo(bin, append(args, "--db", url)...)
			out, _ := c.Output()
			var u undoJSON
			if err := json.Unmarshal(out, &u); err != nil && slices.Contains(args, "--json") {
				t.Fatalf("numo %v: %v\n%s", args, err, out)
			}
			return c.ProcessState.ExitCode(), u
		}
		job := strconv.Itoa(sum.JobID)
		if code, u := runBin("undo", "--school", "77UN", "--dry-run", "--json", job); code != 0 || u.Undone || u.RemoveAdded != 30 || len(u.RemoveClasses) != 3 {
			t.Errorf("dry run: exit %d, %+v", code, u)
		}
		// A pupil changed after the import is a conflict: exit 3 without --skip-conflicts.
		changePupil(t, url, "77UN")
		if code, u := runBin("undo", "--school", "77UN", "--json", job); code != 3 || u.Undone || len(u.Conflicts) != 1 || !slices.ContainsFunc(u.Errors, func(p cliProblem) bool { return p.Code == apperr.CodeUndoConflict }) {
			t.Errorf("undo with a conflict: exit %d, %+v", code, u)
		}
		if code, u := runBin("undo", "--school", "77UN", job, "--skip-conflicts", "--json"); code != 0 || !u.Undone || u.UndoJob == 0 ||
			u.RemoveAdded != 29 || len(u.Conflicts) != 1 {
			t.Errorf("undo: exit %d, %+v", code, u)
		}
		if code, u := runBin("undo", "--school", "77UN", "--json", job); code != 1 || len(u.Errors) == 0 {
			t.Errorf("undo again: exit %d, %+v", code, u)
		}
		c := execNumo(bin, "jobs", "--school", "77UN", "--json", "--db", url)
		out, err := c.Output()
		var hist struct {
			Jobs []jobJSON `json:"jobs"`
		}
		if err != nil || json.Unmarshal(out, &hist) != nil || len(hist.Jobs) != 2 || hist.Jobs[0].Kind != "UNDO" || hist.Jobs[1].Status != "UNDONE" {
			t.Errorf("numo jobs after the undo: %v %s", err, out)
		}
	})
}

func execNumo(bin string, args ...string) *exec.Cmd { return exec.Command(bin, args...) }

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// changePupil changes one pupil of the school by hand, after its import.
func changePupil(t *testing.T, url, brin string) {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := auth.System(context.Background())
	a := db.Client.Account.Query().Where(account.HasSchoolWith(school.Brin(brin))).FirstX(ctx)
	db.Client.Account.UpdateOne(a).SetFirstName(a.FirstName + " (aangepast)").ExecX(ctx)
}
