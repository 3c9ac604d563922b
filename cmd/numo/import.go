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

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

const importHelp = `Usage: numo import --school BRIN --add|--update|--archive [flags] FILE.csv

Imports a pupil export (Magister, Somtoday, ParnasSys, Excel; any delimiter and encoding), with
or without a lesgroepen column, or a teacher export (teacher code, names, e-mail, the groups
they teach, the class they mentor) into one school, all or nothing. Flags may come before or
after the file.

A roster set — School Data Sync v1 or v2.1 CSV, OneRoster 1.1 or 1.2 bulk CSV — is given as a
zip, a folder or its CSV files: numo import FLAGS set.zip | map/ | users.csv roles.csv …
It is checked whole (nothing is imported from a refused set: exit 2, file and line on stderr),
then imported as two runs with the same flags and output: its pupils, then its teachers.
  --brin BRIN              the school of a set that holds several (default: --school's BRIN)
With --json a set prints one object: format, setSchool, skipped, imports (one summary per run).

Actions (at least one); a pupil file acts on pupils, a teacher file on teachers:
  --add                    add pupils (teachers) whose number (code) is not in Numo yet
  --update                 update pupils (teachers) whose number (code) is in Numo; when the
                           file has the lesgroepen (or taught groups, mentor) column, their
                           groups become exactly the file's
  --archive                archive active pupils (teachers) whose number (code) is not in the file

Flags:
  --school BRIN            the school's BRIN code (required; create it with numo school create)
  --kind pupils|teachers   what the file holds; default: recognised from its column names
                           (printed with the summary, "kind" in --json)
  --db URL                 SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --dry-run                show what the import would do, write nothing
  --confirm-archive N      confirm archiving N pupils when that is more than the school's
                           threshold (default 10 %) of its active pupils
  --confirm-year-down N    confirm moving N pupils back to a lower leerjaar when that is more
                           than the same threshold of the active pupils (last year's file again?)
  --mapping FILE           JSON object column header -> field, e.g.
                           {"Stamnr":"key","Roepnaam":"firstName","Achternaam":"lastName","Klas":"class"}
                           Columns it leaves out are not imported. Pupil fields: key, firstName,
                           infix, lastName, class, level, year, email, username, eckId, groups
                           (lesgroepen, a list in one cell). Teacher fields: key (the teacher
                           code), firstName, infix, lastName, email, username, eckId, teaches
                           (groups and classes taught, a list), mentorOf (stamklas mentored).
                           Without it the proposed mapping is used (printed with the summary,
                           "mapping" in --json).
  --level VALUE=LEVEL      decide a level value of the file that Numo does not know: LEVEL is
                           one of po, pro, vmbo-b, vmbo-k, vmbo-gt, havo, vwo, vmbo-b/k,
                           vmbo-k/gt, vmbo-gt/havo, havo/vwo; an empty LEVEL (--level 'ISK=')
                           imports its pupils without a level. Repeatable. Without a decision
                           for every unknown value nothing is imported (exit 2, "unknownLevels"
                           in --json); the school remembers the decisions of a real run.
                           --level '*=' imports the pupils of every other unknown value without
                           a level (this run only; for a column with very many such values).
  --json                   print one JSON object on stdout instead of the summary

Exit status:
  0  applied, or previewed with --dry-run (refused rows do not change this; see "errors")
  1  usage error, unknown school, unusable --mapping, database error
  2  the file is refused as a whole (an Excel workbook, no header row, no pupils, …), or it
     holds level values Numo does not know that no --level decides (listed on stderr)
  3  the archive guard needs --confirm-archive N, or the year guard --confirm-year-down N; the
     message says which N. A dry run exits 3 too when the real run with the same flags would,
     after printing what it would do.

A real run is recorded in the school's import history (an import job).
`

// Exit statuses of numo import.
const (
	exitOK          = 0
	exitError       = 1
	exitFileRefused = 2
	exitConfirm     = 3
)

// progressMinRecords is the file size from which a terminal gets a progress bar.
const progressMinRecords = 2000

