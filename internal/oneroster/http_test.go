package oneroster_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/auth/authn"
	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

const testPassword = "correct horse battery staple 42"

// TestDownloadAuth downloads the export over real HTTP through the sign-in middleware, as
// every kind of viewer: only the school's admin account and its READ_ROSTERS token get it;
// everyone else gets the same 404 as for a school that does not exist.
func TestDownloadAuth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := seed(t, db)
		log := slog.New(slog.DiscardHandler)
		svc := authn.New(db.Client, log)
		mux := http.NewServeMux()
		mux.Handle("GET /api/schools/{id}/oneroster.zip", oneroster.Handler(db, log))
		srv := httptest.NewServer(svc.Middleware(nil, mux))
		defer srv.Close()

		pupil := db.Client.Account.Query().Where(account.ExternalKey("100101"), account.SchoolID(sc.school.ID)).OnlyX(sys)
		otherAdmin := db.Client.Account.Create().SetSchoolID(sc.other.ID).SetRole(account.RoleADMIN).SetFirstName("Andere").
			SetLastName("Beheerder").SetUsername("beheer").SaveX(sys)
		newAdmin := db.Client.Account.Create().SetSchoolID(sc.school.ID).SetRole(account.RoleADMIN).SetFirstName("Nieuwe").
			SetLastName("Beheerder").SetUsername("nieuw").SaveX(sys)
		hash, err := auth.HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		cookies := map[int]string{}
		cookie := func(a *ent.Account, brin string, mustChange bool) string {
			if c, ok := cookies[a.ID]; ok {
				return c
			}
			db.Client.Account.UpdateOne(a).SetPasswordHash(hash).SetMustChangePassword(mustChange).ExecX(sys)
			secret, _, err := svc.Login(context.Background(), brin, a.Username, testPassword, "127.0.0.1", "test")
			if err != nil {
				t.Fatalf("login %s: %v", a.Username, err)
			}
			cookies[a.ID] = authn.CookieName + "=" + secret
			return cookies[a.ID]
		}
		adminCtx := auth.NewContext(context.Background(), &auth.Viewer{AccountID: sc.admin.ID, SchoolID: sc.school.ID, Role: auth.RoleAdmin, Name: "Beheer Der"})
		token := func(scopes ...auth.Scope) string {
			_, secret, err := svc.CreateToken(adminCtx, sc.school.ID, "koppeling "+string(scopes[0]), scopes)
			if err != nil {
				t.Fatal(err)
			}
			return "Bearer " + secret
		}
		path := oneroster.Path(sc.school.ID)
		for _, tc := range []struct {
			name, path, cookie, bearer string
			want                       int
		}{
			{"admin", path, cookie(sc.admin, "99OR", false), "", 200},
			{"read token", path, "", token(auth.ScopeReadRosters), 200},
			{"read and import token", path, "", token(auth.ScopeReadRosters, auth.ScopeRunImports), 200},
			{"import-only token", path, "", token(auth.ScopeRunImports), 404},
			{"teacher", path, cookie(sc.mentor, "99OR", false), "", 404},
			{"pupil", path, cookie(pupil, "99OR", false), "", 404},
			{"other school's admin", path, cookie(otherAdmin, "98OR", false), "", 404},
			{"admin who must change the password", path, cookie(newAdmin, "99OR", true), "", 403},
			{"anonymous", path, "", "", 404},
			{"admin, another school's id", oneroster.Path(sc.other.ID), cookie(sc.admin, "99OR", false), "", 404},
			{"admin, no such school", oneroster.Path(sc.school.ID + 1000000), cookie(sc.admin, "99OR", false), "", 404},
			{"admin, bad id", "/api/schools/x/oneroster.zip", cookie(sc.admin, "99OR", false), "", 404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := db.Client.AuditEvent.Query().Where(auditevent.Action("roster_exported")).CountX(sys)
				req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
				if tc.cookie != "" {
					req.Header.Set("Cookie", tc.cookie)
				}
				if tc.bearer != "" {
					req.Header.Set("Authorization", tc.bearer)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
				}
				after := db.Client.AuditEvent.Query().Where(auditevent.Action("roster_exported")).CountX(sys)
				if tc.want != 200 {
					if strings.Contains(string(body), "Vries") || after != before {
						t.Fatalf("refused download leaked or was audited: %s", body)
					}
					return
				}
				if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/zip" ||
					!strings.HasPrefix(cd, `attachment; filename="oneroster-99OR-`) || !strings.HasSuffix(cd, `.zip"`) ||
					resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("headers %v", resp.Header)
				}
				checkConformance(t, unzip(t, body))
				ev := db.Client.AuditEvent.Query().Where(auditevent.Action("roster_exported")).Order(ent.Desc(auditevent.FieldID)).FirstX(sys)
				if after != before+1 || ev.SchoolID == nil || *ev.SchoolID != sc.school.ID || !strings.Contains(ev.Detail, "10 gebruikers (6 leerlingen, 2 docenten, 2 beheerders)") {
					t.Fatalf("audit %d→%d %+v", before, after, ev)
				}
				for _, name := range []string{"Sanne", "Vries", "100101", "Kramer"} {
					if strings.Contains(ev.Detail, name) {
						t.Fatalf("audit detail names a person: %s", ev.Detail)
					}
				}
			})
		}
		t.Run("archived=true", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path+"?archived=true", nil)
			req.Header.Set("Cookie", cookie(sc.admin, "99OR", false))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			users := byKey(unzip(t, body).records(oneroster.FileUsers), "identifier")
			if resp.StatusCode != 200 || users["100999"]["enabledUser"] != "false" {
				t.Fatalf("%d %v", resp.StatusCode, users["100999"])
			}
		})
	})
}

// TestMayExport pins the rule itself, for viewers the HTTP test does not build.
func TestMayExport(t *testing.T) {
	for i, tc := range []struct {
		v    *auth.Viewer
		want bool
	}{
		{nil, false},
		{&auth.Viewer{AccountID: 1, SchoolID: 7, Role: auth.RoleAdmin}, true},
		{&auth.Viewer{AccountID: 1, SchoolID: 8, Role: auth.RoleAdmin}, false},
		{&auth.Viewer{AccountID: 1, SchoolID: 7, Role: auth.RoleAdmin, MustChangePassword: true}, false},
		{&auth.Viewer{AccountID: 1, SchoolID: 7, Role: auth.RoleTeacher}, false},
		{&auth.Viewer{TokenID: 1, SchoolID: 7, Scopes: []auth.Scope{auth.ScopeReadRosters}}, true},
		{&auth.Viewer{TokenID: 1, SchoolID: 8, Scopes: []auth.Scope{auth.ScopeReadRosters}}, false},
		{&auth.Viewer{TokenID: 1, SchoolID: 7, Scopes: []auth.Scope{auth.ScopeRunImports}}, false},
		{&auth.Viewer{TokenID: 1, SchoolID: 7}, false},
	} {
		if got := oneroster.MayExport(tc.v, 7); got != tc.want {
			t.Errorf("case %d (%+v): %v, want %v", i, tc.v, got, tc.want)
		}
	}
	if got := oneroster.FileName(`99"X/`, exportTime); got != "oneroster-99_X_-2026-12-07.zip" {
		t.Errorf("FileName %s", got)
	}
}
