//go:build unix

package importer_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/gctune"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// The database benchmarks run the whole import of a school board's 100,000 pupils in 3,600
// classes on SQLite and PostgreSQL (skipped when NUMO_TEST_DATABASE_URL is empty). Besides
// ns/op they report "peak-MB": the highest heap in use (HeapInuse) seen by a sampler every 2 ms
// during the measured work, which includes the file and the parsed rows the server holds too.
// scripts/bench.sh runs them against a throw-away PostgreSQL; BENCHMARKS.md has the figures.

const (
	dbBenchPupils  = 100_000
	dbBenchClasses = 3_600
)

var (
	boardOnce sync.Once
	boardFile []byte
)

// boardExport is the generated 100,000-pupil export, built once per process.
func boardExport(tb testing.TB) []byte {
	tb.Helper()
	boardOnce.Do(func() { boardFile = genBoardExport(dbBenchPupils) })
	if boardFile == nil {
		tb.Fatal("could not generate the export")
	}
	return boardFile
}

// genBoardExport writes a Magister export of n pupils as Dutch Excel saves it: Windows-1252,
// semicolons, CRLF, 12 columns of which 9 are imported, a title line above the header. The
// pupils spread evenly over dbBenchClasses classes (year × level × group, e.g. "3HV17"); names
// are common Dutch first names, infixes and surnames, accents included. Every pupil has a unique
// number, e-mail address and username, so no row is refused and there are no warnings.
func genBoardExport(n int) []byte {
	first := []string{"Daan", "Sem", "Lucas", "Levi", "Finn", "Noah", "Bram", "Luuk", "Milan", "Jesse",
		"Thijs", "Mees", "Sven", "Ruben", "Gijs", "Jurre", "Noël", "Mehmet", "Youssef", "Teun",
		"Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Sara", "Anna", "Evi", "Noor",
		"Lotte", "Fenna", "Lieke", "Isa", "Saar", "Hélène", "Joëlle", "Fatima", "Yara", "Chloë"}
	infix := []string{"", "", "", "", "", "van", "de", "van der", "van den", "van 't", "in 't", "den", "ter", "van de"}
	last := []string{"Jansen", "Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
		"Hendriks", "Dekker", "Brouwer", "Dijk", "Berg", "Janssen", "Kok", "Jacobs", "Vermeulen", "Hoek",
		"Çelik", "Yilmaz", "El Amrani", "Böhm", "Hof", "Leeuwen", "Graaf", "Veen", "Wijk", "Bruijn",
		"Linden", "Heuvel", "Broek", "Beek", "Hoekstra", "Postma", "Kuipers", "Schouten", "Groot", "Maas"}
	levels := []string{"B", "K", "GT", "H", "V", "HV"}
	mentors := []string{"dhr. Bakker", "mw. de Jong", "dhr. van Dam", "mw. Öztürk"}
	var b strings.Builder
	b.Grow(n * 130)
	b.WriteString("Leerlingen export Magister;;;;;;;;;;;\r\n")
	b.WriteString("Stamnr;Roepnaam;Tussenv.;Achternaam;Klas;Studie;Leerjaar;E-mail;Gebruikersnaam;Geboortedatum;Geslacht;Mentor\r\n")
	for i := range n {
		c := i % dbBenchClasses
		year, level, group := 1+c%6, levels[c/6%len(levels)], 1+c/36
		key := strconv.Itoa(200000 + i)
		b.WriteString(key)
		b.WriteByte(';')
		b.WriteString(first[i%len(first)])
		b.WriteByte(';')
		b.WriteString(infix[i/7%len(infix)])
		b.WriteByte(';')
		b.WriteString(last[i/3%len(last)])
		fmt.Fprintf(&b, ";%d%s%02d;%s%d;%d;", year, level, group, level, year, year)
		b.WriteString("ll" + key + "@leerling.scholengroep.nl;")
		b.WriteString("ll" + key)
		fmt.Fprintf(&b, ";%02d-%02d-%d;%c;%s\r\n", 1+i%28, 1+i%12, 2019-year, "MV"[i%2], mentors[c%len(mentors)])
	}
	out, err := charmap.Windows1252.NewEncoder().String(b.String())
	if err != nil {
		panic(fmt.Sprintf("encode export: %v", err))
	}
	return []byte(out)
}

// peakSampler records the highest heap in use while it runs.
type peakSampler struct {
	stop chan struct{}
	done chan struct{}
	base uint64 // at the start
	peak uint64
}

var heapInuseMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

func heapInuse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, x := range s {
		n += x.Value.Uint64()
	}
	return n
}

