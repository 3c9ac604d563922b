package oneroster

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestExportIsOneSnapshot adds a pupil, in a stamklas, while users.csv is already written: the
// export is one snapshot, so neither users.csv nor enrollments.csv name them (without it the
// enrolment would name a user the set lacks).
func TestExportIsOneSnapshot(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sys := auth.System(context.Background())
		s := db.Client.School.Create().SetName("Snapshot").SetBrin("95OR").SaveX(sys)
		cl := db.Client.Class.Create().SetSchoolID(s.ID).SetName("1A").SaveX(sys)
		db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RolePUPIL).SetExternalKey("1").SetFirstName("Eerste").
			SetLastName("Leerling").SetClassID(cl.ID).ExecX(sys)
		var late int
		steps := 0
		afterStep = func() {
			if steps++; steps == 5 { // orgs, academicSessions, courses, classes, users
				late = db.Client.Account.Create().SetSchoolID(s.ID).SetRole(account.RolePUPIL).SetExternalKey("2").SetFirstName("Late").
					SetLastName("Leerling").SetClassID(cl.ID).SaveX(sys).ID
			}
		}
		defer func() { afterStep = nil }()
		var buf bytes.Buffer
		sum, err := Export(context.Background(), db, s.ID, &buf, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if late == 0 || sum.Pupils != 1 || sum.Enrollments != 1 {
			t.Fatalf("late pupil %d, summary %+v", late, sum)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.Contains(string(b), fmt.Sprintf("numo-account-%d", late)) {
				t.Errorf("%s names the pupil added during the export:\n%s", f.Name, b)
			}
		}
	})
}
