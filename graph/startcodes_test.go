package graph_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// lettersWorld is school A with a stamklas 1a (pupils with and without usernames, an archived
// one), a lesgroep, an import job's new pupils, a teacher and an admin; school B with its admin.
// Everything the server logs is kept, to check that no code reaches the log.
type lettersWorld struct {
	srv  *httptest.Server
	c    *ent.Client
	db   *store.DB
	logs *testapp.Logs
	ids  map[string]int
	// cookies are the signed-in sessions by role: admin, admin2, teacher, pupil, adminOther.
	cookies map[string]string
	token   string
}

const lettersPassword = "wachtwoord-letters-123"

func newLettersWorld(t *testing.T, kind string) *lettersWorld {
	t.Helper()
	logs := &testapp.Logs{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := testapp.New(t, log, []string{"--db", testdb.URL(t, kind), "--demo=false", "--public-url", "https://numo.example.nl"}, nil)
	w := &lettersWorld{srv: httptest.NewServer(a.Handler()), c: a.DB().Client, db: a.DB(), logs: logs, ids: map[string]int{}, cookies: map[string]string{}}
	t.Cleanup(w.srv.Close)
	sys := auth.System(context.Background())
	c := w.c
	a1 := c.School.Create().SetName("Het Voorbeeld College").SetBrin("01AA").SaveX(sys)
	b1 := c.School.Create().SetName("School B").SetBrin("02BB").SaveX(sys)
	k1a := c.Class.Create().SetSchoolID(a1.ID).SetName("1a").SaveX(sys)
	k1b := c.Class.Create().SetSchoolID(a1.ID).SetName("1b").SaveX(sys)
	wi := c.Class.Create().SetSchoolID(a1.ID).SetName("wi1").SetKind(class.KindLESGROEP).SaveX(sys)
	job := c.ImportJob.Create().SetSchoolID(a1.ID).SetFileName("nieuw.csv").SetFileSize(1).SetSha256("x").SetStatus(importjob.StatusCOMMITTED).SaveX(sys)
	type p struct {
		name, first, infix, last, user string
		class                          int
		role                           account.Role
		password                       bool
		job                            bool
	}
	people := []p{
		{"jan", "Jan", "", "Jansen", "", k1a.ID, account.RolePUPIL, false, true},
		{"anne", "Anne-Fleur", "van den", "Berg", "", k1a.ID, account.RolePUPIL, false, true},
		{"sanne", "Sanne", "de", "Vries", "sanne.devries", k1a.ID, account.RolePUPIL, false, false}, // keeps her username
		{"zoe", "Zoë", "", "Çelik", "", k1a.ID, account.RolePUPIL, false, false},
		{"archived", "Oud", "", "Leerling", "", k1a.ID, account.RolePUPIL, false, false},
		{"jan2", "Jan", "", "Jansen", "jan.jansen", k1b.ID, account.RolePUPIL, false, false}, // the name a new Jan Jansen would get
		{"pupil", "Piet", "", "Puk", "pupil", k1b.ID, account.RolePUPIL, true, false},
		{"teacher", "Tessa", "", "Docent", "teacher", 0, account.RoleTEACHER, true, false},
		{"admin", "Ada", "", "Beheer", "admin", 0, account.RoleADMIN, true, false},
		{"admin2", "Bert", "", "Beheer", "admin2", 0, account.RoleADMIN, true, false},
	}
	hash, err := auth.HashPassword(lettersPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range people {
		cr := c.Account.Create().SetSchoolID(a1.ID).SetRole(x.role).SetFirstName(x.first).SetInfix(x.infix).SetLastName(x.last).SetUsername(x.user)
		if x.class != 0 {
			cr.SetClassID(x.class).SetExternalKey(x.name)
		}
		if x.password {
			cr.SetPasswordHash(hash)
		}
		if x.job {
			cr.SetImportJobID(job.ID)
		}
		if x.name == "archived" {
			cr.SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Now())
		}
		w.ids[x.name] = cr.SaveX(sys).ID
	}
	c.Membership.Create().SetGroupID(wi.ID).SetAccountID(w.ids["zoe"]).ExecX(sys)
	c.Membership.Create().SetGroupID(wi.ID).SetAccountID(w.ids["pupil"]).ExecX(sys)
	w.ids["adminOther"] = c.Account.Create().SetSchoolID(b1.ID).SetRole(account.RoleADMIN).SetFirstName("Ander").SetLastName("Beheer").
		SetUsername("adminOther").SetPasswordHash(hash).SaveX(sys).ID
	for k, v := range map[string]int{"schoolA": a1.ID, "schoolB": b1.ID, "1a": k1a.ID, "1b": k1b.ID, "wi1": wi.ID, "job": job.ID} {
		w.ids[k] = v
	}
	for _, role := range []string{"admin", "admin2", "teacher", "pupil"} {
		w.cookies[role] = w.mustLogin(t, "01AA", role, lettersPassword)
	}
	w.cookies["adminOther"] = w.mustLogin(t, "02BB", "adminOther", lettersPassword)
	admin := &auth.Viewer{AccountID: w.ids["admin"], SchoolID: a1.ID, Role: auth.RoleAdmin, Name: "admin"}
	_, w.token, err = a.Authn().CreateToken(auth.NewContext(sys, admin), a1.ID, "imports", []auth.Scope{auth.ScopeRunImports, auth.ScopeReadRosters})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// login signs in and answers the status, the JSON body and the session cookie.
func (w *lettersWorld) login(t *testing.T, brin, user, pw string) (int, map[string]any, string) {
	t.Helper()
	return signIn(t, w.srv.URL, brin, user, pw)
}

// errCode is the extensions.code of an /api/ answer's first error.
func errCode(body map[string]any) string {
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	first, _ := errs[0].(map[string]any)
	ext, _ := first["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

func (w *lettersWorld) mustLogin(t *testing.T, brin, user, pw string) string {
	t.Helper()
	status, body, cookie := w.login(t, brin, user, pw)
	if status != http.StatusOK || cookie == "" {
		t.Fatalf("login as %s: %d %v", user, status, body)
	}
	return cookie
}

// gql runs an operation with a session cookie ("" for none) or, with bearer, the API token.
func (w *lettersWorld) gql(t *testing.T, cookie, bearer, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	status, _, raw := w.send(t, req, cookie, bearer)
	return decodeResult(t, status, raw)
}

// send sends req with a session cookie ("" for none) or the API token.
func (w *lettersWorld) send(t *testing.T, req *http.Request, cookie, bearer string) (int, http.Header, []byte) {
	t.Helper()
	caller{cookie: cookie, token: bearer}.header(req.Header)
	req.Header.Del("X-Requested-With")
	return fetch(t, req)
}

const generateMutation = `mutation($in: GenerateStartCodesInput!) { generateStartCodes(input: $in) {
  pdfUrl csvUrl downloadBefore letters newUsernames classes validUntil } }`

// letters is generateStartCodes' answer.
type lettersAnswer struct {
	PdfURL, CsvURL                 string
	Letters, NewUsernames, Classes int
	ValidUntil                     time.Time
}

func (w *lettersWorld) generate(t *testing.T, cookie string, in map[string]any) (lettersAnswer, gqlResult) {
	t.Helper()
	in["schoolId"] = w.ids["schoolA"]
	r := w.gql(t, cookie, "", generateMutation, map[string]any{"in": in})
	var a lettersAnswer
	if g, ok := r.Data["generateStartCodes"].(map[string]any); ok {
		raw, _ := json.Marshal(g)
		json.Unmarshal(raw, &a)
	}
	return a, r
}

func (w *lettersWorld) mustGenerate(t *testing.T, in map[string]any) lettersAnswer {
	t.Helper()
	a, r := w.generate(t, w.cookies["admin"], in)
	if len(r.Errors) > 0 || a.CsvURL == "" {
		t.Fatalf("generateStartCodes(%v): %v", in, r.Errors)
	}
	return a
}

// get downloads a path with a session cookie ("" for none) or the API token.
func (w *lettersWorld) get(t *testing.T, cookie, bearer, path string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
	return w.send(t, req, cookie, bearer)
}

// csvRows downloads the CSV as the admin and reads it by username: row by header.
func (w *lettersWorld) csvRows(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	status, h, body := w.get(t, w.cookies["admin"], "", path)
	if status != http.StatusOK {
		t.Fatalf("CSV download: %d %s", status, body)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("CSV download: %s, starts %q", h.Get("Content-Type"), body[:min(len(body), 8)])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out[m["Gebruikersnaam"]] = m
	}
	return out
}

// handleOf is the handle in a download URL.
func handleOf(u string) string {
	_, h, _ := strings.Cut(u, "?handle=")
	return h
}

var codeShape = regexp.MustCompile(`^[ACDEFGHJKLMNPQRTUVWXY2345679]{4}-[ACDEFGHJKLMNPQRTUVWXY2345679]{4}-[ACDEFGHJKLMNPQRTUVWXY2345679]{4}$`)

// TestStartCodesForClass makes letters for stamklas 1a: usernames from the pattern (a kept
// one, a collision, accents and a tussenvoegsel), codes only in the downloads, each download
// once, an audit event without codes, and no code in the log.
func TestStartCodesForClass(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newLettersWorld(t, kind)
		a := w.mustGenerate(t, map[string]any{"classId": w.ids["1a"]})
		if a.Letters != 4 || a.NewUsernames != 3 || a.Classes != 1 {
			t.Errorf("letters %d, new usernames %d, classes %d; want 4 (the archived pupil left out), 3, 1", a.Letters, a.NewUsernames, a.Classes)
		}
		if d := time.Until(a.ValidUntil); d < 14*24*time.Hour || d > 15*24*time.Hour {
			t.Errorf("valid until %v: want the end of the day 14 days from now", a.ValidUntil)
		}
		rows := w.csvRows(t, a.CsvURL)
		wantUsers := map[string]string{"jan.jansen2": "Jan Jansen", "anne-fleur.vandenberg": "Anne-Fleur van den Berg",
			"sanne.devries": "Sanne de Vries", "zoe.celik": "Zoë Çelik"}
		for user, name := range wantUsers {
			row, ok := rows[user]
			if !ok {
				t.Errorf("no letter for %s (%s); letters %v", user, name, rows)
				continue
			}
			if row["Naam"] != name || row["Klas"] != "1a" || !codeShape.MatchString(row["Startcode"]) || row["Inloggen op"] != "https://numo.example.nl" {
				t.Errorf("letter of %s: %v", user, row)
			}
		}
		var codes []string
		for _, row := range rows {
			codes = append(codes, row["Startcode"])
		}
		// Each download works once.
		if status, _, body := w.get(t, w.cookies["admin"], "", a.CsvURL); status != http.StatusNotFound || !strings.Contains(string(body), "LETTERS_GONE") {
			t.Errorf("second CSV download: %d %s, want 404 LETTERS_GONE", status, body)
		}
		status, h, pdf := w.get(t, w.cookies["admin"], "", a.PdfURL)
		if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 5000 {
			t.Fatalf("PDF download: %d %s, %d bytes", status, h.Get("Content-Type"), len(pdf))
		}
		if status, _, _ := w.get(t, w.cookies["admin"], "", a.PdfURL); status != http.StatusNotFound {
			t.Errorf("second PDF download: %d, want 404", status)
		}
		checkNoCodes(t, w, codes, []string{handleOf(a.PdfURL)})
		// The stored hashes are argon2id, the usernames stay as given.
		sys := auth.System(context.Background())
		sanne := w.c.Account.GetX(sys, w.ids["sanne"])
		if sanne.Username != "sanne.devries" || !strings.HasPrefix(sanne.StartCodeHash, "$argon2id$") || sanne.StartCodeExpiresAt == nil {
			t.Errorf("sanne: username %q, hash %q, expires %v", sanne.Username, sanne.StartCodeHash, sanne.StartCodeExpiresAt)
		}
		if old := w.c.Account.GetX(sys, w.ids["archived"]); old.StartCodeHash != "" || old.Username != "" {
			t.Errorf("the archived pupil got a code or username: %q %q", old.StartCodeHash, old.Username)
		}
		// The username of an account is stable: a second generation keeps every one.
		b := w.mustGenerate(t, map[string]any{"classId": w.ids["1a"]})
		if b.NewUsernames != 0 {
			t.Errorf("second generation gave %d new usernames, want 0", b.NewUsernames)
		}
		if again := w.csvRows(t, b.CsvURL); len(again) != 4 || again["jan.jansen2"]["Startcode"] == rows["jan.jansen2"]["Startcode"] {
			t.Errorf("second generation: %d letters, same code for jan.jansen2: %v", len(again), again["jan.jansen2"]["Startcode"] == rows["jan.jansen2"]["Startcode"])
		}
	})
}

// checkNoCodes asserts that no code is in the audit log, the account history or the server's
// log, and that the generation was audited with who, what and how many.
func checkNoCodes(t *testing.T, w *lettersWorld, codes, handles []string) {
	t.Helper()
	sys := auth.System(context.Background())
	events := w.c.AuditEvent.Query().Where(auditevent.ActionHasPrefix("start_code")).AllX(sys)
	if len(events) < 3 {
		t.Fatalf("%d start-code audit events, want the generation and two downloads", len(events))
	}
	var all []string
	for _, e := range w.c.AuditEvent.Query().AllX(sys) {
		all = append(all, e.Action+" "+e.Detail)
	}
	gen := events[0]
	if gen.Action != "start_codes_generated" || gen.ActorAccountID == nil || *gen.ActorAccountID != w.ids["admin"] ||
		!strings.Contains(gen.Detail, "klas 1a: 4 startcodes") {
		t.Errorf("generation audit event: %s %q by %v", gen.Action, gen.Detail, gen.ActorAccountID)
	}
	history := w.c.AccountChange.Query().AllX(sys)
	raw, _ := json.Marshal(history)
	for _, code := range codes {
		bare := strings.ReplaceAll(code, "-", "")
		for _, where := range []struct{ name, text string }{{"audit log", strings.Join(all, "\n")}, {"history", string(raw)}, {"server log", w.logs.String()}} {
			if strings.Contains(where.text, code) || strings.Contains(where.text, bare) {
				t.Errorf("code %s is in the %s", code, where.name)
			}
		}
	}
	// The access log (debug level here) names the downloads, never their handle.
	if !strings.Contains(w.logs.String(), "/api/letters/") {
		t.Error("the access log did not record the downloads: the handle check below proves nothing")
	}
	for _, h := range handles {
		if strings.Contains(w.logs.String(), h) {
			t.Errorf("a download handle is in the server log")
		}
	}
}

// TestStartCodeSignIn signs a pupil in with the code from the letters: only choosing a password
// is allowed then (GraphQL and /api/ routes, enforced by the server), the code is the current
// password for that, and afterwards only the new password works. A new letter stops the old
// code and ends its unfinished sign-in; an expired code says so; an archived account is refused.
func TestStartCodeSignIn(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newLettersWorld(t, kind)
		a := w.mustGenerate(t, map[string]any{"importJobId": w.ids["job"]})
		if a.Letters != 2 {
			t.Fatalf("%d letters for the import's new pupils, want 2", a.Letters)
		}
		rows := w.csvRows(t, a.CsvURL)
		code := rows["jan.jansen2"]["Startcode"]
		status, body, cookie := w.login(t, "01AA", "jan.jansen2", strings.ToLower(strings.ReplaceAll(code, "-", " ")))
		if status != http.StatusOK || body["mustChangePassword"] != true {
			t.Fatalf("sign-in with the start code: %d %v", status, body)
		}
		// Everything but choosing a password is refused, by the server.
		if r := w.gql(t, cookie, "", `{ accounts(first: 5) { totalCount } }`, nil); r.code() != "PASSWORD_CHANGE_REQUIRED" {
			t.Errorf("roster read after a start-code sign-in: %v, want PASSWORD_CHANGE_REQUIRED", r.Errors)
		}
		if status, _, _ := w.get(t, cookie, "", fmt.Sprintf("/api/accounts/%d/export.json", w.ids["jan"])); status != http.StatusForbidden {
			t.Errorf("own export after a start-code sign-in: %d, want 403", status)
		}
		change := `mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }`
		if r := w.gql(t, cookie, "", change, map[string]any{"o": "fout-fout-fout", "n": "mijn-eigen-wachtwoord"}); r.code() != "INVALID_INPUT" {
			t.Errorf("changePassword with a wrong current password: %v", r.Errors)
		}
		if r := w.gql(t, cookie, "", change, map[string]any{"o": code, "n": "mijn-eigen-wachtwoord"}); r.Data["changePassword"] != true {
			t.Fatalf("changePassword with the start code: %v", r.Errors)
		}
		if r := w.gql(t, cookie, "", `{ viewer { mustChangePassword account { username } } }`, nil); fmt.Sprint(r.Data) != "map[viewer:map[account:map[username:jan.jansen2] mustChangePassword:false]]" {
			t.Errorf("viewer after choosing a password: %v %v", r.Data, r.Errors)
		}
		if status, _, _ := w.login(t, "01AA", "jan.jansen2", code); status != http.StatusUnauthorized {
			t.Errorf("the start code after choosing a password: %d, want 401", status)
		}
		if status, _, _ := w.login(t, "01AA", "jan.jansen2", "mijn-eigen-wachtwoord"); status != http.StatusOK {
			t.Errorf("the new password: %d", status)
		}

		// A new letter: the old code stops, and a sign-in still choosing its password ends.
		annaOld := rows["anne-fleur.vandenberg"]["Startcode"]
		_, _, pending := w.login(t, "01AA", "anne-fleur.vandenberg", annaOld)
		b := w.mustGenerate(t, map[string]any{"accountIds": []int{w.ids["anne"]}})
		annaNew := w.csvRows(t, b.CsvURL)["anne-fleur.vandenberg"]["Startcode"]
		if status, body, _ := w.login(t, "01AA", "anne-fleur.vandenberg", annaOld); status != http.StatusUnauthorized || errCode(body) != "BAD_LOGIN" {
			t.Errorf("the old code after a new letter: %d %v, want 401 BAD_LOGIN", status, body)
		}
		if r := w.gql(t, pending, "", `{ viewer { mustChangePassword } }`, nil); r.Data["viewer"] != nil {
			t.Errorf("the sign-in with the old code still works: %v", r.Data)
		}
		// Expired: the code is right, the letter too old.
		sys := auth.System(context.Background())
		w.c.Account.UpdateOneID(w.ids["anne"]).SetStartCodeExpiresAt(time.Now().Add(-time.Minute)).ExecX(sys)
		status, body, _ = w.login(t, "01AA", "anne-fleur.vandenberg", annaNew)
		if status != http.StatusUnauthorized || errCode(body) != "START_CODE_EXPIRED" || !strings.Contains(fmt.Sprint(body), "verlopen") ||
			!strings.Contains(fmt.Sprint(body), "expired") {
			t.Errorf("an expired code: %d %v, want 401 START_CODE_EXPIRED in Dutch and English", status, body)
		}
		// Archived: refused like a wrong password.
		w.c.Account.UpdateOneID(w.ids["anne"]).SetStartCodeExpiresAt(time.Now().Add(time.Hour)).SetStatus(account.StatusARCHIVED).ExecX(sys)
		if status, body, _ := w.login(t, "01AA", "anne-fleur.vandenberg", annaNew); status != http.StatusUnauthorized || errCode(body) != "BAD_LOGIN" {
			t.Errorf("an archived account with a valid code: %d %v, want 401 BAD_LOGIN", status, body)
		}
	})
}

