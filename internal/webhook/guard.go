package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/numo/accounts/internal/apperr"
)

// MaxURLLength is the longest webhook URL accepted.
const MaxURLLength = 2048

// errRefusedAddress means the webhook's host resolved to an address Numo does not POST to.
var errRefusedAddress = errors.New("address not allowed for webhooks")

// special are the ranges a webhook never reaches unless the operator allows them
// (NUMO_WEBHOOK_ALLOW_NETS): besides loopback, private, link-local, multicast and unspecified
// addresses (netip's predicates), shared address space, benchmarking, reserved, the IETF's and
// the documentation ranges, and NAT64 (which can map to any IPv4 address).
var special = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Guard decides which addresses webhooks may reach: public unicast addresses always, others
// only inside Allow (the operator's NUMO_WEBHOOK_ALLOW_NETS, e.g. an integration's private
// network or 127.0.0.0/8 in tests). Plain http is allowed only to an address literal inside
// Allow: anywhere else a receiver must be https.
type Guard struct {
	Allow []netip.Prefix
}

// allowed reports whether a webhook may connect to a.
func (g Guard) allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range special {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// inAllow reports whether a is inside the operator's allowed networks.
func (g Guard) inAllow(a netip.Addr) bool {
	for _, p := range g.Allow {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// control is the dialer's check of every address it connects to, after DNS resolution: a name
// that resolves to a private address (or is rebound to one later) is refused at connect time.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", errRefusedAddress, address)
	}
	if !g.allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", errRefusedAddress, ap.Addr())
	}
	return nil
}

// CheckURL validates a webhook URL as an admin enters it: at most MaxURLLength characters,
// absolute https (http only to an address literal inside Allow), no user or password (the
// signature authenticates Numo), no fragment, and no address literal Guard refuses. A host
// name is checked when it is resolved, at every delivery.
func (g Guard) CheckURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > MaxURLLength {
		return "", invalid(fmt.Sprintf("Geef een webhook-URL van hoogstens %d tekens.", MaxURLLength),
			fmt.Sprintf("Give a webhook URL of at most %d characters.", MaxURLLength))
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "", invalid("Dit is geen volledige URL (https://…).", "This is not a complete URL (https://…).")
	}
	if u.User != nil || u.Fragment != "" {
		return "", invalid("Een webhook-URL heeft geen gebruikersnaam, wachtwoord of #-deel: Numo ondertekent elk verzoek.",
			"A webhook URL has no user name, password or #fragment: Numo signs every request.")
	}
	host := u.Hostname()
	lit, litErr := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	switch u.Scheme {
	case "https":
	case "http":
		if litErr != nil || !g.inAllow(lit) {
			return "", invalid("Een webhook-URL begint met https://.", "A webhook URL starts with https://.")
		}
	default:
		return "", invalid("Een webhook-URL begint met https://.", "A webhook URL starts with https://.")
	}
	if litErr == nil && !g.allowed(lit) {
		return "", invalid("Numo stuurt geen webhooks naar dit adres (intern of gereserveerd).",
			"Numo does not send webhooks to this address (internal or reserved).")
	}
	if litErr != nil && (strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost")) &&
		!g.inAllow(netip.MustParseAddr("127.0.0.1")) {
		return "", invalid("Numo stuurt geen webhooks naar dit adres (intern of gereserveerd).",
			"Numo does not send webhooks to this address (internal or reserved).")
	}
	return u.String(), nil
}

// dialer returns the dialer of deliveries, which refuses what Guard refuses.
func (g Guard) dialer() *net.Dialer {
	return &net.Dialer{Control: g.control}
}

func invalid(nl, en string) error { return apperr.New(apperr.CodeInvalidInput, nl, en, nil) }
