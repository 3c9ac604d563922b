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
	CodeStalePreview           = apperr.CodeStalePreview
	CodeNotFound               = apperr.CodeNotFound
	CodeInvalidState           = apperr.CodeInvalidState
	CodeInvalidInput           = apperr.CodeInvalidInput
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
