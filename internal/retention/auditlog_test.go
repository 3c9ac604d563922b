package retention_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// auditTestEvent is one event TestAuditTerm writes: its school, its age and whether the purge must delete it.
type auditTestEvent struct {
	school int // 0: of no school
	age    time.Duration
	gone   bool
}

// seedAuditEvents writes events on either side of the two schools' terms (and of no school) and
// returns how many the purge must delete per school id (0: of no school) and the details of the events that stay, sorted.
func seedAuditEvents(t *testing.T, db *store.DB, now time.Time, schoolID, otherID int) (want map[int]int, stay []string) {
	t.Helper()
	day := 24 * time.Hour
	events := []auditTestEvent{
		{schoolID, 30*day - time.Second, false}, {schoolID, 30*day + time.Second, true}, {schoolID, 29 * day, false},
		{schoolID, 400 * day, true}, {schoolID, time.Hour, false},
		// The other school's term is 365 days: what is past 30 days there stays.
		{otherID, 31 * day, false}, {otherID, 365*day - time.Second, false}, {otherID, 365*day + time.Second, true},
		{0, 366 * day, true}, {0, 10 * day, false},
	}
	// More than one batch of old events of the first school, newer ids with older times.
	for i := range 2500 {
		events = append(events, auditTestEvent{schoolID, 31*day + time.Duration(i)*time.Minute, true})
	}
	var bulk []*ent.AuditEventCreate
	for i, e := range events {
		c := db.Client.AuditEvent.Create().SetAction("test").SetDetail(fmt.Sprint(i)).SetAt(now.Add(-e.age))
		if e.school != 0 {
			c.SetSchoolID(e.school)
		}
		bulk = append(bulk, c)
	}
	for start := 0; start < len(bulk); start += 500 {
		db.Client.AuditEvent.CreateBulk(bulk[start:min(start+500, len(bulk))]...).ExecX(sys)
	}
	want = map[int]int{}
	for i, e := range events {
		if e.gone {
			want[e.school]++
		} else {
			stay = append(stay, fmt.Sprint(i))
		}
	}
	slices.Sort(stay)
	return want, stay
}

// remainingTestEvents returns the details of the events TestAuditTerm wrote that are still stored, sorted.
func remainingTestEvents(db *store.DB) []string {
	var got []string
	for _, e := range db.Client.AuditEvent.Query().Where(auditevent.Action("test")).AllX(sys) {
		got = append(got, e.Detail)
	}
	slices.Sort(got)
	return got
}

// TestAuditTerm gives one school a term of 30 days for its audit log and leaves another at the
// default (365), fills both logs with events on either side of their terms (more than one
// batch of them, and not in id order), and checks that a dry run counts exactly the events
// older than each school's own term and changes nothing, and that the purge then deletes
// exactly those: an event one second younger than the term stays, one second older goes.
func TestAuditTerm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Now().Truncate(time.Second)
		s := newSchool(t, db, "11AA")
		ctx := s.Ctx
		if _, err := retention.UpdateSettings(ctx, db.Client, s.ID, retention.Settings{AuditRetentionDays: ptr(30)}); err != nil {
			t.Fatal(err)
		}
		other := newSchool(t, db, "22BB")
		if got := db.Client.School.GetX(sys, other.ID).AuditRetentionDays; got != retention.DefaultAuditRetentionDays {
			t.Fatalf("default audit term %d, want %d", got, retention.DefaultAuditRetentionDays)
		}
		want, stay := seedAuditEvents(t, db, now, s.ID, other.ID)
		all := remainingTestEvents(db)
		for _, dry := range []bool{true, false} {
			rep, err := retention.Purge(context.Background(), db, now, retention.Options{DryRun: dry})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Schools) != 2 || rep.Schools[0].AuditEvents != want[s.ID] || rep.Schools[0].AuditRetentionDays != 30 ||
				rep.Schools[1].AuditEvents != want[other.ID] || rep.Schools[1].AuditRetentionDays != 365 || rep.NoSchoolAuditEvents != want[0] {
				t.Fatalf("purge (dry run %v): %+v, no school %d; want %v", dry, rep.Schools, rep.NoSchoolAuditEvents, want)
			}
			got := remainingTestEvents(db)
			if dry && !slices.Equal(got, all) {
				t.Fatalf("a dry run deleted %d audit events", len(all)-len(got))
			}
			if !dry && !slices.Equal(got, stay) {
				t.Fatalf("after the purge these events remain: %v, want %v", got, stay)
			}
		}
		purged := db.Client.AuditEvent.Query().Where(auditevent.Action("retention_purge"), auditevent.SchoolID(s.ID)).OnlyX(sys)
		if !strings.Contains(purged.Detail, fmt.Sprintf("%d gebeurtenissen in het auditlog ouder dan 30 dagen verwijderd", want[s.ID])) {
			t.Fatalf("retention_purge detail %q", purged.Detail)
		}
		// A second purge finds nothing more.
		rep, err := retention.Purge(context.Background(), db, now, retention.Options{})
		if err != nil || rep.Schools[0].AuditEvents+rep.Schools[1].AuditEvents+rep.NoSchoolAuditEvents != 0 {
			t.Fatalf("second purge: %+v, %v", rep, err)
		}
	})
}

