// Package origin decides which browser origins may talk to Numo accounts: the server's own
// origin and an exact allow-list. An origin is scheme, host and port together, so
// http://numo.example.nl is not https://numo.example.nl. CORS, the websocket upgrade and the
// cross-site checks of cookie-borne writes all decide through Allowed.
package origin

import (
	"net/http"
	"net/url"
	"strings"
)

// List is a set of allowed origins, normalised: lower case, without a default port.
type List struct{ set map[string]bool }

// NewList normalises the configured origins ("https://numo.example.nl"); entries that are not
// origins are ignored (config.Load refuses them already).
func NewList(origins []string) List {
	l := List{set: make(map[string]bool, len(origins))}
	for _, o := range origins {
		if n, ok := Normalize(o); ok {
			l.set[n] = true
		}
	}
	return l
}

// Contains reports whether origin, exactly (scheme included), is on the list.
func (l List) Contains(origin string) bool {
	n, ok := Normalize(origin)
	return ok && l.set[n]
}

// Len is the number of origins on the list.
func (l List) Len() int { return len(l.set) }

// Normalize returns origin as scheme://host[:port] in lower case without a default port,
// and false when it is not an http(s) origin (a path, user info, a query or "null").
func Normalize(origin string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	return scheme + "://" + hostPort(scheme, u.Host), true
}

// hostPort lower-cases a host and drops the scheme's default port.
func hostPort(scheme, host string) string {
	host = strings.ToLower(host)
	if (scheme == "https" && strings.HasSuffix(host, ":443")) || (scheme == "http" && strings.HasSuffix(host, ":80")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return host
}

// Allowed reports whether a request from a page at origin (the request's Origin header) may
// be answered: when origin is on the list, or when it is the server's own origin. The own
// origin is https://<Host> always, and http://<Host> only when r itself came over plain HTTP,
// so a page served over plain HTTP cannot act on an HTTPS deployment. (Behind a proxy that
// terminates TLS every request is plain HTTP: there the proxy must serve HTTPS only.)
func Allowed(r *http.Request, origin string, list List) bool {
	n, ok := Normalize(origin)
	if !ok {
		return false
	}
	if list.set[n] {
		return true
	}
	if r.Host == "" {
		return false
	}
	if n == "https://"+hostPort("https", r.Host) {
		return true
	}
	return r.TLS == nil && n == "http://"+hostPort("http", r.Host)
}
