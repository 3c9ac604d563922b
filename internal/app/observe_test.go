package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// serveApp runs a real numo on the demo school of a fresh database of kind with env and the
// flags args, and returns the app and its base URL.
func serveApp(t *testing.T, kind string, env map[string]string, args ...string) (*app.App, string) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["NUMO_ADMIN_PASSWORD"] = adminPassword
	a := testapp.New(t, nil, append([]string{"--db", testdb.URL(t, kind), "--addr", "127.0.0.1:0", "--shutdown-timeout", "5s"}, args...), env)
	base, _ := testapp.ServeApp(t, a)
	return a, base
}

// get sends a GET with the header pairs (name, value, …) and returns the status and body.
func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	resp := send(t, req, header...)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// send sends req with the header pairs (name, value, …) set.
func send(t *testing.T, req *http.Request, header ...string) *http.Response {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// gql posts a GraphQL request with the header pairs and returns the decoded answer.
func gql(t *testing.T, base, query string, vars map[string]any, header ...string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp := send(t, req, header...)
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// demoToken creates an API token of the demo school with the scopes.
func demoToken(t *testing.T, a *app.App, scopes ...auth.Scope) string {
	t.Helper()
	ctx, schoolID := adminContext(a)
	_, secret, err := a.Authn().CreateToken(ctx, schoolID, "test "+string(scopes[0]), scopes)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// adminContext is the demo school's admin acting, and the school's ID.
func adminContext(a *app.App) (context.Context, int) {
	sys := auth.System(context.Background())
	admin := a.DB().Client.Account.Query().Where(account.Username("beheer")).OnlyX(sys)
	return auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: admin.SchoolID, Role: auth.RoleAdmin, Name: "beheer"}), admin.SchoolID
}

// demoSession signs in as the demo school's account username (an admin by default) and
// returns its Cookie header value.
func demoSession(t *testing.T, a *app.App, base, username string) string {
	t.Helper()
	password := adminPassword
	if username != "beheer" {
		ctx, _ := adminContext(a)
		acc := a.DB().Client.Account.Query().Where(account.Username(username)).OnlyX(ctx)
		var err error
		if password, err = a.Authn().ResetPassword(ctx, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	c, status := login(t, base, username, password)
	if c == nil {
		t.Fatalf("sign in as %s: %d", username, status)
	}
	return c.Name + "=" + c.Value
}

// TestReadyz: /healthz answers 200 while the process serves; /readyz answers 200 while the
// database answers and 503 once it does not (its pool closed under the running server).
func TestReadyz(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, base := serveApp(t, kind, nil)
		for _, p := range []string{"/healthz", "/readyz"} {
			if code, body := get(t, base+p); code != 200 || body != "ok\n" {
				t.Fatalf("%s: %d %q", p, code, body)
			}
		}
		a.DB().SQL.Close()
		if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || strings.Contains(body, "sql") {
			t.Errorf("/readyz with the database closed: %d %q", code, body)
		}
		if code, _ := get(t, base+"/healthz"); code != 200 {
			t.Errorf("/healthz with the database closed: %d, want 200 (liveness)", code)
		}
	})
}

// TestMetricsAccess: /metrics is only the operator's. Off by default (404 on the main
// address, whoever asks); with NUMO_METRICS_TOKEN on the main address only with that token
// (not an API token, not an admin's session); with NUMO_METRICS_ADDR on that address alone.
func TestMetricsAccess(t *testing.T) {
	const operator = "operator-token-0123456789"
	testdb.EachKind(t, func(t *testing.T, kind string) {
		off, offBase := serveApp(t, kind, nil)
		tok, tokBase := serveApp(t, kind, map[string]string{"NUMO_METRICS_TOKEN": operator})
		own, ownBase := serveApp(t, kind, map[string]string{"NUMO_METRICS_ADDR": "127.0.0.1:0"})
		if off.MetricsAddr() != nil || tok.MetricsAddr() != nil || own.MetricsAddr() == nil {
			t.Fatalf("metrics listeners: %v %v %v", off.MetricsAddr(), tok.MetricsAddr(), own.MetricsAddr())
		}
		cases := []struct {
			name   string
			url    string
			header []string
			status int
		}{
			{"off, anonymous", offBase + "/metrics", nil, 404},
			{"off, admin", offBase + "/metrics", []string{"Cookie", demoSession(t, off, offBase, "beheer")}, 404},
			{"off, API token", offBase + "/metrics", []string{"Authorization", "Bearer " + demoToken(t, off, auth.ScopeReadRosters)}, 404},
			{"token, anonymous", tokBase + "/metrics", nil, 401},
			{"token, wrong token", tokBase + "/metrics", []string{"Authorization", "Bearer " + operator + "x"}, 401},
			{"token, API token", tokBase + "/metrics", []string{"Authorization", "Bearer " + demoToken(t, tok, auth.ScopeRunImports)}, 401},
			{"token, admin", tokBase + "/metrics", []string{"Cookie", demoSession(t, tok, tokBase, "beheer")}, 401},
			{"token, right token", tokBase + "/metrics", []string{"Authorization", "Bearer " + operator}, 200},
			{"own address, main", ownBase + "/metrics", nil, 404},
			{"own address", "http://" + own.MetricsAddr().String() + "/metrics", nil, 200},
			{"own address, not the app", "http://" + own.MetricsAddr().String() + "/query", nil, 404},
		}
		for _, c := range cases {
			code, body := get(t, c.url, c.header...)
			if code != c.status {
				t.Errorf("%s: %d, want %d", c.name, code, c.status)
			}
			if c.status == 200 && !strings.Contains(body, "numo_http_request_duration_seconds") {
				t.Errorf("%s: no numo metrics in %.300s", c.name, body)
			}
			if c.status != 200 && strings.Contains(body, "go_goroutines") {
				t.Errorf("%s: metrics leaked", c.name)
			}
		}
	})
}

// TestMetricsContent: after real traffic the scrape counts HTTP requests by route pattern
// (not the raw path), GraphQL operations by name and outcome (a refused one too), an
// import's phases with their rows, the database pool and the open websockets.
func TestMetricsContent(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, base := serveApp(t, kind, map[string]string{"NUMO_METRICS_ADDR": "127.0.0.1:0"})
		cookie := demoSession(t, a, base, "beheer")
		school := gql(t, base, `query Whoami { viewer { account { school { id } } } }`, nil, "Cookie", cookie)
		gql(t, base, `{ classes(first: 2) { totalCount } }`, nil, "Cookie", cookie)
		gql(t, base, `query Broken { classes(first: 2) { nope } }`, nil, "Cookie", cookie)
		gql(t, base, `query Big { classes(first: 5000) { totalCount } }`, nil, "Cookie", cookie)
		get(t, base+"/api/accounts/123456/export.json", "Cookie", cookie)
		get(t, base+"/nothing-here.js")
		schoolID, _ := strconv.Atoi(fmt.Sprint(school["data"].(map[string]any)["viewer"].(map[string]any)["account"].(map[string]any)["school"].(map[string]any)["id"]))
		commitSmallImport(t, base, cookie, schoolID, 30)

		// The import's phases are observed when Apply returns, just after its transaction made
		// the job COMMITTED: scrape until the commit's last phase is in.
		var code int
		var body string
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			code, body = get(t, "http://"+a.MetricsAddr().String()+"/metrics")
			if code != 200 || strings.Contains(body, `numo_import_phase_rows_total{phase="writing"}`) || time.Now().After(deadline) {
				break
			}
		}
		if code != 200 {
			t.Fatalf("scrape: %d", code)
		}
		for _, want := range []string{
			`numo_http_request_duration_seconds_count{code="200",method="POST",route="/query"}`,
			`numo_http_request_duration_seconds_count{code="404",method="GET",route="/"} 1`,
			`numo_http_request_duration_seconds_count{code="404",method="GET",route="GET /api/accounts/{id}/export.json"} 1`,
			`numo_graphql_operation_duration_seconds_count{name="Whoami",outcome="ok",type="query"} 1`,
			`numo_graphql_operation_duration_seconds_count{name="(anonymous)",outcome="ok",type="query"}`,
			// A document that does not validate is named only by the request's operationName.
			`numo_graphql_operation_duration_seconds_count{name="(anonymous)",outcome="refused",type="unknown"} 1`,
			`numo_graphql_operation_duration_seconds_count{name="Big",outcome="refused",type="query"} 1`,
			`numo_import_phase_duration_seconds_count{outcome="ok",phase="writing"} 1`,
			`numo_import_phase_rows_total{phase="writing"} 30`,
			`go_sql_max_open_connections{db_name="numo"}`,
			`numo_websockets_active 0`,
			`numo_graphql_subscriptions_active 0`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("scrape lacks %s in\n%s", want, grepLines(body, "numo_graphql_operation_duration_seconds_count"))
			}
		}
		if regexp.MustCompile(`route="[^"]*(123456|nothing-here)`).MatchString(body) {
			t.Error("a raw path became a route label")
		}
	})
}