// importOptions are the parsed command line of numo import.
type importOptions struct {
	dbURL          string
	brin           string
	actions        importer.Actions
	confirmArchive int
	// confirmYearDown repeats the number of pupils going back a leerjaar (the year guard).
	confirmYearDown int
	dryRun          bool
	mappingFile     string
	// kind is --kind: what the file holds; "" when it is recognised from the file.
	kind   importer.Kind
	levels levelFlags
	json   bool
	file   string
	// files are every path given: several, a zip or a folder make a roster set (import_set.go),
	// and set brin (--brin) chooses its school when it holds several.
	files   []string
	setBrin string
	// stamklassen (--stamklassen 1A,1B) names the stamklassen of a School Data Sync set.
	stamklassen []string
}

// importSummary is the outcome of one numo import run; with --json it is printed as is.
type importSummary struct {
	File       string           `json:"file"`
	School     string           `json:"school"`
	Actions    importer.Actions `json:"actions"`
	DryRun     bool             `json:"dryRun"`
	Applied    bool             `json:"applied"`
	ExitCode   int              `json:"exitCode"`
	JobID      int              `json:"jobId,omitempty"`
	Encoding   string           `json:"encoding"`
	Delimiter  string           `json:"delimiter"`
	HeaderLine int              `json:"headerLine"`
	Rows       int              `json:"rows"`
	// Kind is what the file holds: "pupils" or "teachers"; KindGiven says --kind said so
	// (else it was recognised from the column names).
	Kind            importer.Kind     `json:"kind"`
	KindGiven       bool              `json:"kindGiven"`
	Mapping         map[string]string `json:"mapping"` // column header -> field, as used
	importer.Counts                   // the plan's counts, as the API's preview has them
	ClassesCreated  []string          `json:"classesCreated"`
	// GroupsCreated are the lesgroepen the import creates.
	GroupsCreated []string `json:"groupsCreated"`
	// GroupChanges are the changes of group membership, per user: a pupil's lesgroepen
	// ("groups"), a teacher's groups taught ("teaches") and mentored ("mentorOf").
	GroupChanges []groupChange   `json:"groupChanges"`
	Guard        *importer.Guard `json:"guard,omitempty"`
	// YearGuard counts the pupils the import moves back a leerjaar (see importer.YearGuard).
	YearGuard *importer.YearGuard `json:"yearGuard,omitempty"`
	// UnknownLevels are the file's level values that Numo does not know and no --level (or
	// earlier decision of the school) decides; the run stops at them (exit 2).
	UnknownLevels []importer.UnknownValue `json:"unknownLevels"`
	// DamagedValues are the file's values that lost letters to "?" or U+FFFD, as the API's
	// preview lists them: kept (the stored value stays) or imported as the file has them.
	DamagedValues []importer.DamagedValue `json:"damagedValues"`
	Warnings      []cliProblem            `json:"warnings"`
	// Errors are the refused rows and, when the run failed, why.
	Errors []cliProblem `json:"errors"`

	parsed    bool     // the file was read far enough to describe it
	headers   []string // the mapped columns' headers in file order, for the readable summary
	rowErrors int      // Errors[:rowErrors] are about refused rows, the rest about the run
	// origins map a roster set part's lines to the set's files (nil for a file).
	origins *jobs.Origins
}

// groupChange is one user's change of groups: before and after list the names, sorted and
// joined by ", " as in the API's FieldChange.
type groupChange struct {
	Line int `json:"line"`
	// SourceFile is, for a roster set, the set's file the line is in (line being its line).
	SourceFile string `json:"sourceFile,omitempty"`
	Key        string `json:"key"`
	Name       string `json:"name"`
	Field      string `json:"field"`
	Before     string `json:"before"`
	After      string `json:"after"`
}

// cliProblem is a problem as numo import reports it; line 0 is about the whole file or run.
type cliProblem struct {
	Line int `json:"line"`
	// SourceFile is, for a roster set, the set's file the line is in (line being its line).
	SourceFile string `json:"sourceFile,omitempty"`
	Column     string `json:"column"`
	Code       string `json:"code"`
	Message    string `json:"message"`
}

