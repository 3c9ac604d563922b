package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"testing"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// TestRosterExample runs the integrators' example against a real numo (the demo school plus a
// stamklas of 1,005 pupils, more than one page) with a READ_ROSTERS token, on both databases:
// its CSV holds every active pupil of every stamklas exactly once; a revoked token stops it
// with the stable code UNAUTHENTICATED.
func TestRosterExample(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a := testapp.New(t, nil, []string{"--db", testdb.URL(t, kind), "--addr", "127.0.0.1:0"}, nil)
		base, _ := testapp.ServeApp(t, a)

		sys := auth.System(context.Background())
		c := a.DB().Client
		admin := c.Account.Query().Where(account.RoleEQ(account.RoleADMIN)).FirstX(sys)
		big := c.Class.Create().SetSchoolID(admin.SchoolID).SetName("9Z").SetYear(4).SaveX(sys)
		pupils := make([]*ent.AccountCreate, 1005)
		for i := range pupils {
			pupils[i] = c.Account.Create().SetSchoolID(admin.SchoolID).SetRole(account.RolePUPIL).SetClassID(big.ID).
				SetExternalKey(fmt.Sprint(900000 + i)).SetFirstName("Lotte").SetLastName(fmt.Sprintf("Proef%04d", i)).SetUsername(fmt.Sprint("lotte", i))
		}
		c.Account.CreateBulk(pupils...).ExecX(sys)
		want := map[string]bool{}
		for _, p := range c.Account.Query().Where(account.RoleEQ(account.RolePUPIL), account.StatusEQ(account.StatusACTIVE), account.HasClass()).
			WithClass().AllX(sys) {
			want[p.Edges.Class.Name+"/"+*p.ExternalKey] = true
		}

		adminCtx := auth.NewContext(sys, &auth.Viewer{AccountID: admin.ID, SchoolID: admin.SchoolID, Role: auth.RoleAdmin, Name: "beheer"})
		tok, secret, err := a.Authn().CreateToken(adminCtx, admin.SchoolID, "roster example", []auth.Scope{auth.ScopeReadRosters})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := Roster(context.Background(), base, secret, &out); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(rows) < 2 || rows[0][0] != "class" {
			t.Fatalf("csv: %v %v", err, rows)
		}
		got := map[string]bool{}
		for _, r := range rows[1:] {
			if got[r[0]+"/"+r[1]] || !want[r[0]+"/"+r[1]] {
				t.Errorf("row %v: twice or not an active pupil of that stamklas", r)
			}
			got[r[0]+"/"+r[1]] = true
		}
		if len(got) != len(want) || len(want) < 1005 {
			t.Errorf("%d pupils in the CSV, want %d", len(got), len(want))
		}

		if _, err := a.Authn().RevokeToken(adminCtx, tok.ID); err != nil {
			t.Fatal(err)
		}
		var e *Error
		if err := Roster(context.Background(), base, secret, &bytes.Buffer{}); !errors.As(err, &e) || e.Extensions.Code != "UNAUTHENTICATED" {
			t.Errorf("revoked token: %v", err)
		}
	})
}
