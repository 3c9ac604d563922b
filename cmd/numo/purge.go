package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/numo/accounts/internal/retention"
	"github.com/numo/accounts/internal/store"
)

const purgeHelp = `Usage: numo purge [--db URL] [--dry-run] [--json]

Deletes what the schools' retention terms no longer allow (see PRIVACY.md), per school:
  - archived accounts archived longer ago than the school's term (default 730 days), with their
    history in the imports;
  - the row data of imports committed longer ago than the school's term (default 30 days): the
    plan, the change records and the report's row lists (the counts and the audit log stay;
    such an import can no longer be undone);
  - the uploaded files of imports not committed within a day, the example values of committed
    imports' column mappings, and expired sessions;
  - audit events older than the school's term (default 365 days), in batches of 1000 that
    commit one by one.
numo serve runs the same purge every hour; this command is for a dry run, or a purge now.

Flags:
  --db URL     SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --dry-run    show what would be purged and change nothing (the schema is not migrated either)
  --json       print one JSON object on stdout instead of the summary

Exit status: 0 done, also when nothing was due; 1 database error; 2 usage error.
`

// purgeCmd runs `numo purge`.
func purgeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("numo purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, purgeHelp) }
	dbURL := fs.String("db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL (NUMO_DATABASE_URL)")
	dryRun := fs.Bool("dry-run", false, "show what would be purged, change nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "numo purge: unexpected argument %q\n\n%s", fs.Arg(0), purgeHelp)
		return 2
	}
	var db *store.DB
	var err error
	if *dryRun {
		db, err = store.Open(ctx, *dbURL)
	} else {
		db, err = openMigrated(ctx, *dbURL)
	}
	if err != nil {
		fmt.Fprintf(stderr, "numo purge: %v\n", err)
		return 1
	}
	defer db.Close()
	rep, err := retention.Purge(ctx, db, time.Now(), retention.Options{DryRun: *dryRun})
	if rep != nil {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(rep) //nolint:errcheck // stdout
		} else {
			writePurgeSummary(stdout, rep)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "numo purge: %v\n", err)
		return 1
	}
	return 0
}

// writePurgeSummary prints one line per school.
func writePurgeSummary(w io.Writer, rep *retention.Report) {
	verb := "purged"
	if rep.DryRun {
		verb = "would purge"
		fmt.Fprintln(w, "Dry run: nothing was changed.")
	}
	if len(rep.Schools) == 0 {
		fmt.Fprintln(w, "No schools.")
	}
	for _, s := range rep.Schools {
		fmt.Fprintf(w, "%s %s (archived accounts kept %d days, import data %d days, audit log %d days): ",
			s.Brin, s.Name, s.ArchivedRetentionDays, s.JobDataRetentionDays, s.AuditRetentionDays)
		if s.Empty() {
			fmt.Fprintln(w, "nothing to purge")
			continue
		}
		var parts []string
		add := func(n int, one, many string) {
			switch {
			case n == 1:
				parts = append(parts, "1 "+one)
			case n > 1:
				parts = append(parts, fmt.Sprintf("%d %s", n, many))
			}
		}
		add(s.Accounts, "archived account", "archived accounts")
		add(s.Jobs, "import's row data", "imports' row data")
		add(s.Changes, "change record", "change records")
		add(s.Abandoned, "abandoned import", "abandoned imports")
		add(s.Files, "uploaded file", "uploaded files")
		add(s.Samples, "committed import's example values", "committed imports' example values")
		add(s.Sessions, "expired session", "expired sessions")
		add(s.Letters, "expired batch of login letters", "expired batches of login letters")
		add(s.AuditEvents, "audit event", "audit events")
		fmt.Fprintf(w, "%s %s\n", verb, strings.Join(parts, ", "))
	}
	if rep.NoSchoolAuditEvents > 0 {
		fmt.Fprintf(w, "Audit events of no school: %s %d\n", verb, rep.NoSchoolAuditEvents)
	}
}
