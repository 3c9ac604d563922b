package store_test

import (
	"context"
	"database/sql"
	"net/url"
	"sync"
	"testing"

	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestPingAfterServerDroppedConnections reproduces issue 10.15's /healthz that reported
// unhealthy after a PostgreSQL restart although the pool had recovered: the server ends every
// connection of the pool (as a restart does), and the very next health check must say healthy.
func TestPingAfterServerDroppedConnections(t *testing.T) {
	raw := testdb.URL(t, "postgres")
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", "numo_health_test_"+q.Get("search_path"))
	u.RawQuery = q.Encode()
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Fill the pool with idle connections.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db.SQL.Exec("SELECT pg_sleep(0.05)")
		}()
	}
	wg.Wait()
	if idle := db.SQL.Stats().Idle; idle < 2 {
		t.Fatalf("only %d idle connections to drop", idle)
	}
	admin, err := sql.Open("postgres", testdb.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ended int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
		q.Get("application_name")).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended < 2 {
		t.Fatalf("ended %d connections", ended)
	}
	if err := db.Ping(context.Background()); err != nil {
		t.Fatalf("the first health check after the server dropped the pool's connections: %v", err)
	}
}
