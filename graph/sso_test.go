package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// The single sign-on settings are for the school's admin accounts only: not its tokens (even
// one that runs imports), teachers, pupils or another school's admin.
func init() {
	authzCases["Query.ssoSettings"] = authzCase{run: query(`{ ssoSettings(schoolId: $schoolA) { issuer hasSecret } }`), allowed: adminOnly}
	authzCases["Mutation.setSsoSettings"] = authzCase{run: query(`mutation { setSsoSettings(schoolId: $schoolA, input: {issuer: "https://login.example.invalid/tenant/v2.0", clientId: "numo", clientSecret: "geheim-authz", match: EMAIL, enabled: false, label: "Microsoft"}) { hasSecret } }`),
		allowed: adminOnly}
}

const setSSO = `mutation($s: ID!, $in: SsoSettingsInput!) { setSsoSettings(schoolId: $s, input: $in) { issuer clientId hasSecret match claim enabled label } }`

// TestSSOSettings: the settings are validated field by field, the client secret is write-only
// (never in an answer or the audit log; null keeps it, "" removes it) and the claim defaults
// to the match's usual one.
func TestSSOSettings(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			admin := w.callers["admin"]
			const secret = "zeer-geheim-clientgeheim-42"
			base := func() map[string]any {
				return map[string]any{"issuer": "https://login.microsoftonline.com/tenant/v2.0/", "clientId": "numo-client",
					"clientSecret": secret, "match": "USERNAME", "enabled": true, "label": "Microsoft"}
			}
			for _, tc := range []struct {
				name  string
				edit  func(map[string]any)
				field string // "" = accepted
			}{
				{"http issuer elsewhere than loopback", func(in map[string]any) { in["issuer"] = "http://login.example.invalid" }, "issuer"},
				{"issuer with a query", func(in map[string]any) { in["issuer"] = "https://login.example.invalid/?x=1" }, "issuer"},
				{"no issuer", func(in map[string]any) { in["issuer"] = " " }, "issuer"},
				{"no client id", func(in map[string]any) { in["clientId"] = "" }, "clientId"},
				{"label too long", func(in map[string]any) { in["label"] = strings.Repeat("x", 61) }, "label"},
				{"secret too long", func(in map[string]any) { in["clientSecret"] = strings.Repeat("x", 1001) }, "clientSecret"},
				{"switched on without a secret", func(in map[string]any) { delete(in, "clientSecret") }, "clientSecret"},
				{"loopback http issuer", func(in map[string]any) { in["issuer"] = "http://127.0.0.1:9999" }, ""},
				{"accepted", func(map[string]any) {}, ""},
			} {
				in := base()
				tc.edit(in)
				r := w.do(t, admin, setSSO, map[string]any{"s": w.ids["schoolA"], "in": in})
				var field any
				if len(r.Errors) > 0 {
					field = r.Errors[0].Extensions["field"]
					if r.Errors[0].Extensions["code"] != "INVALID_INPUT" || r.Errors[0].Extensions["messageEn"] == "" {
						t.Errorf("%s: %v", tc.name, r.Errors)
					}
				}
				if tc.field == "" && len(r.Errors) > 0 || tc.field != "" && field != tc.field {
					t.Errorf("%s: errors %v, want field %q", tc.name, r.Errors, tc.field)
				}
			}
			got := w.do(t, admin, `query($s: ID!) { ssoSettings(schoolId: $s) { issuer clientId hasSecret match claim enabled label } }`,
				map[string]any{"s": w.ids["schoolA"]})
			want := map[string]any{"issuer": "https://login.microsoftonline.com/tenant/v2.0", "clientId": "numo-client", "hasSecret": true,
				"match": "USERNAME", "claim": "preferred_username", "enabled": true, "label": "Microsoft"}
			if b, _ := json.Marshal(got.Data["ssoSettings"]); string(b) != string(mustJSON(want)) {
				t.Errorf("ssoSettings = %s, want %s", b, mustJSON(want))
			}
			// null keeps the secret; "" removes it (and then it cannot stay switched on).
			in := base()
			delete(in, "clientSecret")
			if r := w.do(t, admin, setSSO, map[string]any{"s": w.ids["schoolA"], "in": in}); r.Data["setSsoSettings"].(map[string]any)["hasSecret"] != true {
				t.Errorf("without clientSecret: %v %v", r.Data, r.Errors)
			}
			in["clientSecret"], in["enabled"] = "", false
			if r := w.do(t, admin, setSSO, map[string]any{"s": w.ids["schoolA"], "in": in}); r.Data["setSsoSettings"].(map[string]any)["hasSecret"] != false {
				t.Errorf("clientSecret \"\": %v %v", r.Data, r.Errors)
			}
			events := w.app.DB().Client.AuditEvent.Query().Where(auditevent.Action("sso_settings")).AllX(auth.System(context.Background()))
			if len(events) != 4 {
				t.Errorf("%d audit events of the settings, want 4", len(events))
			}
			for _, e := range events {
				if strings.Contains(e.Detail, secret) {
					t.Errorf("audit detail holds the secret: %s", e.Detail)
				}
			}
		})
	}
}

// TestSSOSettingsHaveNoSecretField: no field of the schema's SsoSettings can return the secret.
func TestSSOSettingsHaveNoSecretField(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	typ := schema.Types["SsoSettings"]
	if typ == nil {
		t.Fatal("no SsoSettings type")
	}
	for _, f := range typ.Fields {
		if strings.Contains(strings.ToLower(f.Name), "secret") && f.Name != "hasSecret" {
			t.Errorf("SsoSettings.%s may show the secret", f.Name)
		}
	}
}
