package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// newJob creates a school's job with the status, claimed with the lock mark (without taking
// the lock) through c.
func newJob(t *testing.T, ctx context.Context, c *ent.Client, schoolID int, status importjob.Status) *ent.ImportJob {
	t.Helper()
	return c.ImportJob.Create().SetSchoolID(schoolID).SetFileName("x.csv").SetFileSize(1).SetSha256("x").
		SetStatus(status).SetClaimedBy(store.LockedClaim("test", 200)).SaveX(ctx)
}

func statusOf(t *testing.T, ctx context.Context, db *store.DB, id int) importjob.Status {
	t.Helper()
	return db.Client.ImportJob.GetX(ctx, id).Status
}

// TestJobLockSchemas: two installations share one PostgreSQL database in two schemas, where
// ent's ids repeat, so each has a COMMITTING job with the same id. The one whose committer holds
// its commit lock is left alone; the other, whose lock is free (its process died), is failed at
// once — the lock of one schema does not keep the other's dead job alive. A job claimed without
// the lock mark (an older numo) is left to the heartbeat. Released, the lock frees its job too.
func TestJobLockSchemas(t *testing.T) {
	a, b := testdb.New(t, "postgres"), testdb.New(t, "postgres")
	schoolA := a.Client.School.Create().SetBrin("11AA").SetName("A").SaveX(sys).ID
	schoolB := b.Client.School.Create().SetBrin("11AA").SetName("B").SaveX(sys).ID
	jobA := newJob(t, sys, a.Client, schoolA, importjob.StatusPREVIEWED)
	jobB := newJob(t, sys, b.Client, schoolB, importjob.StatusCOMMITTING)
	if jobA.ID != jobB.ID {
		t.Fatalf("the two schemas' first jobs have ids %d and %d: the test needs them equal", jobA.ID, jobB.ID)
	}
	lock, ok, err := a.LockJob(sys, jobA.ID, time.Hour)
	if err != nil || !ok {
		t.Fatalf("lock job: %v %v", ok, err)
	}
	a.Client.ImportJob.UpdateOneID(jobA.ID).SetStatus(importjob.StatusCOMMITTING).ExecX(sys)
	if _, ok, _ := a.LockJob(sys, jobA.ID, time.Hour); ok {
		t.Fatal("a second committer got the lock of a job being committed")
	}
	old := a.Client.ImportJob.Create().SetSchoolID(schoolA).SetFileName("x.csv").SetFileSize(1).SetSha256("x").
		SetStatus(importjob.StatusCOMMITTING).SetClaimedBy("abcdef12").SaveX(sys)

	if held, _ := b.JobLocked(sys, jobB.ID); held {
		t.Fatal("the lock of schema A's job counts as held for schema B's job with the same id")
	}
	if ids, err := b.FailUnlockedCommits(sys, "dood"); err != nil || len(ids) != 1 || ids[0] != jobB.ID {
		t.Fatalf("schema B: failed %v (%v), want its dead job %d", ids, err, jobB.ID)
	}
	if ids, err := a.FailUnlockedCommits(sys, "dood"); err != nil || len(ids) != 0 {
		t.Fatalf("schema A: failed %v (%v), want none: its committer holds the lock", ids, err)
	}
	j := b.Client.ImportJob.GetX(sys, jobB.ID)
	if j.Status != importjob.StatusFAILED || j.Error != "dood" || j.Phase != "failed" {
		t.Fatalf("schema B's dead job: %s %q %q", j.Status, j.Phase, j.Error)
	}
	if s := statusOf(t, sys, a, old.ID); s != importjob.StatusCOMMITTING {
		t.Fatalf("a job claimed without the lock mark is %s; the heartbeat decides on it", s)
	}

	lock.Release()
	lock.Release() // idempotent
	if ids, err := a.FailUnlockedCommits(sys, "dood"); err != nil || len(ids) != 1 || ids[0] != jobA.ID {
		t.Fatalf("schema A after release: failed %v (%v), want %d", ids, err, jobA.ID)
	}
}

