package graph

import (
	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/list"
)

// importColumns are a job's columns with their chosen fields (jobs.MappingState.ColumnViews).
func importColumns(job *ent.ImportJob) ([]*model.ImportColumn, error) {
	m, err := jobs.Mapping(job)
	if err != nil {
		return nil, err
	}
	out := []*model.ImportColumn{}
	for _, c := range m.ColumnViews() {
		out = append(out, &model.ImportColumn{Index: c.Index, Header: c.Header, Samples: list.NonNil(c.Samples), Field: optional(c.Field), Confidence: c.Confidence})
	}
	return out, nil
}

// levelValues are a job's unrecognised level values with their levels (jobs.MappingState.LevelValues).
func levelValues(job *ent.ImportJob) ([]*model.LevelValue, error) {
	m, err := jobs.Mapping(job)
	if err != nil {
		return nil, err
	}
	out := []*model.LevelValue{}
	for _, v := range m.LevelValues() {
		out = append(out, &model.LevelValue{Value: v.Value, Count: v.Count, Level: optional(v.Level), Decided: v.Decided})
	}
	return out, nil
}

// optional is nil for "", else a pointer to s: an optional GraphQL string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
