package jobs

import (
	"fmt"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
)

// Error is a refusal the client can act on (see package apperr).
type Error = apperr.Error

// The codes of Error (declared in apperr, listed in docs/errors.md).
const (
	CodeFileRejected           = apperr.CodeFileRejected
	CodeMappingInvalid         = apperr.CodeMappingInvalid
	CodeArchiveConfirmRequired = apperr.CodeArchiveConfirmRequired
	// CodeYearDownConfirmRequired refuses a commit that moves many pupils back a leerjaar unconfirmed.
	CodeYearDownConfirmRequired = apperr.CodeYearDownConfirmRequired
	CodeStalePreview            = apperr.CodeStalePreview
	CodeNotFound                = apperr.CodeNotFound
	CodeInvalidState            = apperr.CodeInvalidState
	CodeInvalidInput            = apperr.CodeInvalidInput
)

func newError(code, nl, en string, ext map[string]any) *Error { return apperr.New(code, nl, en, ext) }

func errNotFound(what string, id int) *Error {
	return apperr.NotFound(what, what, id)
}

// errUnknownReport answers a report download of a job that does not exist or that the
// viewer may not see (ReportHandler).
var errUnknownReport = newError(CodeNotFound, "onbekende import", "unknown import", nil)

func errState(nl, en string) *Error { return newError(CodeInvalidState, nl, en, nil) }

func errStale() *Error {
	return newError(CodeStalePreview,
		"De accounts van de school zijn gewijzigd sinds het voorbeeld. Bekijk het voorbeeld opnieuw en importeer dan.",
		"The school's accounts changed since the preview. Preview again, then import.", nil)
}

func errGuard(g importer.Guard) *Error {
	return newError(CodeArchiveConfirmRequired,
		fmt.Sprintf("Deze import archiveert %d van de %d actieve leerlingen, meer dan %d %%. Typ het aantal (%d) ter bevestiging.",
			g.ToArchive, g.ActivePupils, g.ThresholdPercent, g.ToArchive),
		fmt.Sprintf("This import archives %d of %d active pupils, more than %d %%. Type the number (%d) to confirm.",
			g.ToArchive, g.ActivePupils, g.ThresholdPercent, g.ToArchive),
		map[string]any{"toArchive": g.ToArchive, "activePupils": g.ActivePupils, "thresholdPercent": g.ThresholdPercent})
}

func errYearGuard(g importer.YearGuard) *Error {
	return newError(CodeYearDownConfirmRequired,
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
	return newError(CodeFileRejected,
		fmt.Sprintf("Het bestand is groter dan %d MB. Splits het of vraag de beheerder van Numo de grens te verhogen.", max>>20),
		fmt.Sprintf("The file is larger than %d MB.", max>>20), map[string]any{"reason": apperr.ProblemTooLarge})
}
