package retention

import (
	"fmt"

	"github.com/numo/accounts/internal/apperr"
)

// Error is a refusal the client can act on (see package apperr).
type Error = apperr.Error

// The codes of Error.
const (
	// CodeNotFound means there is no such account or school (for this viewer).
	CodeNotFound = apperr.CodeNotFound
	// CodeInvalidState refuses an action the account's state does not allow.
	CodeInvalidState = apperr.CodeInvalidState
	// CodeInvalidInput refuses a setting out of its range.
	CodeInvalidInput = apperr.CodeInvalidInput
)

func newError(code, nl, en string, ext map[string]any) *Error { return apperr.New(code, nl, en, ext) }

// errUnknownAccount answers the download of an account's export that does not exist or that
// the viewer may not see (ExportHandler).
var errUnknownAccount = newError(CodeNotFound, "onbekend account", "unknown account", nil)

func errNotFound(what, wat string, id int) *Error {
	return newError(CodeNotFound, fmt.Sprintf("%s %d niet gevonden", wat, id), fmt.Sprintf("%s %d not found", what, id), nil)
}