// startPeak starts sampling HeapInuse every 2 ms. runtime/metrics reads it without stopping
// the world, unlike runtime.ReadMemStats.
func startPeak() *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s := make([]metrics.Sample, len(heapInuseMetrics))
	for i, name := range heapInuseMetrics {
		s[i].Name = name
	}
	p.base = heapInuse(s)
	p.peak = p.base
	go func() {
		defer close(p.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				p.peak = max(p.peak, heapInuse(s))
				return
			case <-t.C:
				p.peak = max(p.peak, heapInuse(s))
			}
		}
	}()
	return p
}

// Stop ends the sampling and returns the peak in bytes.
func (p *peakSampler) Stop() uint64 {
	close(p.stop)
	<-p.done
	return p.peak
}

// cpuTime is the CPU time, user and system, this process has used so far. Unlike ns/op it
// hardly changes when other work shares the machine's cores; the database server's share is
// not in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs op once under the timer and the peak sampler; setup, when set, runs before it
// with the timer stopped. Garbage of earlier iterations is collected first, so that each
// iteration's peak is its own.
type measure struct {
	b    *testing.B
	base uint64 // heap in use when the last op started: what the benchmark itself holds
	peak uint64
	cpu  time.Duration
	n    int
}

func (m *measure) run(setup, op func()) {
	m.b.StopTimer()
	if setup != nil {
		setup()
	}
	runtime.GC()
	m.b.StartTimer()
	p := startPeak()
	cpu := cpuTime()
	op()
	m.cpu += cpuTime() - cpu
	m.n++
	m.peak = max(m.peak, p.Stop())
	m.base = p.base
}

// report adds peak-MB (the highest HeapInuse of any iteration), base-MB (HeapInuse before the
// op: the file and, for the apply, its prepared rows) and cpu-s/op.
func (m *measure) report() {
	m.b.ReportMetric(float64(m.peak)/(1<<20), "peak-MB")
	m.b.ReportMetric(float64(m.base)/(1<<20), "base-MB")
	if m.n > 0 {
		m.b.ReportMetric(m.cpu.Seconds()/float64(m.n), "cpu-s/op")
	}
}

// eachKind runs fn as a sub-benchmark on SQLite and PostgreSQL, each with a fresh database.
//
// The benchmarks run with the collector's settings of `numo serve` (package gctune): a commit's
// time and peak memory are what the server's would be.
func eachKind(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	gctune.Apply()
	for _, kind := range testdb.Kinds {
		b.Run(kind, func(b *testing.B) { fn(b, testdb.New(b, kind)) })
	}
}

func benchSchool(b *testing.B, db *store.DB, brin string) int {
	b.Helper()
	s, err := db.Client.School.Create().SetName("Scholengroep " + brin).SetBrin(brin).Save(auth.System(auth.System(context.Background())))
	if err != nil {
		b.Fatalf("create school: %v", err)
	}
	return s.ID
}

var benchActions = importer.Actions{Add: true, Update: true, Archive: true}

// planOnce is the preview of an upload: sniff, parse, map, validate and plan against the school.
func planOnce(b *testing.B, db *store.DB, schoolID int, data []byte) *importer.Plan {
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		b.Fatalf("prepare: %v", err)
	}
	plan, err := importer.PlanFor(auth.System(context.Background()), db, schoolID, p, benchActions)
	if err != nil {
		b.Fatalf("plan: %v", err)
	}
	return plan
}

// BenchmarkPlan100kEmpty previews 100,000 new pupils: file to plan, against an empty school.
func BenchmarkPlan100kEmpty(b *testing.B) {
	data := boardExport(b)
	eachKind(b, func(b *testing.B, db *store.DB) {
		schoolID := benchSchool(b, db, "10AA")
		m := &measure{b: b}
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			m.run(nil, func() {
				plan := planOnce(b, db, schoolID, data)
				if plan.Counts.Added != dbBenchPupils || len(plan.ClassesToCreate) != dbBenchClasses {
					b.Fatalf("plan: %+v, %d classes", plan.Counts, len(plan.ClassesToCreate))
				}
			})
		}
		m.report()
	})
}

// BenchmarkPlan100kSame previews the file again after it was imported: all 100,000 unchanged,
// the common case of the nightly or weekly sync.
func BenchmarkPlan100kSame(b *testing.B) {
	data := boardExport(b)
	eachKind(b, func(b *testing.B, db *store.DB) {
		schoolID := benchSchool(b, db, "20BB")
		p, err := importer.Prepare(data, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := importer.Apply(auth.System(context.Background()), db, p.Input, schoolID, benchActions, importer.ApplyOptions{}); err != nil {
			b.Fatalf("seed: %v", err)
		}
		p = nil
		m := &measure{b: b}
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			m.run(nil, func() {
				plan := planOnce(b, db, schoolID, data)
				if plan.Counts.Unchanged != dbBenchPupils {
					b.Fatalf("plan: %+v", plan.Counts)
				}
			})
		}
		m.report()
	})
}

