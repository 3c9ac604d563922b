// Package model holds the GraphQL types that are not ent entities; models_gen.go is generated
// by gqlgen, the rest is hand-written.
package model

import "github.com/numo/accounts/internal/importer"

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
}
