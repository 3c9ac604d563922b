package pubsub_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// newBus opens the database at url as a numo process does and returns its progress bus.
func newBus(t *testing.T, url string) pubsub.Bus {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bus, err := db.Bus(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus
}

// subscribeBoth subscribes to topic on both buses until the test ends.
func subscribeBoth(t *testing.T, ctx context.Context, a, b pubsub.Bus, topic int) (inA, inB <-chan pubsub.Event) {
	inA, stopA := a.Subscribe(ctx, topic)
	t.Cleanup(stopA)
	inB, stopB := b.Subscribe(ctx, topic)
	t.Cleanup(stopB)
	return inA, inB
}

// TestPostgresSchemas: two installations share one PostgreSQL database in two schemas, where
// the topics (ent ids) repeat. An event published in one reaches its own subscribers only: a
// watcher of job 7 in the other schema never hears that "job 7" ended.
func TestPostgresSchemas(t *testing.T) {
	a, b := newBus(t, testdb.URL(t, "postgres")), newBus(t, testdb.URL(t, "postgres"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inA, inB := subscribeBoth(t, ctx, a, b, 7)
	if err := a.Publish(ctx, pubsub.Event{Topic: 7, Data: json.RawMessage(`"a"`)}); err != nil {
		t.Fatal(err)
	}
	// Published after A's: were A's to reach B, it would come first.
	if err := b.Publish(ctx, pubsub.Event{Topic: 7, Data: json.RawMessage(`"b"`)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   <-chan pubsub.Event
		want string
	}{{"A", inA, `"a"`}, {"B", inB, `"b"`}} {
		select {
		case e := <-c.in:
			if string(e.Data) != c.want {
				t.Errorf("schema %s's subscriber got %s first, want its own %s", c.name, e.Data, c.want)
			}
		case <-ctx.Done():
			t.Fatalf("schema %s's subscriber got nothing", c.name)
		}
	}
}

// TestPostgresAcrossConnections: two processes (two buses, each with its own LISTEN
// connection) on one schema: an event published by one reaches the other's subscriber and
// its own, through PostgreSQL.
func TestPostgresAcrossConnections(t *testing.T) {
	url := testdb.URL(t, "postgres")
	a, b := newBus(t, url), newBus(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inA, inB := subscribeBoth(t, ctx, a, b, 9)
	if err := a.Publish(ctx, pubsub.Event{Topic: 9, Data: json.RawMessage(`"from a"`)}); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]<-chan pubsub.Event{"b": inB, "a": inA} {
		select {
		case e := <-in:
			if string(e.Data) != `"from a"` {
				t.Errorf("bus %s got %s", name, e.Data)
			}
		case <-ctx.Done():
			t.Fatalf("bus %s got nothing", name)
		}
	}
}