// commitSmallImport uploads n invented pupils as the admin, previews adding them and commits,
// then waits until the job is COMMITTED.
func commitSmallImport(t *testing.T, base, cookie string, schoolID, n int) {
	t.Helper()
	c := &client{base: base, cookie: cookie}
	job := c.uploadRoster(t, schoolID, n)
	c.query(t, `mutation($j: ID!) { preview(jobId: $j, actions: [ADD]) { counts { added } } }`, map[string]any{"j": job})
	c.query(t, `mutation($j: ID!) { commit(jobId: $j) { status } }`, map[string]any{"j": job})
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, _, _ := c.job(t, job)
		if st == "COMMITTED" {
			return
		}
		if st == "FAILED" || time.Now().After(deadline) {
			t.Fatalf("import: %s", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// grepLines is the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsSubscriptions: an open websocket and the subscription on it are counted while
// they last, on both databases.
func TestMetricsSubscriptions(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, base := serveApp(t, kind, map[string]string{"NUMO_METRICS_ADDR": "127.0.0.1:0"})
		cookie := demoSession(t, a, base, "beheer")
		_, schoolID := adminContext(a)
		job := (&client{base: base, cookie: cookie}).uploadRoster(t, schoolID, 5)

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/query",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Cookie": []string{cookie}}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		for _, m := range []map[string]any{
			{"type": "connection_init", "payload": map[string]any{}},
			{"type": "subscribe", "id": "1", "payload": map[string]any{"query": `subscription Progress($j: ID!) { importProgress(jobId: $j) { status final } }`, "variables": map[string]any{"j": job}}},
		} {
			msg, _ := json.Marshal(m)
			if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []string{"connection_ack", `"type":"next"`} {
			if _, got, err := c.Read(ctx); err != nil || !strings.Contains(string(got), want) {
				t.Fatalf("want %s, got %s %v", want, got, err)
			}
		}
		scrapeUntil(t, a, "numo_websockets_active 1\n", `numo_graphql_subscriptions_active 1`+"\n",
			`numo_graphql_operation_duration_seconds_count{name="Progress",outcome="ok",type="subscription"} 1`)
		c.Close(websocket.StatusNormalClosure, "")
		scrapeUntil(t, a, "numo_websockets_active 0\n", "numo_graphql_subscriptions_active 0\n",
			`numo_http_request_duration_seconds_count{code="101",method="GET",route="/query"} 1`)
	})
}

// scrapeUntil scrapes the metrics address until every one of want is in the answer.
func scrapeUntil(t *testing.T, a *app.App, want ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := get(t, "http://"+a.MetricsAddr().String()+"/metrics")
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %s:\n%s", missing, grepLines(body, "active"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
