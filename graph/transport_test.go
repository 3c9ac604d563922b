package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// The two media types of GraphQL over HTTP.
const (
	mediaJSON     = "application/json"
	mediaResponse = "application/graphql-response+json"
)

// TestGraphQLOverHTTPStatus pins the status code, media type and shape of the answers of
// /query for the cases of the GraphQL over HTTP specification that gqlgen answers otherwise
// (422 under application/json, "data": null on request errors, 406 for a mutation by GET)
// and for our own refusals before execution, over real HTTP against the whole app. The
// graphql-http audit (frontend/e2e/graphql-http-audit.mjs) checks the same against `numo serve`.
func TestGraphQLOverHTTPStatus(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			base, mustChange := newStatusServer(t, kind)
			for _, tt := range statusCases(mustChange) {
				t.Run(tt.name, func(t *testing.T) { checkStatusCase(t, base, tt) })
			}
		})
	}
}

// newStatusServer serves the whole app over real HTTP with introspection off, signs in the
// demo school's first admin with a one-time password, and returns the server's URL and that
// session's cookie (every operation answers PASSWORD_CHANGE_REQUIRED).
func newStatusServer(t *testing.T, kind string) (base, mustChange string) {
	t.Helper()
	const oneTime = "eenmalig-Wachtwoord-2026"
	// The demo school's first admin must change its one-time password: PASSWORD_CHANGE_REQUIRED.
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--introspection=false"}, map[string]string{"NUMO_ADMIN_PASSWORD": oneTime})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/api/login", mediaJSON, strings.NewReader(`{"username":"beheer","password":"`+oneTime+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		mustChange = c.Name + "=" + c.Value
	}
	if resp.StatusCode != http.StatusOK || mustChange == "" {
		t.Fatalf("sign-in with the one-time password: %d", resp.StatusCode)
	}
	return srv.URL, mustChange
}

// statusRequest is one request to /query in TestGraphQLOverHTTPStatus.
type statusRequest struct {
	method, accept, contentType, body, cookie string
	query                                     url.Values // GET
}

// statusCase is one request of TestGraphQLOverHTTPStatus and the answer it must get.
type statusCase struct {
	name string
	req  statusRequest
	// status and media are the answer's; code is the first error's extensions.code
	// ("" for none); data says whether the answer has a "data" entry.
	status int
	media  string
	code   string
	data   bool
	allow  string
}

