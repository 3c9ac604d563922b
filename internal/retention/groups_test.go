package retention_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

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
