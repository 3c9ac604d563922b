package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/loginthrottle"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/app"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/config"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// schoolOf is the BRIN of the school whose account is called user, "" when there is not
// exactly one: sign-ins name their school.
func schoolOf(t *testing.T, w *world, user string) string {
	t.Helper()
	as, err := w.app.DB().Client.Account.Query().Where(account.UsernameEqualFold(user)).WithSchool().All(auth.System(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 {
		return ""
	}
	return as[0].Edges.School.Brin
}

// signinWorld is a numo server behind a trusted proxy (127.0.0.1), so that a test can sign in
// from any client address by setting X-Forwarded-For.
type signinWorld struct {
	srv *httptest.Server
	app *app.App
	c   *ent.Client
}

func newSigninWorld(t *testing.T, kind string, setup ...func(*authn.Service)) *signinWorld {
	t.Helper()
	a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--demo=false", "--trusted-proxies", "127.0.0.1,::1"}, nil)
	// Concurrent sign-ins wait for their hash as long as it takes: this machine is shared.
	a.Authn().SetHashLimit(2, time.Minute)
	for _, f := range setup {
		f(a.Authn())
	}
	w := &signinWorld{srv: httptest.NewServer(a.Handler()), app: a, c: a.DB().Client}
	t.Cleanup(w.srv.Close)
	return w
}

func (w *signinWorld) school(t *testing.T, brin string) *ent.School {
	t.Helper()
	return w.c.School.Create().SetName("School " + brin).SetBrin(brin).SaveX(auth.System(context.Background()))
}

func (w *signinWorld) person(t *testing.T, s *ent.School, role account.Role, username, pw string) *ent.Account {
	t.Helper()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return w.c.Account.Create().SetSchoolID(s.ID).SetRole(role).SetFirstName(username).SetLastName("Test").
		SetUsername(username).SetPasswordHash(hash).SaveX(auth.System(context.Background()))
}

// answer is a sign-in's answer.
type answer struct {
	status int
	body   string
	code   string
	cookie string
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.status, a.body) }

// login posts a sign-in from the client address from (through the trusted proxy); school ""
// is left out of the request.
func (w *signinWorld) login(t *testing.T, from, school, user, pw string) answer {
	t.Helper()
	body := map[string]string{"username": user, "password": pw}
	if school != "" {
		body["school"] = school
	}
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/login", strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", "6.6.6.6, "+from) // the left entry is forged and must not matter
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, body: string(b)}
	var e struct {
		Errors []struct{ Extensions map[string]any }
	}
	if json.Unmarshal(b, &e) == nil && len(e.Errors) > 0 {
		a.code, _ = e.Errors[0].Extensions["code"].(string)
	}
	for _, c := range resp.Cookies() {
		if c.Name == authn.CookieName {
			a.cookie = c.Name + "=" + c.Value
		}
	}
	return a
}

// loginAll runs n sign-ins at once and returns how many got each status.
func loginAll(n int, fn func(i int) answer) map[int]int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := map[int]int{}
	for i := range n {
		wg.Go(func() {
			a := fn(i)
			mu.Lock()
			got[a.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}

// Thirty concurrent wrong passwords from one address: exactly five are checked (401), the
// rest refused (429) without a hash, and the right password afterwards is refused too. The
// password hashes never run more than the gate allows.
func TestLoginConcurrentWrongPasswords(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := newSigninWorld(t, kind)
			s := w.school(t, "01AA")
			w.person(t, s, account.RoleTEACHER, "jan", "juist-wachtwoord-1")
			const gate = 2 // as newSigninWorld set it

			got := loginAll(30, func(int) answer { return w.login(t, "198.51.100.1", "", "jan", "verkeerd") })
			if got[http.StatusUnauthorized] != 5 || got[http.StatusTooManyRequests] != 25 || len(got) != 2 {
				t.Fatalf("30 concurrent wrong passwords answered %v, want 5×401 and 25×429", got)
			}
			if a := w.login(t, "198.51.100.1", "", "jan", "juist-wachtwoord-1"); a.status != http.StatusTooManyRequests || a.code != "LOCKED" {
				t.Fatalf("the right password after them answered %v, want 429 LOCKED", a)
			}
			// The counters in the database: account at this address (locked), address, account.
			rows := w.c.LoginThrottle.Query().Order(ent.Asc(loginthrottle.FieldKey)).AllX(auth.System(context.Background()))
			var failures []int
			locked := 0
			for _, r := range rows {
				failures = append(failures, r.Failures)
				if r.LockedUntil > time.Now().UnixMilli() {
					locked++
				}
			}
			if !slices.Equal(failures, []int{5, 5, 5}) || locked != 1 {
				t.Fatalf("throttle rows have failures %v with %d locked, want [5 5 5] with 1 locked", failures, locked)
			}
			if p := w.app.Authn().HashPeak(); p < 1 || p > gate {
				t.Fatalf("%d password hashes ran at once, want 1 to %d", p, gate)
			}

			// Thirty different (unknown) usernames from thirty addresses: every one is checked,
			// against a dummy hash, never more than the gate's number at once.
			got = loginAll(30, func(i int) answer {
				return w.login(t, fmt.Sprintf("198.51.100.%d", 10+i), "", fmt.Sprintf("niemand%d", i), "verkeerd")
			})
			if got[http.StatusUnauthorized] != 30 {
				t.Fatalf("30 unknown usernames answered %v, want 30×401", got)
			}
			if p := w.app.Authn().HashPeak(); p != gate {
				t.Fatalf("%d password hashes ran at once with 30 waiting, want exactly %d", p, gate)
			}
		})
	}
}

