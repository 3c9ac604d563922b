package authn_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/numo/accounts/internal/auth/authn"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name    string
		remote  string
		xff     []string // X-Forwarded-For headers, in order
		trusted []netip.Prefix
		want    string
	}{
		{name: "no proxies configured: the connection", remote: "203.0.113.7:5000", xff: []string{"1.2.3.4"}, want: "203.0.113.7"},
		{name: "untrusted peer: its header is ignored", remote: "203.0.113.7:5000", xff: []string{"1.2.3.4"}, trusted: proxies, want: "203.0.113.7"},
		{name: "trusted proxy: the client it saw", remote: "10.0.0.2:5000", xff: []string{"198.51.100.9"}, trusted: proxies, want: "198.51.100.9"},
		{name: "forged entries left of the real client are ignored", remote: "10.0.0.2:5000", xff: []string{"6.6.6.6, 7.7.7.7, 198.51.100.9"}, trusted: proxies, want: "198.51.100.9"},
		{name: "a chain of trusted proxies", remote: "10.0.0.2:5000", xff: []string{"6.6.6.6, 198.51.100.9, 10.1.1.1, 10.2.2.2"}, trusted: proxies, want: "198.51.100.9"},
		{name: "several headers are one list", remote: "10.0.0.2:5000", xff: []string{"6.6.6.6", "198.51.100.9, 10.1.1.1"}, trusted: proxies, want: "198.51.100.9"},
		{name: "entries with ports and spaces", remote: "10.0.0.2:5000", xff: []string{" 198.51.100.9:4711 ,10.1.1.1"}, trusted: proxies, want: "198.51.100.9"},
		{name: "IPv6 client behind an IPv6 proxy", remote: "[fd00::1]:443", xff: []string{"2001:db8::5"}, trusted: proxies, want: "2001:db8::5"},
		{name: "bracketed IPv6 with port", remote: "10.0.0.2:5000", xff: []string{"[2001:db8::5]:1234"}, trusted: proxies, want: "2001:db8::5"},
		{name: "IPv4-mapped addresses are IPv4", remote: "[::ffff:10.0.0.2]:5000", xff: []string{"::ffff:198.51.100.9"}, trusted: proxies, want: "198.51.100.9"},
		{name: "trusted proxy without header: the proxy", remote: "10.0.0.2:5000", trusted: proxies, want: "10.0.0.2"},
		{name: "every hop trusted: the left-most", remote: "10.0.0.2:5000", xff: []string{"10.9.9.9, 10.1.1.1"}, trusted: proxies, want: "10.9.9.9"},
		{name: "garbage stops the walk at the last trusted hop", remote: "10.0.0.2:5000", xff: []string{"198.51.100.9, unknown, 10.1.1.1"}, trusted: proxies, want: "10.1.1.1"},
		{name: "garbage right of everything: the proxy", remote: "10.0.0.2:5000", xff: []string{"<script>"}, trusted: proxies, want: "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/api/login", nil)
			r.RemoteAddr = tt.remote
			for _, h := range tt.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := authn.ClientAddr(r, tt.trusted); got != tt.want {
				t.Fatalf("ClientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}
