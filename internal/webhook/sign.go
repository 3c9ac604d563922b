package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	// HeaderSignature carries "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
	HeaderSignature = "Numo-Signature"
	// HeaderIdempotencyKey is the same for every attempt of one batch (endpoint, from, to).
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderDelivery is a new random id for every attempt, as in the delivery log.
	HeaderDelivery = "Numo-Delivery"
)

// Sign returns the Numo-Signature header value of body sent at t: the HMAC-SHA256 of
// "<unix seconds>.<body>" keyed with the whole secret string as shown at creation
// ("whsec_…"), in hexadecimal.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// ErrBadSignature means a Numo-Signature header does not match the body, is malformed or is
// older than the tolerance.
var ErrBadSignature = errors.New("webhook: bad signature")

// Verify checks a Numo-Signature header against the raw request body as a receiver does: the
// HMAC in constant time, and the timestamp within tolerance of now (a replay of an old request
// fails). It is the reference for docs/integrators.md; a receiver written in Go may copy it.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
		case k == "t":
			ts = v
		case k == "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrBadSignature
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}