// The same username at two schools is two accounts: the school is chosen at sign-in, and
// failures at one school do not lock the other's account.
func TestLoginSameUsernameTwoSchools(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := newSigninWorld(t, kind)
			a, b := w.school(t, "01AA"), w.school(t, "02BB")
			w.person(t, a, account.RoleTEACHER, "jan", "wachtwoord-van-A-1")
			w.person(t, b, account.RoleTEACHER, "jan", "wachtwoord-van-B-1")

			// Without a school the answer is the same whoever is named.
			known := w.login(t, "198.51.100.1", "", "jan", "wachtwoord-van-A-1")
			unknown := w.login(t, "198.51.100.1", "", "niemand", "x")
			if known.status != http.StatusBadRequest || known.code != "SCHOOL_REQUIRED" || known.body != unknown.body || known.status != unknown.status {
				t.Fatalf("sign-in without a school: %v and %v, want the same 400 SCHOOL_REQUIRED", known, unknown)
			}

			for range 5 {
				if st := w.login(t, "198.51.100.1", "01aa", "jan", "verkeerd").status; st != http.StatusUnauthorized {
					t.Fatalf("wrong password at 01AA answered %d", st)
				}
			}
			if a := w.login(t, "198.51.100.1", "01AA", "jan", "wachtwoord-van-A-1"); a.status != http.StatusTooManyRequests {
				t.Fatalf("01AA's jan after five failures: %v, want 429", a)
			}
			ok := w.login(t, "198.51.100.1", "02bb", "jan", "wachtwoord-van-B-1")
			if ok.status != http.StatusOK || !strings.Contains(ok.body, fmt.Sprintf(`"schoolId":%d`, b.ID)) {
				t.Fatalf("02BB's jan from the same address: %v, want 200 at school %d", ok, b.ID)
			}
			// A's password is not B's.
			if st := w.login(t, "198.51.100.2", "02BB", "jan", "wachtwoord-van-A-1").status; st != http.StatusUnauthorized {
				t.Fatalf("A's password at 02BB answered %d", st)
			}

			// Usernames are unique per school, not across schools.
			sys := auth.System(context.Background())
			adminB := w.person(t, b, account.RoleADMIN, "beheerB", "wachtwoord-beheer-B")
			ctxB := auth.NewContext(sys, &auth.Viewer{AccountID: adminB.ID, SchoolID: b.ID, Role: auth.RoleAdmin, Name: "beheerB"})
			w.person(t, a, account.RoleTEACHER, "piet", "wachtwoord-piet-A1")
			if _, err := w.app.Authn().CreateTeacher(ctxB, b.ID, authn.TeacherInput{FirstName: "Piet", LastName: "B", Email: "piet@b.example", Username: "piet"}); err != nil {
				t.Fatalf("piet at 02BB while 01AA has a piet: %v", err)
			}
			if _, err := w.app.Authn().CreateTeacher(ctxB, b.ID, authn.TeacherInput{FirstName: "Jan", LastName: "B", Email: "jan2@b.example", Username: "JAN"}); err == nil {
				t.Fatal("a second JAN at 02BB was created")
			}
		})
	}
}

