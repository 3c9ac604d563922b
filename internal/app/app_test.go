package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// start runs a real numo server on a free loopback port and returns its base URL and a stop
// function that shuts it down and reports how long that took.
func start(t *testing.T, kind string) (string, func() (time.Duration, error)) {
	t.Helper()
	return testapp.Serve(t, nil, []string{"--db", testdb.URL(t, kind), "--shutdown-timeout", "5s"},
		map[string]string{"NUMO_ADMIN_PASSWORD": adminPassword})
}

const adminPassword = "demo-beheer-wachtwoord"

// login signs in as the demo school's admin and returns the session cookie. NUMO_ADMIN_PASSWORD
// is a one-time password: the first sign-in with it chooses a new one, as the app makes people do.
func login(t *testing.T, base, user, password string) (*http.Cookie, int) {
	t.Helper()
	resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "numo_session" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie is not HttpOnly and SameSite=Lax: %+v", c)
			}
			change, _ := http.NewRequest(http.MethodPost, base+"/query", strings.NewReader(
				`{"query":"mutation { changePassword(oldPassword: \"`+password+`\", newPassword: \"`+password+`-eigen\") }"}`))
			change.Header.Set("Content-Type", "application/json")
			change.Header.Set("Cookie", c.Name+"="+c.Value)
			r, err := http.DefaultClient.Do(change)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(r.Body); !strings.Contains(string(b), `"changePassword":true`) {
				t.Fatalf("changing the one-time password: %s", b)
			}
			r.Body.Close()
			return c, resp.StatusCode
		}
	}
	return nil, resp.StatusCode
}

func TestServe(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		base, stop := start(t, kind)
		if _, status := login(t, base, "beheer", "fout-wachtwoord"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password answered %d", status)
		}
		cookie, status := login(t, base, "beheer", adminPassword)
		if cookie == nil || status != 200 {
			t.Fatalf("login answered %d without a session cookie", status)
		}
		session := map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}
		for _, tt := range serveCases(session) {
			t.Run(tt.name, func(t *testing.T) { checkServeCase(t, base, tt) })
		}
		checkWebsocketsAndShutdown(t, base, session, stop)
	})
}

// serveCase is one HTTP request to a running numo and what its answer must hold.
type serveCase struct {
	name, method, path, body string
	header                   map[string]string
	wantStatus               int
	wantBody                 string
	wantHeader               map[string]string
}

