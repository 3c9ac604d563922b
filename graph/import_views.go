package graph

import (
	"context"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/list"
)

// maxSummaryList bounds each list of ImportClassSummary.
const maxSummaryList = 100

// classSummary is the API's view of a plan's summary per class (importer.ClassSummary).
func classSummary(p *importer.Plan) *model.ImportClassSummary {
	m := &model.ImportClassSummary{Moves: []*model.ClassMove{}, EmptyClasses: []string{}, NewClasses: []string{}}
	if p == nil || p.ClassSummary == nil {
		if p != nil {
			m.NewClasses = list.NonNil(p.ClassesToCreate[:min(len(p.ClassesToCreate), maxSummaryList)])
		}
		return m
	}
	s := p.ClassSummary
	m.MovesTotal, m.WithoutEmail = len(s.Moves), s.WithoutEmail
	for _, mv := range s.Moves[:min(len(s.Moves), maxSummaryList)] {
		m.Moves = append(m.Moves, &model.ClassMove{From: optional(mv.From), To: mv.To, Count: mv.Count})
	}
	m.EmptyClasses = list.NonNil(s.EmptyClasses[:min(len(s.EmptyClasses), maxSummaryList)])
	m.NewClasses = list.NonNil(s.NewClasses[:min(len(s.NewClasses), maxSummaryList)])
	return m
}

// mappingView reads a job's mapping state (jobs.Mapping) and shows each of its items as the
// API's model: never nil, an empty list where there are none.
func mappingView[T, M any](job *ent.ImportJob, items func(*jobs.MappingState) []T, view func(T) M) ([]M, error) {
	m, err := jobs.Mapping(job)
	if err != nil {
		return nil, err
	}
	out := []M{}
	for _, x := range items(m) {
		out = append(out, view(x))
	}
	return out, nil
}

// importColumns are a job's columns with their chosen fields (jobs.MappingState.ColumnViews).
func importColumns(job *ent.ImportJob) ([]*model.ImportColumn, error) {
	return mappingView(job, (*jobs.MappingState).ColumnViews, func(c jobs.ColumnView) *model.ImportColumn {
		return &model.ImportColumn{Index: c.Index, Header: c.Header, Samples: list.NonNil(c.Samples), Field: optional(c.Field), Confidence: c.Confidence}
	})
}

// levelValues are a job's unrecognised level values with their levels (jobs.MappingState.LevelValues).
func levelValues(job *ent.ImportJob) ([]*model.LevelValue, error) {
	return mappingView(job, (*jobs.MappingState).LevelValues, func(v jobs.LevelValue) *model.LevelValue {
		return &model.LevelValue{Value: v.Value, Count: v.Count, Level: optional(v.Level), Decided: v.Decided}
	})
}

// relay sends what conv makes of each value of in, until in closes, conv fails or ctx ends;
// then it closes the channel it returns (a subscription's end).
func relay[T, M any](ctx context.Context, in <-chan T, buffer int, conv func(T) (M, error)) <-chan M {
	out := make(chan M, buffer)
	go func() {
		defer close(out)
		for v := range in {
			m, err := conv(v)
			if err != nil {
				return
			}
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// optional is nil for "", else a pointer to s: an optional GraphQL string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