func problemOf(p importer.Problem) cliProblem {
	return cliProblem{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.NL}
}

// importCmd runs `numo import`; see importHelp.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseImportArgs(args, stdout, stderr)
	if !ok {
		return code
	}
	if o.isSet() {
		return importSetCmd(ctx, o, stdout, stderr)
	}
	sum := &importSummary{File: o.file, School: o.brin, Actions: o.actions, DryRun: o.dryRun,
		ClassesCreated: []string{}, GroupsCreated: []string{}, GroupChanges: []groupChange{}, Warnings: []cliProblem{}, Errors: []cliProblem{}, Mapping: map[string]string{},
		UnknownLevels: []importer.UnknownValue{}, DamagedValues: []importer.DamagedValue{}}
	var bar *progressBar
	if !o.dryRun && isTerminal(stderr) {
		bar = &progressBar{w: stderr}
	}
	err := runImport(ctx, o, sum, bar)
	code = classify(err, sum, o)
	sum.ExitCode = code
	if o.json {
		if writeJSON(stdout, stderr, "numo import", sum) != 0 {
			return exitError
		}
		return code
	}
	if sum.parsed {
		printSummary(stdout, sum)
	}
	if err != nil {
		for _, p := range sum.Errors[sum.rowErrors:] {
			fmt.Fprintf(stderr, "numo import: %s\n", formatProblem(p))
		}
	}
	return code
}

// parseImportArgs reads the flags, which may come before and after the file name.
func parseImportArgs(args []string, stdout, stderr io.Writer) (o importOptions, code int, ok bool) {
	fs := flag.NewFlagSet("numo import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	fs.StringVar(&o.dbURL, "db", envOr("NUMO_DATABASE_URL", "file:numo.db"), "database URL")
	fs.StringVar(&o.brin, "school", "", "BRIN code of the school")
	fs.BoolVar(&o.actions.Add, "add", false, "add new pupils")
	fs.BoolVar(&o.actions.Update, "update", false, "update existing pupils")
	fs.BoolVar(&o.actions.Archive, "archive", false, "archive pupils not in the file")
	fs.IntVar(&o.confirmArchive, "confirm-archive", 0, "number of pupils to archive, to confirm")
	fs.IntVar(&o.confirmYearDown, "confirm-year-down", 0, "number of pupils going back a leerjaar, to confirm")
	fs.BoolVar(&o.dryRun, "dry-run", false, "write nothing")
	fs.StringVar(&o.mappingFile, "mapping", "", "JSON column mapping")
	var kind string
	fs.StringVar(&kind, "kind", "", "pupils or teachers (default: recognised from the file)")
	fs.Var(&o.levels, "level", "VALUE=LEVEL for a level value Numo does not know (repeatable)")
	fs.BoolVar(&o.json, "json", false, "JSON output")
	fs.StringVar(&o.setBrin, "brin", "", "the school of a roster set that holds several (its BRIN or identifier in the set)")
	fs.Func("stamklassen", "comma-separated stamklassen of a School Data Sync set (section names or their class part, such as 1A of \"1A ak\")", func(v string) error {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				o.stamklassen = append(o.stamklassen, n)
			}
		}
		return nil
	})
	usageErr := func(format string, a ...any) (importOptions, int, bool) {
		fmt.Fprintf(stderr, "numo import: "+format+"\n", a...)
		fmt.Fprintln(stderr, "usage: numo import --school BRIN --add|--update|--archive [flags] FILE.csv   (numo import --help)")
		return o, exitError, false
	}
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, importHelp)
				return o, exitOK, false
			}
			return usageErr("%v", err) // the flag package has said which flag
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if consumed := len(rest) - len(left); consumed > 0 && rest[consumed-1] == "--" {
			files = append(files, left...)
			break
		}
		files, rest = append(files, left[0]), left[1:]
	}
	o.brin = strings.ToUpper(strings.TrimSpace(o.brin))
	switch {
	case len(files) == 0:
		return usageErr("give a CSV file, or a roster set (a zip, a folder or its CSV files)")
	case o.brin == "":
		return usageErr("--school BRIN is required")
	case !o.actions.Any():
		return usageErr("choose at least one action: --add, --update and/or --archive")
	case o.confirmArchive < 0:
		return usageErr("--confirm-archive must be a number of pupils, not %d", o.confirmArchive)
	case o.confirmYearDown < 0:
		return usageErr("--confirm-year-down must be a number of pupils, not %d", o.confirmYearDown)
	}
	switch k := importer.Kind(strings.ToLower(strings.TrimSpace(kind))); k {
	case "", importer.KindPupils, importer.KindTeachers:
		o.kind = k
	default:
		return usageErr("--kind must be pupils or teachers, not %q", kind)
	}
	o.file, o.files = files[0], files
	if o.isSet() && (o.kind != "" || o.mappingFile != "") {
		return usageErr("--kind and --mapping do not apply to a roster set: its files say what they hold")
	}
	return o, exitOK, true
}