// TestJobLockNeverReapsLiveCommit claims jobs over and over, both ways a commit starts (the
// server's: lock, then claim; numo import's: create the job COMMITTING with its lock), while
// another process fails dead commits in a tight loop. Not one live commit is failed: each job
// is still COMMITTING when its committer marks it COMMITTED, before releasing its lock.
func TestJobLockNeverReapsLiveCommit(t *testing.T) {
	ctx := auth.System(context.Background())
	url := testdb.URL(t, "postgres")
	a, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reaper, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer reaper.Close()
	schoolID := a.Client.School.Create().SetBrin("22BB").SetName("B").SaveX(ctx).ID

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var polls, wrong atomic.Int64
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			ids, err := reaper.FailUnlockedCommits(ctx, "dood")
			if err != nil {
				t.Error(err)
				return
			}
			polls.Add(1)
			wrong.Add(int64(len(ids)))
		}
	})
	finish := func(id int) {
		n := a.Client.ImportJob.Update().Where(importjob.ID(id), importjob.StatusEQ(importjob.StatusCOMMITTING)).
			SetStatus(importjob.StatusCOMMITTED).SaveX(ctx)
		if n != 1 {
			t.Errorf("job %d was failed while its committer was alive (%s)", id, statusOf(t, ctx, a, id))
		}
	}
	for i := 0; i < 150 && !t.Failed(); i++ {
		// The server's way.
		job := newJob(t, ctx, a.Client, schoolID, importjob.StatusPREVIEWED)
		lock, ok, err := a.LockJob(ctx, job.ID, time.Hour)
		if err != nil || !ok {
			t.Fatalf("lock: %v %v", ok, err)
		}
		a.Client.ImportJob.UpdateOneID(job.ID).SetStatus(importjob.StatusCOMMITTING).ExecX(ctx)
		finish(job.ID)
		lock.Release()
		// numo import's way.
		id, lock, err := a.CreateLockedJob(ctx, time.Hour, func(ctx context.Context, c *ent.Client) (int, error) {
			return newJob(t, ctx, c, schoolID, importjob.StatusCOMMITTING).ID, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		finish(id)
		lock.Release()
	}
	close(stop)
	wg.Wait()
	if wrong.Load() != 0 {
		t.Fatalf("the reaper failed %d live commits", wrong.Load())
	}
	t.Logf("300 commits started while the reaper looked %d times: none failed", polls.Load())
}

// TestJobLockConnectionDies: when the connection holding a commit lock ends (as when its
// process is killed), the lock is free at once and the job is failed; the committer, were it
// still there, learns it lost the lock.
func TestJobLockConnectionDies(t *testing.T) {
	ctx := auth.System(context.Background())
	db := testdb.New(t, "postgres")
	schoolID := db.Client.School.Create().SetBrin("33CC").SetName("C").SaveX(ctx).ID
	id, lock, err := db.CreateLockedJob(ctx, 20*time.Millisecond, func(ctx context.Context, c *ent.Client) (int, error) {
		return newJob(t, ctx, c, schoolID, importjob.StatusCOMMITTING).ID, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if ids, _ := db.FailUnlockedCommits(ctx, "dood"); len(ids) != 0 {
		t.Fatalf("failed %v while the lock is held", ids)
	}
	// End the session that holds the lock, from outside.
	var n int
	if err := db.SQL.QueryRowContext(ctx, `WITH k AS (SELECT hashtextextended(current_schema() || ':numo-import-job:' || $1::text, 0) AS key)
		SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks AS l, k WHERE l.locktype = 'advisory' AND l.granted
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid::bigint = (k.key >> 32) & 4294967295 AND l.objid::bigint = k.key & 4294967295`, id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate the lock's session: %d %v", n, err)
	}
	select {
	case <-lock.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the committer was not told its lock connection failed")
	}
	if ids, err := db.FailUnlockedCommits(ctx, "dood"); err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("after the lock's session ended: failed %v (%v), want %d", ids, err, id)
	}
}

// TestJobLockSQLite: on a SQLite file the commit lock is a lock on the job's byte of a file
// beside the database, whatever path (here a symbolic link) a process opened it by: held, a
// second committer (another process: another open of the file) cannot take it, and it shows as
// held; released (or its process dead), it is free.
func TestJobLockSQLite(t *testing.T) {
	ctx := auth.System(context.Background())
	db := testdb.New(t, "sqlite")
	if !db.SeesDeadCommits() {
		t.Skip("no open file description locks on this system")
	}
	path := strings.TrimPrefix(db.URL, "file:")
	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(ctx, "file:"+link)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	schoolID := db.Client.School.Create().SetBrin("44DD").SetName("D").SaveX(ctx).ID
	id, lock, err := db.CreateLockedJob(ctx, time.Hour, func(ctx context.Context, c *ent.Client) (int, error) {
		return newJob(t, ctx, c, schoolID, importjob.StatusCOMMITTING).ID, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if held, err := other.JobLocked(ctx, id); err != nil || !held {
		t.Fatalf("the held lock shows as held %v (%v) through another path", held, err)
	}
	if _, ok, err := other.LockJob(ctx, id, 0); ok || err != nil {
		t.Fatalf("a second committer took the held lock (%v)", err)
	}
	lock.Release()
	if held, _ := other.JobLocked(ctx, id); held {
		t.Fatal("the released lock shows as held")
	}
	l, ok, err := other.LockJob(ctx, id, 0)
	if !ok || err != nil {
		t.Fatalf("the released lock cannot be taken (%v)", err)
	}
	l.Release()
	if ids, err := db.FailUnlockedCommits(ctx, "dood"); err != nil || len(ids) != 0 {
		t.Fatalf("SQLite: FailUnlockedCommits failed %v (%v); the reaper rolls back there", ids, err)
	}
}
