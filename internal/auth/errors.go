package auth

// Error is an authorisation refusal with a stable code for the API (extensions.code).
type Error struct{ code, nl, en string }

func (e *Error) Error() string { return e.nl }

// Code is the stable machine-readable code.
func (e *Error) Code() string { return e.code }

// Extensions are the extra fields for the client.
func (e *Error) Extensions() map[string]any { return map[string]any{"messageEn": e.en} }

var (
	// ErrUnauthenticated means nobody is signed in (or the session or token is no longer valid).
	ErrUnauthenticated = &Error{"UNAUTHENTICATED", "Log eerst in.", "Sign in first."}
	// ErrForbidden means the viewer may not do this.
	ErrForbidden = &Error{"FORBIDDEN", "Dat mag u niet met dit account.", "This account may not do that."}
)
