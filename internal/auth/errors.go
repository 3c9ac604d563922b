package auth

import "github.com/numo/accounts/internal/apperr"

var (
	// ErrUnauthenticated means nobody is signed in (or the session or token is no longer valid).
	ErrUnauthenticated = apperr.New(apperr.CodeUnauthenticated, "Log eerst in.", "Sign in first.", nil)
	// ErrForbidden means the viewer may not do this.
	ErrForbidden = apperr.New(apperr.CodeForbidden, "Dat mag u niet met dit account.", "This account may not do that.", nil)
)
