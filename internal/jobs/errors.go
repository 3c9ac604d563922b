package jobs

import (
	"fmt"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
)

func errNotFound(what string, id int) *apperr.Error {
	return apperr.NotFound(what, what, id)
}

// errUnknownReport answers a report download of a job that does not exist or that the
// viewer may not see (ReportHandler).
var errUnknownReport = apperr.New(apperr.CodeNotFound, "onbekende import", "unknown import", nil)

func errState(nl, en string) *apperr.Error { return apperr.New(apperr.CodeInvalidState, nl, en, nil) }

func errStale() *apperr.Error {
	return apperr.New(apperr.CodeStalePreview,
		"De accounts van de school zijn gewijzigd sinds het voorbeeld. Bekijk het voorbeeld opnieuw en importeer dan.",
		"The school's accounts changed since the preview. Preview again, then import.", nil)
}

func errGuard(g importer.Guard) *apperr.Error {
	return apperr.New(apperr.CodeArchiveConfirmRequired,
		fmt.Sprintf("Deze import archiveert %d van de %d actieve leerlingen, meer dan %d %%. Typ het aantal (%d) ter bevestiging.",
			g.ToArchive, g.ActivePupils, g.ThresholdPercent, g.ToArchive),
		fmt.Sprintf("This import archives %d of %d active pupils, more than %d %%. Type the number (%d) to confirm.",
			g.ToArchive, g.ActivePupils, g.ThresholdPercent, g.ToArchive),
		map[string]any{"toArchive": g.ToArchive, "activePupils": g.ActivePupils, "thresholdPercent": g.ThresholdPercent})
}

func errYearGuard(g importer.YearGuard) *apperr.Error {
	return apperr.New(apperr.CodeYearDownConfirmRequired,
		fmt.Sprintf("Deze import zet %d van de %d actieve leerlingen een leerjaar terug, meer dan %d %%. Is dit het bestand van vorig jaar? Controleer het bestand; klopt het, typ dan het aantal (%d) ter bevestiging.",
			g.YearDown, g.ActivePupils, g.ThresholdPercent, g.YearDown),
		fmt.Sprintf("This import moves %d of %d active pupils back a school year, more than %d %%. Is this last year's file? Check the file; if it is right, type the number (%d) to confirm.",
			g.YearDown, g.ActivePupils, g.ThresholdPercent, g.YearDown),
		map[string]any{"yearDown": g.YearDown, "activePupils": g.ActivePupils, "thresholdPercent": g.ThresholdPercent})
}

func problemsExt(ps []importer.Problem) []map[string]any {
	out := make([]map[string]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, map[string]any{"line": p.Line, "column": p.Column, "field": string(p.Field), "code": p.Code, "message": p.NL, "messageEn": p.EN})
	}
	return out
}

// ErrTooLarge refuses an upload over the configured maximum.
func ErrTooLarge(max int64) error {
	return apperr.New(apperr.CodeFileRejected,
		fmt.Sprintf("Het bestand is groter dan %d MB. Splits het of vraag de beheerder van Numo de grens te verhogen.", max>>20),
		fmt.Sprintf("The file is larger than %d MB.", max>>20), map[string]any{"reason": apperr.ProblemTooLarge})
}
