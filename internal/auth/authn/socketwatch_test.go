package authn_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// socketFixture is a school with an admin, an API token and three signed-in teachers, each
// with a session, and a sign-in service with a short periodic recheck.
type socketFixture struct {
	ctx      context.Context // the system context
	db       *store.DB
	s        *authn.Service
	adminCtx context.Context
	token    *ent.APIToken
	secret   string
	sessions []*auth.Viewer // one per teacher
}

func newSocketFixture(t *testing.T, db *store.DB, every time.Duration) *socketFixture {
	t.Helper()
	ctx := auth.System(context.Background())
	f := &socketFixture{ctx: ctx, db: db, s: authn.New(db.Client, slog.New(slog.DiscardHandler))}
	f.s.SocketRecheckEvery = every
	var sch *ent.School
	sch, f.adminCtx = schoolAdmin(ctx, db)
	f.token, f.secret = newToken(t, f.s, f.adminCtx, sch.ID, auth.ScopeRunImports)
	for i := range 3 {
		a := db.Client.Account.Create().SetSchoolID(sch.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").
			SetLastName(fmt.Sprint(i)).SetUsername(fmt.Sprintf("docent%d", i)).SetPasswordHash("argon2id-placeholder").SaveX(ctx)
		secret := auth.NewSecret("numo_ses_")
		db.Client.Session.Create().SetAccountID(a.ID).SetTokenHash(auth.HashSecret(secret)).
			SetExpiresAt(time.Now().Add(time.Hour)).ExecX(ctx)
		v, err := f.s.FromSession(ctx, secret, "192.0.2.1")
		if err != nil || v == nil {
			t.Fatalf("session %d: %+v %v", i, v, err)
		}
		f.sessions = append(f.sessions, v)
	}
	return f
}

// open opens a socket the way the websocket transport does: with the token in the init
// payload, or (viewer set) with the viewer of the upgrade request's cookie. It returns the
// socket's context, which ends when the socket is closed.
func (f *socketFixture) open(t *testing.T, viewer *auth.Viewer) context.Context {
	t.Helper()
	conn, closeConn := context.WithCancel(context.Background())
	t.Cleanup(closeConn)
	payload := transport.InitPayload{}
	if viewer != nil {
		conn = auth.NewContext(conn, viewer)
	} else {
		payload["Authorization"] = "Bearer " + f.secret
	}
	ctx, _, err := f.s.WebsocketInit(conn, payload)
	if err != nil {
		t.Fatalf("websocket init: %v", err)
	}
	return ctx
}

func closedWithin(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(d):
		return false
	}
}

func allOpen(socks []context.Context) bool {
	for _, c := range socks {
		if c.Err() != nil {
			return false
		}
	}
	return true
}

// TestSocketWatchSharedRecheck: the periodic recheck of open websockets reads each kind of
// credential once per round, however many sockets share them (it used to read the credential
// of every socket every 30 s: about 67 reads a second for 2,000 sockets), and still closes a
// socket whose session expired, whose account was archived or lost its password — all written
// straight to the database, so that no push tells the process and only the recheck can.
func TestSocketWatchSharedRecheck(t *testing.T) {
	count := &statements{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		const every = 100 * time.Millisecond
		f := newSocketFixture(t, db, every)
		tokenSocks := make([]context.Context, 200)
		for i := range tokenSocks {
			tokenSocks[i] = f.open(t, nil)
		}
		var sessionSocks []context.Context
		for _, v := range f.sessions {
			sessionSocks = append(sessionSocks, f.open(t, v), f.open(t, v))
		}
		if n := f.s.WatchedSockets(); n != 206 {
			t.Fatalf("watched sockets %d, want 206", n)
		}

		count.n.Store(0)
		time.Sleep(10 * every)
		rounds := count.n.Load() / 2 // one statement for the token, one for the three sessions
		if n := count.n.Load(); n > 2*11 || n < 2*5 {
			t.Fatalf("206 sockets of 4 credentials sent %d statements in 10 recheck periods, want 2 a round", n)
		}
		if !allOpen(tokenSocks) || !allOpen(sessionSocks) {
			t.Fatal("a socket of a valid credential was closed")
		}
		t.Logf("%d rounds, %d statements", rounds, count.n.Load())

		ctx := f.ctx
		ended := []struct {
			name  string
			end   func()
			socks []context.Context
		}{
			{"session expired", func() {
				db.Client.Session.UpdateOneID(f.sessions[0].SessionID).SetExpiresAt(time.Now().Add(-time.Second)).ExecX(ctx)
			}, sessionSocks[0:2]},
			{"account archived", func() {
				db.Client.Account.UpdateOneID(f.sessions[1].AccountID).SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Now()).ExecX(ctx)
			}, sessionSocks[2:4]},
			{"password removed", func() {
				db.Client.Account.UpdateOneID(f.sessions[2].AccountID).SetPasswordHash("").ExecX(ctx)
			}, sessionSocks[4:6]},
		}
		for i, c := range ended {
			c.end()
			for _, s := range c.socks {
				if !closedWithin(s, 3*every+time.Second) {
					t.Fatalf("%s: its socket stays open", c.name)
				}
			}
			for _, later := range ended[i+1:] {
				if !allOpen(later.socks) {
					t.Fatalf("%s: the socket of another session closed too", c.name)
				}
			}
		}
		if !allOpen(tokenSocks) {
			t.Fatal("the token's sockets closed with the sessions")
		}
		waitWatched(t, f.s, 200)
	}, store.WithDriver(count.wrap))
}

// waitWatched waits until the service watches n sockets (a closed socket leaves the watch just
// after its context ends).
func waitWatched(t *testing.T, s *authn.Service, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for s.WatchedSockets() != n {
		if time.Now().After(deadline) {
			t.Fatalf("watched sockets %d, want %d", s.WatchedSockets(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSocketWatchPushedEnd: with the periodic recheck an hour away, a revocation or logout
// published by another process closes exactly the sockets of that credential within a second
// (on PostgreSQL through LISTEN/NOTIFY), and sockets that closed leave the watch.
func TestSocketWatchPushedEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSocketFixture(t, db, time.Hour)
		buses := processBuses(t, db, slog.New(slog.DiscardHandler))
		f.s.Bus = buses[0]
		other := authn.New(db.Client, slog.New(slog.DiscardHandler)) // the process where it ends
		other.Bus = buses[1]

		tokenSocks := make([]context.Context, 50)
		for i := range tokenSocks {
			tokenSocks[i] = f.open(t, nil)
		}
		session := f.open(t, f.sessions[0])
		bystander := f.open(t, f.sessions[1])

		start := time.Now()
		if _, err := other.RevokeToken(f.adminCtx, f.token.ID); err != nil {
			t.Fatal(err)
		}
		for _, s := range tokenSocks {
			if !closedWithin(s, time.Second) {
				t.Fatalf("a socket of the revoked token is open %v after the revocation", time.Since(start))
			}
		}
		t.Logf("50 sockets of the revoked token closed after %v", time.Since(start))
		if session.Err() != nil || bystander.Err() != nil {
			t.Fatal("a session's socket closed with the token")
		}

		db.Client.Session.DeleteOneID(f.sessions[0].SessionID).ExecX(f.ctx) // logged out in the other process
		other.SessionEnded(f.ctx, f.sessions[0].SessionID)
		if !closedWithin(session, time.Second) {
			t.Fatal("the socket of a logged-out session stays open")
		}
		if bystander.Err() != nil {
			t.Fatal("another session's socket closed with it")
		}
		waitWatched(t, f.s, 1)
	})
}
