package jobs

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/pubsub"
)

// Progress is one progress event of a job.
type Progress struct {
	JobID  int    `json:"jobId"`
	Status string `json:"status"`
	Phase  Phase  `json:"phase"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Final  bool   `json:"final"`
	Error  string `json:"error,omitempty"`

	// Job is the job's row on a final event from Subscribe, read once for all its subscribers
	// in this process (nil when that read failed); shared: read-only.
	Job *ent.ImportJob `json:"-"`
	// Report is Job's decoded report (nil before a commit); shared: read-only.
	Report *importer.Report `json:"-"`
}

func (s *Service) publish(jobID int, p Progress) {
	p.JobID = jobID
	data, _ := json.Marshal(p) // plain fields: cannot fail
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.bus.Publish(ctx, pubsub.Event{Topic: jobID, Data: data}); err != nil {
		s.log.Warn("publish import progress", "job", jobID, "err", err)
	}
}

// publisher sends a commit's progress at most every publishEvery, and also writes it (and the
// heartbeat) to the job row, so that late subscribers and other processes see it. On SQLite
// it writes between the commit's steps.
type publisher struct {
	s      *Service
	jobID  int
	mu     sync.Mutex
	latest importer.Progress
	dirty  bool
	wake   chan struct{}
	done   chan struct{}
	once   sync.Once
	exited chan struct{}
}

const publishEvery = 100 * time.Millisecond

func newPublisher(s *Service, jobID int) *publisher {
	p := &publisher{s: s, jobID: jobID, wake: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	go p.loop()
	return p
}

func (p *publisher) progress(pr importer.Progress) {
	p.mu.Lock()
	p.latest, p.dirty = pr, true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *publisher) stop() {
	p.once.Do(func() { close(p.done) })
	<-p.exited
}

func (p *publisher) loop() {
	defer close(p.exited)
	heartbeat := time.NewTicker(p.s.HeartbeatInterval)
	defer heartbeat.Stop()
	last := time.Time{}
	for {
		select {
		case <-p.done:
			return
		case <-heartbeat.C:
			p.write(nil)
			continue
		case <-p.wake:
		}
		if wait := publishEvery - time.Since(last); wait > 0 {
			select {
			case <-p.done:
				return
			case <-time.After(wait):
			}
		}
		p.mu.Lock()
		pr, dirty := p.latest, p.dirty
		p.dirty = false
		p.mu.Unlock()
		if !dirty {
			continue
		}
		last = time.Now()
		p.s.log.Debug("import progress", "job", p.jobID, "phase", pr.Phase, "done", pr.Done, "total", pr.Total)
		p.write(&pr)
		p.s.publish(p.jobID, Progress{Status: string(importjob.StatusCOMMITTING), Phase: Phase(pr.Phase), Done: pr.Done, Total: pr.Total})
	}
}

// write stores the progress and the heartbeat on the job row.
func (p *publisher) write(pr *importer.Progress) {
	ctx, cancel := context.WithTimeout(p.s.ctx, 5*time.Second)
	defer cancel()
	u := p.s.db.Client.ImportJob.Update().Where(importjob.ID(p.jobID), importjob.StatusEQ(importjob.StatusCOMMITTING)).
		SetHeartbeatAt(time.Now())
	if pr != nil {
		u = u.SetPhase(pr.Phase).SetProgressDone(pr.Done).SetProgressTotal(pr.Total)
	}
	if err := u.Exec(ctx); err != nil && ctx.Err() == nil {
		p.s.log.Warn("write import progress", "job", p.jobID, "err", err)
	}
}

// Current is a job's progress as stored.
func Current(j *ent.ImportJob) Progress {
	p := Progress{JobID: j.ID, Status: string(j.Status), Phase: Phase(j.Phase), Done: j.ProgressDone, Total: j.ProgressTotal, Error: j.Error}
	switch j.Status {
	case importjob.StatusCOMMITTED, importjob.StatusFAILED, importjob.StatusUNDONE:
		p.Final = true
	}
	if j.Status == importjob.StatusCOMMITTED && p.Total == 0 {
		p.Done, p.Total = 0, 0
	}
	return p
}
