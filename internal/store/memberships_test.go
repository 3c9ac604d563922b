package store_test

import (
	"context"
	"database/sql"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestEachMembershipAndTeaching reads a school's memberships and teachings, and none of
// another school's, on both databases.
func TestEachMembershipAndTeaching(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := db.Client
		type world struct{ pupil, teacher, stamklas, group int }
		mk := func(brin string) world {
			s := c.School.Create().SetName(brin).SetBrin(brin).SaveX(sys)
			st := c.Class.Create().SetSchoolID(s.ID).SetName("1A").SetNameKey("1a").SaveX(sys)
			gr := c.Class.Create().SetSchoolID(s.ID).SetName("1a.ne").SetNameKey("1a.ne").SetKind(class.KindLESGROEP).SaveX(sys)
			p := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("p" + brin).SetFirstName("P").SetLastName("X").SetClassID(st.ID).SaveX(sys)
			tc := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("t" + brin).SetFirstName("T").SetLastName("X").SetRole(account.RoleTEACHER).SaveX(sys)
			c.Membership.Create().SetGroupID(gr.ID).SetAccountID(p.ID).SetImportJobID(7).SaveX(sys)
			c.Teaching.Create().SetClassID(gr.ID).SetAccountID(tc.ID).SaveX(sys)
			c.Teaching.Create().SetClassID(st.ID).SetAccountID(tc.ID).SetMentor(true).SaveX(sys)
			return world{p.ID, tc.ID, st.ID, gr.ID}
		}
		w, _ := mk("11AA"), mk("22BB")
		var members [][2]int
		if err := store.EachMembership(sys, db.SQL, db.Dialect, schoolOf(t, db, w.pupil), func(a, cl int) { members = append(members, [2]int{a, cl}) }); err != nil {
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
		if err := store.EachTeaching(sys, db.SQL, db.Dialect, schoolOf(t, db, w.pupil), func(a, cl int, m bool) { got = append(got, tch{a, cl, m}) }); err != nil {
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
	return db.Client.Account.GetX(sys, accountID).SchoolID
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

// TestLinks adds, removes and replaces memberships and teachings in bulk (COPY and array
// DELETE on PostgreSQL, prepared statements on SQLite) and reads them back by account; a
// replacement keeps the links that stay with the job that made them, and leaves out classes
// of another school.
func TestLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := db.Client
		s := c.School.Create().SetName("S").SetBrin("11AA").SaveX(sys)
		other := c.School.Create().SetName("O").SetBrin("22BB").SaveX(sys)
		var g []int
		for _, n := range []string{"a", "b", "c", "d"} {
			g = append(g, c.Class.Create().SetSchoolID(s.ID).SetName(n).SetNameKey(n).SetKind(class.KindLESGROEP).SaveX(sys).ID)
		}
		foreign := c.Class.Create().SetSchoolID(other.ID).SetName("x").SetNameKey("x").SaveX(sys).ID
		p1 := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("1").SetFirstName("A").SetLastName("X").SaveX(sys).ID
		p2 := c.Account.Create().SetSchoolID(s.ID).SetExternalKey("2").SetFirstName("B").SetLastName("X").SaveX(sys).ID
		for _, k := range []store.LinkKind{store.Memberships, store.Teachings} {
			t.Run(k.String(), func(t *testing.T) {
				write := func(fn func(tx *sql.Tx) error) {
					t.Helper()
					tx, err := db.SQL.BeginTx(sys, nil)
					if err != nil {
						t.Fatal(err)
					}
					if err := fn(tx); err != nil {
						tx.Rollback()
						t.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						t.Fatal(err)
					}
				}
				read := func() []store.Link {
					var out []store.Link
					if err := store.EachLinkOf(sys, db.SQL, db.Dialect, k, s.ID, []int{p1, p2}, func(l store.Link) { out = append(out, l) }); err != nil {
						t.Fatal(err)
					}
					return out
				}
				mentor := k == store.Teachings
				write(func(tx *sql.Tx) error {
					return store.InsertLinks(sys, tx, db.Dialect, k, 5, func(put func(store.Link) error) error {
						for _, l := range []store.Link{{p1, g[0], false}, {p1, g[1], mentor}, {p2, g[0], false}, {p2, g[2], false}} {
							if err := put(l); err != nil {
								return err
							}
						}
						return nil
					})
				})
				if got, want := read(), []store.Link{{p1, g[0], false}, {p1, g[1], mentor}, {p2, g[0], false}, {p2, g[2], false}}; !reflect.DeepEqual(got, want) {
					t.Fatalf("after insert %v, want %v", got, want)
				}
				write(func(tx *sql.Tx) error {
					return store.DeleteLinks(sys, tx, db.Dialect, k, []store.Link{{AccountID: p2, ClassID: g[0]}})
				})
				// p1: keep a (job 5), drop b, add d; p2: c becomes a mentor (teachings), a foreign class is left out.
				write(func(tx *sql.Tx) error {
					return store.ReplaceLinks(sys, tx, db.Dialect, k, s.ID, 9, map[int][]store.Link{
						p1: {{ClassID: g[0]}, {ClassID: g[3]}},
						p2: {{ClassID: g[2], Mentor: true}, {ClassID: foreign}},
					})
				})
				if got, want := read(), []store.Link{{p1, g[0], false}, {p1, g[3], false}, {p2, g[2], mentor}}; !reflect.DeepEqual(got, want) {
					t.Fatalf("after replace %v, want %v", got, want)
				}
				if jobs, want := linkJobs(t, db, k, p1), map[int]int{g[0]: 5, g[3]: 9}; !reflect.DeepEqual(jobs, want) {
					t.Fatalf("import jobs %v, want %v", jobs, want)
				}
				if err := store.DeleteLinks(sys, db.SQL, db.Dialect, k, []store.Link{{AccountID: p2, ClassID: g[0]}}); err == nil {
					t.Fatal("deleting a missing link succeeded")
				}
			})
		}
	})
}

// linkJobs is the import job of each link of the account, by class.
func linkJobs(t *testing.T, db *store.DB, k store.LinkKind, accountID int) map[int]int {
	t.Helper()
	table, col := "memberships", "group_id"
	if k == store.Teachings {
		table, col = "class_teachers", "class_id"
	}
	rows, err := db.SQL.QueryContext(context.Background(), "SELECT "+col+", import_job_id FROM "+table+" WHERE account_id = "+strconv.Itoa(accountID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	jobs := map[int]int{}
	for rows.Next() {
		var cl, j int
		if err := rows.Scan(&cl, &j); err != nil {
			t.Fatal(err)
		}
		jobs[cl] = j
	}
	return jobs
}
