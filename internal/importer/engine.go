package importer

import (
	"context"
	"fmt"

	"github.com/numo/accounts/internal/store"
)

// Prepared is an uploaded file read and validated under a mapping: everything a plan needs
// besides the live accounts.
type Prepared struct {
	File    *File
	Mapping Mapping
	Result  *Result
	Input   PlanInput
}

// Prepare parses data, maps it (with the proposed mapping when m is nil) and validates every
// row. Whole-file refusals are *FileError, an unusable mapping *MappingError.
func Prepare(data []byte, m Mapping, levels map[string]Level) (*Prepared, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = MappingFromMatches(ProposeMapping(f.Columns))
	}
	res, err := BuildRecords(Input{File: f, Mapping: m, LevelMap: levels})
	if err != nil {
		return nil, err
	}
	return &Prepared{File: f, Mapping: m, Result: res, Input: NewPlanInput(f, m, res)}, nil
}

// PrepareAndPlan prepares a file with prepare while it reads the school's live accounts, and
// plans the one against the other, without writing. The two overlap (on two cores, a board's
// 100,000 rows are parsed while its 100,000 accounts and 800,000 memberships are read): a
// preview is the admin's wait. A refused file is prepare's error; the read is then dropped.
func PrepareAndPlan(ctx context.Context, db *store.DB, schoolID int, prepare func() (*Prepared, error), actions Actions) (*Prepared, *Plan, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type loaded struct {
		st  *State
		err error
	}
	ch := make(chan loaded, 1)
	go func() {
		st, err := LoadState(ctx, db.SQL, db.Dialect, schoolID)
		ch <- loaded{st, err}
	}()
	p, err := prepare()
	if err != nil {
		cancel()
		<-ch
		return nil, nil, err
	}
	l := <-ch
	if l.err != nil {
		return nil, nil, fmt.Errorf("plan: %w", l.err)
	}
	return p, MakePlan(p.Input, l.st, actions), nil
}

// PlanFor plans a prepared file against the school's live accounts, without writing.
func PlanFor(ctx context.Context, db *store.DB, schoolID int, p *Prepared, actions Actions) (*Plan, error) {
	st, err := LoadState(ctx, db.SQL, db.Dialect, schoolID)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	return MakePlan(p.Input, st, actions), nil
}
