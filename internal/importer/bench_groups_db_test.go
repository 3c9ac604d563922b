//go:build unix

package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testimport"
)

// The benchmarks of issue 14's scale goal: a board's 100,000 pupils in 3,600 stamklassen with 8
// lesgroepen each (800,000 memberships in about 21,600 lesgroepen), and its 6,000 teachers who
// teach about 10 groups each and (3,600 of them) mentor a stamklas. Besides what the pupil
// benchmarks report (bench_db_test.go) they report rss-MB: the process's peak resident set
// during the measured work (VmHWM, reset through /proc/self/clear_refs before it; 0 where
// that is not possible).

const (
	groupsPerPupil = 8
	benchTeachers  = 6_000
)

var (
	groupsOnce  sync.Once
	groupsFile  []byte
	teacherFile []byte
)

var benchSubjects = []string{"ne", "en", "wi", "du", "fa", "gs", "ak", "bi", "na", "sk", "ec", "lo"}

// groupName is the lesgroep of pupil i (in stamklas c) for its s-th subject: year, level,
// subject and one of 50 clusters, e.g. "3HV.wi17"; shift moves the pupil to the next cluster.
func groupName(i, c, s, shift int) string {
	levels := []string{"B", "K", "GT", "H", "V", "HV"}
	year, level := 1+c%6, levels[c/6%len(levels)]
	return fmt.Sprintf("%d%s.%s%d", year, level, benchSubjects[(i+s)%len(benchSubjects)], 1+(i/36+shift)%50)
}

// boardGroupExports are the pupil export with a Lesgroepen column (8 groups in one quoted
// cell) and the matching teacher export, built once per process.
func boardGroupExports(tb testing.TB) (pupils, teachers []byte) {
	tb.Helper()
	groupsOnce.Do(func() {
		groupsFile = withGroups(boardExport(tb), 0)
		teacherFile = genTeacherExport()
	})
	return groupsFile, teacherFile
}