// serveCases lists the requests TestServe sends; session holds the signed-in admin's cookie.
func serveCases(session map[string]string) []serveCase {
	jsonSession := map[string]string{"Cookie": session["Cookie"], "Content-Type": "application/json"}
	return []serveCase{
		{name: "health", method: "GET", path: "/healthz", wantStatus: 200, wantBody: "ok"},
		{name: "app", method: "GET", path: "/", wantStatus: 200, wantBody: "Numo", wantHeader: map[string]string{"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}},
		{name: "client route", method: "GET", path: "/klassen/1A", wantStatus: 200, wantBody: "Numo"},
		{name: "unknown api", method: "GET", path: "/api/nope", wantStatus: 404},
		{name: "missing asset", method: "GET", path: "/assets/nope.js", wantStatus: 404},
		{name: "graphql GET query", method: "GET", path: "/query?query=" + "%7Bschools(first%3A1)%7BtotalCount%7D%7D", header: session, wantStatus: 200, wantBody: `{"data":{"schools":{"totalCount":1}}}`},
		{name: "anonymous sees nothing", method: "GET", path: "/query?query=" + "%7Bschools(first%3A1)%7BtotalCount%7D%7D", wantStatus: 200, wantBody: `"code":"UNAUTHENTICATED"`},
		{name: "cross-site form post refused", method: "POST", path: "/query", header: map[string]string{"Cookie": session["Cookie"], "Content-Type": "application/x-www-form-urlencoded"},
			body: "query=mutation%7BrevokeApiToken(id%3A1)%7Bid%7D%7D", wantStatus: 403, wantBody: "CSRF"},
		{name: "foreign origin refused", method: "POST", path: "/query", header: map[string]string{"Cookie": session["Cookie"], "Content-Type": "application/json", "Origin": "https://evil.example"},
			body: `{"query":"{ viewer { role } }"}`, wantStatus: 403},
		{name: "unknown token refused", method: "POST", path: "/query", header: map[string]string{"Authorization": "Bearer numo_tok_nope", "Content-Type": "application/json"},
			body: `{"query":"{ viewer { role } }"}`, wantStatus: 401},
		{name: "viewer", method: "POST", path: "/query", header: jsonSession, body: `{"query":"{ viewer { role school { brin } } }"}`,
			wantStatus: 200, wantBody: `{"data":{"viewer":{"role":"ADMIN","school":{"brin":"99XX"}}}}`},
		{name: "graphql POST roster", method: "POST", path: "/query", header: jsonSession,
			body:       `{"query":"{ classes(first: 1, where: {name: \"1A\"}) { edges { node { name pupils(first: 10, where: {status: ACTIVE}, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) { totalCount edges { node { lastName } } } } } } }"}`,
			wantStatus: 200, wantBody: `"totalCount":5,"edges":[{"node":{"lastName":"Bakker"}}`},
		{name: "roster sorted as a Dutch reader expects", method: "POST", path: "/query", header: jsonSession,
			body:       `{"query":"{ classes(first: 1, where: {name: \"3H\"}) { edges { node { pupils(first: 10, orderBy: [{field: LAST_NAME}]) { edges { node { lastName } } } } } } }"}`,
			wantStatus: 200, wantBody: `[{"node":{"lastName":"Ancona"}},{"node":{"lastName":"Çelik"}},{"node":{"lastName":"Hendriks"}},{"node":{"lastName":"Peters"}},{"node":{"lastName":"Visser"}}]`},
		{name: "graphql GET mutation refused", method: "GET", path: "/query?query=" + "mutation%7Bcommit(jobId%3A1)%7Bid%7D%7D", wantStatus: 405, wantBody: "METHOD_NOT_ALLOWED", wantHeader: map[string]string{"Allow": "POST"}},
	}
}

// checkServeCase sends tt's request to base and checks the status, body and headers.
func checkServeCase(t *testing.T, base string, tt serveCase) {
	req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
	for k, v := range tt.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != tt.wantStatus {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
	}
	if !strings.Contains(string(body), tt.wantBody) {
		t.Fatalf("body %s does not contain %s", body, tt.wantBody)
	}
	for k, v := range tt.wantHeader {
		if got := resp.Header.Get(k); got != v {
			t.Fatalf("header %s = %q, want %q", k, got, v)
		}
	}
}

// checkWebsocketsAndShutdown checks that a websocket from a foreign origin is refused and that
// an open subscription connection does not hold up stop, the server's shutdown.
func checkWebsocketsAndShutdown(t *testing.T, base string, session map[string]string, stop func() (time.Duration, error)) {
	t.Helper()
	// A websocket from a foreign origin is refused.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/query"
	if c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"Origin": []string{"https://evil.example"}},
	}); err == nil {
		c.CloseNow()
		t.Fatal("websocket from a foreign origin was accepted")
	}

	// An open subscription connection does not hold up the shutdown.
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Cookie": []string{session["Cookie"]}}})
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	defer c.CloseNow()
	msg, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	if _, data, err := c.Read(ctx); err != nil || !strings.Contains(string(data), "connection_ack") {
		t.Fatalf("want connection_ack, got %s, %v", data, err)
	}
	took, err := stop()
	if err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	if took > 3*time.Second {
		t.Fatalf("shutdown with an open websocket took %v", took)
	}
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("websocket still open after shutdown")
	}
}