// operatorName is the audit log's actor of what the command line does.
const operatorName = "numo import (CLI)"

// runImport does the import and fills sum as far as it gets. It runs as the system on behalf
// of the operator, through the same job calls as the app (internal/jobs).
func runImport(ctx context.Context, o importOptions, sum *importSummary, bar *progressBar) error {
	data, err := os.ReadFile(o.file)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.file, err)
	}
	return runImportData(ctx, o, sum, bar, importData{name: filepath.Base(o.file), data: data})
}

// importData is what one run imports: a file, or one part of a roster set (set).
type importData struct {
	name   string
	data   []byte
	set    *jobs.SetPart
	source string
}

// runImportData imports in as runImport does a file.
func runImportData(ctx context.Context, o importOptions, sum *importSummary, bar *progressBar, in importData) error {
	ctx = auth.System(ctx)
	data := in.data
	var f *importer.File
	var err error
	if in.set != nil {
		f, sum.origins = in.set.File, in.set.Origins
	} else if f, err = importer.Parse(data); err != nil {
		return err
	}
	sum.parsed = true
	sum.Encoding, sum.Delimiter, sum.HeaderLine, sum.Rows = f.Encoding, string(f.Delimiter), f.HeaderLine, len(f.Rows)
	sum.Kind, sum.KindGiven = o.kind, o.kind != ""
	env, err := openJobs(ctx, o.dbURL, o.brin)
	if err != nil {
		if sum.Kind == "" {
			sum.Kind = importer.SniffKind(f.Columns)
		}
		sum.fillMapping(f, importer.MappingFromMatches(importer.ProposeMappingFor(sum.Kind, f.Columns)), nil)
		return err
	}
	defer env.close()
	if sum.Kind == "" {
		sum.Kind = jobs.DetectKind(env.school, f.Columns)
	}
	var explicit importer.Mapping
	if o.mappingFile != "" {
		if explicit, err = readMapping(o.mappingFile, f.Columns, sum.Kind); err != nil {
			return err
		}
	}
	// The school's remembered mappings (columns for these headers and this kind, level
	// values) come first, as for an upload in the app; --mapping overrides the columns.
	m := jobs.Propose(env.school, f, sum.Kind)
	if explicit != nil {
		m.Use(f, explicit)
	}
	sum.fillMapping(f, m.Chosen, nil)
	if err := m.Decide(o.levels); err != nil {
		return err
	}
	p, err := jobs.PrepareFile(f, m.Chosen, m.Levels, sum.Kind)
	if err != nil {
		return err
	}
	res := p.Result
	if err := jobs.CheckLevels(res, m.OtherNoLevel); err != nil {
		sum.UnknownLevels = res.UnknownLevels
		return err
	}
	if done, err := planFirst(ctx, env, o, sum, p); done || err != nil {
		return err
	}
	host, _ := os.Hostname()
	d := jobs.Direct{SchoolID: env.school.ID, FileName: in.name, Data: data, Source: in.source, Origins: sum.origins, Prepared: p, Mapping: m, Levels: o.levels,
		Actions: o.actions, ConfirmArchive: o.confirmArchive, ConfirmYearDown: o.confirmYearDown, Claim: fmt.Sprintf("numo import on %s (pid %d)", host, os.Getpid())}
	if bar != nil && len(res.Records) >= progressMinRecords {
		d.Progress = bar.update
	}
	// A commit whose process died is failed (and rolled back) first, as numo serve does.
	env.jobs.Reap(ctx)
	jobID, plan, err := env.jobs.Import(jobs.Operator(ctx, env.school.ID, operatorName), d)
	bar.clear()
	sum.JobID = jobID
	if err != nil {
		return err
	}
	sum.fill(plan)
	sum.Applied = true
	return nil
}

