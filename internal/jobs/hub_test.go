package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// jobReads counts the statements that read import_jobs.
type jobReads struct{ n atomic.Int64 }

func (c *jobReads) wrap(d dialect.Driver) dialect.Driver {
	return dialect.DebugWithContext(d, func(_ context.Context, v ...any) {
		s := fmt.Sprint(v...)
		if strings.Contains(s, "SELECT") && strings.Contains(s, "import_jobs") && strings.Contains(s, "Query") {
			c.n.Add(1)
		}
	})
}

// pupilsFile is an invented school of n pupils whose keys start at first.
func pupilsFile(first, n int) []byte {
	var b bytes.Buffer
	b.WriteString("Stamnr;Roepnaam;Tussenv;Achternaam;Klas;Leerjaar\r\n")
	for i := range n {
		fmt.Fprintf(&b, "%d;Sanne;de;Jansen%d;%dA;%d\r\n", first+i, i%50, 1+i%6, 1+i%6)
	}
	return b.Bytes()
}

// scene is a school with an admin, and the import service of one process on it.
type scene struct {
	db     *store.DB
	svc    *jobs.Service
	admin  context.Context
	school int
}

func newScene(t *testing.T, db *store.DB, brin string) *scene {
	t.Helper()
	sys := auth.System(context.Background())
	school := db.Client.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(sys)
	return &scene{db: db, svc: service(t, db), school: school.ID,
		admin: auth.NewContext(context.Background(), &auth.Viewer{SchoolID: school.ID, Role: auth.RoleAdmin, Name: "Beheerder"})}
}

// service starts the import service of one process on db, with its progress bus.
func service(t *testing.T, db *store.DB) *jobs.Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus, err := db.Bus(log)
	if err != nil {
		t.Fatal(err)
	}
	svc := jobs.New(db, bus, log)
	t.Cleanup(func() { svc.Close(); bus.Close() })
	return svc
}

// previewed uploads n new pupils and previews their addition.
func (s *scene) previewed(t *testing.T, first, n int) int {
	t.Helper()
	job, err := s.svc.Upload(s.admin, s.school, "leerlingen.csv", pupilsFile(first, n))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := jobs.ParseActions([]string{"ADD"})
	if _, err := s.svc.Preview(s.admin, job.ID, a); err != nil {
		t.Fatal(err)
	}
	return job.ID
}

// watch subscribes n times to a job and takes each subscription's first event.
func watch(t *testing.T, svc *jobs.Service, ctx context.Context, jobID, n int) []<-chan jobs.Progress {
	t.Helper()
	subs := make([]<-chan jobs.Progress, n)
	for i := range subs {
		ch, err := svc.Subscribe(ctx, jobID)
		if err != nil {
			t.Fatal(err)
		}
		if first := <-ch; first.JobID != jobID {
			t.Fatalf("first event %+v", first)
		}
		subs[i] = ch
	}
	return subs
}

