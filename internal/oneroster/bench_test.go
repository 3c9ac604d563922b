package oneroster_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// benchPupils is the size of the board the benchmark exports.
const benchPupils = 100_000

// BenchmarkExport100k exports a board of 100,000 pupils (200 stamklassen, 400 lesgroepen, two
// lesgroepen per pupil, 200 teachers who each teach four groups) on each database. Besides
// B/op (every byte allocated over the export) it reports peak-heap-MB, the most live heap
// seen while exporting: it stays flat as the school grows, because accounts are read and
// written a page at a time. Run: go test ./internal/oneroster -bench Export100k -benchtime 1x
func BenchmarkExport100k(b *testing.B) {
	for _, kind := range testdb.Kinds {
		b.Run(kind, func(b *testing.B) {
			db := testdb.New(b, kind)
			schoolID := seedBoard(b, db)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				var out countingWriter
				peak := watchHeap()
				sum, err := oneroster.Export(context.Background(), db, schoolID, &out, oneroster.Options{Now: exportTime})
				heap := peak()
				if err != nil {
					b.Fatal(err)
				}
				if sum.Pupils != benchPupils {
					b.Fatalf("%d pupils", sum.Pupils)
				}
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(out.n.Load())/(1<<20), "zip-MB")
			}
		})
	}
}

// seedBoard creates the board's school in batches and returns its id.
func seedBoard(b *testing.B, db *store.DB) int {
	b.Helper()
	c := db.Client
	s := c.School.Create().SetName("Bestuur").SetBrin("96OR").SaveX(sys)
	var stam, les []*ent.Class
	for i := range 200 {
		stam = append(stam, c.Class.Create().SetSchoolID(s.ID).SetName(fmt.Sprintf("%d%c%d", 1+i%6, 'a'+rune(i%26), i)).
			SetYear(1+i%6).SetLevel("havo").SaveX(sys))
	}
	for i := range 400 {
		les = append(les, c.Class.Create().SetSchoolID(s.ID).SetName(fmt.Sprintf("g%d.vak%d", i, i%12)).SetKind(class.KindLESGROEP).
			SetSubject(fmt.Sprintf("vak%d", i%12)).SaveX(sys))
	}
	const batch = 1000
	for start := 0; start < benchPupils; start += batch {
		builders := make([]*ent.AccountCreate, 0, batch)
		for i := start; i < start+batch; i++ {
			builders = append(builders, c.Account.Create().SetSchoolID(s.ID).SetRole(account.RolePUPIL).
				SetExternalKey(fmt.Sprint(500000+i)).SetFirstName("Zoë").SetInfix([]string{"", "de", "van der"}[i%3]).
				SetLastName(fmt.Sprintf("Leerling%d", i)).SetEmail(fmt.Sprintf("ll%d@leerling.demo.invalid", i)).
				SetYear(1+i%6).SetLevel("havo").SetClassID(stam[i%200].ID))
		}
		accounts := c.Account.CreateBulk(builders...).SaveX(sys)
		members := make([]*ent.MembershipCreate, 0, 2*batch)
		for j, a := range accounts {
			i := start + j
			members = append(members, c.Membership.Create().SetAccountID(a.ID).SetGroupID(les[i%400].ID),
				c.Membership.Create().SetAccountID(a.ID).SetGroupID(les[(i+200)%400].ID))
		}
		c.Membership.CreateBulk(members...).ExecX(sys)
	}
	for i := range 200 {
		t := c.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetExternalKey(fmt.Sprintf("D%03d", i)).
			SetFirstName("Docent").SetLastName(fmt.Sprint(i)).SaveX(sys)
		for k := range 4 {
			c.Teaching.Create().SetAccountID(t.ID).SetClassID(les[(i*2+k)%400].ID).ExecX(sys)
		}
	}
	return s.ID
}

// countingWriter counts the bytes of the zip and drops them.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }

// watchHeap samples the live heap every 5 ms until the returned function is called, which
// returns the highest sample.
func watchHeap() func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}
