package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/demo"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// TestCookieWritesCheckTheOriginScheme signs in over HTTPS and then writes with the session
// cookie from pages of several origins: the server's own HTTPS origin may, the same host over
// plain HTTP (a page an attacker on the network can serve) may not, nor may another site.
func TestCookieWritesCheckTheOriginScheme(t *testing.T) {
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, "sqlite"), "--secure-cookies=true"},
		map[string]string{"NUMO_ADMIN_PASSWORD": adminPassword})
	srv := httptest.NewTLSServer(a.Handler())
	t.Cleanup(srv.Close)
	c := srv.Client()

	resp, err := c.Post(srv.URL+"/api/login", "application/json",
		strings.NewReader(`{"school":"`+demo.BRIN+`","username":"beheer","password":"`+adminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "numo_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("login answered %d without a session", resp.StatusCode)
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	for _, cs := range []struct {
		origin string
		want   int
	}{
		{"https://" + host, http.StatusOK},
		{"http://" + host, http.StatusForbidden},
		{"https://evil.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/query", strings.NewReader(`{"query":"{ viewer { role } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", cs.origin)
		req.AddCookie(session)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != cs.want {
			t.Errorf("Origin %s: answered %d %s, want %d", cs.origin, resp.StatusCode, body, cs.want)
		}
	}
}
