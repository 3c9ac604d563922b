package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// Webhooks are for the school's admin accounts only: not its API tokens (not even the token a
// webhook belongs to), teachers, pupils or another school's admin.
func init() {
	hook := func(q string) func(t *testing.T, w *world, c caller) gqlResult {
		return func(t *testing.T, w *world, c caller) gqlResult {
			t.Helper()
			ep := spareWebhook(t, w)
			return query(strings.ReplaceAll(q, "$webhook", fmt.Sprint(ep.ID)))(t, w, c)
		}
	}
	authzCases["Query.webhooks"] = authzCase{run: hook(`{ webhooks(schoolId: $schoolA) { id url } }`), sees: has("webhooks"), allowed: adminOnly}
	authzCases["Mutation.createWebhook"] = authzCase{run: query(`mutation { createWebhook(tokenId: $spareToken, url: "https://hooks.example.com/numo") { secret } }`), allowed: adminOnly}
	authzCases["Mutation.updateWebhook"] = authzCase{run: hook(`mutation { updateWebhook(id: $webhook, input: {paused: true}) { id state } }`), allowed: adminOnly}
	authzCases["Mutation.deleteWebhook"] = authzCase{run: hook(`mutation { deleteWebhook(id: $webhook) }`), allowed: adminOnly}
	// The test event goes to an address Numo refuses (REFUSED in the log): no traffic leaves.
	authzCases["Mutation.sendTestWebhook"] = authzCase{run: hook(`mutation { sendTestWebhook(id: $webhook) { result } }`), allowed: adminOnly}
}

// spareWebhook makes a webhook of school A's spare token for one authorization case.
func spareWebhook(t *testing.T, w *world) *ent.WebhookEndpoint {
	t.Helper()
	sys := auth.System(context.Background())
	return w.app.DB().Client.WebhookEndpoint.Create().SetSchoolID(w.ids["schoolA"]).SetTokenID(w.ids["spareToken"]).
		SetURL("https://192.0.2.1/numo").SetSecret("whsec_authz").SaveX(sys)
}

// TestWebhooksAPI: an admin creates a webhook (the secret once), reads it with its token and
// delivery log, pauses and resumes it, sends a test event, deletes it; bad URLs, a sixth
// webhook of a token, a revoked token and a too large page are refused; the secret is never in
// a later answer.
func TestWebhooksAPI(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			admin := w.callers["admin"]
			create := func(url string) gqlResult {
				return w.do(t, admin, `mutation($t: ID!, $u: String!) { createWebhook(tokenId: $t, url: $u) { secret webhook { id url state cursor token { id } } } }`,
					map[string]any{"t": w.ids["spareToken"], "u": url})
			}
			r := create("https://hooks.example.com/numo")
			if r.Errors != nil {
				t.Fatalf("create: %v", r.Errors)
			}
			out := r.Data["createWebhook"].(map[string]any)
			secret := out["secret"].(string)
			if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
				t.Fatalf("secret %q", secret)
			}
			id := out["webhook"].(map[string]any)["id"]
			for _, bad := range []string{"http://hooks.example.com/", "https://10.0.0.1/", "https://169.254.169.254/", "https://a:b@hooks.example.com/",
				"https://hooks.example.com/" + strings.Repeat("x", 2100)} {
				if r := create(bad); r.code() != "INVALID_INPUT" {
					t.Errorf("create %.40q: %v", bad, r.Errors)
				}
			}
			for range 4 {
				if r := create("https://hooks.example.com/more"); r.Errors != nil {
					t.Fatal(r.Errors)
				}
			}
			if r := create("https://hooks.example.com/sixth"); r.code() != "INVALID_INPUT" {
				t.Fatalf("a sixth webhook of one token: %v", r.Errors)
			}
			r = w.do(t, admin, `mutation($id: ID!) { sendTestWebhook(id: $id) { result test attempt error } }`, map[string]any{"id": id})
			if r.Errors != nil || !strings.Contains(fmt.Sprint(r.Data), "test:true") {
				t.Fatalf("test event: %v %v", r.Errors, r.Data)
			}
			r = w.do(t, admin, `mutation($id: ID!) { updateWebhook(id: $id, input: {paused: true, url: "https://hooks.example.com/v2"}) { state url } }`, map[string]any{"id": id})
			if r.Errors != nil || !strings.Contains(fmt.Sprint(r.Data), "state:PAUSED") || !strings.Contains(fmt.Sprint(r.Data), "/v2") {
				t.Fatalf("pause: %v %v", r.Errors, r.Data)
			}
			r = w.do(t, admin, `query($s: ID!) { webhooks(schoolId: $s) { id state deliveries(first: 10) { totalCount hasMore items { test attempt } } } viewer { school { apiTokens(first: 10) { edges { node { webhooks { id } } } } } } }`,
				map[string]any{"s": w.ids["schoolA"]})
			if r.Errors != nil || strings.Contains(fmt.Sprint(r.Data), secret) || !strings.Contains(fmt.Sprint(r.Data), "totalCount:1") {
				t.Fatalf("list: %v %v", r.Errors, r.Data)
			}
			if r := w.do(t, admin, `query($s: ID!) { webhooks(schoolId: $s) { deliveries(first: 101) { totalCount } } }`, map[string]any{"s": w.ids["schoolA"]}); r.code() != "PAGE_SIZE" {
				t.Fatalf("first: 101: %v", r.Errors)
			}
			if r := w.do(t, admin, `mutation($id: ID!) { deleteWebhook(id: $id) }`, map[string]any{"id": id}); r.Errors != nil {
				t.Fatal(r.Errors)
			}
			if r := w.do(t, admin, `mutation($id: ID!) { deleteWebhook(id: $id) }`, map[string]any{"id": id}); r.code() != "NOT_FOUND" {
				t.Fatalf("delete twice: %v", r.Errors)
			}
		})
	}
}
