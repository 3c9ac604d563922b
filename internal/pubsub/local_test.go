package pubsub_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/numo/accounts/internal/pubsub"
)

func event(topic, n int) pubsub.Event {
	return pubsub.Event{Topic: topic, Data: json.RawMessage(strconv.Itoa(n))}
}

// receive reads from in until it gets want or the deadline passes; it returns what it read.
func receive(t *testing.T, ctx context.Context, in <-chan pubsub.Event, want string) []string {
	t.Helper()
	var got []string
	for {
		select {
		case e, ok := <-in:
			if !ok {
				t.Fatalf("channel closed after %v, want %s", got, want)
			}
			got = append(got, string(e.Data))
			if string(e.Data) == want {
				return got
			}
		case <-ctx.Done():
			t.Fatalf("got %v, never %s", got, want)
		}
	}
}

// TestLocalConflation: a subscriber that does not read while 1,000 events are published gets
// at most the one it was holding and then the newest, never a backlog; another topic's
// subscriber hears none of them; ending a subscription closes its channel and forgets it.
func TestLocalConflation(t *testing.T) {
	bus := pubsub.NewLocal()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	slow, stopSlow := bus.Subscribe(ctx, 1)
	other, stopOther := bus.Subscribe(ctx, 2)
	if n := bus.Subscribers(); n != 2 {
		t.Fatalf("%d subscribers, want 2", n)
	}
	for i := 1; i <= 1000; i++ {
		if err := bus.Publish(ctx, event(1, i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := receive(t, ctx, slow, "1000"); len(got) > 2 {
		t.Errorf("a slow subscriber got %d events %v, want at most 2 ending in 1000", len(got), got)
	}
	select {
	case e := <-other:
		t.Errorf("topic 2 heard %s of topic 1", e.Data)
	default:
	}
	// A later event still arrives.
	bus.Publish(ctx, event(1, 1001))
	receive(t, ctx, slow, "1001")

	stopSlow()
	for range slow { // drained until closed
	}
	if n := bus.Subscribers(); n != 1 {
		t.Errorf("%d subscribers after one ended, want 1", n)
	}
	stopOther()
	for range other {
	}
	if n := bus.Subscribers(); n != 0 {
		t.Errorf("%d subscribers after both ended, want 0", n)
	}
}

// TestLocalEndsWithContext: a subscription ends when its context does.
func TestLocalEndsWithContext(t *testing.T) {
	bus := pubsub.NewLocal()
	ctx, cancel := context.WithCancel(context.Background())
	in, stop := bus.Subscribe(ctx, 3)
	defer stop()
	cancel()
	for range in {
	}
	if n := bus.Subscribers(); n != 0 {
		t.Errorf("%d subscribers after the context ended, want 0", n)
	}
}
