package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/testdb"
)

// wsClient is a graphql-transport-ws client that runs queries and mutations over one socket.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	ack  json.RawMessage // the connection_ack's payload
	next int
}

// dialSocket opens a socket as the caller: a token goes in the connection_init payload (as
// integrators send it), a session cookie in the upgrade request (as the app does).
func (w *world) dialSocket(t *testing.T, c caller) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	if c.cookie != "" {
		h.Set("Cookie", c.cookie)
	}
	conn, err := dialQuery(ctx, w.srv.URL, h)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	ws := &wsClient{t: t, conn: conn}
	init := map[string]any{"type": "connection_init"}
	if c.token != "" {
		init["payload"] = map[string]any{"Authorization": "Bearer " + c.token}
	}
	ws.write(ctx, init)
	for {
		msg, err := ws.read(ctx)
		if err != nil {
			t.Fatalf("waiting for connection_ack: %v", err)
		}
		if msg.Type == "connection_ack" {
			ws.ack = msg.Payload
			return ws
		}
	}
}

type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func (ws *wsClient) write(ctx context.Context, v any) {
	b, _ := json.Marshal(v)
	if err := ws.conn.Write(ctx, websocket.MessageText, b); err != nil {
		ws.t.Logf("write: %v", err)
	}
}

func (ws *wsClient) read(ctx context.Context) (wsMessage, error) {
	var m wsMessage
	_, data, err := ws.conn.Read(ctx)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(data, &m)
}

// do runs one operation on the socket and returns its result; closed reports that the server
// closed the socket instead of answering.
func (ws *wsClient) do(query string) (r gqlResult, closed bool) {
	ws.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws.next++
	id := fmt.Sprint(ws.next)
	if err := ws.conn.Write(ctx, websocket.MessageText, mustJSON(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query}})); err != nil {
		return r, true // the server closed the socket
	}
	for {
		msg, err := ws.read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") {
				return r, true
			}
			ws.t.Fatalf("read: %v", err)
		}
		if msg.ID != id {
			continue
		}
		switch msg.Type {
		case "next":
			json.Unmarshal(msg.Payload, &r)
		case "error":
			json.Unmarshal(msg.Payload, &r.Errors)
			return r, false
		case "complete":
			return r, false
		}
	}
}

// waitClosed reports whether the server closes the socket within the deadline, reading (and
// dropping) whatever else it sends meanwhile.
func (ws *wsClient) waitClosed(d time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if _, _, err := ws.conn.Read(ctx); err != nil {
			return ctx.Err() == nil // closed by the server, not by our deadline
		}
	}
}

// TestSocketCredentialsEnd reproduces the attack of issue 10.2: an open websocket kept the
// rights of a revoked API token and of a logged-out session. Every operation on a socket now
// checks the credential again, and the socket is closed as soon as its credential ends — here
// with the periodic recheck set to an hour, so only the published end or the per-operation
// check can be what closes it.
func TestSocketCredentialsEnd(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			w.app.Authn().SocketRecheckEvery = time.Hour
			admin := w.callers["admin"]
			readPupils := `{ accounts(first: 5, where: {externalKey: "doelwit"}) { totalCount } }`
			settings := fmt.Sprintf(`mutation { updateSchoolSettings(schoolId: %d, input: {archiveThreshold: 13}) { id } }`, w.ids["schoolA"])

			t.Run("the acknowledgement does not echo the token", func(t *testing.T) {
				ws := w.dialSocket(t, w.callers["readToken"])
				if strings.Contains(string(ws.ack), w.callers["readToken"].token) || strings.Contains(string(ws.ack), "Bearer") {
					t.Fatalf("connection_ack echoes the credential: %s", ws.ack)
				}
			})

			t.Run("revoked token: socket closed, nothing more read", func(t *testing.T) {
				tok := w.createToken(t, "RUN_IMPORTS")
				ws := w.dialSocket(t, caller{token: tok.secret})
				if r, closed := ws.do(readPupils); closed || !has("accounts", "totalCount")(r.Data) {
					t.Fatalf("before revocation the token reads pupils: closed=%v %+v", closed, r)
				}
				if r := w.do(t, admin, fmt.Sprintf(`mutation { revokeApiToken(id: %d) { id } }`, tok.id), nil); len(r.Errors) > 0 {
					t.Fatalf("revoke: %v", r.Errors)
				}
				if !ws.waitClosed(5 * time.Second) {
					t.Fatal("the socket of a revoked token stays open")
				}
			})

			t.Run("revoked token without the push: the next operation is refused", func(t *testing.T) {
				bus := w.app.Authn().Bus
				w.app.Authn().Bus = nil // as if the notification were lost
				t.Cleanup(func() { w.app.Authn().Bus = bus })
				tok := w.createToken(t, "RUN_IMPORTS")
				ws := w.dialSocket(t, caller{token: tok.secret})
				if _, closed := ws.do(readPupils); closed {
					t.Fatal("socket closed before revocation")
				}
				w.do(t, admin, fmt.Sprintf(`mutation { revokeApiToken(id: %d) { id } }`, tok.id), nil)
				for _, op := range []string{settings, readPupils} {
					r, closed := ws.do(op)
					if closed {
						break // refused and closed: nothing more goes over this socket
					}
					if has("accounts", "totalCount")(r.Data) || has("updateSchoolSettings")(r.Data) || !r.authError() {
						t.Fatalf("%s after revocation: %+v", op, r)
					}
				}
			})

			t.Run("logged out: the admin's socket creates no token", func(t *testing.T) {
				cookie := w.login(t, "admin", password("admin"))
				ws := w.dialSocket(t, caller{cookie: cookie})
				if r, closed := ws.do(`{ viewer { role } }`); closed || len(r.Errors) > 0 {
					t.Fatalf("before logout: closed=%v %+v", closed, r)
				}
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/logout", nil)
				req.Header.Set("Cookie", cookie)
				req.Header.Set("X-Requested-With", "numo")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				r, closed := ws.do(fmt.Sprintf(`mutation { createApiToken(schoolId: %d, name: "na uitloggen", scopes: [RUN_IMPORTS]) { secret } }`, w.ids["schoolA"]))
				if !closed && (has("createApiToken")(r.Data) || !r.authError()) {
					t.Fatalf("after logout the socket created a token: %+v", r)
				}
			})
		})
	}
}