// BenchmarkApply100kNew commits 100,000 new pupils into a fresh school the way the app does:
// under a COMMITTING import job, so Apply re-plans in its transaction, creates the classes,
// inserts the accounts, records every change and finishes the job. The file is prepared once;
// the school and job are made with the timer stopped.
func BenchmarkApply100kNew(b *testing.B) {
	data := boardExport(b)
	prep, err := importer.Prepare(data, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	eachKind(b, func(b *testing.B, db *store.DB) {
		ctx := auth.System(context.Background())
		m := &measure{b: b}
		n := 0
		var longest time.Duration
		for b.Loop() {
			var schoolID, jobID int
			m.run(func() {
				n++
				schoolID = benchSchool(b, db, fmt.Sprintf("%02dCC", n))
				job, err := db.Client.ImportJob.Create().SetSchoolID(schoolID).SetFileName("leerlingen.csv").
					SetFileSize(int64(len(data))).SetSha256("bench").SetStatus(importjob.StatusCOMMITTING).Save(auth.System(ctx))
				if err != nil {
					b.Fatalf("create job: %v", err)
				}
				jobID = job.ID
			}, func() {
				var stats importer.ApplyStats
				plan, err := importer.Apply(ctx, db, prep.Input, schoolID, benchActions, importer.ApplyOptions{JobID: jobID, Stats: &stats})
				if err != nil {
					b.Fatalf("apply: %v", err)
				}
				longest = max(longest, stats.Longest)
				if plan.Counts.Added != dbBenchPupils {
					b.Fatalf("applied %+v", plan.Counts)
				}
			})
			b.StopTimer()
			checkApplied(b, db, schoolID, jobID)
			b.StartTimer()
		}
		m.report()
		// How long a sign-in may have had to wait for the write lock (SQLite).
		b.ReportMetric(float64(longest.Milliseconds()), "longest-tx-ms")
	})
}

// checkApplied verifies what BenchmarkApply100kNew wrote: every pupil in its class, every
// addition recorded on the job.
func checkApplied(b *testing.B, db *store.DB, schoolID, jobID int) {
	b.Helper()
	for _, c := range []struct {
		what  string
		count func(context.Context) (int, error)
		want  int
	}{
		{"classes", db.Client.Class.Query().Where(class.SchoolID(schoolID)).Count, dbBenchClasses},
		{"pupils in a class", db.Client.Account.Query().Where(account.SchoolID(schoolID), account.ClassIDNotNil()).Count, dbBenchPupils},
		{"additions marked with the job", db.Client.Account.Query().Where(account.ImportJobID(jobID)).Count, dbBenchPupils},
		{"change records of the job (none for additions)", db.Client.AccountChange.Query().Where(accountchange.JobID(jobID)).Count, 0},
	} {
		n, err := c.count(auth.System(context.Background()))
		if err != nil {
			b.Fatalf("%s: %v", c.what, err)
		}
		if n != c.want {
			b.Fatalf("%s: %d, want %d", c.what, n, c.want)
		}
	}
}

// BenchmarkCopyReference is the physical floor of the apply on PostgreSQL: COPY (pq.CopyIn,
// what psql's \copy does) of the same 100,000 rows with the same 15 columns as the accounts
// insert, into a bare table without indexes, keys or constraints, in one transaction.
func BenchmarkCopyReference(b *testing.B) {
	prep, err := importer.Prepare(boardExport(b), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	db := testdb.New(b, "postgres")
	ctx := auth.System(context.Background())
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE copy_reference (school_id bigint, role text, external_key text,
		first_name text, infix text, last_name text, email text, username text, eck_id text, level text, year bigint,
		class_id bigint, status text, created_at timestamptz, updated_at timestamptz)`); err != nil {
		b.Fatal(err)
	}
	cols := []string{"school_id", "role", "external_key", "first_name", "infix", "last_name", "email", "username",
		"eck_id", "level", "year", "class_id", "status", "created_at", "updated_at"}
	now := time.Now()
	m := &measure{b: b}
	for b.Loop() {
		m.run(func() {
			if _, err := db.SQL.ExecContext(ctx, "TRUNCATE copy_reference"); err != nil {
				b.Fatal(err)
			}
		}, func() {
			tx, err := db.SQL.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer tx.Rollback() //nolint:errcheck // a no-op after Commit
			stmt, err := tx.PrepareContext(ctx, `COPY copy_reference ("`+strings.Join(cols, `", "`)+`") FROM STDIN`)
			if err != nil {
				b.Fatal(err)
			}
			for i, r := range prep.Result.Records {
				if _, err := stmt.ExecContext(ctx, 1, "PUPIL", r.Key, r.FirstName, r.Infix, r.LastName, r.Email, r.Username,
					r.EckID, string(r.Level), r.Year, 1+i%dbBenchClasses, "ACTIVE", now, now); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := stmt.ExecContext(ctx); err != nil {
				b.Fatal(err)
			}
			if err := stmt.Close(); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		})
	}
	m.report()
}
