package authn

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/pubsub"
)

// A websocket lives for hours, far longer than the credentials it was opened with may. So a
// socket's viewer is never trusted beyond the moment it was checked: every operation on the
// socket checks the credential again (Recheck), and the process's socket watcher
// (socketwatch.go) closes the socket as soon as the credential ends — at once when this or
// another process publishes that it ended (logout, revocation, a password change or reset),
// and within SocketRecheckEvery otherwise (a session that expired, an account archived by an
// import).

// SocketRecheckEvery is how often an idle socket's credential is checked again when nothing
// was published about it.
const SocketRecheckEvery = 30 * time.Second

// Credential topics share the bus with import jobs, whose topics are their (positive) IDs:
// a credential's topic is negative, and which kind it is follows from the remainder. Every end
// goes out on credentialsTopic too, which is what this version's token caches and socket
// watchers listen to; the credential's own topic is kept for the sockets of processes of an
// earlier version (one watcher per socket, subscribed to its credential's topics) during an
// upgrade.
func sessionTopic(id int) int { return -(3*id + 0) }
func tokenTopic(id int) int   { return -(3*id + 1) }
func accountTopic(id int) int { return -(3*id + 2) }

// publishEnded tells every process's token cache and sockets that a credential ended (best
// effort: a socket that misses it finds out at its next operation or recheck, a token cache
// within TokenCacheTTL). This process's own token cache forgets at once, so the request that
// ended a credential is followed by none that still uses it here.
func (s *Service) publishEnded(ctx context.Context, topic int) {
	if c := s.tokens.Load(); c != nil {
		c.clear()
	}
	if s.Bus == nil {
		return
	}
	for _, t := range [...]int{credentialsTopic, topic} {
		if err := s.Bus.Publish(context.WithoutCancel(ctx), pubsub.Event{Topic: t, Data: []byte(`{}`)}); err != nil {
			s.log.Warn("publish credential end", "err", err)
		}
	}
}

// SessionEnded publishes that a session ended (logout).
func (s *Service) SessionEnded(ctx context.Context, sessionID int) {
	s.publishEnded(ctx, sessionTopic(sessionID))
}

// TokenEnded publishes that an API token was revoked.
func (s *Service) TokenEnded(ctx context.Context, tokenID int) {
	s.publishEnded(ctx, tokenTopic(tokenID))
}

// AccountChanged publishes that an account's credentials changed (password changed or reset,
// archived, erased): its sockets check again.
func (s *Service) AccountChanged(ctx context.Context, accountID int) {
	s.publishEnded(ctx, accountTopic(accountID))
}

// Recheck looks the viewer's credential up again and returns the viewer it stands for now,
// or nil when it has ended: a revoked token, a session that was logged out or expired, an
// account no longer active or without a password. A viewer that is neither a token nor a
// session (built by the product itself) is returned as it is.
func (s *Service) Recheck(ctx context.Context, v *auth.Viewer) (*auth.Viewer, error) {
	if v == nil {
		return nil, nil
	}
	sys := auth.System(ctx)
	switch {
	case v.TokenID != 0:
		t, err := orNil(s.client.APIToken.Get(sys, v.TokenID))
		if t == nil || t.RevokedAt != nil || err != nil {
			return nil, wrapErr("recheck token", err)
		}
		return tokenViewer(t, v.RemoteAddr), nil
	case v.SessionID != 0:
		ses, err := orNil(s.client.Session.Get(sys, v.SessionID))
		if ses == nil || ses.ExpiresAt.Before(time.Now()) || err != nil {
			return nil, wrapErr("recheck session", err)
		}
		a, err := orNil(s.client.Account.Get(sys, ses.AccountID))
		if a == nil || a.Status != account.StatusACTIVE || (a.PasswordHash == "" && !ses.SSO) || err != nil {
			return nil, wrapErr("recheck session", err)
		}
		nv := viewerOf(a, v.RemoteAddr)
		nv.SessionID = ses.ID
		nv.MustChangePassword = nv.MustChangePassword && !ses.SSO // see SignInSSO
		return nv, nil
	}
	return v, nil
}

// socket is what a websocket's context carries: how to end it.
type socket struct {
	end context.CancelFunc
}

type socketKey struct{}

// OnSocket reports whether ctx belongs to an operation on a websocket.
func OnSocket(ctx context.Context) bool {
	_, ok := ctx.Value(socketKey{}).(*socket)
	return ok
}

// EndSocket closes the websocket that ctx belongs to (no-op elsewhere).
func EndSocket(ctx context.Context) {
	if s, ok := ctx.Value(socketKey{}).(*socket); ok {
		s.end()
	}
}

// WebsocketInit authenticates a websocket from its connection_init payload
// ({"Authorization": "Bearer …"}); without one the connection keeps the viewer of its upgrade
// request (the session cookie). The acknowledgement carries no payload: the credential is
// never echoed. The returned context ends — and with it the socket — when the credential ends.
func (s *Service) WebsocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	header := payload.Authorization()
	if header == "" {
		if v, ok := payload["authorization"].(string); ok {
			header = v
		}
	}
	if bearer, ok := strings.CutPrefix(header, "Bearer "); ok {
		addr := ""
		if v := auth.FromContext(ctx); v != nil {
			addr = v.RemoteAddr
		}
		v, err := s.FromToken(ctx, strings.TrimSpace(bearer), addr)
		if err != nil {
			return ctx, nil, err
		}
		if v == nil {
			return ctx, nil, auth.ErrUnauthenticated
		}
		ctx = auth.NewContext(ctx, v)
	}
	v := auth.FromContext(ctx)
	if v == nil || (v.TokenID == 0 && v.SessionID == 0) {
		return ctx, nil, nil // anonymous: nothing to watch, every operation is refused anyway
	}
	ctx, cancel := context.WithCancel(ctx)
	sock := &socket{end: cancel}
	ctx = context.WithValue(ctx, socketKey{}, sock)
	s.watchSocket(ctx, v, sock) // socketwatch.go
	return ctx, nil, nil
}