// statusCases lists the requests of TestGraphQLOverHTTPStatus; mustChange is the cookie of a
// session that must change its password first.
func statusCases(mustChange string) []statusCase {
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("operations", "not JSON")
	_ = mw.WriteField("map", "{}")
	mw.Close()

	post := func(accept, body string) statusRequest {
		return statusRequest{method: http.MethodPost, accept: accept, contentType: mediaJSON, body: body}
	}
	get := func(accept, query string) statusRequest {
		return statusRequest{method: http.MethodGet, accept: accept, query: url.Values{"query": {query}}}
	}
	const (
		ok         = `{"query":"{ __typename }"}`
		parse      = `{"query":"{"}`
		invalid    = `{"query":"{ noSuchField }"}`
		coercion   = `{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}`
		noQuery    = `{"qeury":"{ __typename }"}`
		pageless   = `{"query":"{ accounts { edges { node { id } } } }"}`
		fieldError = `{"query":"{ schools(first: 1) { totalCount } }"}`
	)
	withCookie := func(r statusRequest) statusRequest { r.cookie = mustChange; return r }
	return []statusCase{
		{"POST query, application/json", post(mediaJSON, ok), 200, mediaJSON, "", true, ""},
		{"POST query, graphql-response+json", post(mediaResponse, ok), 200, mediaResponse, "", true, ""},
		{"POST query, no Accept: application/json", post("", ok), 200, mediaJSON, "", true, ""},
		{"POST query, Accept */*: application/json", post("*/*", ok), 200, mediaJSON, "", true, ""},
		{"Accept with no supported type: application/json", post("text/html", invalid), 200, mediaJSON, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"Accept q-values: the preferred type, not the first", post("application/json;q=0.5, application/graphql-response+json", invalid), 400, mediaResponse, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"the app's Accept: graphql-response+json", post("application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed", invalid), 400, mediaResponse, "GRAPHQL_VALIDATION_FAILED", false, ""},

		{"parse failure, application/json: 200 (gqlgen 422)", post(mediaJSON, parse), 200, mediaJSON, "GRAPHQL_PARSE_FAILED", false, ""},
		{"parse failure, graphql-response+json: 400 without data", post(mediaResponse, parse), 400, mediaResponse, "GRAPHQL_PARSE_FAILED", false, ""},
		{"validation failure, application/json: 200 (gqlgen 422)", post(mediaJSON, invalid), 200, mediaJSON, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"validation failure, graphql-response+json: 400 without data", post(mediaResponse, invalid), 400, mediaResponse, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"variable coercion failure, application/json: 200 (gqlgen 422)", post(mediaJSON, coercion), 200, mediaJSON, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"variable coercion failure, graphql-response+json: 400", post(mediaResponse, coercion), 400, mediaResponse, "GRAPHQL_VALIDATION_FAILED", false, ""},

		{"no query, application/json: 400 (gqlgen 422)", post(mediaJSON, noQuery), 400, mediaJSON, "BAD_REQUEST", false, ""},
		{"no query, graphql-response+json: 400", post(mediaResponse, noQuery), 400, mediaResponse, "BAD_REQUEST", false, ""},
		{"body null: 400", post(mediaJSON, `null`), 400, mediaJSON, "BAD_REQUEST", false, ""},
		{"body not JSON: 400", post(mediaJSON, `{ "not JSON`), 400, mediaJSON, "", true, ""},
		{"variables a string: 400", post(mediaResponse, `{"query":"{ __typename }","variables":"x"}`), 400, mediaResponse, "", true, ""},
		{"query a number: 400", post(mediaJSON, `{"query":1}`), 400, mediaJSON, "", true, ""},
		{"no Content-Type: 400", statusRequest{method: http.MethodPost, body: ok}, 400, "text/plain", "", true, ""},
		{"malformed multipart form: 400 (gqlgen 422)", statusRequest{method: http.MethodPost, contentType: mw.FormDataContentType(), body: form.String()}, 400, mediaJSON, "", true, ""},

		{"cost refusal, application/json: 200", post(mediaJSON, pageless), 200, mediaJSON, "PAGE_SIZE", false, ""},
		{"cost refusal, graphql-response+json: 400 (was 200 with data null)", post(mediaResponse, pageless), 400, mediaResponse, "PAGE_SIZE", false, ""},
		{"one-time password, application/json: 200", withCookie(post(mediaJSON, fieldError)), 200, mediaJSON, "PASSWORD_CHANGE_REQUIRED", false, ""},
		{"one-time password, graphql-response+json: 403", withCookie(post(mediaResponse, fieldError)), 403, mediaResponse, "PASSWORD_CHANGE_REQUIRED", false, ""},
		{"field error (anonymous) is executed: 200 with data", post(mediaResponse, fieldError), 200, mediaResponse, "UNAUTHENTICATED", true, ""},

		{"GET query", get(mediaResponse, "{ __typename }"), 200, mediaResponse, "", true, ""},
		{"GET without query: 400 (gqlgen 422)", statusRequest{method: http.MethodGet, accept: mediaJSON}, 400, mediaJSON, "BAD_REQUEST", false, ""},
		{"GET validation failure, application/json: 200", get(mediaJSON, "{ noSuchField }"), 200, mediaJSON, "GRAPHQL_VALIDATION_FAILED", false, ""},
		{"GET mutation: 405 Allow POST (gqlgen 406)", get(mediaResponse, `mutation { revokeApiToken(id: "1") { id } }`), 405, mediaResponse, "METHOD_NOT_ALLOWED", false, "POST"},
		{"GET mutation, application/json: 405", get(mediaJSON, `mutation { revokeApiToken(id: "1") { id } }`), 405, mediaJSON, "METHOD_NOT_ALLOWED", false, "POST"},
	}
}

// checkStatusCase sends tt's request to base and checks the answer's status, media type,
// Allow header, "data" entry and first error code.
func checkStatusCase(t *testing.T, base string, tt statusCase) {
	u := base + "/query"
	if tt.req.query != nil {
		u += "?" + tt.req.query.Encode()
	}
	var body io.Reader
	if tt.req.body != "" {
		body = strings.NewReader(tt.req.body)
	}
	req, _ := http.NewRequest(tt.req.method, u, body)
	for k, v := range map[string]string{"Accept": tt.req.accept, "Content-Type": tt.req.contentType, "Cookie": tt.req.cookie} {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != tt.status || media != tt.media {
		t.Fatalf("answered %d %s, want %d %s: %s", resp.StatusCode, media, tt.status, tt.media, raw)
	}
	if got := resp.Header.Get("Allow"); got != tt.allow {
		t.Errorf("Allow: %q, want %q", got, tt.allow)
	}
	var answer struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	hasData := bytes.Contains(raw, []byte(`"data":`))
	if hasData != tt.data {
		t.Errorf("data entry present: %v, want %v: %s", hasData, tt.data, raw)
	}
	code := ""
	if len(answer.Errors) > 0 {
		code, _ = answer.Errors[0].Extensions["code"].(string)
	}
	if code != tt.code {
		t.Errorf("code %q, want %q: %s", code, tt.code, raw)
	}
}
