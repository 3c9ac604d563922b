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

// errGuard refuses a commit whose archive guard applies without the confirming count.
func errGuard(g importer.Guard) *apperr.Error {
	return errConfirm(apperr.CodeArchiveConfirmRequired, "toArchive", g.ToArchive, g.ActivePupils, g.ThresholdPercent,
		"Deze import archiveert %d van de %d actieve leerlingen, meer dan %d %%. Typ het aantal (%d) ter bevestiging.",
		"This import archives %d of %d active pupils, more than %d %%. Type the number (%d) to confirm.")
}

// errYearGuard refuses a commit whose year guard applies without the confirming count.
func errYearGuard(g importer.YearGuard) *apperr.Error {
	return errConfirm(apperr.CodeYearDownConfirmRequired, "yearDown", g.YearDown, g.ActivePupils, g.ThresholdPercent,
		"Deze import zet %d van de %d actieve leerlingen een leerjaar terug, meer dan %d %%. Is dit het bestand van vorig jaar? Controleer het bestand; klopt het, typ dan het aantal (%d) ter bevestiging.",
		"This import moves %d of %d active pupils back a school year, more than %d %%. Is this last year's file? Check the file; if it is right, type the number (%d) to confirm.")
}

// errConfirm is the error of a guard whose confirmation does not repeat its count: nl and en
// format the count, the active pupils, the threshold and the count again; key names the count
// in the error's extensions, beside activePupils and thresholdPercent.
func errConfirm(code, key string, count, active, threshold int, nl, en string) *apperr.Error {
	return apperr.New(code, fmt.Sprintf(nl, count, active, threshold, count), fmt.Sprintf(en, count, active, threshold, count),
		map[string]any{key: count, "activePupils": active, "thresholdPercent": threshold})
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
