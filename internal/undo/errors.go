package undo

import (
	"fmt"
	"strconv"

	"github.com/numo/accounts/internal/apperr"
)

func errNotFound(jobID int) *apperr.Error {
	return apperr.New(apperr.CodeNotFound, fmt.Sprintf("import %d niet gevonden", jobID), fmt.Sprintf("import %d not found", jobID), nil)
}

// refusal is why a job cannot be undone, in Dutch and English.
type refusal struct{ nl, en string }

func (r *refusal) err() *apperr.Error { return apperr.New(apperr.CodeInvalidState, r.nl, r.en, nil) }

func errConflict(cs []Conflict) *apperr.Error {
	list := make([]map[string]any, len(cs))
	for i, c := range cs {
		list[i] = map[string]any{"accountId": strconv.Itoa(c.AccountID), "key": c.Key, "name": c.Name, "reason": c.Reason}
	}
	return apperr.New(apperr.CodeUndoConflict,
		fmt.Sprintf("%d accounts zijn na deze import gewijzigd. Maak de import ongedaan zonder die accounts (ze blijven zoals ze zijn), of laat de import staan.", len(cs)),
		fmt.Sprintf("%d accounts changed after this import. Undo it without those accounts (they stay as they are), or keep the import.", len(cs)),
		map[string]any{"conflicts": list})
}
