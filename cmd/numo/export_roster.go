package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/oneroster"
)

const exportRosterUsage = `usage: numo export-roster --school BRIN --out FILE.zip [--archived] [--db URL]

Writes the school's roster (pupils, teachers, admins, stamklassen, lesgroepen and who is in
and teaches which) as a OneRoster 1.2 bulk CSV zip; see docs/oneroster.md. --out - writes
the zip to stdout. Only active accounts, unless --archived. The export is in the school's
audit log. Exit 0 done, 1 failed, 2 usage.`

// exportRosterCmd runs `numo export-roster`.
func exportRosterCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("numo export-roster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	dbURL := fs.String("db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL (NUMO_DATABASE_URL)")
	brin := fs.String("school", "", "BRIN code of the school (required)")
	out := fs.String("out", "", "the zip to write, - for stdout (required)")
	archived := fs.Bool("archived", false, "also export archived accounts (enabledUser=false)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, exportRosterUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		return 2
	}
	*brin = strings.ToUpper(strings.TrimSpace(*brin))
	if *brin == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "numo export-roster: --school and --out are required (and nothing else)\n"+exportRosterUsage)
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "numo export-roster: %v\n", err); return 1 }
	db, s, err := openSchool(ctx, *dbURL, *brin)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	op := jobs.Operator(ctx, s.ID, "numo export-roster (CLI)")
	opts := oneroster.Options{Now: time.Now(), IncludeArchived: *archived}
	if *out == "-" {
		if _, err := oneroster.WriteTo(op, db, s.ID, stdout, opts); err != nil {
			return fail(err)
		}
		return 0
	}
	sum, err := writeZipFile(*out, func(w io.Writer) (oneroster.Summary, error) { return oneroster.WriteTo(op, db, s.ID, w, opts) })
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "%s: %d users (%d pupils, %d teachers, %d admins), %d classes, %d enrollments\n",
		*out, sum.Users(), sum.Pupils, sum.Teachers, sum.Admins, sum.Classes, sum.Enrollments)
	return 0
}

// writeZipFile writes the zip beside path and renames it into place when complete, so that
// path never holds half an export.
func writeZipFile(path string, write func(io.Writer) (oneroster.Summary, error)) (oneroster.Summary, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".numo-export-*.zip")
	if err != nil {
		return oneroster.Summary{}, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	sum, err := write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sum, err
	}
	return sum, os.Rename(tmp.Name(), path)
}
