package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/ent/ssologin"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/oidc"
	"github.com/numo/accounts/internal/auth/oidc/oidctest"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

const clientSecret = "geheim-van-de-test-client-9f3a"

// world is a numo server with two schools, a real OpenID provider on loopback (zitadel's op)
// that both schools use, and the people of both.
type world struct {
	srv     *httptest.Server
	app     *app.App
	op      *oidctest.Provider
	logs    *testapp.Logs
	schoolA *ent.School
	schoolB *ent.School
	admin   string // the session cookie of school A's admin (password sign-in)
	dbURL   string
}

func newWorld(t *testing.T, kind string) *world {
	t.Helper()
	w := &world{logs: &testapp.Logs{}, dbURL: testdb.URL(t, kind)}
	w.app = testapp.New(t, slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		[]string{"--db", w.dbURL, "--demo=false"}, nil)
	w.srv = httptest.NewServer(w.app.Handler())
	t.Cleanup(w.srv.Close)
	op, err := oidctest.Start(oidctest.Options{ClientID: "numo-test", ClientSecret: clientSecret,
		RedirectURIs: []string{w.srv.URL + oidc.CallbackPath}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { op.Close() })
	w.op = op
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	w.schoolA = c.School.Create().SetName("School A").SetBrin("01AA").SaveX(sys)
	w.schoolB = c.School.Create().SetName("School B").SetBrin("02BB").SaveX(sys)
	class := c.Class.Create().SetSchoolID(w.schoolA.ID).SetName("1A").SaveX(sys)
	person := func(school int, role account.Role, username, email, eck string) *ent.Account {
		cr := c.Account.Create().SetSchoolID(school).SetRole(role).SetFirstName(username).SetLastName("Test").
			SetUsername(username).SetEmail(email).SetEckID(eck)
		if role == account.RolePUPIL && school == w.schoolA.ID {
			cr.SetClassID(class.ID).SetExternalKey(username)
		}
		return cr.SaveX(sys)
	}
	// Pupils and teachers have no password: they sign in only through the provider.
	person(w.schoolA.ID, account.RolePUPIL, "sanne", "Sanne.Pupil@a.example", "https://ketenid.nl/201703/eck-sanne")
	person(w.schoolA.ID, account.RoleTEACHER, "docent", "docent@a.example", "")
	admin := person(w.schoolA.ID, account.RoleADMIN, "beheer", "beheer@a.example", "")
	hash, err := auth.HashPassword("beheer-wachtwoord-123")
	if err != nil {
		t.Fatal(err)
	}
	c.Account.UpdateOne(admin).SetPasswordHash(hash).ExecX(sys)
	gone := person(w.schoolA.ID, account.RolePUPIL, "oud", "oud@a.example", "")
	c.Account.UpdateOne(gone).SetStatus(account.StatusARCHIVED).ExecX(sys)
	person(w.schoolB.ID, account.RolePUPIL, "bpupil", "bpupil@b.example", "")
	for _, u := range []oidctest.User{
		{Subject: "s-sanne", Username: "Sanne", Email: "sanne.pupil@a.example", Claims: map[string]any{"eckid": "https://ketenid.nl/201703/eck-sanne"}},
		{Subject: "s-docent", Username: "docent", Email: "docent@a.example"},
		{Subject: "s-beheer", Username: "beheer", Email: "beheer@a.example"},
		{Subject: "s-oud", Username: "oud", Email: "oud@a.example"},
		{Subject: "s-onbekend", Username: "onbekend", Email: "onbekend@a.example"},
		{Subject: "s-bpupil", Username: "bpupil", Email: "bpupil@b.example"},
		{Subject: "s-unverified", Username: "unverified", Email: "docent@a.example", EmailUnverified: true},
	} {
		op.AddUser(u)
	}
	w.admin = w.passwordLogin(t, "01AA", "beheer", "beheer-wachtwoord-123")
	w.configure(t, w.schoolA.ID, "EMAIL", "", true)
	// School B uses the same provider: its pupils must still never sign in at school A.
	adminB := auth.NewContext(sys, &auth.Viewer{AccountID: 1, SchoolID: w.schoolB.ID, Role: auth.RoleAdmin, Name: "beheer B"})
	secret := clientSecret
	if _, err := oidc.Set(adminB, c, w.schoolB.ID, oidc.Input{Issuer: op.Issuer, ClientID: "numo-test", ClientSecret: &secret,
		Match: oidc.MatchEmail, Enabled: true, Label: "Test B"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) passwordLogin(t *testing.T, brin, user, pw string) string {
	t.Helper()
	resp := testapp.Login(t, w.srv.URL, brin, user, pw)
	defer resp.Body.Close()
	if cookie := testapp.SessionCookie(resp); cookie != "" {
		return cookie
	}
	t.Fatalf("login %s: status %d", user, resp.StatusCode)
	return ""
}

// gql runs a GraphQL operation with a cookie header.
func (w *world) gql(t *testing.T, cookie, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	return out
}

// configure sets school A's single sign-on through the API, as its admin.
func (w *world) configure(t *testing.T, school int, match, claim string, enabled bool) {
	t.Helper()
	in := map[string]any{"issuer": w.op.Issuer, "clientId": "numo-test", "clientSecret": clientSecret, "match": match,
		"enabled": enabled, "label": "Testprovider"}
	if claim != "" {
		in["claim"] = claim
	}
	out := w.gql(t, w.admin, `mutation($s: ID!, $in: SsoSettingsInput!) { setSsoSettings(schoolId: $s, input: $in) { hasSecret claim enabled } }`,
		map[string]any{"s": school, "in": in})
	if out["errors"] != nil {
		t.Fatalf("setSsoSettings: %v", out["errors"])
	}
}

// browser is one browser: its cookies and the URLs it was sent to.
type browser struct {
	jar      *cookiejar.Jar
	client   *http.Client
	callback string // the last callback URL numo received
	// via, when set, is the numo the callback goes to (another process of the same database).
	via string
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{jar: jar, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn starts at numo's start URL and follows the redirects like a browser, signing in at the
// provider's login page as username; it returns where numo finally sends the browser.
func (b *browser) signIn(t *testing.T, w *world, startURL, username string) string {
	t.Helper()
	next := startURL
	for range 12 {
		var resp *http.Response
		var err error
		if strings.HasPrefix(next, w.op.Issuer+"/login") {
			u, _ := url.Parse(next)
			resp, err = b.client.PostForm(w.op.Issuer+"/login", url.Values{"authRequestID": {u.Query().Get("authRequestID")}, "username": {username}})
		} else {
			if strings.HasPrefix(next, w.srv.URL+oidc.CallbackPath) {
				if b.via != "" {
					next = b.via + strings.TrimPrefix(next, w.srv.URL)
				}
				b.callback = next
			}
			resp, err = b.client.Get(next)
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || loc == "" {
			t.Fatalf("GET %s: status %d, no redirect", next, resp.StatusCode)
		}
		if strings.HasPrefix(loc, "/") { // numo's own pages: the end of the flow
			if !strings.HasPrefix(loc, "/api/") {
				return loc
			}
			loc = w.srv.URL + loc
		}
		next = loc
	}
	t.Fatal("too many redirects")
	return ""
}

// viewer is who the browser's session is on /query, or nil.
func (b *browser) viewer(t *testing.T, w *world) map[string]any {
	t.Helper()
	u, _ := url.Parse(w.srv.URL)
	var cookie string
	for _, c := range b.jar.Cookies(u) {
		if c.Name == "numo_session" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		return nil
	}
	out := w.gql(t, cookie, `{ viewer { role mustChangePassword account { username } school { brin } } }`, nil)
	v, _ := out["data"].(map[string]any)["viewer"].(map[string]any)
	return v
}

func ssoError(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Path != "/inloggen" {
		return ""
	}
	return u.Query().Get("sso_error")
}

// TestSSOSignIn signs a pupil, a teacher and an admin of school A in through the real provider:
// each gets a session that works on /query as themselves, marked as single sign-on, with an
// audit event; pupils and teachers without a password included.
func TestSSOSignIn(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		for _, tc := range []struct{ user, role, username string }{
			{"Sanne", "PUPIL", "sanne"}, {"docent", "TEACHER", "docent"}, {"beheer", "ADMIN", "beheer"},
		} {
			b := newBrowser()
			loc := b.signIn(t, w, w.srv.URL+"/api/sso/01aa/start", tc.user)
			if loc != "/" {
				t.Fatalf("%s: sent to %s, want /", tc.user, loc)
			}
			v := b.viewer(t, w)
			if v == nil || v["role"] != tc.role || v["account"].(map[string]any)["username"] != tc.username ||
				v["school"].(map[string]any)["brin"] != "01AA" || v["mustChangePassword"] != false {
				t.Errorf("%s: viewer %v", tc.user, v)
			}
		}
		sys := auth.System(context.Background())
		c := w.app.DB().Client
		if n := c.Session.Query().Where(session.SSO(true)).CountX(sys); n != 3 {
			t.Errorf("%d SSO sessions, want 3", n)
		}
		if n := c.AuditEvent.Query().Where(auditevent.Action("login"), auditevent.DetailHasPrefix("signed in via SSO")).CountX(sys); n != 3 {
			t.Errorf("%d audit events of SSO sign-ins, want 3", n)
		}
		if n := c.SSOLogin.Query().CountX(sys); n != 0 {
			t.Errorf("%d sign-ins in progress left after they finished", n)
		}
		for _, secret := range []string{clientSecret, "code=", "state="} {
			if strings.Contains(w.logs.String(), secret) {
				t.Errorf("the log holds %q:\n%s", secret, w.logs.String())
			}
		}
	})
}

// TestSSORefused: every way a sign-in must fail ends at the login page with its code and
// without a session.
func TestSSORefused(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		for _, tc := range []struct {
			name, user, school string
			tamper             oidctest.Tamper
			want               string
		}{
			{"wrong audience", "Sanne", "01AA", oidctest.WrongAudience, "SSO_FAILED"},
			{"expired token", "Sanne", "01AA", oidctest.Expired, "SSO_FAILED"},
			{"tampered signature", "Sanne", "01AA", oidctest.BadSignature, "SSO_FAILED"},
			{"key not in the JWKS", "Sanne", "01AA", oidctest.UnknownKey, "SSO_FAILED"},
			{"wrong nonce", "Sanne", "01AA", oidctest.WrongNonce, "SSO_FAILED"},
			{"wrong issuer", "Sanne", "01AA", oidctest.WrongIssuer, "SSO_FAILED"},
			{"archived account", "oud", "01AA", oidctest.Honest, "SSO_ARCHIVED"},
			{"unknown account", "onbekend", "01AA", oidctest.Honest, "SSO_NO_ACCOUNT"},
			{"pupil of another school", "bpupil", "01AA", oidctest.Honest, "SSO_NO_ACCOUNT"},
			{"e-mail not verified by the provider", "unverified", "01AA", oidctest.Honest, "SSO_NO_ACCOUNT"},
			{"unknown school", "Sanne", "99ZZ", oidctest.Honest, "SSO_UNAVAILABLE"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w.op.SetTamper(tc.tamper)
				defer w.op.SetTamper(oidctest.Honest)
				b := newBrowser()
				loc := b.signIn(t, w, w.srv.URL+"/api/sso/"+tc.school+"/start", tc.user)
				if got := ssoError(loc); got != tc.want {
					t.Errorf("sent to %s, want sso_error=%s", loc, tc.want)
				}
				if v := b.viewer(t, w); v != nil {
					t.Errorf("signed in as %v", v)
				}
			})
		}
		// The other school's pupil signs in at their own school.
		if loc := newBrowser().signIn(t, w, w.srv.URL+"/api/sso/02BB/start", "bpupil"); loc != "/" {
			t.Errorf("school B's pupil at school B: sent to %s", loc)
		}
	})
}

// TestSSOStateOnce: a callback works once, only in the browser that started it, and a
// provider's error is the person's refusal.
func TestSSOStateOnce(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		b := newBrowser()
		if loc := b.signIn(t, w, w.srv.URL+"/api/sso/01AA/start", "Sanne"); loc != "/" {
			t.Fatalf("sent to %s", loc)
		}
		for _, tc := range []struct {
			name string
			b    *browser
		}{{"replayed state", b}, {"replayed in another browser", newBrowser()}} {
			resp, err := tc.b.client.Get(b.callback)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := ssoError(resp.Header.Get("Location")); got != "SSO_EXPIRED" {
				t.Errorf("%s: sent to %s, want SSO_EXPIRED", tc.name, resp.Header.Get("Location"))
			}
		}
		// A fresh sign-in whose callback arrives in another browser (a planted link).
		victim, attacker := newBrowser(), newBrowser()
		start, err := attacker.client.Get(w.srv.URL + "/api/sso/01AA/start")
		if err != nil {
			t.Fatal(err)
		}
		start.Body.Close()
		state := mustQuery(t, start.Header.Get("Location")).Get("state")
		if q := mustQuery(t, start.Header.Get("Location")); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
			t.Errorf("authorization request without PKCE S256 or nonce: %v", q)
		}
		resp, err := victim.client.Get(w.srv.URL + oidc.CallbackPath + "?state=" + url.QueryEscape(state) + "&code=made-up")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := ssoError(resp.Header.Get("Location")); got != "SSO_EXPIRED" {
			t.Errorf("callback in another browser: sent to %s", resp.Header.Get("Location"))
		}
		// The provider answers with an error (the person cancelled there).
		start, _ = b.client.Get(w.srv.URL + "/api/sso/01AA/start")
		start.Body.Close()
		state = mustQuery(t, start.Header.Get("Location")).Get("state")
		resp, _ = b.client.Get(w.srv.URL + oidc.CallbackPath + "?state=" + url.QueryEscape(state) + "&error=access_denied")
		resp.Body.Close()
		if got := ssoError(resp.Header.Get("Location")); got != "SSO_DENIED" {
			t.Errorf("provider error: sent to %s", resp.Header.Get("Location"))
		}
		if n := w.app.DB().Client.SSOLogin.Query().Where(ssologin.SchoolID(w.schoolA.ID)).CountX(auth.System(context.Background())); n != 0 {
			t.Errorf("%d sign-ins in progress, want 0: a state is used up by its first callback, refused or not", n)
		}
	})
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestSSOMatchFields: the claim can be the username (preferred_username, case-insensitive) or
// an ECK iD claim; switched off, the school offers no sign-in.
func TestSSOMatchFields(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		for _, tc := range []struct{ match, claim string }{{"USERNAME", ""}, {"ECK_ID", "eckid"}} {
			w.configure(t, w.schoolA.ID, tc.match, tc.claim, true)
			b := newBrowser()
			if loc := b.signIn(t, w, w.srv.URL+"/api/sso/01AA/start", "Sanne"); loc != "/" {
				t.Fatalf("%s: sent to %s", tc.match, loc)
			}
			if v := b.viewer(t, w); v == nil || v["account"].(map[string]any)["username"] != "sanne" {
				t.Errorf("%s: viewer %v", tc.match, v)
			}
		}
		// By username, the teacher's provider account "docent" is the account docent.
		w.configure(t, w.schoolA.ID, "ECK_ID", "eckid", true)
		if loc := newBrowser().signIn(t, w, w.srv.URL+"/api/sso/01AA/start", "docent"); ssoError(loc) != "SSO_NO_ACCOUNT" {
			t.Errorf("teacher without ECK iD: sent to %s", loc)
		}
		opts := getJSON(t, w.srv.URL+"/api/sso/options?school=01aa")
		if opts["label"] != "Testprovider" || opts["startUrl"] != "/api/sso/01AA/start" || len(opts) != 2 {
			t.Errorf("options %v", opts)
		}
		w.configure(t, w.schoolA.ID, "EMAIL", "", false)
		if opts := getJSON(t, w.srv.URL+"/api/sso/options?school=01AA"); opts["errors"] == nil {
			t.Errorf("options of a school with SSO off: %v", opts)
		}
		resp, err := newBrowser().client.Get(w.srv.URL + "/api/sso/01AA/start")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := ssoError(resp.Header.Get("Location")); got != "SSO_UNAVAILABLE" {
			t.Errorf("start with SSO off: sent to %s", resp.Header.Get("Location"))
		}
	})
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSSOAfterOneTimePassword: a browser whose session still has to change its one-time password
// can sign in through the provider (the SSO routes are not refused to it), and the SSO session
// does not ask for a new password.
func TestSSOAfterOneTimePassword(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		sys := auth.System(context.Background())
		c := w.app.DB().Client
		c.Account.Update().Where(account.Username("beheer")).SetMustChangePassword(true).ExecX(sys)
		b := newBrowser()
		u, _ := url.Parse(w.srv.URL)
		name, value, _ := strings.Cut(w.passwordLogin(t, "01AA", "beheer", "beheer-wachtwoord-123"), "=")
		b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
		if v := b.viewer(t, w); v == nil || v["mustChangePassword"] != true {
			t.Fatalf("password session: %v", v)
		}
		if loc := b.signIn(t, w, w.srv.URL+"/api/sso/01AA/start", "beheer"); loc != "/" {
			t.Fatalf("sent to %s", loc)
		}
		if v := b.viewer(t, w); v == nil || v["role"] != "ADMIN" || v["mustChangePassword"] != false {
			t.Errorf("SSO session: %v", v)
		}
	})
}