// eraseAuditScene is a school whose audit log names the pupil Zoë in every way it can, with another
// pupil, an admin, and a namesake at another school whose events must stay as they are.
type eraseAuditScene struct {
	s, other                       *school
	admin                          *auth.Viewer
	zoe, mehmet, namesake          *ent.Account
	zoeAddr, triedAddr, keptDetail string
}

// newEraseAuditScene creates the pupils and writes their events, as the product writes them today and as older versions did.
func newEraseAuditScene(t *testing.T, db *store.DB) *eraseAuditScene {
	t.Helper()
	s := newSchool(t, db, "11AA")
	other := newSchool(t, db, "22BB")
	pupil := func(schoolID int, first, infix, last, user string) *ent.Account {
		return db.Client.Account.Create().SetSchoolID(schoolID).SetRole(account.RolePUPIL).SetFirstName(first).SetInfix(infix).SetLastName(last).
			SetUsername(user).SetEmail(user + "@leerling.example").SetEckID("https://ketenid.nl/201703/" + user + "eck").SaveX(sys)
	}
	zoe := pupil(s.ID, "Zoë", "van den", "Vries-Jansen", "zvries07")
	mehmet := pupil(s.ID, "Mehmet", "", "Yılmaz", "myilmaz")
	namesake := pupil(other.ID, "Zoë", "van den", "Vries-Jansen", "zvries08")
	admin := &auth.Viewer{AccountID: s.Admin.ID, SchoolID: s.ID, Role: auth.RoleAdmin, Name: "Beheer Der", RemoteAddr: "192.0.2.1"}
	adminCtx := viewerCtx(admin)
	asPupil := func(a *ent.Account, addr string) context.Context {
		return viewerCtx(&auth.Viewer{AccountID: a.ID, SchoolID: a.SchoolID, Role: auth.RolePupil,
			Name: a.FirstName + " " + a.Infix + " " + a.LastName, RemoteAddr: addr})
	}
	zoeAddr, triedAddr := "198.51.100.7", "203.0.113.9"

	// As the product writes them today.
	audit.Record(asPupil(zoe, zoeAddr), db.Client, s.ID, "login", "")
	audit.Record(asPupil(zoe, zoeAddr), db.Client, s.ID, "password_changed", "")
	audit.Write(sys, db.Client, audit.Event{SchoolID: s.ID, Action: "login_failed", Detail: fmt.Sprintf("account %d", zoe.ID),
		Subject: zoe.ID, RemoteAddr: triedAddr})
	audit.RecordAbout(adminCtx, db.Client, s.ID, zoe.ID, "password_reset", fmt.Sprintf("account %d", zoe.ID))
	if _, err := retention.Export(adminCtx, db, zoe.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// As older versions wrote them, without the subject's column.
	for _, d := range []string{
		fmt.Sprintf("account %d from %s", zoe.ID, triedAddr),
		fmt.Sprintf("account %d (%s)", zoe.ID, zoe.Username),
		"import mislukt: rij 7: e-mailadres " + strings.ToUpper(zoe.Email) + " komt twee keer voor.",
		"ECK iD " + zoe.EckID + ": al in gebruik",
		"leerling Zoë van den Vries-Jansen",
	} {
		db.Client.AuditEvent.Create().SetSchoolID(s.ID).SetActor(audit.SystemActor).SetAction("legacy").SetDetail(d).ExecX(sys)
	}
	// What must stay as it is: other accounts, and numbers that only start like hers.
	audit.Record(asPupil(mehmet, "198.51.100.8"), db.Client, s.ID, "login", "")
	audit.Write(sys, db.Client, audit.Event{SchoolID: s.ID, Action: "login_failed", Detail: fmt.Sprintf("account %d", mehmet.ID),
		Subject: mehmet.ID, RemoteAddr: triedAddr})
	keptDetail := fmt.Sprintf("account %d0, job %d", zoe.ID, zoe.ID)
	db.Client.AuditEvent.Create().SetSchoolID(s.ID).SetActor(audit.SystemActor).SetAction("legacy").SetDetail(keptDetail).ExecX(sys)
	audit.Record(asPupil(namesake, zoeAddr), db.Client, other.ID, "login", "")
	return &eraseAuditScene{s: s, other: other, admin: admin, zoe: zoe, mehmet: mehmet, namesake: namesake,
		zoeAddr: zoeAddr, triedAddr: triedAddr, keptDetail: keptDetail}
}

// TestEraseAuditLog fills the audit log with every way a pupil appears in it: as the actor
// (her logins, with her address), as the subject (a failed login on her account with the
// address that tried it, a password reset and a download of her data by the admin), and in
// events written before the subject had a column ("account N from 1.2.3.4", her username or
// e-mail address in a detail). After her erasure the log holds exactly as many events (plus
// the erasure), none of which names her, her username, e-mail address or ECK iD, her account
// number, or the addresses she or the failed login came from; the admin's own address and
// every other pupil's events stay as they were.
func TestEraseAuditLog(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := newEraseAuditScene(t, db)
		before := db.Client.AuditEvent.Query().CountX(sys)
		if err := retention.Erase(viewerCtx(sc.admin), db, sc.zoe.ID); err != nil {
			t.Fatal(err)
		}
		after := db.Client.AuditEvent.Query().AllX(sys)
		if len(after) != before+1 {
			t.Fatalf("%d audit events after the erasure, want %d (the same and the erasure)", len(after), before+1)
		}
		checkNoTraceInAuditLog(t, sc, after)
		checkAuditLogKept(t, db, sc)
	})
}

