package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/webhook"
)

// TestImportReachesReceiver: a real numo serve process (testapp.Serve) with a webhook to a
// receiver on loopback; an import commit's changes arrive there, signed, in order, from the
// webhook's first position on, and the cursor ends at the school's last position.
func TestImportReachesReceiver(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		rc := &receiver{script: func(int, http.ResponseWriter, *http.Request) int { return http.StatusOK }}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		u := testdb.URL(t, kind)
		a := testapp.New(t, nil, []string{"--db", u, "--demo=false", "--addr", "127.0.0.1:0"}, map[string]string{"NUMO_WEBHOOK_ALLOW_NETS": "127.0.0.0/8"})
		testapp.ServeApp(t, a)
		sys := auth.System(context.Background())
		c := a.DB().Client
		ep := endpoint(t, a.DB(), srv.URL+"/hook")
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "transition", "school_2026.csv"))
		if err != nil {
			t.Fatal(err)
		}
		prep, err := importer.Prepare(data, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		job := c.ImportJob.Create().SetSchoolID(ep.SchoolID).SetFileName("a.csv").SetFileSize(1).SetSha256("x").SetStatus(importjob.StatusCOMMITTING).SaveX(sys)
		if _, err := importer.Apply(sys, a.DB(), prep.Input, ep.SchoolID, importer.Actions{Add: true}, importer.ApplyOptions{JobID: job.ID}); err != nil {
			t.Fatal(err)
		}
		head, err := webhookSourceHead(a, ep.SchoolID)
		if err != nil || head == 0 {
			t.Fatalf("the import wrote no changes: head %d, %v", head, err)
		}
		until(t, func() {}, func() bool { return cursorOf(t, a.DB(), ep.ID).Cursor == head })
		var got []int64
		for _, r := range rc.requests() {
			if !r.sigOK {
				t.Error("bad signature")
			}
			got = append(got, r.positions...)
		}
		if int64(len(got)) != head || got[0] != 1 || got[len(got)-1] != head {
			t.Fatalf("received %d positions (first %v), want 1..%d", len(got), got[:min(3, len(got))], head)
		}
	})
}

func webhookSourceHead(a interface{ DB() *store.DB }, school int) (int64, error) {
	return webhook.FeedSource{DB: a.DB()}.Head(context.Background(), school)
}
