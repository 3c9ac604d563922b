package graph

import (
	"context"

	"github.com/numo/accounts/internal/auth"
)

// requireAdminAccount refuses everyone but an admin account of the school (webhooks: not its
// API tokens).
func requireAdminAccount(ctx context.Context, schoolID int) error {
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case !v.IsAdminAccount() || v.SchoolID != schoolID:
		return auth.ErrForbidden
	}
	return nil
}
