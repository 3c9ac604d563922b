package jobs

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/importer"
)

// outcomeNL names an outcome for the admin.
var outcomeNL = map[importer.Outcome]string{
	importer.OutcomeNew:       "nieuw",
	importer.OutcomeUpdated:   "bijgewerkt",
	importer.OutcomeArchived:  "gearchiveerd",
	importer.OutcomeUnchanged: "ongewijzigd",
	importer.OutcomeSkipped:   "overgeslagen",
	importer.OutcomeRefused:   "geweigerd",
}

// WriteReportCSV writes a job's result as a CSV for Dutch Excel (UTF-8 with BOM, semicolons):
// one line per user with what happened and why, then the warnings. Every cell a spreadsheet
// would run as a formula is neutralised. It returns the file name to offer.
func (s *Service) WriteReportCSV(ctx context.Context, job *ent.ImportJob, w io.Writer) error {
	plan, err := s.Plan(ctx, job)
	if err != nil {
		return err
	}
	report, err := Report(job)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	write := func(cells ...string) {
		for i, c := range cells {
			cells[i] = neutralise(c)
		}
		cw.Write(cells) //nolint:errcheck // reported by cw.Error below
	}
	write("Regel", "Leerlingnummer", "Roepnaam", "Tussenvoegsel", "Achternaam", "Klas", "Uitkomst", "Wijzigingen of reden")
	if plan != nil {
		for _, u := range plan.Users {
			write(line(u.Line), u.Key, u.FirstName, u.Infix, u.LastName, u.Class, outcomeNL[u.Outcome], detail(u))
		}
	} else if report != nil {
		for _, p := range report.Refused {
			write(line(p.Line), "", "", "", "", "", outcomeNL[importer.OutcomeRefused], problemText(p))
		}
	}
	var warnings []importer.Problem
	switch {
	case report != nil:
		warnings = report.Warnings
	case plan != nil:
		warnings = plan.Warnings
	}
	for _, p := range warnings {
		write(line(p.Line), "", "", "", "", "", "waarschuwing", problemText(p))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write report of job %d: %w", job.ID, err)
	}
	return nil
}

func line(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func detail(u importer.PlannedUser) string {
	var parts []string
	for _, c := range u.Changes {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", c.Field, c.Before, c.After))
	}
	for _, r := range u.Reasons {
		parts = append(parts, problemText(r))
	}
	return strings.Join(parts, "; ")
}

func problemText(p importer.Problem) string {
	if p.Column != "" {
		return p.Column + ": " + p.NL
	}
	return p.NL
}

// neutralise keeps a spreadsheet from reading a cell as a formula: a cell starting with
// = + - @, a tab or a carriage return gets a leading apostrophe.
func neutralise(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}