// finals drains every subscription and checks that each ends with the committed job and its
// report of added pupils.
func finals(t *testing.T, subs []<-chan jobs.Progress, added int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(subs))
	for _, ch := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last jobs.Progress
			timeout := time.After(2 * time.Minute)
			for {
				select {
				case p, ok := <-ch:
					if ok {
						last = p
						continue
					}
				case <-timeout:
					errs <- errors.New("no final event within 2 minutes")
					return
				}
				break
			}
			switch {
			case !last.Final || last.Status != "COMMITTED":
				errs <- fmt.Errorf("last event %+v", last)
			case last.Job == nil || last.Report == nil || last.Report.Counts.Added != added:
				errs <- fmt.Errorf("final event without the job and its report: %+v", last)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// commitWatched commits a previewed job watched by n subscribers, 5 more joining during the
// commit, and returns the reads of import_jobs from the first subscription to the last final
// event.
func (s *scene) commitWatched(t *testing.T, reads *jobReads, first, n int) int64 {
	t.Helper()
	const rows = 3000
	job := s.previewed(t, first, rows)
	before := reads.n.Load()
	subs := watch(t, s.svc, s.admin, job, n)
	if _, err := s.svc.Commit(s.admin, job, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The commit's own reads are the same for every n.
	subs = append(subs, watch(t, s.svc, s.admin, job, 5)...)
	finals(t, subs, rows)
	return reads.n.Load() - before
}

// TestSubscribersShareOneReader: the subscribers of a job in one process cost one reader of it
// between them, however many there are: 1 and 60 subscribers (and 5 joining during the commit)
// cause the same reads of import_jobs, within one poll.
func TestSubscribersShareOneReader(t *testing.T) {
	reads := &jobReads{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newScene(t, db, "31HB")
		one := s.commitWatched(t, reads, 100000, 1)
		many := s.commitWatched(t, reads, 200000, 60)
		t.Logf("reads of import_jobs during a watched commit: %d with 1 subscriber, %d with 60", one, many)
		if many > one+1 {
			t.Errorf("60 subscribers read import_jobs %d times, 1 subscriber %d: want the same (+1 poll)", many, one)
		}
	}, store.WithDriver(reads.wrap))
}

// TestSubscribeAuthorization: only the school's administrators (and the product itself)
// follow its jobs; another school's admin and a teacher get "not found", and nobody signed in
// is refused — also while a feed of the job runs for an allowed subscriber.
func TestSubscribeAuthorization(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newScene(t, db, "32HB")
		job := s.previewed(t, 300000, 10)
		ctx, cancel := context.WithCancel(s.admin)
		defer cancel()
		watch(t, s.svc, ctx, job, 1) // a feed runs for the job
		cases := []struct {
			name string
			ctx  context.Context
			want error
		}{
			{"anonymous", context.Background(), auth.ErrUnauthenticated},
			{"other school's admin", auth.NewContext(context.Background(), &auth.Viewer{SchoolID: s.school + 1000, Role: auth.RoleAdmin}), nil},
			{"teacher", auth.NewContext(context.Background(), &auth.Viewer{SchoolID: s.school, Role: auth.RoleTeacher}), nil},
			{"admin before choosing a password", auth.NewContext(context.Background(), &auth.Viewer{SchoolID: s.school, Role: auth.RoleAdmin, MustChangePassword: true}), nil},
			{"read-only token", auth.NewContext(context.Background(), &auth.Viewer{SchoolID: s.school, TokenID: 1, Scopes: []auth.Scope{auth.ScopeReadRosters}}), nil},
		}
		for _, c := range cases {
			ch, err := s.svc.Subscribe(c.ctx, job)
			if ch != nil || err == nil || (c.want != nil && !errors.Is(err, c.want)) || (c.want == nil && !strings.Contains(err.Error(), "niet gevonden")) {
				t.Errorf("%s: got %v, %v; want refused (%v)", c.name, ch, err, c.want)
			}
		}
		if _, err := s.svc.Subscribe(s.admin, job+1000); err == nil {
			t.Error("a job that does not exist: subscribed")
		}
		if _, err := s.svc.Subscribe(auth.NewContext(context.Background(), &auth.Viewer{SchoolID: s.school, TokenID: 2, Scopes: []auth.Scope{auth.ScopeRunImports}}), job); err != nil {
			t.Errorf("a token that runs imports: %v", err)
		}
	})
}

// TestSubscribersLeave: a subscription that ends (its socket closed) leaves the feed, and the
// last one to leave stops it; a slow subscriber that reads nothing during the commit holds up
// nobody else and still ends with the final state.
func TestSubscribersLeave(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newScene(t, db, "33HB")
		job := s.previewed(t, 400000, 3000)
		ctx, cancel := context.WithCancel(s.admin)
		gone := watch(t, s.svc, ctx, job, 10)
		slow := watch(t, s.svc, s.admin, job, 1)
		fast := watch(t, s.svc, s.admin, job, 3)
		cancel()
		for _, ch := range gone {
			for range ch { // closes once the subscription has left
			}
		}
		if n := s.svc.WatchedJobs(); n != 1 {
			t.Errorf("watched jobs with one subscriber left: %d, want 1", n)
		}
		if _, err := s.svc.Commit(s.admin, job, nil, nil); err != nil {
			t.Fatal(err)
		}
		finals(t, fast, 3000) // while the slow one reads nothing
		finals(t, slow, 3000)
		if n := s.svc.WatchedJobs(); n != 0 {
			t.Errorf("watched jobs after the final event: %d, want 0", n)
		}
		lone := watch(t, s.svc, s.admin, job, 1) // a finished job: its state, then nothing
		if _, ok := <-lone[0]; ok {
			t.Error("a finished job's subscription went on after its final state")
		}
	})
}

// TestTwoProcessesShareProgress (PostgreSQL): subscribers on a second process follow a commit
// running on the first to its final state and report, and cost that process one reader.
func TestTwoProcessesShareProgress(t *testing.T) {
	reads := &jobReads{}
	a := newScene(t, testdb.New(t, "postgres"), "34HB")
	other, err := store.Open(context.Background(), a.db.URL, store.WithDriver(reads.wrap))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	b := &scene{db: other, svc: service(t, other), admin: a.admin, school: a.school}
	job := a.previewed(t, 500000, 3000)
	before := reads.n.Load()
	subs := watch(t, b.svc, b.admin, job, 40)
	start := time.Now()
	if _, err := a.svc.Commit(a.admin, job, nil, nil); err != nil {
		t.Fatal(err)
	}
	subs = append(subs, watch(t, b.svc, b.admin, job, 5)...)
	subs = append(subs, watch(t, a.svc, a.admin, job, 5)...)
	finals(t, subs, 3000)
	// One read when the feed starts, one of the final row, and the polls of a long commit.
	if n, polls := reads.n.Load()-before, int64(time.Since(start)/(3*time.Second)); n > 2+polls {
		t.Errorf("45 subscribers on the other process read import_jobs %d times; want at most %d", n, 2+polls)
	}
}
