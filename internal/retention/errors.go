package retention

import "fmt"

// Error is a refusal the client can act on: a stable code, a Dutch message and extensions
// (messageEn). The GraphQL layer shows it as is.
type Error struct {
	code    string
	message string
	ext     map[string]any
}

// The codes of Error.
const (
	// CodeNotFound means there is no such account or school (for this viewer).
	CodeNotFound = "NOT_FOUND"
	// CodeInvalidState refuses an action the account's state does not allow.
	CodeInvalidState = "INVALID_STATE"
	// CodeInvalidInput refuses a setting out of its range.
	CodeInvalidInput = "INVALID_INPUT"
)

func (e *Error) Error() string { return e.message }

// Code is the stable machine-readable code.
func (e *Error) Code() string { return e.code }

// Extensions are the extra fields for the client (messageEn, field).
func (e *Error) Extensions() map[string]any { return e.ext }

func newError(code, nl, en string, ext map[string]any) *Error {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["messageEn"] = en
	return &Error{code: code, message: nl, ext: ext}
}

func errNotFound(what, wat string, id int) *Error {
	return newError(CodeNotFound, fmt.Sprintf("%s %d niet gevonden", wat, id), fmt.Sprintf("%s %d not found", what, id), nil)
}
