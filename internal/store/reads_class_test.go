package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/schema"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestPupilsJSON: a class read with its first pupils as a JSON column (PupilsJSON, then
// DecodePupils) gives the same accounts, in the same order, as ent's own read of the pupils
// edge for the same caller — names with quotes, backslashes, line breaks and non-ASCII
// letters, NULLs and times included — and reads no pupil of another class or school.
func TestPupilsJSON(t *testing.T) {
	db := testdb.New(t, "postgres")
	sys := auth.System(context.Background())
	c := db.Client
	s := c.School.Create().SetName("Het Baken").SetBrin("01AA").SaveX(sys)
	other := c.School.Create().SetName("De Ark").SetBrin("02BB").SaveX(sys)
	cl := c.Class.Create().SetSchoolID(s.ID).SetName("1A").SaveX(sys)
	c.Class.Create().SetSchoolID(s.ID).SetName("1B").SaveX(sys)
	names := []string{`Zoë`, `O"Brien`, `back\slash`, "twee\nregels", `Çelik`, "tab\there", "😀"}
	for i, n := range names {
		cr := c.Account.Create().SetSchoolID(s.ID).SetClassID(cl.ID).SetFirstName(n).SetLastName("Test").
			SetUsername(fmt.Sprintf("p%d", i)).SetInfix("van 't").SetEmail(n + "@school.nl")
		if i%2 == 0 {
			cr.SetExternalKey(fmt.Sprintf("k%d", i)).SetYear(i)
		}
		if i == 3 {
			cr.SetStatus(account.StatusARCHIVED).SetArchivedAt(time.Date(2026, 8, 1, 12, 30, 15, 123456000, time.UTC))
		}
		cr.SaveX(sys)
	}
	c.Account.Create().SetSchoolID(other.ID).SetFirstName("Ander").SetLastName("Kind").SetUsername("ander").SaveX(sys)
	columns := make([]string, 0, len(account.Columns))
	for _, col := range account.Columns {
		if col != account.FieldPasswordHash && col != account.FieldStartCodeHash && col != account.FieldSortName &&
			col != account.FieldMustChangePassword && col != account.FieldFailedLogins && col != account.FieldLockedUntil &&
			col != account.FieldStartCodeExpiresAt && col != account.FieldStartCodeGeneratedAt && col != account.FieldImportJobID {
			columns = append(columns, col)
		}
	}
	readToken := auth.NewContext(context.Background(), &auth.Viewer{TokenID: 1, SchoolID: s.ID, Scopes: []auth.Scope{auth.ScopeReadRosters}})
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		limit int
	}{
		{"system", sys, 100},
		{"read token, a short page", readToken, 3},
		{"read token", readToken, 100},
	} {
		var visible func(*entsql.Selector)
		if v := auth.FromContext(tt.ctx); v != nil {
			visible = schema.AccountVisible(v)
		}
		pupils := pupilsOf(t, c.Class.Query().Where(class.ID(cl.ID)).Modify(store.PupilsJSON("p", tt.limit, columns, visible)).OnlyX(tt.ctx))
		want := c.Class.QueryPupils(cl).Order(ent.Asc(account.FieldID)).Limit(tt.limit).Select(columns...).AllX(tt.ctx)
		if len(want) == 0 || len(pupils) != len(want) {
			t.Fatalf("%s: %d pupils, ent reads %d", tt.name, len(pupils), len(want))
		}
		for i := range want {
			if got, want := pupilText(pupils[i]), pupilText(want[i]); got != want {
				t.Errorf("%s: pupil %d\n got %s\nwant %s", tt.name, i, got, want)
			}
		}
	}
	// The subquery is narrowed by the rule it is given: another school's token, or a teacher
	// who teaches nothing, reads none of the class's pupils even where the class itself is read.
	teacher := c.Account.Create().SetSchoolID(s.ID).SetRole(account.RoleTEACHER).SetFirstName("Docent").
		SetLastName("Test").SetUsername("docent").SaveX(sys)
	for name, v := range map[string]*auth.Viewer{
		"another school's token": {TokenID: 2, SchoolID: other.ID, Scopes: []auth.Scope{auth.ScopeReadRosters}},
		"a teacher of nothing":   {AccountID: teacher.ID, SchoolID: s.ID, Role: auth.RoleTeacher},
	} {
		got := pupilsOf(t, c.Class.Query().Where(class.ID(cl.ID)).Modify(store.PupilsJSON("p", 100, columns, schema.AccountVisible(v))).OnlyX(sys))
		if len(got) != 0 {
			t.Errorf("%s reads %d pupils of the class", name, len(got))
		}
	}
}

// pupilsOf decodes the pupils column "p" of a class.
func pupilsOf(t *testing.T, cl *ent.Class) []*ent.Account {
	t.Helper()
	raw, err := cl.Value("p")
	if err != nil {
		t.Fatal(err)
	}
	pupils, err := store.DecodePupils(raw)
	if err != nil {
		t.Fatalf("%v (%s)", err, raw)
	}
	return pupils
}

// pupilText is every column of a pupil that PupilsJSON reads, as text.
func pupilText(a *ent.Account) string {
	deref := func(p any) any {
		if v := reflect.ValueOf(p); !v.IsNil() {
			return v.Elem().Interface()
		}
		return nil
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	archived := ""
	if a.ArchivedAt != nil {
		archived = ts(*a.ArchivedAt)
	}
	return fmt.Sprintf("%d %s %s %d %s %v %q %q %q %q %q %q %q %v %v %s %s", a.ID, ts(a.CreatedAt), ts(a.UpdatedAt), a.SchoolID,
		a.Role, deref(a.ExternalKey), a.FirstName, a.Infix, a.LastName, a.Email, a.Username, a.EckID, a.Level,
		deref(a.Year), deref(a.ClassID), a.Status, archived)
}