// Failures from one address lock that address's attempts on that account only; unknown and
// existing usernames answer identically; an account's ceiling over all addresses and an
// address's ceiling over all accounts hold (here with small ceilings, so the test is short).
func TestLoginAddressesAndUnknownUsers(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := newSigninWorld(t, kind, func(s *authn.Service) {
				s.Limits.Account.Max = 12
				s.Limits.Address.Max = 20
			})
			s := w.school(t, "01AA") // the only school: sign-ins need not name it
			w.person(t, s, account.RoleTEACHER, "jan", "wachtwoord-jan-1")
			w.person(t, s, account.RoleTEACHER, "piet", "wachtwoord-piet-1")
			w.person(t, s, account.RoleTEACHER, "klaas", "wachtwoord-klaas-1")

			// An unknown username and a wrong password answer the same, six times over.
			for i := 1; i <= 6; i++ {
				known := w.login(t, "198.51.100.1", "", "jan", "verkeerd")
				unknown := w.login(t, "198.51.100.1", "", "niemand", "verkeerd")
				want := http.StatusUnauthorized
				if i == 6 {
					want = http.StatusTooManyRequests
				}
				if known.status != want || unknown.status != known.status || unknown.body != known.body {
					t.Fatalf("attempt %d: existing %v, unknown %v; want both %d with the same body", i, known, unknown, want)
				}
			}

			// jan is locked at .1 only: piet signs in from .1, jan from .2.
			if a := w.login(t, "198.51.100.1", "", "piet", "wachtwoord-piet-1"); a.status != http.StatusOK {
				t.Fatalf("piet from the address that locked jan: %v", a)
			}
			if a := w.login(t, "198.51.100.2", "01AA", "jan", "wachtwoord-jan-1"); a.status != http.StatusOK {
				t.Fatalf("jan from another address: %v", a)
			}
			if a := w.login(t, "198.51.100.1", "", "jan", "wachtwoord-jan-1"); a.status != http.StatusTooManyRequests {
				t.Fatalf("jan from the locking address after signing in elsewhere: %v", a)
			}
			// The forged left part of X-Forwarded-For is not the address: without the proxy's
			// entry the attempts would all come from 6.6.6.6.

			// An account's ceiling: 12 failures from three addresses lock it everywhere.
			got := loginAll(12, func(i int) answer {
				return w.login(t, fmt.Sprintf("203.0.113.%d", 1+i%3), "", "klaas", "verkeerd")
			})
			if got[http.StatusUnauthorized] != 12 {
				t.Fatalf("12 failures for klaas from 3 addresses answered %v", got)
			}
			if a := w.login(t, "203.0.113.99", "", "klaas", "wachtwoord-klaas-1"); a.status != http.StatusTooManyRequests {
				t.Fatalf("klaas from a fresh address after the ceiling: %v, want 429", a)
			}

			// An address's ceiling: 20 failures over four usernames lock the address for everyone.
			got = loginAll(20, func(i int) answer {
				return w.login(t, "192.0.2.50", "", fmt.Sprintf("gok%d", i%4), "verkeerd")
			})
			if got[http.StatusUnauthorized] != 20 {
				t.Fatalf("20 failures from one address answered %v", got)
			}
			if a := w.login(t, "192.0.2.50", "", "piet", "wachtwoord-piet-1"); a.status != http.StatusTooManyRequests {
				t.Fatalf("piet from the spraying address: %v, want 429", a)
			}
			if a := w.login(t, "192.0.2.51", "", "piet", "wachtwoord-piet-1"); a.status != http.StatusOK {
				t.Fatalf("piet from the next address: %v", a)
			}

			// A password reset opens a locked account at once (at every address).
			checkResetUnlocks(t, w, s)
		})
	}
}