// withGroups adds the Lesgroepen column to the board export: every pupil in 8 groups, each in
// the cluster after its own when shift is 1 (a new timetable: every membership moves).
func withGroups(base []byte, shift int) []byte {
	lines := bytes.Split(base, []byte("\r\n"))
	var b bytes.Buffer
	b.Grow(len(base) + dbBenchPupils*100)
	for n, line := range lines {
		if len(line) == 0 {
			continue
		}
		b.Write(line)
		switch {
		case n == 0:
			b.WriteString(";")
		case n == 1:
			b.WriteString(";Lesgroepen")
		default:
			i := n - 2
			b.WriteString(";\"")
			for s := range groupsPerPupil {
				if s > 0 {
					b.WriteString(", ")
				}
				b.WriteString(groupName(i, i%dbBenchClasses, s, shift))
			}
			b.WriteString("\"")
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// genTeacherExport writes 6,000 teachers: code, names, e-mail, about 10 groups taught (from the
// pupils' groups) and for the first 3,600 the stamklas they mentor.
func genTeacherExport() []byte {
	levels := []string{"B", "K", "GT", "H", "V", "HV"}
	var b strings.Builder
	b.WriteString("Code;Roepnaam;Tussenv;Achternaam;E-mail;Lesgroepen;Mentorklas\r\n")
	for t := range benchTeachers {
		code := "D" + strconv.Itoa(10000+t)
		fmt.Fprintf(&b, "%s;Docent;;Nummer%d;%s@docent.example.nl;\"", code, t, strings.ToLower(code))
		for g := range 10 {
			if g > 0 {
				b.WriteString(", ")
			}
			c := (t*10 + g) % dbBenchClasses
			year, level := 1+c%6, levels[c/6%len(levels)]
			fmt.Fprintf(&b, "%d%s.%s%d", year, level, benchSubjects[t%len(benchSubjects)], 1+(t+g)%50)
		}
		b.WriteString("\";")
		if t < dbBenchClasses {
			c := t
			fmt.Fprintf(&b, "%d%s%02d", 1+c%6, levels[c/6%len(levels)], 1+c/36)
		}
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// rssPeak resets and reads the process's peak resident set (Linux).
type rssPeak struct{ ok bool }

func startRSS() rssPeak {
	return rssPeak{ok: os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil}
}

// MB is the peak resident set since startRSS in MiB, 0 when unknown.
func (r rssPeak) MB() float64 {
	if !r.ok {
		return 0
	}
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// previewGroups is the preview of an upload: parse, records, LoadState and plan.
func previewGroups(b *testing.B, db *store.DB, schoolID int, data []byte) *importer.Plan {
	_, plan, err := importer.PrepareAndPlan(auth.System(context.Background()), db, schoolID, func() (*importer.Prepared, error) {
		return importer.PrepareFor(data, importer.KindPupils, nil, nil)
	}, benchActions)
	if err != nil {
		b.Fatal(err)
	}
	return plan
}

// seedGroups imports the pupils with their lesgroepen (and with teachers the teacher file)
// into a new school, untimed.
func seedGroups(b *testing.B, db *store.DB, brin string, teachers bool) int {
	b.Helper()
	pupils, tf := boardGroupExports(b)
	schoolID := benchSchool(b, db, brin)
	ctx := auth.System(context.Background())
	if _, err := importer.Apply(ctx, db, testimport.Input(b, pupils), schoolID, benchActions, importer.ApplyOptions{}); err != nil {
		b.Fatalf("seed pupils: %v", err)
	}
	if teachers {
		if _, err := importer.Apply(ctx, db, testimport.Input(b, tf), schoolID, benchActions, importer.ApplyOptions{}); err != nil {
			b.Fatalf("seed teachers: %v", err)
		}
	}
	return schoolID
}

// BenchmarkPreviewGroups100k previews the pupil file with lesgroepen: against an empty school
// (100,000 additions, 800,000 memberships, 21,600 new groups) and against the school that
// holds all of it (the weekly sync: every pupil and membership compared, nothing changes).
func BenchmarkPreviewGroups100k(b *testing.B) {
	pupils, _ := boardGroupExports(b)
	for _, tc := range []struct {
		name   string
		seeded bool
	}{{"empty", false}, {"same", true}} {
		b.Run(tc.name, func(b *testing.B) {
			eachKind(b, func(b *testing.B, db *store.DB) {
				schoolID := benchSchool(b, db, "30PG")
				if tc.seeded {
					schoolID = seedGroups(b, db, "31PG", false)
				}
				m := &measure{b: b}
				rss := 0.0
				for b.Loop() {
					m.run(nil, func() {
						r := startRSS()
						plan := previewGroups(b, db, schoolID, pupils)
						rss = max(rss, r.MB())
						if c := plan.Counts; tc.seeded && (c.Unchanged != dbBenchPupils || c.GroupsJoined != 0) ||
							!tc.seeded && (c.Added != dbBenchPupils || c.GroupsJoined != dbBenchPupils*groupsPerPupil) {
							b.Fatalf("plan %+v", c)
						}
					})
				}
				m.report()
				b.ReportMetric(rss, "rss-MB")
			})
		})
	}
}

// BenchmarkApplyGroups100kNew commits the pupil file with lesgroepen into a fresh school under a
// COMMITTING job, as the app does: classes and groups created, 100,000 accounts and 800,000
// memberships by COPY on PostgreSQL (in steps on SQLite).
func BenchmarkApplyGroups100kNew(b *testing.B) {
	pupils, _ := boardGroupExports(b)
	in := testimport.Input(b, pupils)
	eachKind(b, func(b *testing.B, db *store.DB) {
		n := 0
		applyRounds(b, db, in, func() (int, int) {
			n++
			schoolID := benchSchool(b, db, fmt.Sprintf("%02dGA", n))
			return schoolID, benchJob(b, db, schoolID)
		}, func(c importer.Counts) bool {
			return c.Added == dbBenchPupils && c.GroupsJoined == dbBenchPupils*groupsPerPupil
		}, func() {
			if got := db.Client.Membership.Query().Where().CountX(auth.System(context.Background())); got < n*dbBenchPupils*groupsPerPupil {
				b.Fatalf("%d memberships after %d commits", got, n)
			}
		})
	})
}

// BenchmarkApplyGroups100kMove commits a new timetable into the school that holds the board
// file: the same 100,000 pupils, each of their 8 lesgroepen in the next cluster, so every one of
// the 800,000 memberships goes (batched DELETE) and another comes (COPY), with 100,000 change
// records keeping the sets before, under a COMMITTING job. The seed is untimed.
func BenchmarkApplyGroups100kMove(b *testing.B) {
	pupils, _ := boardGroupExports(b)
	in := testimport.Input(b, withGroups(boardExport(b), 1))
	eachKind(b, func(b *testing.B, db *store.DB) {
		n := 0
		applyRounds(b, db, in, func() (int, int) {
			n++
			schoolID := benchSchool(b, db, fmt.Sprintf("%02dGM", n))
			if _, err := importer.Apply(auth.System(context.Background()), db, testimport.Input(b, pupils), schoolID, benchActions, importer.ApplyOptions{}); err != nil {
				b.Fatalf("seed: %v", err)
			}
			return schoolID, benchJob(b, db, schoolID)
		}, func(c importer.Counts) bool {
			return c.Updated == dbBenchPupils && c.GroupsLeft == dbBenchPupils*groupsPerPupil && c.GroupsJoined == dbBenchPupils*groupsPerPupil
		}, nil)
	})
}

// BenchmarkApplyTeachers6k commits the 6,000 teachers (60,000 teaching rows, 3,600 mentors) into
// the school that holds the pupils and their groups.
func BenchmarkApplyTeachers6k(b *testing.B) {
	_, tf := boardGroupExports(b)
	in := testimport.Input(b, tf)
	eachKind(b, func(b *testing.B, db *store.DB) {
		ctx := auth.System(context.Background())
		schoolID := seedGroups(b, db, "40TA", false)
		applyRounds(b, db, in, func() (int, int) {
			// Each round starts without teachers.
			if _, err := db.Client.Account.Delete().Where(account.SchoolID(schoolID), account.RoleEQ(account.RoleTEACHER)).Exec(ctx); err != nil {
				b.Fatal(err)
			}
			return schoolID, benchJob(b, db, schoolID)
		}, func(c importer.Counts) bool { return c.Added == benchTeachers }, nil)
		if n := db.Client.Class.Query().Where(class.SchoolID(schoolID), class.KindEQ(class.KindLESGROEP)).CountX(ctx); n == 0 {
			b.Fatal("no lesgroepen")
		}
	})
}

// applyRounds commits in once a round into the school and under the COMMITTING job that setup
// makes untimed, fails unless ok accepts the plan's counts, runs after (when set) untimed, and
// reports the measure and the peak resident set.
func applyRounds(b *testing.B, db *store.DB, in importer.PlanInput, setup func() (schoolID, jobID int), ok func(importer.Counts) bool, after func()) {
	ctx := auth.System(context.Background())
	m := &measure{b: b}
	rss := 0.0
	for b.Loop() {
		var schoolID, jobID int
		m.run(func() { schoolID, jobID = setup() }, func() {
			r := startRSS()
			plan, err := importer.Apply(ctx, db, in, schoolID, benchActions, importer.ApplyOptions{JobID: jobID})
			rss = max(rss, r.MB())
			if err != nil {
				b.Fatalf("apply: %v", err)
			}
			if !ok(plan.Counts) {
				b.Fatalf("applied %+v", plan.Counts)
			}
		})
		if after != nil {
			b.StopTimer()
			after()
			b.StartTimer()
		}
	}
	m.report()
	b.ReportMetric(rss, "rss-MB")
}

func benchJob(b *testing.B, db *store.DB, schoolID int) int {
	b.Helper()
	job, err := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName("bench.csv").SetFileSize(1).SetSha256("bench").
		SetStatus(importjob.StatusCOMMITTING).Save(auth.System(context.Background()))
	if err != nil {
		b.Fatalf("create job: %v", err)
	}
	return job.ID
}
