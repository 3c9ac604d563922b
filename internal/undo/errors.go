package undo

import (
	"fmt"
	"strconv"

	"github.com/numo/accounts/internal/apperr"
)

// Error is a refusal the client can act on (see package apperr).
type Error = apperr.Error

// The codes of Error.
const (
	// CodeConflict refuses an undo because accounts changed after the import.
	CodeConflict = apperr.CodeUndoConflict
	// CodeInvalidState refuses an undo of a job that cannot be undone (any more).
	CodeInvalidState = apperr.CodeInvalidState
	// CodeNotFound means there is no such import job (for this viewer).
	CodeNotFound = apperr.CodeNotFound
)

func newError(code, nl, en string, ext map[string]any) *Error { return apperr.New(code, nl, en, ext) }

func errNotFound(jobID int) *Error {
	return newError(CodeNotFound, fmt.Sprintf("import %d niet gevonden", jobID), fmt.Sprintf("import %d not found", jobID), nil)
}

// refusal is why a job cannot be undone, in Dutch and English.
type refusal struct{ nl, en string }

func (r *refusal) err() *Error { return newError(CodeInvalidState, r.nl, r.en, nil) }

func errConflict(cs []Conflict) *Error {
	list := make([]map[string]any, len(cs))
	for i, c := range cs {
		list[i] = map[string]any{"accountId": strconv.Itoa(c.AccountID), "key": c.Key, "name": c.Name, "reason": c.Reason}
	}
	return newError(CodeConflict,
		fmt.Sprintf("%d accounts zijn na deze import gewijzigd. Maak de import ongedaan zonder die accounts (ze blijven zoals ze zijn), of laat de import staan.", len(cs)),
		fmt.Sprintf("%d accounts changed after this import. Undo it without those accounts (they stay as they are), or keep the import.", len(cs)),
		map[string]any{"conflicts": list})
}
