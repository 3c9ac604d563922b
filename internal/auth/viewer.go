// Package auth owns identities: who is asking (the viewer in the context), what they may do,
// passwords, sessions and API tokens. The rules themselves are enforced below the resolvers,
// in ent privacy policies and query interceptors (see ent/schema), which read the viewer from
// the context through this package.
package auth

import (
	"context"
	"errors"
	"slices"

	"entgo.io/ent/privacy"
)

// Role is what a signed-in account is.
type Role string

// The roles of an account.
const (
	RoleAdmin   Role = "ADMIN"
	RoleTeacher Role = "TEACHER"
	RolePupil   Role = "PUPIL"
)

// Scope is what an API token may do.
type Scope string

// The scopes of an API token.
const (
	ScopeReadRosters Scope = "READ_ROSTERS"
	ScopeRunImports  Scope = "RUN_IMPORTS"
)

// Viewer is who is asking: a signed-in account or an API token, always of one school.
type Viewer struct {
	AccountID  int     // 0 for an API token
	TokenID    int     // 0 for an account
	SessionID  int     // the session an account signed in with; 0 for a token
	SchoolID   int     // the school the viewer belongs to
	Role       Role    // the account's role; "" for a token
	Scopes     []Scope // the token's scopes; nil for an account
	Name       string  // for the audit log
	RemoteAddr string  // for the audit log and rate limits
	// MustChangePassword is set for an account signed in with a one-time password.
	MustChangePassword bool
}

type viewerKey struct{}

// NewContext returns ctx carrying the viewer.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer of ctx, nil when the caller is anonymous.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// System marks ctx as the product's own work (migrations, demo data, background commits,
// purges): privacy rules allow it everything. Never derive it from a request's context
// without having authorised the request first.
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// IsSystem reports whether ctx was marked by System. (ent reports an Allow decision as nil.)
func IsSystem(ctx context.Context) bool {
	d, ok := privacy.DecisionFromContext(ctx)
	return ok && (d == nil || errors.Is(d, privacy.Allow))
}

// IsToken reports whether the viewer is an API token.
func (v *Viewer) IsToken() bool { return v != nil && v.TokenID != 0 }

// Has reports whether a token viewer has the scope.
func (v *Viewer) Has(s Scope) bool { return v != nil && slices.Contains(v.Scopes, s) }

// IsAdminOf reports whether the viewer administers the school: an admin account of it, or a
// token of it that may run imports. An account that still has to change its one-time
// password administers nothing until it has.
func (v *Viewer) IsAdminOf(schoolID int) bool {
	if v == nil || v.SchoolID != schoolID || v.MustChangePassword {
		return false
	}
	if v.IsToken() {
		return v.Has(ScopeRunImports)
	}
	return v.Role == RoleAdmin
}

// CanReadSchool reports whether the viewer may read the school's classes and rosters as a
// whole: its admins and its read tokens (not an admin that still has to change its one-time
// password: the rules then narrow every read to the account itself).
func (v *Viewer) CanReadSchool(schoolID int) bool {
	if v == nil || v.SchoolID != schoolID || v.MustChangePassword {
		return false
	}
	if v.IsToken() {
		return v.Has(ScopeReadRosters) || v.Has(ScopeRunImports)
	}
	return v.Role == RoleAdmin
}

// IsAdminAccount reports whether the viewer is an admin account (not a token) that has chosen
// its own password: who may manage tokens, teachers, passwords and read the audit log.
func (v *Viewer) IsAdminAccount() bool {
	return v != nil && !v.IsToken() && v.Role == RoleAdmin && !v.MustChangePassword
}

// RequireAdmin returns nil when the viewer administers the school, else ErrUnauthenticated
// or ErrForbidden.
func RequireAdmin(ctx context.Context, schoolID int) error {
	v := FromContext(ctx)
	switch {
	case v == nil:
		return ErrUnauthenticated
	case !v.IsAdminOf(schoolID):
		return ErrForbidden
	}
	return nil
}
