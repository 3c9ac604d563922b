// Package apperr is the one shape of a refusal that a client can act on: a stable code, a
// plain Dutch message, its English translation and extra fields. The GraphQL error presenter
// shows such errors as they are (extensions.code = Code); anything else is an internal error.
package apperr

// Error is a refusal with a stable code.
type Error struct {
	code    string
	message string
	ext     map[string]any
}

// Codes shared by several packages; packages add their own (FILE_REJECTED, UNDO_CONFLICT, …).
const (
	CodeNotFound        = "NOT_FOUND"
	CodeInvalidState    = "INVALID_STATE"
	CodeInvalidInput    = "INVALID_INPUT"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
)

// New returns a refusal: nl is shown to the admin, en goes into extensions.messageEn.
func New(code, nl, en string, ext map[string]any) *Error {
	if ext == nil {
		ext = map[string]any{}
	}
	ext["messageEn"] = en
	return &Error{code: code, message: nl, ext: ext}
}

func (e *Error) Error() string { return e.message }

// Code is the stable machine-readable code.
func (e *Error) Code() string { return e.code }

// Extensions are the extra fields for the client, messageEn among them.
func (e *Error) Extensions() map[string]any { return e.ext }
