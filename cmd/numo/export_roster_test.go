package main

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

// TestExportRosterCommand exports an imported school with `numo export-roster` on each
// database: the zip holds the OneRoster files, the summary counts them, the audit log names
// the CLI; usage errors exit 2, an unknown school 1, and no half file is left behind.
func TestExportRosterCommand(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		url := testdb.URL(t, kind)
		dir := t.TempDir()
		if code, out, errOut := numoCmd("school", "create", "--brin", "99OR", "--name", "Export", "--db", url); code != 0 {
			t.Fatalf("school create: %d %s%s", code, out, errOut)
		}
		pupils := filepath.Join(dir, "leerlingen.csv")
		os.WriteFile(pupils, []byte("Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Klas;Leerjaar\r\n1001;Zoë;van;Dijk;1A;1\r\n1002;Daan;;Bakker;1A;1\r\n"), 0o644)
		if code, out, errOut := numoCmd("import", "--school", "99OR", "--add", "--db", url, pupils); code != 0 {
			t.Fatalf("import: %d %s%s", code, out, errOut)
		}
		out := filepath.Join(dir, "export.zip")
		code, stdout, stderr := numoCmd("export-roster", "--school", "99or", "--out", out, "--db", url)
		if code != 0 || !strings.Contains(stdout, "2 users (2 pupils, 0 teachers, 0 admins), 1 classes, 2 enrollments") {
			t.Fatalf("export-roster: %d %q %q", code, stdout, stderr)
		}
		zr, err := zip.OpenReader(out)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = string(b)
		}
		zr.Close()
		if !strings.Contains(files["manifest.csv"], "oneroster.version,1.2") || !strings.Contains(files["users.csv"], "Zoë,van Dijk") {
			t.Fatalf("zip: %v", files)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".numo-export-") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
		db, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ev := db.Client.AuditEvent.Query().Where(auditevent.Action("roster_exported")).OnlyX(auth.System(context.Background()))
		if ev.Actor != "numo export-roster (CLI)" || strings.Contains(ev.Detail, "Dijk") {
			t.Errorf("audit event %+v", ev)
		}
		for _, tc := range []struct {
			args []string
			code int
		}{
			{[]string{"export-roster", "--out", out, "--db", url}, 2},
			{[]string{"export-roster", "--school", "99OR", "--db", url}, 2},
			{[]string{"export-roster", "--school", "99OR", "--out", out, "--db", url, "extra"}, 2},
			{[]string{"export-roster", "--school", "00ZZ", "--out", filepath.Join(dir, "none.zip"), "--db", url}, 1},
		} {
			if code, _, errOut := numoCmd(tc.args...); code != tc.code || errOut == "" {
				t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errOut)
			}
		}
		if code, out, _ := numoCmd("export-roster", "--help"); code != 0 || !strings.Contains(out, "OneRoster 1.2") || !strings.Contains(out, "-archived") {
			t.Errorf("--help: exit %d\n%s", code, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "none.zip")); !os.IsNotExist(err) {
			t.Errorf("an unknown school left a file: %v", err)
		}
	})
}
