package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
)

// prepare reads a job's file under its mapping, as the kind of file the job holds.
func prepare(job *ent.ImportJob, content []byte) (*importer.Prepared, error) {
	m, err := Mapping(job)
	if err != nil {
		return nil, err
	}
	p, err := importer.PrepareFor(content, KindOf(job), m.Chosen, m.Levels)
	if err != nil {
		return nil, mappingRefusal(job, err)
	}
	if err := CheckLevels(p.Result, m.OtherNoLevel); err != nil {
		return nil, err
	}
	return p, nil
}

// mappingRefusal is the error of a file that could not be read under the job's mapping: an
// unusable mapping is MAPPING_INVALID with its problems.
func mappingRefusal(job *ent.ImportJob, err error) error {
	var me *importer.MappingError
	if errors.As(err, &me) {
		return apperr.New(apperr.CodeMappingInvalid, me.Error(), "the mapping is not valid", map[string]any{"problems": problemsExt(me.Problems)})
	}
	return fmt.Errorf("job %d: %w", job.ID, err)
}

// PrepareFile is importer.PrepareFor for a file parsed already (numo import): it reads the
// file's records as kind k under the mapping m and the level decisions.
func PrepareFile(f *importer.File, m importer.Mapping, levels map[string]importer.Level, k importer.Kind) (*importer.Prepared, error) {
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m, LevelMap: levels, Kind: k})
	if err != nil {
		return nil, err
	}
	return &importer.Prepared{File: f, Mapping: m, Result: res, Input: importer.NewPlanInput(f, m, res)}, nil
}

// ParseActions turns API action names (ADD, UPDATE, ARCHIVE) into Actions.
func ParseActions(names []string) (importer.Actions, error) {
	var a importer.Actions
	for _, n := range names {
		switch strings.ToUpper(n) {
		case "ADD":
			a.Add = true
		case "UPDATE":
			a.Update = true
		case "ARCHIVE":
			a.Archive = true
		default:
			return a, apperr.New(apperr.CodeInvalidInput, fmt.Sprintf("onbekende actie %q", n), fmt.Sprintf("unknown action %q", n), nil)
		}
	}
	if !a.Any() {
		return a, apperr.New(apperr.CodeInvalidInput, "Kies minstens één actie: toevoegen, bijwerken of archiveren.",
			"Choose at least one action: add, update or archive.", nil)
	}
	return a, nil
}

// Preview plans the job for the actions against the school's live accounts and stores the
// plan, so that any process can page through it and commit it.
func (s *Service) Preview(ctx context.Context, jobID int, actions importer.Actions) (*importer.Plan, error) {
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if err := CheckAppActions(job, actions); err != nil {
		return nil, err // a job made on a class page keeps its own actions
	}
	ctx = auth.System(ctx)
	corr, err := s.JobCorrections(ctx, job)
	if err != nil {
		return nil, err
	}
	_, plan, err := importer.PrepareAndPlan(ctx, s.db, job.SchoolID, func() (*importer.Prepared, error) { return prepareCorrected(job, content, corr) }, actions)
	if err != nil {
		return nil, err // prepare's refusal as it is; a failed read says "plan: …"
	}
	blob, err := jobfile.EncodePlan(plan)
	if err != nil {
		return nil, err
	}
	c := plan.Counts
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("preview job %d: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	_, err = tx.ImportJob.UpdateOneID(jobID).
		Where(importjob.StatusNotIn(importjob.StatusCOMMITTING, importjob.StatusCOMMITTED, importjob.StatusUNDONE)).
		SetPlanHash(plan.Hash).SetActions(actionNames(actions)).SetStatus(importjob.StatusPREVIEWED).
		SetAdded(c.Added).SetUpdated(c.Updated).SetArchived(c.Archived).SetUnchanged(c.Unchanged).SetRefused(c.Refused).
		SetPhase(string(PhasePreviewed)).SetError("").Save(ctx)
	if ent.IsNotFound(err) {
		return nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	} else if err != nil {
		return nil, fmt.Errorf("preview job %d: save plan: %w", jobID, err)
	}
	if err := putBlob(ctx, tx.Client(), jobID, importblob.KindPLAN, blob); err != nil {
		return nil, fmt.Errorf("preview job %d: save plan: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("preview job %d: %w", jobID, err)
	}
	s.plans.put(jobID, plan)
	return plan, nil
}

func actionNames(a importer.Actions) []string {
	var n []string
	if a.Add {
		n = append(n, "ADD")
	}
	if a.Update {
		n = append(n, "UPDATE")
	}
	if a.Archive {
		n = append(n, "ARCHIVE")
	}
	return n
}

// Plan returns a job's stored preview, nil when it has none.
func (s *Service) Plan(ctx context.Context, job *ent.ImportJob) (*importer.Plan, error) {
	if job.PlanHash == "" {
		return nil, nil
	}
	if p := s.plans.get(job.ID, job.PlanHash); p != nil {
		return p, nil
	}
	blob, err := s.blob(ctx, job.ID, importblob.KindPLAN)
	if err != nil || blob == nil {
		return nil, err
	}
	p, err := jobfile.DecodePlan(blob)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", job.ID, err)
	}
	s.plans.put(job.ID, p)
	return p, nil
}

// planCache keeps the last few decoded plans, so paging through a preview does not decode
// the whole plan for every page.
type planCache struct {
	mu    sync.Mutex
	max   int
	order []int
	plans map[int]*importer.Plan
}

func (c *planCache) get(jobID int, hash string) *importer.Plan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.plans[jobID]; p != nil && p.Hash == hash {
		return p
	}
	return nil
}

func (c *planCache) put(jobID int, p *importer.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans == nil {
		c.plans = map[int]*importer.Plan{}
	}
	if _, ok := c.plans[jobID]; !ok {
		c.order = append(c.order, jobID)
	}
	c.plans[jobID] = p
	for len(c.order) > c.max {
		delete(c.plans, c.order[0])
		c.order = c.order[1:]
	}
}