// TestSSOBounds: one client address may have MaxPendingPerAddress sign-ins in progress (each is
// a row), then starts are refused with LOCKED; the public options answer 120 a minute.
func TestSSOBounds(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		b := newBrowser()
		for i := range oidc.MaxPendingPerAddress + 1 {
			resp, err := b.client.Get(w.srv.URL + "/api/sso/01AA/start")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if got, want := ssoError(loc) == "LOCKED", i == oidc.MaxPendingPerAddress; got != want {
				t.Fatalf("start %d: sent to %s", i+1, loc)
			}
		}
		status := 0
		for range 121 {
			resp, err := http.Get(w.srv.URL + "/api/sso/options?school=01AA")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			status = resp.StatusCode
		}
		if status != http.StatusTooManyRequests {
			t.Errorf("the 121st options request in a minute: status %d", status)
		}
	})
}

// TestSSOPublicURL: with --public-url the redirect URI is built on it, not on the request's Host.
func TestSSOPublicURL(t *testing.T) {
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, "sqlite"), "--demo=false", "--public-url", "https://numo.school.example/"}, nil)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	op, err := oidctest.Start(oidctest.Options{ClientID: "numo-test", ClientSecret: clientSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	sys := auth.System(context.Background())
	sch := a.DB().Client.School.Create().SetName("School A").SetBrin("01AA").SaveX(sys)
	admin := auth.NewContext(sys, &auth.Viewer{AccountID: 1, SchoolID: sch.ID, Role: auth.RoleAdmin, Name: "beheer"})
	secret := clientSecret
	if _, err := oidc.Set(admin, a.DB().Client, sch.ID, oidc.Input{Issuer: op.Issuer, ClientID: "numo-test", ClientSecret: &secret,
		Match: oidc.MatchEmail, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	resp, err := newBrowser().client.Get(srv.URL + "/api/sso/01AA/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := mustQuery(t, resp.Header.Get("Location")).Get("redirect_uri"); got != "https://numo.school.example/api/sso/callback" {
		t.Errorf("redirect_uri = %q", got)
	}
}

// TestSSOOtherProcess: the sign-in starts at one numo process and the provider's callback
// reaches another process on the same database, which finishes it (state, nonce and verifier
// are in the database, not in the first process's memory).
func TestSSOOtherProcess(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newWorld(t, kind)
		other := testapp.New(t, nil, []string{"--db", w.dbURL, "--demo=false"}, nil)
		srv2 := httptest.NewServer(other.Handler())
		defer srv2.Close()
		b := newBrowser()
		b.via = srv2.URL
		if loc := b.signIn(t, w, w.srv.URL+"/api/sso/01AA/start", "docent"); loc != "/" {
			t.Fatalf("sent to %s", loc)
		}
		if !strings.HasPrefix(b.callback, srv2.URL) {
			t.Fatalf("the callback went to %s", b.callback)
		}
		if v := b.viewer(t, w); v == nil || v["role"] != "TEACHER" {
			t.Errorf("viewer %v", v)
		}
	})
}
