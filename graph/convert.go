package graph

import (
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/graph/model"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/list"
)

// This file turns the import engine's types and refusals into the API's.

// gqlError is the GraphQL error of a refusal: its Dutch message, and code, messageEn and its
// extra fields in extensions.
func gqlError(e *apperr.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: e.Error(), Extensions: e.WireExtensions()}
}

func problems(ps []importer.Problem) []*model.ImportProblem {
	out := make([]*model.ImportProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, problem(p))
	}
	return out
}

func problem(p importer.Problem) *model.ImportProblem {
	m := &model.ImportProblem{Line: p.Line, Code: p.Code, Message: p.NL, MessageEn: p.EN}
	if p.Column != "" {
		c := p.Column
		m.Column = &c
	}
	return m
}

func counts(c importer.Counts) *model.ImportCounts {
	return &model.ImportCounts{Added: c.Added, Updated: c.Updated, Archived: c.Archived, Unchanged: c.Unchanged, Skipped: c.Skipped, Refused: c.Refused,
		Kept: c.Kept, Damaged: c.Damaged, GroupsJoined: c.GroupsJoined, GroupsLeft: c.GroupsLeft}
}

func damagedValues(ds []importer.DamagedValue) []*model.DamagedValue {
	out := make([]*model.DamagedValue, 0, len(ds))
	for _, d := range ds {
		out = append(out, &model.DamagedValue{Line: d.Line, Column: d.Column, Field: string(d.Field), Key: d.Key, Stored: d.Stored, File: d.File, Kept: d.Kept})
	}
	return out
}

func preview(p *importer.Plan) *model.ImportPreview {
	var actions []model.ImportAction
	if p.Actions.Add {
		actions = append(actions, model.ImportActionAdd)
	}
	if p.Actions.Update {
		actions = append(actions, model.ImportActionUpdate)
	}
	if p.Actions.Archive {
		actions = append(actions, model.ImportActionArchive)
	}
	g := p.Guard
	return &model.ImportPreview{
		Actions: actions, Counts: counts(p.Counts), ClassesToCreate: list.NonNil(p.ClassesToCreate),
		Refused: problems(p.Refused), Warnings: problems(p.Warnings), Plan: p,
		ArchiveGuard: &model.ArchiveGuard{ConfirmationRequired: g.ConfirmationRequired, ToArchive: g.ToArchive,
			ActivePupils: g.ActivePupils, ThresholdPercent: g.ThresholdPercent},
		YearGuard: &model.YearGuard{ConfirmationRequired: p.YearGuard.ConfirmationRequired, YearDown: p.YearGuard.YearDown,
			ActivePupils: p.YearGuard.ActivePupils, ThresholdPercent: p.YearGuard.ThresholdPercent},
	}
}

func report(r *importer.Report) *model.ImportReport {
	if r == nil {
		return nil
	}
	return &model.ImportReport{Counts: counts(r.Counts), ClassesCreated: list.NonNil(r.ClassesCreated), GroupsCreated: list.NonNil(r.GroupsCreated),
		Refused: problems(r.Refused), Warnings: problems(r.Warnings), DamagedValues: damagedValues(r.Damaged)}
}

var outcomes = map[importer.Outcome]model.PreviewOutcome{
	importer.OutcomeNew:       model.PreviewOutcomeNew,
	importer.OutcomeUpdated:   model.PreviewOutcomeUpdated,
	importer.OutcomeArchived:  model.PreviewOutcomeArchived,
	importer.OutcomeUnchanged: model.PreviewOutcomeUnchanged,
	importer.OutcomeSkipped:   model.PreviewOutcomeSkipped,
	importer.OutcomeRefused:   model.PreviewOutcomeRefused,
}

// maxPage bounds one page of preview users.
const maxPage = 500

// usersPage filters a plan's users by outcome and a search on key, name, class or group, and cuts a page.
func usersPage(p *importer.Plan, outcome *model.PreviewOutcome, search *string, offset, limit int) *model.PreviewUserPage {
	offset = max(offset, 0)
	limit = min(max(limit, 1), maxPage)
	q := ""
	if search != nil {
		q = strings.ToLower(strings.TrimSpace(*search))
	}
	page := &model.PreviewUserPage{Offset: offset, Items: []*model.PreviewUser{}}
	for i := range p.Users {
		u := &p.Users[i]
		if outcome != nil && outcomes[u.Outcome] != *outcome {
			continue
		}
		if q != "" && !matches(u, q) {
			continue
		}
		if page.Total >= offset && len(page.Items) < limit {
			page.Items = append(page.Items, previewUser(u))
		}
		page.Total++
	}
	return page
}

func matches(u *importer.PlannedUser, q string) bool {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), q) }
	return slices.ContainsFunc([]string{u.Key, u.FirstName, u.LastName, u.Infix + " " + u.LastName, u.FirstName + " " + u.LastName, u.Class, u.Email}, has) ||
		slices.ContainsFunc(u.Groups, has) || slices.ContainsFunc(u.MentorOf, has)
}

// sortedNames is a sorted copy of a list of group names, never nil.
func sortedNames(names []string) []string {
	out := slices.Clone(list.NonNil(names))
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

func previewUser(u *importer.PlannedUser) *model.PreviewUser {
	m := &model.PreviewUser{Outcome: outcomes[u.Outcome], Key: u.Key, FirstName: u.FirstName, Infix: u.Infix, LastName: u.LastName,
		ClassName: u.Class, Level: u.Level, Email: u.Email, Groups: sortedNames(u.Groups), MentorOf: sortedNames(u.MentorOf),
		Changes: []*model.FieldChange{}, Reasons: problems(u.Reasons)}
	if u.Line != 0 {
		l := u.Line
		m.Line = &l
	}
	if u.Year != 0 {
		y := u.Year
		m.Year = &y
	}
	for _, c := range u.Changes {
		m.Changes = append(m.Changes, &model.FieldChange{Field: c.Field, Before: c.Before, After: c.After})
	}
	return m
}

func progress(p jobs.Progress) *model.ImportProgress {
	m := &model.ImportProgress{JobID: p.JobID, Phase: string(p.Phase), Done: p.Done, Total: p.Total, Final: p.Final, Counts: &model.ImportCounts{}}
	m.Status = statusOf(p.Status)
	if p.Error != "" {
		e := p.Error
		m.Error = &e
	}
	return m
}

func jobCounts(j *ent.ImportJob) importer.Counts {
	return importer.Counts{Added: j.Added, Updated: j.Updated, Archived: j.Archived, Unchanged: j.Unchanged, Refused: j.Refused}
}
