package graph_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/numo/accounts/graph"
)

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
