package retention_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
	"github.com/numo/accounts/internal/testimport"
	"github.com/numo/accounts/internal/undo"
)

// exportScene is a school with two years imported, the pupil Zoë with a session and an audit
// event, a classmate, a teacher, another school, and the viewers that try to reach her data.
type exportScene struct {
	s, other                       *school
	zoe, classmate, teacher        *ent.Account
	y1, y2                         *ent.ImportJob
	zoeCtx, classmateCtx, tokenCtx context.Context
	now                            time.Time
}

// newExportScene imports two years into a new school and gives Zoë a session and an audit event.
func newExportScene(t *testing.T, db *store.DB) *exportScene {
	t.Helper()
	now := time.Now()
	s := newSchool(t, db, "11AA")
	other := newSchool(t, db, "22BB")
	y1 := importAt(t, db, s.ID, "school_2026.csv", testimport.Fixture(t, "transition/school_2026.csv"), now.AddDate(0, 0, -2))
	y2 := importAt(t, db, s.ID, "school_2027.csv", testimport.Fixture(t, "transition/school_2027.csv"), now.AddDate(0, 0, -1))
	zoe := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey("4002")).OnlyX(sys)
	classmate := db.Client.Account.Query().Where(account.SchoolID(s.ID), account.ExternalKey("4003")).OnlyX(sys)
	db.Client.Session.Create().SetAccountID(zoe.ID).SetTokenHash("zoe").SetExpiresAt(now.Add(time.Hour)).SetUserAgent("Firefox").ExecX(sys)
	db.Client.AuditEvent.Create().SetSchoolID(s.ID).SetActorAccountID(zoe.ID).SetActor("Zoë van den Vries-Jansen").SetAction("login").ExecX(sys)
	teacher := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").SetLastName("Een").SaveX(sys)
	zoeCtx := viewerCtx(&auth.Viewer{AccountID: zoe.ID, SchoolID: s.ID, Role: auth.RolePupil})
	classmateCtx := viewerCtx(&auth.Viewer{AccountID: classmate.ID, SchoolID: s.ID, Role: auth.RolePupil})
	tokenCtx := viewerCtx(&auth.Viewer{TokenID: 3, SchoolID: s.ID, Scopes: []auth.Scope{auth.ScopeRunImports}})
	return &exportScene{s: s, other: other, zoe: zoe, classmate: classmate, teacher: teacher, y1: y1, y2: y2,
		zoeCtx: zoeCtx, classmateCtx: classmateCtx, tokenCtx: tokenCtx, now: now}
}

// TestExportAndErase downloads everything stored about one pupil, as the admin, as the pupil
// and over HTTP, and then erases the pupil: no trace is left in the accounts, the import
// history, the stored plans and mappings, the sessions or the audit log's names, and the
// other pupils' history still undoes.
func TestExportAndErase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := newExportScene(t, db)
		checkExport(t, db, sc)
		checkExportDownload(t, db, sc)
		checkEraseRefused(t, db, sc)
		if err := retention.Erase(sc.s.Ctx, db, sc.zoe.ID); err != nil {
			t.Fatal(err)
		}
		checkErased(t, db, sc)
	})
}

// checkExport downloads Zoë's data as the admin and as herself, and checks nobody else may.
func checkExport(t *testing.T, db *store.DB, sc *exportScene) {
	t.Helper()
	for i, ctx := range []context.Context{sc.s.Ctx, sc.zoeCtx} {
		exp, err := retention.Export(ctx, db, sc.zoe.ID, sc.now)
		if err != nil {
			t.Fatal(err)
		}
		if exp.Account.FirstName != "Zoë" || exp.Account.LastName != "Vries-Jansen" || exp.Class == nil || exp.Class.Name != "2A" ||
			exp.School.Brin != "11AA" || exp.School.AuditRetentionDays != 365 || len(exp.Sessions) != 1 || len(exp.AuditEvents) != 1+i {
			t.Fatalf("export %+v", exp)
		}
		// Her login, and (the second time) the admin's download of her data: an event about
		// her, without the admin's address.
		if ev := exp.AuditEvents[0]; ev.Action != "login" || ev.About || i == 1 && (exp.AuditEvents[1].Action != "account_exported" || !exp.AuditEvents[1].About) {
			t.Fatalf("export audit events %+v", exp.AuditEvents)
		}
		var before struct{ LastName string }
		if len(exp.Changes) != 2 || exp.Changes[0].Action != "ADDED" || exp.Changes[1].Action != "UPDATED" ||
			json.Unmarshal(exp.Changes[1].Before, &before) != nil || before.LastName != "Broek" {
			t.Fatalf("export changes %+v", exp.Changes)
		}
		if len(exp.ImportRows) != 2 || exp.ImportRows[0].JobID != sc.y1.ID || !strings.Contains(string(exp.ImportRows[1].Row), "Vries-Jansen") {
			t.Fatalf("export import rows %+v", exp.ImportRows)
		}
	}
	for name, ctx := range map[string]context.Context{"nobody": context.Background(), "a classmate": sc.classmateCtx,
		"another school's admin": sc.other.Ctx, "a token": sc.tokenCtx} {
		if _, err := retention.Export(ctx, db, sc.zoe.ID, sc.now); code(err) != apperr.CodeNotFound {
			t.Fatalf("export by %s: %v, want NOT_FOUND", name, err)
		}
	}
	if n := db.Client.AuditEvent.Query().Where(auditevent.Action("account_exported")).CountX(sys); n != 2 {
		t.Fatalf("%d account_exported audit events, want 2", n)
	}
}

