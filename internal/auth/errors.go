package auth

import "github.com/numo/accounts/internal/apperr"

var (
	// ErrUnauthenticated means nobody is signed in (or the session or token is no longer valid).
	ErrUnauthenticated = apperr.ErrUnauthenticated
	// ErrForbidden means the viewer may not do this.
	ErrForbidden = apperr.ErrForbidden
)