// planFirst plans without writing for a dry run, and for a real run that may archive or
// update: an archive or a step back in leerjaar it is not confirmed for is refused before the
// import enters the history. done reports that the run ends here.
func planFirst(ctx context.Context, env *jobsEnv, o importOptions, sum *importSummary, p *importer.Prepared) (done bool, err error) {
	if !o.dryRun && !o.actions.Archive && !o.actions.Update {
		return false, nil
	}
	plan, err := importer.PlanFor(ctx, env.db, env.school.ID, p, o.actions)
	if err != nil {
		return true, err
	}
	sum.fill(plan)
	var refused []error
	if plan.Guard.ConfirmationRequired && o.confirmArchive != plan.Guard.ToArchive {
		refused = append(refused, &importer.ArchiveConfirmationError{Guard: plan.Guard})
	}
	if plan.YearGuard.ConfirmationRequired && o.confirmYearDown != plan.YearGuard.YearDown {
		refused = append(refused, &importer.YearDownConfirmationError{Guard: plan.YearGuard})
	}
	if len(refused) > 0 {
		return true, errors.Join(refused...)
	}
	return o.dryRun, nil
}

// fillMapping records the mapping used (explicit when set, else m) in the summary.
func (sum *importSummary) fillMapping(f *importer.File, m, explicit importer.Mapping) {
	if explicit != nil {
		m = explicit
	}
	clear(sum.Mapping)
	sum.headers = sum.headers[:0]
	for _, c := range f.Columns {
		if field, ok := m[c.Index]; ok && field != "" {
			sum.Mapping[c.Header] = string(field)
			sum.headers = append(sum.headers, c.Header)
		}
	}
}

// fill copies a plan's counts, classes, groups and problems into the summary.
func (sum *importSummary) fill(p *importer.Plan) {
	sum.Counts = p.Counts
	sum.ClassesCreated = append([]string{}, p.ClassesToCreate...)
	sum.GroupsCreated = append([]string{}, p.GroupsToCreate...)
	sum.GroupChanges = groupChanges(p)
	for i := range sum.GroupChanges {
		if f, l, ok := sum.origins.Map(sum.GroupChanges[i].Line); ok {
			sum.GroupChanges[i].SourceFile, sum.GroupChanges[i].Line = f, l
		}
	}
	sum.DamagedValues = append([]importer.DamagedValue{}, p.Damaged...)
	g, yg := p.Guard, p.YearGuard
	sum.Guard, sum.YearGuard = &g, &yg
	sum.Warnings = sum.Warnings[:0]
	for _, w := range p.Warnings {
		sum.Warnings = append(sum.Warnings, sum.problemAt(w))
	}
	sum.Errors = sum.Errors[:0]
	for _, r := range p.Refused {
		sum.Errors = append(sum.Errors, sum.problemAt(r))
	}
	sum.rowErrors = len(sum.Errors)
}

// groupChanges are the plan's changes of group membership, in the order of its users.
func groupChanges(p *importer.Plan) []groupChange {
	out := []groupChange{}
	for i := range p.Users {
		u := &p.Users[i]
		for _, c := range u.Changes {
			switch importer.Field(c.Field) {
			case importer.FieldGroups, importer.FieldTeaches, importer.FieldMentorOf:
				name := strings.Join(strings.Fields(u.FirstName+" "+u.Infix+" "+u.LastName), " ")
				out = append(out, groupChange{Line: u.Line, Key: u.Key, Name: name, Field: c.Field, Before: c.Before, After: c.After})
			}
		}
	}
	return out
}
