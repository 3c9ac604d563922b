package origin_test

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"

	"github.com/numo/accounts/internal/httpserver/origin"
)

func TestAllowed(t *testing.T) {
	list := origin.NewList([]string{"https://app.school.nl", "http://localhost:5173", "https://Other.NL:443"})
	for _, c := range []struct {
		name   string
		tls    bool
		host   string
		origin string
		want   bool
	}{
		{"listed", false, "numo.nl", "https://app.school.nl", true},
		{"listed with its default port", false, "numo.nl", "https://app.school.nl:443", true},
		{"listed, written in capitals in the configuration", false, "numo.nl", "https://other.nl", true},
		{"listed host over the other scheme", false, "numo.nl", "http://app.school.nl", false},
		{"listed host on another port", false, "numo.nl", "https://app.school.nl:8443", false},
		{"a suffix of a listed host", false, "numo.nl", "https://evil-app.school.nl", false},
		{"a listed host as a prefix", false, "numo.nl", "https://app.school.nl.evil.example", false},
		{"listed plain-HTTP dev server", false, "numo.nl", "http://localhost:5173", true},
		{"own host over HTTPS", false, "numo.nl", "https://numo.nl", true},
		{"own host over HTTP on a plain request", false, "numo.nl", "http://numo.nl", true},
		{"own host over HTTP on a TLS request", true, "numo.nl", "http://numo.nl", false},
		{"own host over HTTPS on a TLS request", true, "numo.nl", "https://numo.nl", true},
		{"own host and port", false, "numo.nl:8080", "http://numo.nl:8080", true},
		{"own host on another port", false, "numo.nl:8080", "http://numo.nl:9090", false},
		{"another site", false, "numo.nl", "https://evil.example", false},
		{"null", false, "numo.nl", "null", false},
		{"not http", false, "numo.nl", "file://numo.nl", false},
		{"with a path", false, "numo.nl", "https://numo.nl/x", false},
	} {
		r := httptest.NewRequest("GET", "/query", nil)
		r.Host = c.host
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		} else {
			r.TLS = nil
		}
		if got := origin.Allowed(r, c.origin, list); got != c.want {
			t.Errorf("%s: Allowed(%q on %s) = %v, want %v", c.name, c.origin, c.host, got, c.want)
		}
	}
	if origin.NewList(nil).Contains("https://app.school.nl") {
		t.Fatal("an empty list allows an origin")
	}
}
