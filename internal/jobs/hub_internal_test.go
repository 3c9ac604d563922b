package jobs

import (
	"testing"
	"time"
)

// TestFanoutGap: a feed's intermediate deliveries stay at about 250 a second however many
// watch it (each is a GraphQL execution and a websocket frame on the CPU of the commit they
// watch), while a few watchers still see progress every publishEvery.
func TestFanoutGap(t *testing.T) {
	for _, c := range []struct {
		watchers int
		want     time.Duration
	}{
		{1, publishEvery},
		{25, publishEvery},
		{100, 400 * time.Millisecond},
		{2000, 8 * time.Second},
	} {
		got := fanoutGap(c.watchers)
		if got != c.want {
			t.Errorf("%d watchers: a delivery every %v, want %v", c.watchers, got, c.want)
		}
		if perSecond := float64(c.watchers) / got.Seconds(); perSecond > 250 {
			t.Errorf("%d watchers: %.0f deliveries a second, want at most 250", c.watchers, perSecond)
		}
	}
}