// checkResetUnlocks checks that a password reset opens klaas's locked account at once (at
// every address), without moving the roster's version.
func checkResetUnlocks(t *testing.T, w *signinWorld, s *ent.School) {
	t.Helper()
	sys := auth.System(context.Background())
	admin := w.person(t, s, account.RoleADMIN, "beheer", "wachtwoord-beheer-1")
	ctx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin, Name: "beheer"})
	klaas := w.c.Account.Query().Where(account.Username("klaas")).OnlyX(sys)
	before := klaas.UpdatedAt
	pw, err := w.app.Authn().ResetPassword(ctx, klaas.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := w.login(t, "203.0.113.1", "", "klaas", pw); a.status != http.StatusOK || !strings.Contains(a.body, `"mustChangePassword":true`) {
		t.Fatalf("klaas after a reset: %v", a)
	}
	// Sign-in bookkeeping never moved the roster's version.
	if after := w.c.Account.GetX(sys, klaas.ID).UpdatedAt; !after.Equal(before) {
		t.Fatalf("klaas's updated_at moved from %v to %v", before, after)
	}
}

// An account with a one-time password may change it and read who it is, nothing else: every
// other root field of the schema, the HTTP report and export, and the edges below viewer are
// refused with PASSWORD_CHANGE_REQUIRED. After the change it works as before.
func TestMustChangePassword(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			sys := auth.System(context.Background())
			hash, err := auth.HashPassword("eenmalig-wachtwoord")
			if err != nil {
				t.Fatal(err)
			}
			w.app.DB().Client.Account.Create().SetSchoolID(w.ids["schoolA"]).SetRole(account.RoleADMIN).SetFirstName("Nieuw").
				SetLastName("Beheer").SetUsername("nieuw").SetPasswordHash(hash).SetMustChangePassword(true).ExecX(sys)
			fresh := caller{cookie: w.login(t, "nieuw", "eenmalig-wachtwoord")}

			schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
			for _, typ := range []string{"Query", "Mutation", "Subscription"} {
				for _, f := range schema.Types[typ].Fields {
					name := typ + "." + f.Name
					c, ok := authzCases[name]
					if strings.HasPrefix(f.Name, "__") || !ok {
						continue // TestAuthorization fails for a field without a case
					}
					r := c.run(t, w, fresh)
					refused := r.code() == "PASSWORD_CHANGE_REQUIRED"
					if want := name != "Query.viewer" && name != "Mutation.changePassword"; refused != want {
						t.Errorf("%s for an account with a one-time password: refused=%v, want %v (%v)", name, refused, want, r.Errors)
					}
					if refused && (r.Errors[0].Message == "" || r.Errors[0].Extensions["messageEn"] == "") {
						t.Errorf("%s: refusal without Dutch and English text: %+v", name, r.Errors)
					}
				}
			}
			// Below viewer: its own fields, not the school's rosters, tokens or audit log.
			if r := w.do(t, fresh, `{ viewer { role mustChangePassword account { username } school { name brin } } }`, nil); r.Errors != nil ||
				!strings.Contains(fmt.Sprint(r.Data), "mustChangePassword:true") {
				t.Fatalf("viewer: %+v %+v", r.Errors, r.Data)
			}
			for _, q := range []string{
				`{ viewer { school { accounts { totalCount } } } }`,
				`{ viewer { school { auditEvents { totalCount } } } }`,
				`query { ...V } fragment V on Query { viewer { ...S } } fragment S on Viewer { school { apiTokens { totalCount } } }`,
				`{ viewer { account { teachingClasses { totalCount } } } }`,
				`{ __typename viewer { role } schools { totalCount } }`,
				`{ __schema { queryType { name } } }`,
			} {
				if r := w.do(t, fresh, q, nil); r.code() != "PASSWORD_CHANGE_REQUIRED" {
					t.Errorf("%s: %+v %+v, want PASSWORD_CHANGE_REQUIRED", q, r.Errors, r.Data)
				}
			}
			// The ent rules narrow such a viewer to itself too.
			v := &auth.Viewer{AccountID: 1, SchoolID: w.ids["schoolA"], Role: auth.RoleAdmin, MustChangePassword: true}
			if v.IsAdminOf(w.ids["schoolA"]) || v.CanReadSchool(w.ids["schoolA"]) || v.IsAdminAccount() {
				t.Error("a must-change admin counts as the school's admin")
			}
			// HTTP routes with data.
			for _, path := range []string{fmt.Sprintf("/api/import-jobs/%d/report.csv", w.ids["job"]), fmt.Sprintf("/api/accounts/%d/export.json", w.ids["target"])} {
				status, _, body := w.get(t, fresh, path)
				if status != http.StatusForbidden || !strings.Contains(body, "PASSWORD_CHANGE_REQUIRED") {
					t.Errorf("GET %s: %d %s, want 403 PASSWORD_CHANGE_REQUIRED", path, status, body)
				}
			}
			// After the change, the same session is an admin.
			if r := w.do(t, fresh, `mutation { changePassword(oldPassword: "eenmalig-wachtwoord", newPassword: "mijn-eigen-wachtwoord") }`, nil); r.Errors != nil {
				t.Fatalf("changePassword: %+v", r.Errors)
			}
			if r := w.do(t, fresh, `{ accounts { totalCount } }`, nil); r.Errors != nil || r.Data["accounts"].(map[string]any)["totalCount"].(float64) < 2 {
				t.Fatalf("after the change: %+v %+v", r.Errors, r.Data)
			}
		})
	}
}

