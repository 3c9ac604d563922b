package importer_test

import (
	"context"
	"testing"
	"time"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// BenchmarkRefreshClassFacts100k is what following the pupils adds to a commit's (last) write
// transaction: one grouped read of the board's 100,000 pupils and an update of each class whose
// facts differ: every class of the board (reset before each run), or none.
func BenchmarkRefreshClassFacts100k(b *testing.B) {
	data := boardExport(b)
	eachKind(b, func(b *testing.B, db *store.DB) {
		ctx := auth.System(context.Background())
		schoolID := benchSchool(b, db, "12FB")
		p, err := importer.Prepare(data, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := importer.Apply(ctx, db, p.Input, schoolID, benchActions, importer.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		for _, reset := range []bool{true, false} {
			name := "unchanged"
			if reset {
				name = "all-changed"
			}
			b.Run(name, func(b *testing.B) {
				changed := 0
				for b.Loop() {
					if reset {
						b.StopTimer()
						if _, err := db.SQL.ExecContext(ctx, "UPDATE classes SET level = 'x', year = NULL"); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					tx, err := db.SQL.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					changed, err = store.RefreshClassFacts(ctx, tx, db.Dialect, schoolID, time.Now())
					if err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(changed), "classes-changed")
			})
		}
	})
}
