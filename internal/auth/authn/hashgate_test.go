package authn

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A sign-in that finds every hash slot taken waits, then answers ErrBusy instead of piling up
// another 64 MiB.
func TestHashGateBusy(t *testing.T) {
	g := newHashGate(2, 50*time.Millisecond)
	g.slots <- struct{}{} // two hashes already running
	g.slots <- struct{}{}
	ran := false
	if err := g.do(context.Background(), func() { ran = true }); !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("do with every slot taken = %v (ran %v), want ErrBusy without running", err, ran)
	}
	<-g.slots // one finishes
	if err := g.do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Fatalf("do with a free slot = %v (ran %v)", err, ran)
	}
	if g.peak != 1 || g.running != 0 {
		t.Fatalf("peak %d running %d, want 1 and 0", g.peak, g.running)
	}
}