// The first admin of every school gets NUMO_ADMIN_PASSWORD, which all schools share: it is a
// one-time password, also for a school added later, and for an admin that still has it from
// before.
func TestAdminPasswordMustBeChanged(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			const shared = "gedeeld-Wachtwoord-2026"
			url := testdb.URL(t, kind)
			start := func(keep bool) (*app.App, *httptest.Server) {
				cfg, err := config.Load([]string{"--db", url}, func(k string) string {
					return map[string]string{"NUMO_ADMIN_PASSWORD": shared}[k]
				})
				if err != nil {
					t.Fatal(err)
				}
				a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
				if err != nil {
					t.Fatal(err)
				}
				srv := httptest.NewServer(a.Handler())
				if keep {
					t.Cleanup(func() { srv.Close(); a.Close() })
				}
				return a, srv
			}
			a, srv := start(false) // the demo school 99XX and its admin
			sys := auth.System(context.Background())
			a.DB().Client.School.Create().SetName("Tweede school").SetBrin("02BB").ExecX(sys)
			// An admin set up before one-time passwords were enforced still has the shared one.
			a.DB().Client.Account.Update().Where(account.Username("beheer")).SetMustChangePassword(false).ExecX(sys)
			srv.Close()
			a.Close()
			_, srv = start(true) // the second school gets its first admin at the next start
			w := &signinWorld{srv: srv}
			for _, brin := range []string{"99XX", "02BB"} {
				got := w.login(t, "198.51.100.1", brin, "beheer", shared)
				if got.status != http.StatusOK || !strings.Contains(got.body, `"mustChangePassword":true`) {
					t.Fatalf("beheer of %s with NUMO_ADMIN_PASSWORD: %v, want 200 with mustChangePassword", brin, got)
				}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/query", strings.NewReader(`{"query":"{ schools { totalCount } }"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Cookie", got.cookie)
				if _, _, body := fetch(t, req); !strings.Contains(string(body), "PASSWORD_CHANGE_REQUIRED") {
					t.Fatalf("beheer of %s before changing the shared password read %s", brin, body)
				}
			}
		})
	}
}

// TestLoginStoresRequestTextSafely: the session row keeps the client's User-Agent, which may
// carry any bytes and any length. Cut in the middle of a character or left invalid, PostgreSQL
// refused it and the sign-in answered 500 (issue 10.15, the same class as the file name).
func TestLoginStoresRequestTextSafely(t *testing.T) {
	agents := map[string]string{
		"cut inside é at 500 bytes": strings.Repeat("a", 499) + "é" + strings.Repeat("b", 100),
		"invalid UTF-8":             "Mozilla/5.0 \xff\xfe\xc3(",
	}
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := newSigninWorld(t, kind)
			s := w.school(t, "08UA")
			w.person(t, s, account.RoleADMIN, "ua", "wachtwoord-ua-123")
			for name, agent := range agents {
				req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/api/login",
					strings.NewReader(`{"username":"ua","password":"wachtwoord-ua-123"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("User-Agent", agent)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: sign-in answered %d", name, resp.StatusCode)
				}
			}
			for _, ses := range w.c.Session.Query().AllX(auth.System(context.Background())) {
				if !utf8.ValidString(ses.UserAgent) || len(ses.UserAgent) > 500 {
					t.Errorf("stored user agent %q (%d bytes)", ses.UserAgent, len(ses.UserAgent))
				}
			}
		})
	}
}