type newToken struct {
	id     int
	secret string
}

// createToken makes an API token of school A through the API, as its admin.
func (w *world) createToken(t *testing.T, scope string) newToken {
	t.Helper()
	r := w.do(t, w.callers["admin"], fmt.Sprintf(`mutation { createApiToken(schoolId: %d, name: "socket", scopes: [%s]) { secret token { id } } }`, w.ids["schoolA"], scope), nil)
	if len(r.Errors) > 0 {
		t.Fatalf("create token: %v", r.Errors)
	}
	ct := r.Data["createApiToken"].(map[string]any)
	var id int
	fmt.Sscan(fmt.Sprint(ct["token"].(map[string]any)["id"]), &id)
	return newToken{id: id, secret: ct["secret"].(string)}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestWebsocketOrigin opens real websockets with the Origin header browsers send: the
// server's own origin and exactly listed origins may connect, scheme included; the same host
// over the other scheme, another port or another site may not. Over TLS, a page served over
// plain HTTP from the server's own host may not either.
func TestWebsocketOrigin(t *testing.T) {
	h := graph.NewHandler(graph.Options{AllowedOrigins: []string{"https://app.school.nl"}, Logger: slog.New(slog.DiscardHandler)})
	plain := httptest.NewServer(h)
	defer plain.Close()
	secure := httptest.NewTLSServer(h)
	defer secure.Close()
	own := func(srv *httptest.Server, scheme string) string {
		return scheme + "://" + strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://")
	}
	for _, c := range []struct {
		name   string
		srv    *httptest.Server
		origin string
		ok     bool
	}{
		{"no Origin (not a browser)", plain, "", true},
		{"own origin", plain, own(plain, "http"), true},
		{"own host over https", plain, own(plain, "https"), true},
		{"listed", plain, "https://app.school.nl", true},
		{"listed host over http", plain, "http://app.school.nl", false},
		{"listed host on another port", plain, "https://app.school.nl:8443", false},
		{"another site", plain, "https://evil.example", false},
		{"TLS: own origin", secure, own(secure, "https"), true},
		{"TLS: own host over http", secure, own(secure, "http"), false},
		{"TLS: listed host over http", secure, "http://app.school.nl", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			hdr := http.Header{}
			if c.origin != "" {
				hdr.Set("Origin", c.origin)
			}
			url := "ws" + strings.TrimPrefix(c.srv.URL, "http") + "/query"
			conn, resp, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{
				HTTPClient: c.srv.Client(), HTTPHeader: hdr, Subprotocols: []string{"graphql-transport-ws"},
			})
			if c.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				conn.CloseNow()
				return
			}
			if err == nil {
				conn.CloseNow()
				t.Fatal("a websocket from this origin was accepted")
			}
			if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols {
				t.Fatalf("want a refusal, got %v (%v)", resp, err)
			}
		})
	}
}