// checkNoTraceInAuditLog checks that no event of Zoë's school names her, her identifiers, her account number or the addresses involved.
func checkNoTraceInAuditLog(t *testing.T, sc *eraseAuditScene, after []*ent.AuditEvent) {
	t.Helper()
	mention := regexp.MustCompile(fmt.Sprintf(`\b%d\b`, sc.zoe.ID))
	for _, e := range after {
		text := strings.ToLower(e.Actor + " | " + e.Detail + " | " + e.RemoteAddr)
		for _, trace := range []string{"zoë", "vries", sc.zoe.Username, sc.zoe.Email, sc.zoe.EckID, sc.zoeAddr, sc.triedAddr} {
			if e.SchoolID != nil && *e.SchoolID == sc.s.ID && strings.Contains(text, strings.ToLower(trace)) &&
				!(trace == sc.triedAddr && e.Detail == fmt.Sprintf("account %d", sc.mehmet.ID)) {
				t.Errorf("event %d (%s) still holds %q: %s", e.ID, e.Action, trace, text)
			}
		}
		if e.Detail != sc.keptDetail && mention.MatchString(e.Detail) {
			t.Errorf("event %d (%s) still names account %d: %q", e.ID, e.Action, sc.zoe.ID, e.Detail)
		}
		if (e.ActorAccountID != nil && *e.ActorAccountID == sc.zoe.ID) || (e.SubjectAccountID != nil && *e.SubjectAccountID == sc.zoe.ID) {
			t.Errorf("event %d (%s) still points at account %d", e.ID, e.Action, sc.zoe.ID)
		}
	}
}

// checkAuditLogKept checks that Zoë's events stay as a pseudonym's and that what was not hers stays as it was.
func checkAuditLogKept(t *testing.T, db *store.DB, sc *eraseAuditScene) {
	t.Helper()
	mention := regexp.MustCompile(fmt.Sprintf(`\b%d\b`, sc.zoe.ID))
	// Her events are still there and countable, as a pseudonym's.
	if n := db.Client.AuditEvent.Query().Where(auditevent.SchoolID(sc.s.ID), auditevent.Actor("gewist account")).CountX(sys); n != 2 {
		t.Errorf("%d events by the erased pupil, want her login and password change", n)
	}
	if n := db.Client.AuditEvent.Query().Where(auditevent.SchoolID(sc.s.ID), auditevent.Action("login_failed"), auditevent.Detail("gewist account")).CountX(sys); n != 1 {
		t.Errorf("%d failed logins on the erased account, want 1", n)
	}
	// What was not hers stays as it was.
	reset := db.Client.AuditEvent.Query().Where(auditevent.Action("password_reset")).OnlyX(sys)
	if reset.Actor != "Beheer Der" || reset.RemoteAddr != sc.admin.RemoteAddr || *reset.ActorAccountID != sc.s.Admin.ID || reset.Detail != "gewist account" {
		t.Errorf("the admin's password reset after the erasure: %+v", reset)
	}
	if db.Client.AuditEvent.Query().Where(auditevent.Action("login"), auditevent.ActorAccountID(sc.mehmet.ID),
		auditevent.Actor("Mehmet  Yılmaz"), auditevent.RemoteAddr("198.51.100.8")).CountX(sys) != 1 ||
		db.Client.AuditEvent.Query().Where(auditevent.Action("login_failed"), auditevent.SubjectAccountID(sc.mehmet.ID),
			auditevent.Detail(fmt.Sprintf("account %d", sc.mehmet.ID)), auditevent.RemoteAddr(sc.triedAddr)).CountX(sys) != 1 ||
		db.Client.AuditEvent.Query().Where(auditevent.Detail(sc.keptDetail)).CountX(sys) != 1 {
		t.Error("the erasure changed another pupil's events, or a detail that only looks like hers")
	}
	if db.Client.AuditEvent.Query().Where(auditevent.SchoolID(sc.other.ID), auditevent.Actor(sc.namesake.FirstName+" "+sc.namesake.Infix+" "+sc.namesake.LastName),
		auditevent.ActorAccountID(sc.namesake.ID), auditevent.RemoteAddr(sc.zoeAddr)).CountX(sys) != 1 {
		t.Error("the erasure changed the namesake's event at another school")
	}
	erased := db.Client.AuditEvent.Query().Where(auditevent.Action("pupil_erased")).OnlyX(sys)
	if !strings.Contains(erased.Detail, "gepseudonimiseerd") || mention.MatchString(erased.Detail) {
		t.Errorf("pupil_erased detail %q", erased.Detail)
	}
}

func ptr(v int) *int { return &v }
