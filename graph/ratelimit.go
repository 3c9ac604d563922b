package graph

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/ratelimit"
)

// The rate limit of API tokens (internal/ratelimit) is charged by operationCost once an
// operation is validated and priced, before any resolver runs: one operation and its cost in
// points. Only API tokens are limited. Signed-in people (admins in the app, teachers, pupils)
// are not: the app's own traffic is bounded by the people using it, and their sign-in has
// throttles of its own (internal/auth/authn). Operations refused before pricing (syntax,
// validation, cost or depth over the limit, a persisted query not found) are not counted.
// On a websocket opened with a token every operation started counts: a subscription counts
// once, when it starts.

// tokenLimit charges a token's operations to the limiter.
type tokenLimit struct{ l *ratelimit.Limiter }

// charge counts an operation of cost points when the viewer is an API token, and refuses it
// with RATE_LIMITED when the token's budget is used. Over HTTP the decision is left for the
// RateLimit-* headers (rateSlot).
func (t tokenLimit) charge(ctx context.Context, cost int) *gqlerror.Error {
	if t.l == nil {
		return nil
	}
	v := auth.FromContext(ctx)
	if !v.IsToken() {
		return nil
	}
	d := t.l.Allow(ctx, v.TokenID, cost)
	if s, _ := ctx.Value(rateSlotKey{}).(*rateSlot); s != nil {
		s.decision, s.set = d, true
	}
	if d.Allowed {
		return nil
	}
	return rateLimited(d)
}

// rateLimited is the RATE_LIMITED refusal of a decision.
func rateLimited(d ratelimit.Decision) *gqlerror.Error {
	after := seconds(d.Reset)
	what, whatEn := "bewerkingen", "operations"
	if d.Quota == "points" {
		what, whatEn = "kostenpunten", "complexity points"
	}
	return refusal(apperr.CodeRateLimited,
		fmt.Sprintf("Deze API-token heeft zijn %d %s voor deze minuut gebruikt. Probeer het over %d seconden opnieuw.", d.Limit, what, after),
		fmt.Sprintf("This API token used its %d %s for this minute. Try again in %d seconds.", d.Limit, whatEn, after),
		map[string]any{"quota": d.Quota, "limit": d.Limit, "retryAfter": after})
}

// seconds rounds a duration up to whole seconds, at least 1.
func seconds(d time.Duration) int64 { return max(1, int64(math.Ceil(d.Seconds()))) }

// rateSlot carries a token's decision from operationCost to the HTTP transport (overHTTP),
// which writes it as headers before the answer.
type rateSlot struct {
	decision ratelimit.Decision
	set      bool
}

type rateSlotKey struct{}

// withRateSlot gives an HTTP request by an API token a slot for its decision.
func withRateSlot(r *http.Request) *http.Request {
	if !auth.FromContext(r.Context()).IsToken() {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), rateSlotKey{}, &rateSlot{}))
}

// setRateHeaders writes the decision of ctx's slot, if any, as the headers of the IETF draft
// "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-07): the budget
// nearer to running out, what is left of it, and the seconds until the window ends; with
// Retry-After when refused.
func setRateHeaders(ctx context.Context, h http.Header) {
	s, _ := ctx.Value(rateSlotKey{}).(*rateSlot)
	if s == nil || !s.set {
		return
	}
	d := s.decision
	reset := strconv.FormatInt(seconds(d.Reset), 10)
	// Spelled as the draft does; Header.Set would write Ratelimit-Limit (names are
	// case-insensitive, but people read them).
	h["RateLimit-Limit"] = []string{strconv.FormatInt(d.Limit, 10)}
	h["RateLimit-Remaining"] = []string{strconv.FormatInt(d.Remaining, 10)}
	h["RateLimit-Reset"] = []string{reset}
	if !d.Allowed {
		h.Set("Retry-After", reset)
	}
}
