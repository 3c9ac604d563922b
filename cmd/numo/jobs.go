package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/jobs"
)

const jobsHelp = `Usage: numo jobs --school BRIN [--db URL] [--json]

Lists the school's import history, newest first: the imports (from the app, the API and numo
import) and the undos, with their status and counts.

Flags:
  --school BRIN   the school's BRIN code (required)
  --db URL        SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --json          print one JSON object on stdout instead of the table

Exit status: 0 listed; 1 unknown school or database error; 2 usage error.
`

// jobJSON is one import job as numo jobs --json prints it.
type jobJSON struct {
	ID          int        `json:"id"`
	Kind        string     `json:"kind"`
	File        string     `json:"file"`
	Status      string     `json:"status"`
	Phase       string     `json:"phase"`
	Actions     []string   `json:"actions"`
	UploadedAt  time.Time  `json:"uploadedAt"`
	CommittedAt *time.Time `json:"committedAt,omitempty"`
	UndoneAt    *time.Time `json:"undoneAt,omitempty"`
	Rows        int        `json:"rows"`
	Added       int        `json:"added"`
	Updated     int        `json:"updated"`
	Archived    int        `json:"archived"`
	Unchanged   int        `json:"unchanged"`
	Refused     int        `json:"refused"`
	Error       string     `json:"error,omitempty"`
}

func jobOf(j *ent.ImportJob) jobJSON {
	return jobJSON{ID: j.ID, Kind: string(j.Kind), File: j.FileName, Status: string(j.Status), Phase: j.Phase,
		Actions: append([]string{}, j.Actions...), UploadedAt: j.CreatedAt, CommittedAt: j.CommittedAt, UndoneAt: j.UndoneAt,
		Rows: j.RowCount, Added: j.Added, Updated: j.Updated, Archived: j.Archived, Unchanged: j.Unchanged, Refused: j.Refused, Error: j.Error}
}

// schoolFlags parses the flags shared by numo jobs and numo undo; ok false means exit with code.
func schoolFlags(name, help string, args []string, stdout, stderr io.Writer, more func(fs *flag.FlagSet)) (fs *flag.FlagSet, dbURL, brin *string, asJSON *bool, code int, ok bool) {
	fs = flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	dbURL = fs.String("db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL")
	brin = fs.String("school", "", "BRIN code of the school")
	asJSON = fs.Bool("json", false, "JSON output")
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, help)
			return fs, dbURL, brin, asJSON, 0, false
		}
		return fs, dbURL, brin, asJSON, 2, false
	}
	*brin = strings.ToUpper(strings.TrimSpace(*brin))
	if *brin == "" {
		fmt.Fprintf(stderr, "%s: --school BRIN is required\n\n%s", name, help)
		return fs, dbURL, brin, asJSON, 2, false
	}
	return fs, dbURL, brin, asJSON, 0, true
}

// jobsCmd runs `numo jobs`; see jobsHelp.
func jobsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, dbURL, brin, asJSON, code, ok := schoolFlags("numo jobs", jobsHelp, args, stdout, stderr, nil)
	if !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "numo jobs: unexpected argument %q\n\n%s", fs.Arg(0), jobsHelp)
		return 2
	}
	env, err := openJobs(ctx, *dbURL, *brin)
	if err != nil {
		fmt.Fprintf(stderr, "numo jobs: %v\n", err)
		return 1
	}
	defer env.close()
	list, err := env.jobs.History(jobs.Operator(ctx, env.school.ID, "numo jobs (CLI)"), env.school.ID)
	if err != nil {
		fmt.Fprintf(stderr, "numo jobs: %v\n", err)
		return 1
	}
	out := make([]jobJSON, len(list))
	for i, j := range list {
		out[i] = jobOf(j)
	}
	if *asJSON {
		return writeJSON(stdout, stderr, "numo jobs", map[string]any{"school": *brin, "jobs": out})
	}
	printJobs(stdout, *brin, out)
	return 0
}

// printJobs writes the history as a table.
func printJobs(w io.Writer, brin string, list []jobJSON) {
	if len(list) == 0 {
		fmt.Fprintf(w, "School %s heeft nog geen imports.\n", brin)
		return
	}
	fmt.Fprintf(w, "%6s  %-9s  %-16s  %7s %7s %7s %7s  %s\n", "import", "status", "tijd", "toegev.", "bijgew.", "gearch.", "geweig.", "bestand")
	for _, j := range list {
		at := j.UploadedAt
		if j.CommittedAt != nil {
			at = *j.CommittedAt
		}
		name := j.File
		if j.Kind == "UNDO" {
			name = "(ongedaan maken) " + name
		}
		fmt.Fprintf(w, "%6d  %-9s  %-16s  %7s %7s %7s %7s  %s\n", j.ID, j.Status, at.Local().Format("2006-01-02 15:04"),
			thousands(j.Added), thousands(j.Updated), thousands(j.Archived), thousands(j.Refused), name)
	}
}

// writeJSON prints v as one JSON object.
func writeJSON(stdout, stderr io.Writer, name string, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "%s: write JSON: %v\n", name, err)
		return 1
	}
	return 0
}
