package graph

import (
	"context"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
)

// socketRecheck checks a websocket's credential again before every operation on it: a socket
// outlives the sign-in it was opened with, so a revoked token, a logged-out or expired
// session or an archived account is refused at the next operation (and the socket closed),
// and a changed account (a new password, another role) is seen as it is now. Plain HTTP
// requests are authenticated afresh anyway and pass untouched.
type socketRecheck struct {
	extensionBase
	authn *authn.Service
	log   *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = socketRecheck{}

func (socketRecheck) ExtensionName() string { return "SocketRecheck" }

func (s socketRecheck) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !authn.OnSocket(ctx) {
		return next(ctx)
	}
	v, err := s.authn.Recheck(ctx, auth.FromContext(ctx))
	if err != nil {
		s.log.Error("websocket: recheck credential", "err", err)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{gqlError(apperr.ErrInternal)}})
	}
	if v == nil {
		authn.EndSocket(ctx)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{gqlError(apperr.ErrSessionEnded)}})
	}
	return next(auth.NewContext(ctx, v))
}
