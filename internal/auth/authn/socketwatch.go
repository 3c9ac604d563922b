package authn

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/pubsub"
)

// The open websockets of a process are watched together, by credential: one watcher per
// process (running while any socket is open) hears every published end of a credential (bus
// topic credentialsTopic, as the token cache does) and checks all of them again at once, and
// does so every SocketRecheckEvery in case nothing was published (a session that expired, an
// account archived by an import). A check reads the credentials in a few statements however
// many sockets share them: 2,000 sockets of one token cost one read a round, not 2,000 reads
// every 30 seconds (about 67 a second), and no goroutine or timer of their own.
//
// The bus may conflate events of one topic for a slow subscriber, so which credential ended
// is not taken from the event: any event checks every watched credential.

// credential identifies what a socket was opened with: a token or a session.
type credential struct{ token, session int }

func credentialOf(v *auth.Viewer) credential {
	return credential{token: v.TokenID, session: v.SessionID}
}

// socketWatch holds the sockets of one Service.
type socketWatch struct {
	mu      sync.Mutex
	creds   map[credential]*watched
	running bool
	idle    chan struct{} // signalled when the last socket leaves
}

// watched is one credential's open sockets and the viewer it stood for (for the log).
type watched struct {
	viewer  *auth.Viewer
	sockets map[*socket]struct{}
}

// watchSocket registers an open socket of viewer v until its context ends, starting the
// process's watcher when it is the first.
func (s *Service) watchSocket(ctx context.Context, v *auth.Viewer, sock *socket) {
	w := &s.sockets
	k := credentialOf(v)
	w.mu.Lock()
	if w.creds == nil {
		w.creds, w.idle = map[credential]*watched{}, make(chan struct{}, 1)
	}
	c := w.creds[k]
	if c == nil {
		c = &watched{viewer: v, sockets: map[*socket]struct{}{}}
		w.creds[k] = c
	}
	c.sockets[sock] = struct{}{}
	if !w.running {
		w.running = true
		// Subscribed before the socket is handed back, so that no end published from now on
		// is missed.
		var events <-chan pubsub.Event
		stop := func() {}
		if s.Bus != nil {
			events, stop = s.Bus.Subscribe(context.Background(), credentialsTopic)
		}
		go s.watchSockets(events, stop)
	}
	w.mu.Unlock()
	context.AfterFunc(ctx, func() { s.unwatchSocket(k, sock) })
}

// unwatchSocket forgets a socket that ended.
func (s *Service) unwatchSocket(k credential, sock *socket) {
	w := &s.sockets
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.creds[k]; c != nil {
		delete(c.sockets, sock)
		if len(c.sockets) == 0 {
			delete(w.creds, k)
		}
	}
	if len(w.creds) == 0 {
		select {
		case w.idle <- struct{}{}:
		default:
		}
	}
}

// WatchedSockets counts the open sockets whose credential this process watches (for tests and
// metrics).
func (s *Service) WatchedSockets() int {
	w := &s.sockets
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.creds {
		n += len(c.sockets)
	}
	return n
}

// watchSockets is the process's watcher: it checks every watched credential again on each
// published end and every SocketRecheckEvery, and returns when no socket is left.
func (s *Service) watchSockets(events <-chan pubsub.Event, stop func()) {
	defer stop()
	w := &s.sockets
	every := s.SocketRecheckEvery
	if every <= 0 {
		every = SocketRecheckEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	ctx := auth.System(context.Background())
	for {
		select {
		case <-w.idle:
			w.mu.Lock()
			if len(w.creds) == 0 {
				w.running = false
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
			continue
		case _, ok := <-events:
			if !ok {
				events = nil // the bus closed: the periodic check remains
				continue
			}
		case <-tick.C:
		}
		s.recheckSockets(ctx)
	}
}

// recheckSockets reads every watched credential again and closes the sockets of those that
// ended. When the database cannot be read the sockets stay open: each operation on them checks
// its credential itself, and the next round tries again.
func (s *Service) recheckSockets(ctx context.Context) {
	w := &s.sockets
	w.mu.Lock()
	creds := make([]credential, 0, len(w.creds))
	for k := range w.creds {
		creds = append(creds, k)
	}
	w.mu.Unlock()
	if len(creds) == 0 {
		return
	}
	ended, err := s.endedCredentials(ctx, creds, time.Now())
	if err != nil {
		s.log.Warn("websocket: recheck credentials", "err", err)
		return
	}
	var ends []*socket
	w.mu.Lock()
	for _, k := range ended {
		c := w.creds[k]
		if c == nil {
			continue // its sockets closed meanwhile
		}
		s.log.Info("websocket closed: its credential ended", "school", c.viewer.SchoolID, "account", c.viewer.AccountID,
			"token", c.viewer.TokenID, "sockets", len(c.sockets))
		for sock := range c.sockets {
			ends = append(ends, sock)
		}
	}
	w.mu.Unlock()
	for _, sock := range ends {
		sock.end() // its context's AfterFunc unregisters it
	}
}

// recheckBatch bounds the identifiers of one statement.
const recheckBatch = 500

// endedCredentials returns the credentials that no longer hold at now, by the rules of
// Recheck: a token that is gone or revoked; a session that is gone or expired, or whose account
// is no longer active or has no password. It reads the tokens in one statement and the
// sessions in another (per recheckBatch of them).
func (s *Service) endedCredentials(ctx context.Context, creds []credential, now time.Time) ([]credential, error) {
	var tokens, sessions []int
	for _, k := range creds {
		switch {
		case k.token != 0:
			tokens = append(tokens, k.token)
		case k.session != 0:
			sessions = append(sessions, k.session)
		}
	}
	alive := map[credential]bool{}
	for chunk := range slices.Chunk(tokens, recheckBatch) {
		ids, err := s.client.APIToken.Query().Where(apitoken.IDIn(chunk...), apitoken.RevokedAtIsNil()).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("recheck tokens: %w", err)
		}
		for _, id := range ids {
			alive[credential{token: id}] = true
		}
	}
	for chunk := range slices.Chunk(sessions, recheckBatch) {
		ids, err := s.client.Session.Query().Where(session.IDIn(chunk...), session.ExpiresAtGTE(now),
			session.HasAccountWith(account.StatusEQ(account.StatusACTIVE)),
			session.Or(session.SSO(true), session.HasAccountWith(account.PasswordHashNEQ("")))).IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("recheck sessions: %w", err)
		}
		for _, id := range ids {
			alive[credential{session: id}] = true
		}
	}
	var ended []credential
	for _, k := range creds {
		if (k.token != 0 || k.session != 0) && !alive[k] {
			ended = append(ended, k)
		}
	}
	return ended, nil
}