// TestStartCodesScopesAndLimits: a lesgroep names itself on the letters; a selection is
// capped and stays within the school; exactly one scope; the settings are checked.
func TestStartCodesScopesAndLimits(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newLettersWorld(t, kind)
		a := w.mustGenerate(t, map[string]any{"classId": w.ids["wi1"]})
		rows := w.csvRows(t, a.CsvURL)
		if len(rows) != 2 || rows["zoe.celik"]["Klas"] != "wi1" || rows["pupil"]["Klas"] != "wi1" {
			t.Errorf("lesgroep letters: %v", rows)
		}
		many := make([]int, 2001)
		for i := range many {
			many[i] = i + 1
		}
		refused := []struct {
			name string
			in   map[string]any
		}{
			{"over 2000 ids", map[string]any{"accountIds": many}},
			{"another school's account", map[string]any{"accountIds": []int{w.ids["jan"], w.ids["adminOther"]}}},
			{"an admin", map[string]any{"accountIds": []int{w.ids["admin2"]}}},
			{"two scopes", map[string]any{"classId": w.ids["1a"], "importJobId": w.ids["job"]}},
			{"no scope", map[string]any{}},
			{"an empty class", map[string]any{"classId": w.ids["1a"] + 1000}},
		}
		for _, tt := range refused {
			if _, r := w.generate(t, w.cookies["admin"], tt.in); r.code() != "INVALID_INPUT" {
				t.Errorf("%s: %v, want INVALID_INPUT", tt.name, r.Errors)
			}
		}
		settings := `mutation($s: ID!, $in: StartCodeSettingsInput!) { updateStartCodeSettings(schoolId: $s, input: $in) { usernamePattern startCodeValidDays } }`
		for _, bad := range []map[string]any{{"usernamePattern": "{naam}"}, {"usernamePattern": "vast"}, {"startCodeValidDays": 0}, {"startCodeValidDays": 91}} {
			if r := w.gql(t, w.cookies["admin"], "", settings, map[string]any{"s": w.ids["schoolA"], "in": bad}); r.code() != "INVALID_INPUT" {
				t.Errorf("settings %v: %v, want INVALID_INPUT", bad, r.Errors)
			}
		}
		r := w.gql(t, w.cookies["admin"], "", settings, map[string]any{"s": w.ids["schoolA"], "in": map[string]any{"usernamePattern": "{voorletter}{achternaam}", "startCodeValidDays": 3}})
		if fmt.Sprint(r.Data) != "map[updateStartCodeSettings:map[startCodeValidDays:3 usernamePattern:{voorletter}{achternaam}]]" {
			t.Fatalf("settings: %v %v", r.Data, r.Errors)
		}
		b := w.mustGenerate(t, map[string]any{"importJobId": w.ids["job"]})
		if d := time.Until(b.ValidUntil); d < 3*24*time.Hour || d > 4*24*time.Hour {
			t.Errorf("valid until %v with 3 days", b.ValidUntil)
		}
		if rows := w.csvRows(t, b.CsvURL); rows["jjansen"] == nil || rows["avandenberg"] == nil {
			t.Errorf("usernames with {voorletter}{achternaam}: %v", rows)
		}
		// A download waits half an hour: after that it is gone, and the sealed letters with it.
		c := w.mustGenerate(t, map[string]any{"importJobId": w.ids["job"]})
		sys := auth.System(context.Background())
		// expires_at is immutable in ent: the test moves it with SQL, as time would.
		q, args := entsql.Dialect(w.db.Dialect).Update(letterbatch.Table).Set(letterbatch.FieldExpiresAt, time.Now().Add(-time.Second)).Query()
		if _, err := w.db.SQL.ExecContext(sys, q, args...); err != nil {
			t.Fatal(err)
		}
		if status, _, body := w.get(t, w.cookies["admin"], "", c.PdfURL); status != http.StatusNotFound || !strings.Contains(string(body), "LETTERS_GONE") {
			t.Errorf("an expired download: %d %s, want 404 LETTERS_GONE", status, body)
		}
		if n := w.c.LetterBatch.Query().CountX(sys); n != 0 {
			t.Errorf("%d sealed letters left after they expired", n)
		}
	})
}

