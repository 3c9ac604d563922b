package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/webhook"
)

// verify is the receiver's check exactly as docs/integrators.md ("Verifying the signature")
// prints it: the test holds the documentation to the signature Numo sends.
func verify(secret, header string, body []byte, now time.Time) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(sig), []byte(want))
}

func TestSignature(t *testing.T) {
	body := []byte(`{"schoolId":1,"changes":[]}`)
	at := time.Unix(1_800_000_000, 0)
	h := webhook.Sign("whsec_abc", at, body)
	// A value computed independently (openssl dgst -sha256 -hmac whsec_abc of "1800000000.<body>").
	mac := hmac.New(sha256.New, []byte("whsec_abc"))
	mac.Write([]byte("1800000000." + string(body)))
	if want := "t=1800000000,v1=" + hex.EncodeToString(mac.Sum(nil)); h != want {
		t.Fatalf("Sign = %s, want %s", h, want)
	}
	for _, c := range []struct {
		name, secret, header string
		body                 []byte
		now                  time.Time
		ok                   bool
	}{
		{"valid", "whsec_abc", h, body, at.Add(time.Minute), true},
		{"other secret", "whsec_abd", h, body, at, false},
		{"body changed", "whsec_abc", h, []byte(`{"schoolId":2,"changes":[]}`), at, false},
		{"too old (replay)", "whsec_abc", h, body, at.Add(10 * time.Minute), false},
		{"no v1", "whsec_abc", "t=1800000000", body, at, false},
		{"garbage", "whsec_abc", "v1=zz,t=x", body, at, false},
	} {
		if got := verify(c.secret, c.header, c.body, c.now); got != c.ok {
			t.Errorf("%s: docs' verify = %v, want %v", c.name, got, c.ok)
		}
		if err := webhook.Verify(c.secret, c.header, c.body, c.now, 5*time.Minute); (err == nil) != c.ok {
			t.Errorf("%s: Verify = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

// TestCheckURL: https only (http to an allowed network's address), bounded, no credentials,
// no internal address unless the operator allows its network.
func TestCheckURL(t *testing.T) {
	none := webhook.Guard{}
	lab := webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.20.0.0/16")}}
	for _, c := range []struct {
		g   webhook.Guard
		url string
		ok  bool
	}{
		{none, "https://hooks.example.com/numo?x=1", true},
		{none, "  https://hooks.example.com/numo  ", true},
		{none, "http://hooks.example.com/numo", false},
		{none, "ftp://hooks.example.com/", false},
		{none, "hooks.example.com/numo", false},
		{none, "https://user:pw@hooks.example.com/", false},
		{none, "https://hooks.example.com/#x", false},
		{none, "https://127.0.0.1/", false},
		{none, "https://localhost:8443/", false},
		{none, "https://10.1.2.3/", false},
		{none, "https://169.254.169.254/latest/meta-data", false},
		{none, "https://[::1]/", false},
		{none, "https://[fd00::1]/", false},
		{none, "https://100.64.0.1/", false},
		{none, "https://[::ffff:10.0.0.1]/", false},
		{none, "https://93.184.215.14/", true},
		{none, "https://hooks.example.com/" + strings.Repeat("a", webhook.MaxURLLength), false},
		{lab, "http://127.0.0.1:9999/hook", true},
		{lab, "https://localhost/hook", true},
		{lab, "http://10.20.1.1/hook", true},
		{lab, "http://10.21.1.1/hook", false},
		{lab, "http://hooks.example.com/", false},
	} {
		_, err := c.g.CheckURL(c.url)
		if (err == nil) != c.ok {
			t.Errorf("CheckURL(%.60q) = %v, want ok=%v", c.url, err, c.ok)
		}
		var ae *apperr.Error
		if err != nil && (!errors.As(err, &ae) || ae.Code() != apperr.CodeInvalidInput || ae.MessageEn() == "") {
			t.Errorf("CheckURL(%.60q): refusal %v is not INVALID_INPUT in both languages", c.url, err)
		}
	}
}
