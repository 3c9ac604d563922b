package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent/webhookendpoint"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/webhook"
)

// recordAt commits n entries of the school written at at and returns the last position.
func recordAt(t *testing.T, db *store.DB, schoolID int, at time.Time, n int) int64 {
	t.Helper()
	ids := make([]int, n)
	for i := range ids {
		ids[i] = 900_000_000 + i // no such accounts: DELETE entries
	}
	ctx := auth.System(context.Background())
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	last, err := feed.Record(ctx, tx, db.Dialect, schoolID, feed.OriginManual, 0, at, feed.Touched{Accounts: ids})
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// TestCursorTooOld: a webhook whose cursor lies before what the feed keeps (the retention
// pruned the changes after it) is paused as FAILING with CURSOR_TOO_OLD as its last error and
// nothing is posted; from a cursor at the kept entries it delivers them.
func TestCursorTooOld(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rc := &receiver{script: func(int, http.ResponseWriter, *http.Request) int { return 200 }}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := endpoint(t, db, srv.URL)
		now := time.Now()
		floor := recordAt(t, db, ep.SchoolID, now.AddDate(0, 0, -100), 4)
		head := recordAt(t, db, ep.SchoolID, now, 3)
		sys := auth.System(context.Background())
		if _, err := feed.Prune(sys, db, now.AddDate(0, 0, -90)); err != nil {
			t.Fatal(err)
		}
		d := webhook.New(db, webhook.Options{Source: webhook.FeedSource{DB: db}, Guard: loopback})
		d.RunOnce(context.Background())
		got := cursorOf(t, db, ep.ID)
		if got.Status != webhookendpoint.StatusFAILING || !strings.HasPrefix(got.LastError, apperr.CodeCursorTooOld+": ") || got.Cursor != 0 {
			t.Fatalf("status %s, last error %q, cursor %d; want FAILING with CURSOR_TOO_OLD at 0", got.Status, got.LastError, got.Cursor)
		}
		if n := len(rc.requests()); n != 0 {
			t.Errorf("%d requests sent from a cursor too old", n)
		}

		db.Client.WebhookEndpoint.UpdateOneID(ep.ID).SetCursor(floor).SetStatus(webhookendpoint.StatusACTIVE).SetNextAttemptAt(now).ExecX(sys)
		until(t, func() { d.RunOnce(context.Background()) }, func() bool { return cursorOf(t, db, ep.ID).Cursor == head })
		if r := rc.requests(); len(r) != 1 || r[0].positions[0] != floor+1 {
			t.Errorf("requests %v, want one from %d", r, floor+1)
		}
	})
}