// checkExportDownload fetches Zoë's data over HTTP, as herself and as viewers who get a 404.
func checkExportDownload(t *testing.T, db *store.DB, sc *exportScene) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /api/accounts/{id}/export.json", retention.ExportHandler(db))
	get := func(ctx context.Context, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil).WithContext(ctx))
		return rec
	}
	rec := get(sc.zoeCtx, retention.ExportPath(sc.zoe.ID))
	var body retention.AccountExport
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Account.ID != sc.zoe.ID ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	for _, tc := range []struct {
		ctx  context.Context
		path string
	}{{sc.classmateCtx, retention.ExportPath(sc.zoe.ID)}, {sc.other.Ctx, retention.ExportPath(sc.zoe.ID)}, {context.Background(), retention.ExportPath(sc.zoe.ID)},
		{sc.s.Ctx, "/api/accounts/x/export.json"}, {sc.s.Ctx, retention.ExportPath(sc.zoe.ID + 100000)}} {
		if rec := get(tc.ctx, tc.path); rec.Code != 404 || strings.Contains(rec.Body.String(), "Vries") {
			t.Fatalf("download %s by another viewer: %d %s", tc.path, rec.Code, rec.Body)
		}
	}
}

// checkEraseRefused checks that only an admin account of the school may erase, and only a pupil.
func checkEraseRefused(t *testing.T, db *store.DB, sc *exportScene) {
	t.Helper()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		id   int
		code string
	}{
		{"nobody", context.Background(), sc.zoe.ID, "UNAUTHENTICATED"},
		{"the pupil", sc.zoeCtx, sc.zoe.ID, "FORBIDDEN"},
		{"a token", sc.tokenCtx, sc.zoe.ID, "FORBIDDEN"},
		{"another school's admin", sc.other.Ctx, sc.zoe.ID, apperr.CodeNotFound},
		{"a teacher's account", sc.s.Ctx, sc.teacher.ID, apperr.CodeInvalidState},
		{"no such account", sc.s.Ctx, sc.zoe.ID + 100000, apperr.CodeNotFound},
	} {
		if err := retention.Erase(tc.ctx, db, tc.id); code(err) != tc.code {
			t.Fatalf("erase by %s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

// checkErased checks that no trace of Zoë is left and the rest of the history still undoes.
func checkErased(t *testing.T, db *store.DB, sc *exportScene) {
	t.Helper()
	if db.Client.Account.Query().Where(account.ID(sc.zoe.ID)).ExistX(sys) ||
		db.Client.AccountChange.Query().Where(accountchange.AccountID(sc.zoe.ID)).ExistX(sys) ||
		db.Client.Session.Query().Where(session.AccountID(sc.zoe.ID)).ExistX(sys) {
		t.Fatal("the erased pupil's account, change records or sessions remain")
	}
	for _, ev := range db.Client.AuditEvent.Query().AllX(sys) {
		if strings.Contains(ev.Actor+ev.Detail, "Vries") || strings.Contains(ev.Actor+ev.Detail, "Zoë") {
			t.Fatalf("the audit log still names the pupil: %+v", ev)
		}
	}
	if n := db.Client.AuditEvent.Query().Where(auditevent.Action("pupil_erased"), auditevent.ActorAccountID(sc.s.Admin.ID)).CountX(sys); n != 1 {
		t.Fatalf("%d pupil_erased audit events", n)
	}
	for _, b := range db.Client.ImportBlob.Query().Where(importblob.KindEQ(importblob.KindPLAN)).AllX(sys) {
		if plan := gunzip(t, b.Data); strings.Contains(plan, "Vries-Jansen") || strings.Contains(plan, "zobroek2@") || !strings.Contains(plan, "Mehmet") {
			t.Fatalf("plan of job %d after the erasure still names the pupil, or lost the others", b.JobID)
		}
	}
	for _, j := range db.Client.ImportJob.Query().Where(importjob.SchoolID(sc.s.ID)).AllX(sys) {
		if m := string(j.Mapping); strings.Contains(m, "Zo") || strings.Contains(m, `"4002"`) || strings.Contains(m, `"Broek"`) || !strings.Contains(m, "Mehmet") {
			t.Fatalf("mapping of job %d after the erasure: %s", j.ID, j.Mapping)
		}
	}
	// The rest of the history still undoes.
	res, err := undo.Undo(sc.s.Ctx, db, sc.y2.ID, undo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.Updated+res.Job.Archived+res.Job.Removed != sc.y2.Updated+sc.y2.Archived+sc.y2.Added-1 {
		t.Fatalf("undo after the erasure: %+v", res.Job)
	}
}

// TestUpdateSettings checks the ranges and who may change a school's settings.
func TestUpdateSettings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := newSchool(t, db, "11AA")
		other := newSchool(t, db, "22BB")
		teacherCtx := viewerCtx(&auth.Viewer{AccountID: 99, SchoolID: s.ID, Role: auth.RoleTeacher})
		n := func(v int) *int { return &v }
		tests := []struct {
			name string
			ctx  context.Context
			in   retention.Settings
			code string
		}{
			{"archived term too short", s.Ctx, retention.Settings{ArchivedRetentionDays: n(29)}, apperr.CodeInvalidInput},
			{"archived term too long", s.Ctx, retention.Settings{ArchivedRetentionDays: n(3651)}, apperr.CodeInvalidInput},
			{"job term zero", s.Ctx, retention.Settings{JobDataRetentionDays: n(0)}, apperr.CodeInvalidInput},
			{"job term too long", s.Ctx, retention.Settings{JobDataRetentionDays: n(366)}, apperr.CodeInvalidInput},
			{"threshold over 100", s.Ctx, retention.Settings{ArchiveThreshold: n(101)}, apperr.CodeInvalidInput},
			{"audit term too short", s.Ctx, retention.Settings{AuditRetentionDays: n(29)}, apperr.CodeInvalidInput},
			{"audit term too long", s.Ctx, retention.Settings{AuditRetentionDays: n(3651)}, apperr.CodeInvalidInput},
			{"audit term with a valid one", s.Ctx, retention.Settings{JobDataRetentionDays: n(7), AuditRetentionDays: n(0)}, apperr.CodeInvalidInput},
			{"a teacher, the audit term", teacherCtx, retention.Settings{AuditRetentionDays: n(30)}, "FORBIDDEN"},
			{"a teacher", teacherCtx, retention.Settings{JobDataRetentionDays: n(7)}, "FORBIDDEN"},
			{"another school's admin", other.Ctx, retention.Settings{JobDataRetentionDays: n(7)}, apperr.CodeNotFound},
			{"nobody", context.Background(), retention.Settings{JobDataRetentionDays: n(7)}, "UNAUTHENTICATED"},
			{"all four", s.Ctx, retention.Settings{ArchiveThreshold: n(25), ArchivedRetentionDays: n(365), JobDataRetentionDays: n(7), AuditRetentionDays: n(3650)}, ""},
			{"the shortest audit term", s.Ctx, retention.Settings{AuditRetentionDays: n(30)}, ""},
			{"one, the others stay", s.Ctx, retention.Settings{JobDataRetentionDays: n(14)}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := db.Client.School.GetX(sys, s.ID)
				got, err := retention.UpdateSettings(tc.ctx, db.Client, s.ID, tc.in)
				if code(err) != tc.code {
					t.Fatalf("error %v, want code %q", err, tc.code)
				}
				after := db.Client.School.GetX(sys, s.ID)
				if tc.code != "" {
					if after.ArchivedRetentionDays != before.ArchivedRetentionDays || after.JobDataRetentionDays != before.JobDataRetentionDays ||
						after.ArchiveThreshold != before.ArchiveThreshold || after.AuditRetentionDays != before.AuditRetentionDays {
						t.Fatal("a refused change was saved")
					}
					if tc.in.AuditRetentionDays != nil && tc.code == apperr.CodeInvalidInput {
						var e *apperr.Error
						if !errors.As(err, &e) || e.Error() != "De bewaartermijn van het auditlog moet tussen 30 en 3650 liggen." ||
							e.Extensions()["field"] != "auditRetentionDays" || e.Extensions()["messageEn"] != "The retention of the audit log must be between 30 and 3650." {
							t.Fatalf("refusal %#v does not say which setting and its range", err)
						}
					}
					return
				}
				for _, c := range []struct {
					in       *int
					got, was int
				}{{tc.in.ArchiveThreshold, got.ArchiveThreshold, before.ArchiveThreshold},
					{tc.in.ArchivedRetentionDays, got.ArchivedRetentionDays, before.ArchivedRetentionDays},
					{tc.in.JobDataRetentionDays, got.JobDataRetentionDays, before.JobDataRetentionDays},
					{tc.in.AuditRetentionDays, got.AuditRetentionDays, before.AuditRetentionDays}} {
					if (c.in != nil && c.got != *c.in) || (c.in == nil && c.got != c.was) {
						t.Fatalf("settings after the change: %+v", got)
					}
				}
			})
		}
		if n := db.Client.AuditEvent.Query().Where(auditevent.Action("school_settings_changed"), auditevent.SchoolID(s.ID)).CountX(sys); n != 3 {
			t.Fatalf("%d school_settings_changed audit events, want 3", n)
		}
	})
}

