// Package model holds the GraphQL types that are not ent entities; models_gen.go is generated
// by gqlgen, the rest is hand-written.
package model

import (
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

// ImportPreview is a stored plan as the API shows it; its users are paged from Plan.
type ImportPreview struct {
	Actions         []ImportAction   `json:"actions"`
	Counts          *ImportCounts    `json:"counts"`
	ClassesToCreate []string         `json:"classesToCreate"`
	Refused         []*ImportProblem `json:"refused"`
	Warnings        []*ImportProblem `json:"warnings"`
	ArchiveGuard    *ArchiveGuard    `json:"archiveGuard"`
	YearGuard       *YearGuard       `json:"yearGuard"`
	// Plan is the whole plan the page of users comes from.
	Plan *importer.Plan `json:"-"`
	// Origins, for a roster set's job, map the plan's lines to the set's files and lines.
	Origins *jobs.Origins `json:"-"`
}
