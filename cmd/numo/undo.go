package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/undo"
)

const undoHelp = `Usage: numo undo --school BRIN [--dry-run] [--skip-conflicts] [--json] [--db URL] JOB

Undoes a committed import of the school (JOB is its number in numo jobs), as "Ongedaan maken"
in the app: pupils it added are deleted, pupils it updated get their old values back, pupils
it archived become active again, and classes it created that are left empty are removed — all
at once. A pupil that changed after the import (by hand, by a later import, or, for a pupil it
added, by signing in or getting a password) is a conflict: it is never overwritten.

Flags:
  --school BRIN       the school's BRIN code (required)
  --db URL            SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --dry-run           show what the undo would do (the undo preview), change nothing
  --skip-conflicts    undo for every pupil except the conflicts (they stay as they are)
  --json              print one JSON object on stdout instead of the summary

Exit status:
  0  undone, or previewed with --dry-run
  1  unknown school or import, an import that cannot be undone (any more), database error
  2  usage error
  3  pupils changed after the import: undo with --skip-conflicts, or leave the import
     (a dry run exits 3 too when the real run would)
`

// undoJSON is the outcome of numo undo; with --json it is printed as is.
type undoJSON struct {
	School         string          `json:"school"`
	Job            int             `json:"job"`
	File           string          `json:"file"`
	DryRun         bool            `json:"dryRun"`
	Undone         bool            `json:"undone"`
	UndoJob        int             `json:"undoJob,omitempty"`
	ExitCode       int             `json:"exitCode"`
	Possible       bool            `json:"possible"`
	RemoveAdded    int             `json:"removeAdded"`
	RestoreUpdated int             `json:"restoreUpdated"`
	Reactivate     int             `json:"reactivate"`
	RemoveClasses  []string        `json:"removeClasses"`
	Conflicts      []undo.Conflict `json:"conflicts"`
	Errors         []cliProblem    `json:"errors"`
}

// undoCmd runs `numo undo`; see undoHelp.
func undoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dryRun, skip bool
	fs, dbURL, brin, asJSON, code, ok := schoolFlags("numo undo", undoHelp, reorder(args), stdout, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "change nothing")
		fs.BoolVar(&skip, "skip-conflicts", false, "leave the conflicts as they are")
	})
	if !ok {
		return code
	}
	jobID, err := strconv.Atoi(fs.Arg(0))
	if fs.NArg() != 1 || err != nil || jobID <= 0 {
		fmt.Fprintf(stderr, "numo undo: give one import number (see numo jobs)\n\n%s", undoHelp)
		return 2
	}
	out := &undoJSON{School: *brin, Job: jobID, DryRun: dryRun, RemoveClasses: []string{}, Conflicts: []undo.Conflict{}, Errors: []cliProblem{}}
	err = runUndo(ctx, *dbURL, *brin, jobID, dryRun, skip, out)
	out.ExitCode = undoExit(err, out)
	if *asJSON {
		if writeJSON(stdout, stderr, "numo undo", out) != 0 {
			return 1
		}
		return out.ExitCode
	}
	printUndo(stdout, out)
	for _, p := range out.Errors {
		fmt.Fprintf(stderr, "numo undo: %s\n", p.Message)
	}
	return out.ExitCode
}

// reorder moves the arguments that are not flags to the end, so that flags may follow JOB.
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(append(flags, a), append(rest, args[i+1:]...)...)
		case !strings.HasPrefix(a, "-"):
			rest = append(rest, a)
		default:
			flags = append(flags, a)
			if (a == "--school" || a == "-school" || a == "--db" || a == "-db") && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	return append(flags, rest...)
}

// runUndo previews the undo and, unless dryRun, does it; it fills out as far as it gets.
func runUndo(ctx context.Context, dbURL, brin string, jobID int, dryRun, skip bool, out *undoJSON) error {
	env, err := openJobs(ctx, dbURL, brin)
	if err != nil {
		return err
	}
	defer env.close()
	op := jobs.Operator(ctx, env.school.ID, "numo undo (CLI)")
	p, err := undo.Preview(op, env.db, jobID)
	if err != nil {
		return err
	}
	out.fill(p)
	if !p.Possible {
		return errors.New(p.Reason)
	}
	if len(p.Conflicts) > 0 && !skip {
		return errUndoConflicts
	}
	if dryRun {
		return nil
	}
	res, err := undo.Undo(op, env.db, jobID, undo.Options{SkipConflicts: skip})
	if err != nil {
		return err
	}
	out.fill(res.Plan)
	out.Undone, out.UndoJob = true, res.Job.ID
	return nil
}

// errUndoConflicts refuses an undo with conflicts without --skip-conflicts.
var errUndoConflicts = errors.New("leerlingen zijn na deze import gewijzigd: maak de import ongedaan met --skip-conflicts (die leerlingen blijven zoals ze zijn), of laat hem staan")

func (u *undoJSON) fill(p *undo.Plan) {
	u.File, u.Possible = p.FileName, p.Possible
	u.RemoveAdded, u.RestoreUpdated, u.Reactivate = p.RemoveAdded, p.RestoreUpdated, p.Reactivate
	u.RemoveClasses = append([]string{}, p.RemoveClasses...)
	u.Conflicts = append([]undo.Conflict{}, p.Conflicts...)
}

// undoExit turns the run's error into the exit status and out's errors.
func undoExit(err error, out *undoJSON) int {
	if err == nil {
		return 0
	}
	var ae *apperr.Error
	code, exit := "error", 1
	switch {
	case errors.Is(err, errUndoConflicts):
		code, exit = apperr.CodeUndoConflict, 3
	case errors.As(err, &ae):
		code = ae.Code()
		if code == apperr.CodeUndoConflict {
			exit = 3
		}
	case !out.Possible && out.File != "":
		code = apperr.CodeInvalidState
	}
	out.Errors = append(out.Errors, cliProblem{Code: code, Message: err.Error()})
	return exit
}

// printUndo writes the readable Dutch summary of an undo.
func printUndo(w io.Writer, u *undoJSON) {
	if u.File == "" {
		return // refused before the preview
	}
	switch {
	case u.Undone:
		fmt.Fprintf(w, "Import %d (%s) van school %s is ongedaan gemaakt (import %d).\n", u.Job, u.File, u.School, u.UndoJob)
	case u.Possible:
		fmt.Fprintf(w, "Ongedaan maken van import %d (%s) van school %s zou:\n", u.Job, u.File, u.School)
	default:
		return
	}
	for _, l := range []struct {
		label string
		n     int
	}{{"toegevoegde leerlingen verwijderen", u.RemoveAdded}, {"bijgewerkte leerlingen terugzetten", u.RestoreUpdated},
		{"gearchiveerde leerlingen weer actief maken", u.Reactivate}, {"klassen verwijderen", len(u.RemoveClasses)},
		{"leerlingen overslaan (na de import gewijzigd)", len(u.Conflicts)}} {
		fmt.Fprintf(w, "  %7s  %s\n", thousands(l.n), l.label)
	}
	for _, c := range u.Conflicts[:min(len(u.Conflicts), maxListed)] {
		fmt.Fprintf(w, "  conflict: %s (%s): %s\n", c.Name, c.Key, c.Reason)
	}
}