// code is the error's stable code, "" for no error.
func code(err error) string {
	if err == nil {
		return ""
	}
	var coded interface{ Code() string }
	if errors.As(err, &coded) {
		return coded.Code()
	}
	return "uncoded: " + strconv.Quote(err.Error())
}

// TestExportGroups: a pupil's export lists their lesgroepen, a teacher's the classes they teach
// with the mentor flag, both by name, and never another school's class (even one a broken link
// points at); erasing the pupil removes their memberships.
func TestExportGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s, other := newSchool(t, db, "14EX"), newSchool(t, db, "14EY")
		mk := func(schoolID int, name string, kind class.Kind) int {
			return db.Client.Class.Create().SetSchoolID(schoolID).SetName(name).SetNameKey(name).SetKind(kind).SetSubject("wi").SaveX(sys).ID
		}
		h4a, ne, wi := mk(s.ID, "h4a", class.KindSTAMKLAS), mk(s.ID, "h4a.ne1", class.KindLESGROEP), mk(s.ID, "h4a.wiB1", class.KindLESGROEP)
		foreign := mk(other.ID, "geheim.x1", class.KindLESGROEP)
		pupil := db.Client.Account.Create().SetSchoolID(s.ID).SetExternalKey("1001").SetFirstName("Noor").SetLastName("Bakker").SetClassID(h4a).SaveX(sys)
		teacher := db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetExternalKey("JAN").SetFirstName("Pieter").SetLastName("Jansen").SaveX(sys)
		for _, c := range []int{wi, ne, foreign} {
			db.Client.Membership.Create().SetAccountID(pupil.ID).SetGroupID(c).SaveX(sys)
		}
		db.Client.Teaching.Create().SetAccountID(teacher.ID).SetClassID(ne).SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(teacher.ID).SetClassID(h4a).SetMentor(true).SaveX(sys)
		db.Client.Teaching.Create().SetAccountID(teacher.ID).SetClassID(foreign).SaveX(sys)

		exp, err := retention.Export(s.Ctx, db, pupil.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(exp.Groups); got != fmt.Sprintf("[{%d h4a.ne1 <nil>  LESGROEP wi false} {%d h4a.wiB1 <nil>  LESGROEP wi false}]", ne, wi) || len(exp.TeachingClasses) != 0 {
			t.Errorf("pupil's groups %s, teaching %v", got, exp.TeachingClasses)
		}
		exp, err = retention.Export(s.Ctx, db, teacher.ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(exp.TeachingClasses); got != fmt.Sprintf("[{%d h4a <nil>  STAMKLAS wi true} {%d h4a.ne1 <nil>  LESGROEP wi false}]", h4a, ne) || len(exp.Groups) != 0 {
			t.Errorf("teacher's classes %s, groups %v", got, exp.Groups)
		}
		if err := retention.Erase(s.Ctx, db, pupil.ID); err != nil {
			t.Fatal(err)
		}
		if n := db.Client.Membership.Query().Where(membership.AccountID(pupil.ID)).CountX(sys); n != 0 {
			t.Errorf("%d memberships left after the erasure", n)
		}
		if n := db.Client.Teaching.Query().Where(teaching.AccountID(teacher.ID)).CountX(sys); n != 3 {
			t.Errorf("the teacher has %d teaching rows after the pupil's erasure, want 3", n)
		}
	})
}
