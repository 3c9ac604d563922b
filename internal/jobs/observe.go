package jobs

import (
	"context"
	"sync"

	"github.com/numo/accounts/internal/importer"
)

// PhaseObserver is told about the phases of each import commit (PhasePlanning, PhaseWriting):
// metrics (internal/metrics) and traces (internal/tracing) implement it.
type PhaseObserver interface {
	// ImportPhase is called when a commit enters phase; the function it returns is called
	// once, when the commit leaves it, with the rows the phase handled (its last progress
	// count) and the commit's error if it ended in that phase.
	ImportPhase(ctx context.Context, jobID int, phase string) func(rows int, err error)
}

// phaseTrack turns a commit's progress events into phase starts and ends for the observers.
type phaseTrack struct {
	ctx   context.Context
	obs   []PhaseObserver
	jobID int

	mu    sync.Mutex
	phase string
	rows  int
	ends  []func(int, error)
}

func newPhaseTrack(ctx context.Context, obs []PhaseObserver, jobID int) *phaseTrack {
	return &phaseTrack{ctx: ctx, obs: obs, jobID: jobID}
}

// progress notes a progress event: a new phase ends the one before.
func (t *phaseTrack) progress(p importer.Progress) {
	if len(t.obs) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p.Phase != t.phase {
		t.endLocked(nil)
		t.phase, t.rows = p.Phase, 0
		for _, o := range t.obs {
			t.ends = append(t.ends, o.ImportPhase(t.ctx, t.jobID, p.Phase))
		}
	}
	t.rows = max(t.rows, p.Done)
}

// finish ends the phase the commit is in with its outcome.
func (t *phaseTrack) finish(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.endLocked(err)
}

func (t *phaseTrack) endLocked(err error) {
	for _, end := range t.ends {
		end(t.rows, err)
	}
	t.ends = nil
}