// TestStartCodesAuthorization: only an admin account of the school makes letters, and only the
// admin who made them downloads them — not another admin, a teacher, a pupil, another school's
// admin, an API token (even one that runs imports) or nobody.
func TestStartCodesAuthorization(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := newLettersWorld(t, kind)
		for _, role := range []string{"teacher", "pupil", "adminOther"} {
			if _, r := w.generate(t, w.cookies[role], map[string]any{"classId": w.ids["1a"]}); r.code() != "FORBIDDEN" {
				t.Errorf("generate as %s: %v, want FORBIDDEN", role, r.Errors)
			}
		}
		in := map[string]any{"schoolId": w.ids["schoolA"], "classId": w.ids["1a"]}
		if r := w.gql(t, "", w.token, generateMutation, map[string]any{"in": in}); r.code() != "FORBIDDEN" {
			t.Errorf("generate with a RUN_IMPORTS token: %v, want FORBIDDEN", r.Errors)
		}
		if r := w.gql(t, "", "", generateMutation, map[string]any{"in": in}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("generate anonymously: %v, want UNAUTHENTICATED", r.Errors)
		}
		a := w.mustGenerate(t, map[string]any{"classId": w.ids["1a"]})
		for _, path := range []string{a.PdfURL, a.CsvURL} {
			for _, who := range []struct {
				name, cookie, token string
				want                int
			}{
				{"anonymous", "", "", http.StatusUnauthorized},
				{"teacher", w.cookies["teacher"], "", http.StatusNotFound},
				{"pupil", w.cookies["pupil"], "", http.StatusNotFound},
				{"another school's admin", w.cookies["adminOther"], "", http.StatusNotFound},
				{"another admin of the school", w.cookies["admin2"], "", http.StatusNotFound},
				{"an API token", "", w.token, http.StatusNotFound},
			} {
				if status, _, body := w.get(t, who.cookie, who.token, path); status != who.want || bytes.Contains(body, []byte("%PDF")) {
					t.Errorf("%s downloads %s: %d, want %d", who.name, path, status, who.want)
				}
			}
			// None of those used up the download.
			if status, _, _ := w.get(t, w.cookies["admin"], "", path); status != http.StatusOK {
				t.Errorf("the admin's download of %s after the refusals: %d", path, status)
			}
		}
		// A made-up handle and another file name.
		if status, _, _ := w.get(t, w.cookies["admin"], "", "/api/letters/inlogbrieven.pdf?handle=abc"); status != http.StatusNotFound {
			t.Errorf("unknown handle: %d", status)
		}
		if status, _, _ := w.get(t, w.cookies["admin"], "", strings.Replace(a.PdfURL, "inlogbrieven.pdf", "x.zip", 1)); status != http.StatusNotFound {
			t.Errorf("unknown file: %d", status)
		}
	})
}
