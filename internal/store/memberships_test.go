package store_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestEachMembershipAndTeaching reads a school's memberships and teachings, and none of
// another school's, on both databases.
func TestEachMembershipAndTeaching(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := auth.System(context.Background())
		c := db.Client
		type world struct{ pupil, teacher, stamklas, group int }
		mk := func(brin string) world {
			s := c.School.Create().SetName(brin).SetBrin(brin).SaveX(ctx)
			st := c.Class.Create().SetSchoolID(s.ID).SetName("1A").SetNameKey("1a").SaveX(ctx)
			gr := c.Class.Create().SetSchoolID(s.ID).SetName("1a.ne").SetNameKey("1a.ne").SetKind(class.KindLESGROEP).SaveX(ctx)
			p := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("p" + brin).SetFirstName("P").SetLastName("X").SetClassID(st.ID).SaveX(ctx)
			tc := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("t" + brin).SetFirstName("T").SetLastName("X").SetRole(account.RoleTEACHER).SaveX(ctx)
			c.Membership.Create().SetClassID(gr.ID).SetAccountID(p.ID).SetImportJobID(7).SaveX(ctx)
			c.Teaching.Create().SetClassID(gr.ID).SetAccountID(tc.ID).SaveX(ctx)
			c.Teaching.Create().SetClassID(st.ID).SetAccountID(tc.ID).SetMentor(true).SaveX(ctx)
			return world{p.ID, tc.ID, st.ID, gr.ID}
		}
		w, _ := mk("11AA"), mk("22BB")
		var members [][2]int
		if err := store.EachMembership(ctx, db.SQL, db.Dialect, schoolOf(t, db, w.pupil), func(a, cl int) { members = append(members, [2]int{a, cl}) }); err != nil {
			t.Fatal(err)
		}
		if want := [][2]int{{w.pupil, w.group}}; !reflect.DeepEqual(members, want) {
			t.Fatalf("memberships = %v, want %v", members, want)
		}
		type tch struct {
			a, c int
			m    bool
		}
		var got []tch
		if err := store.EachTeaching(ctx, db.SQL, db.Dialect, schoolOf(t, db, w.pupil), func(a, cl int, m bool) { got = append(got, tch{a, cl, m}) }); err != nil {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].c < got[j].c })
		if want := []tch{{w.teacher, w.stamklas, true}, {w.teacher, w.group, false}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("teachings = %v, want %v", got, want)
		}
	})
}

func schoolOf(t *testing.T, db *store.DB, accountID int) int {
	t.Helper()
	return db.Client.Account.GetX(auth.System(context.Background()), accountID).SchoolID
}

// TestAccountStateGroups: a change record tells "no groups before" ([]) from "not recorded"
// (absent), and keeps a teacher's mentor flags.
func TestAccountStateGroups(t *testing.T) {
	for _, tc := range []struct {
		name    string
		state   store.AccountState
		encoded string // a part of the encoding, "" for none
		absent  string
	}{
		{"not recorded", store.AccountState{Status: "ACTIVE"}, "", `"groups"`},
		{"none", store.AccountState{Status: "ACTIVE", Groups: []int{}, Teaches: []store.TeachingState{}}, `"groups":[],"teaches":[]`, ""},
		{"some", store.AccountState{Status: "ACTIVE", Groups: []int{3, 5}}, `"groups":[3,5]`, `"teaches"`},
		{"teacher", store.AccountState{Status: "ACTIVE", Teaches: []store.TeachingState{{ClassID: 4, Mentor: true}, {ClassID: 9}}},
			`"teaches":[{"classId":4,"mentor":true},{"classId":9}]`, `"groups"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.state.Encode()
			if tc.encoded != "" && !strings.Contains(raw, tc.encoded) || tc.absent != "" && strings.Contains(raw, tc.absent) {
				t.Fatalf("encoded %s", raw)
			}
			got, err := store.DecodeAccountState([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.state) {
				t.Fatalf("round trip %+v, want %+v", *got, tc.state)
			}
		})
	}
}
