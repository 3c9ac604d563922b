package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

const importHelp = `Usage: numo import --school BRIN --add|--update|--archive [flags] FILE.csv

Imports a pupil export (Magister, Somtoday, ParnasSys, Excel; any delimiter and encoding) into
one school, all or nothing. Flags may come before or after the file.

Actions (at least one):
  --add                    add pupils whose number is not in Numo yet
  --update                 update pupils whose number is in Numo
  --archive                archive active pupils whose number is not in the file

Flags:
  --school BRIN            the school's BRIN code (required; create it with numo school create)
  --db URL                 SQLite file (default file:numo.db) or postgres://… (NUMO_DATABASE_URL)
  --dry-run                show what the import would do, write nothing
  --confirm-archive N      confirm archiving N pupils when that is more than the school's
                           threshold (default 10 %) of its active pupils
  --mapping FILE           JSON object column header -> field, e.g.
                           {"Stamnr":"key","Roepnaam":"firstName","Achternaam":"lastName","Klas":"class"}
                           Columns it leaves out are not imported. Fields: key, firstName, infix,
                           lastName, class, level, year, email, username, eckId. Without it the
                           proposed mapping is used (printed with the summary, "mapping" in --json).
  --json                   print one JSON object on stdout instead of the summary

Exit status:
  0  applied, or previewed with --dry-run (refused rows do not change this; see "errors")
  1  usage error, unknown school, unusable --mapping, database error
  2  the file is refused as a whole (an Excel workbook, no header row, no pupils, …)
  3  the archive guard needs --confirm-archive N; the message says which N. A dry run exits 3
     too when the real run with the same flags would, after printing what it would do.

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
	dryRun         bool
	mappingFile    string
	json           bool
	file           string
}

// importSummary is the outcome of one numo import run; with --json it is printed as is.
type importSummary struct {
	File           string            `json:"file"`
	School         string            `json:"school"`
	Actions        importer.Actions  `json:"actions"`
	DryRun         bool              `json:"dryRun"`
	Applied        bool              `json:"applied"`
	ExitCode       int               `json:"exitCode"`
	JobID          int               `json:"jobId,omitempty"`
	Encoding       string            `json:"encoding"`
	Delimiter      string            `json:"delimiter"`
	HeaderLine     int               `json:"headerLine"`
	Rows           int               `json:"rows"`
	Mapping        map[string]string `json:"mapping"` // column header -> field, as used
	Added          int               `json:"added"`
	Updated        int               `json:"updated"`
	Archived       int               `json:"archived"`
	Unchanged      int               `json:"unchanged"`
	Skipped        int               `json:"skipped"`
	Refused        int               `json:"refused"`
	ClassesCreated []string          `json:"classesCreated"`
	Guard          *importer.Guard   `json:"guard,omitempty"`
	Warnings       []cliProblem      `json:"warnings"`
	// Errors are the refused rows and, when the run failed, why.
	Errors []cliProblem `json:"errors"`

	parsed    bool     // the file was read far enough to describe it
	headers   []string // the mapped columns' headers in file order, for the readable summary
	rowErrors int      // Errors[:rowErrors] are about refused rows, the rest about the run
}

// cliProblem is a problem as numo import reports it; line 0 is about the whole file or run.
type cliProblem struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func problemOf(p importer.Problem) cliProblem {
	return cliProblem{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.NL}
}

// mappingFileError reports every problem of a --mapping file at once.
type mappingFileError struct{ problems []importer.Problem }

func (e *mappingFileError) Error() string {
	msgs := make([]string, len(e.problems))
	for i, p := range e.problems {
		msgs[i] = p.Error()
	}
	return "kolomindeling ongeldig: " + strings.Join(msgs, "; ")
}

// importCmd runs `numo import`; see importHelp.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseImportArgs(args, stdout, stderr)
	if !ok {
		return code
	}
	sum := &importSummary{File: o.file, School: o.brin, Actions: o.actions, DryRun: o.dryRun,
		ClassesCreated: []string{}, Warnings: []cliProblem{}, Errors: []cliProblem{}, Mapping: map[string]string{}}
	var bar *progressBar
	if !o.dryRun && isTerminal(stderr) {
		bar = &progressBar{w: stderr}
	}
	err := runImport(ctx, o, sum, bar)
	code = classify(err, sum, o)
	sum.ExitCode = code
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(sum); err != nil {
			fmt.Fprintf(stderr, "numo import: write JSON: %v\n", err)
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
	fs.BoolVar(&o.dryRun, "dry-run", false, "write nothing")
	fs.StringVar(&o.mappingFile, "mapping", "", "JSON column mapping")
	fs.BoolVar(&o.json, "json", false, "JSON output")
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
	case len(files) != 1:
		return usageErr("give exactly one CSV file, got %d", len(files))
	case o.brin == "":
		return usageErr("--school BRIN is required")
	case !o.actions.Any():
		return usageErr("choose at least one action: --add, --update and/or --archive")
	case o.confirmArchive < 0:
		return usageErr("--confirm-archive must be a number of pupils, not %d", o.confirmArchive)
	}
	o.file = files[0]
	return o, exitOK, true
}

// runImport does the import and fills sum as far as it gets.
func runImport(ctx context.Context, o importOptions, sum *importSummary, bar *progressBar) error {
	// numo import runs on the server with the database's own credentials: it is the product's
	// own work, which the privacy rules guarding the API allow everything.
	ctx = auth.System(ctx)
	data, err := os.ReadFile(o.file)
	if err != nil {
		return fmt.Errorf("read %s: %w", o.file, err)
	}
	f, err := importer.Parse(data)
	if err != nil {
		return err
	}
	sum.parsed = true
	sum.Encoding, sum.Delimiter, sum.HeaderLine, sum.Rows = f.Encoding, string(f.Delimiter), f.HeaderLine, len(f.Rows)

	m := importer.MappingFromMatches(importer.ProposeMapping(f.Columns))
	if o.mappingFile != "" {
		if m, err = readMapping(o.mappingFile, f.Columns); err != nil {
			return err
		}
	}
	for _, c := range f.Columns {
		if field, ok := m[c.Index]; ok && field != "" {
			sum.Mapping[c.Header] = string(field)
			sum.headers = append(sum.headers, c.Header)
		}
	}

	db, err := openMigrated(ctx, o.dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	s, err := db.Client.School.Query().Where(school.Brin(o.brin)).Only(ctx)
	if isNotFound(err) {
		return fmt.Errorf("school %s bestaat niet; maak hem met numo school create", o.brin)
	}
	if err != nil {
		return fmt.Errorf("find school %s: %w", o.brin, err)
	}
	levels := make(map[string]importer.Level, len(s.LevelMappings))
	for raw, lvl := range s.LevelMappings {
		levels[raw] = importer.Level(lvl)
	}
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m, LevelMap: levels})
	if err != nil {
		return err
	}
	in := importer.NewPlanInput(f, m, res)

	// A dry run plans without writing. A real run that may archive plans first as well, so that
	// an archive it is not confirmed for is refused before the import enters the history.
	if o.dryRun || o.actions.Archive {
		plan, err := importer.PlanFor(ctx, db, s.ID, &importer.Prepared{File: f, Mapping: m, Result: res, Input: in}, o.actions)
		if err != nil {
			return err
		}
		sum.fill(plan)
		if plan.Guard.ConfirmationRequired && o.confirmArchive != plan.Guard.ToArchive {
			return &importer.ArchiveConfirmationError{Guard: plan.Guard}
		}
		if o.dryRun {
			return nil
		}
	}

	// The job is created with its commit lock held (PostgreSQL): a server's reaper fails it
	// as soon as the lock is free, that is when this process dies.
	jobID, lock, err := db.CreateLockedJob(ctx, heartbeatEvery, func(ctx context.Context, c *ent.Client) (int, error) {
		job, err := createJob(ctx, c, s.ID, o, data, f)
		if err != nil {
			return 0, err
		}
		return job.ID, nil
	})
	if err != nil {
		return err
	}
	defer lock.Release() // after the job's final status is written
	sum.JobID = jobID
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-lock.Lost():
			cancel(store.ErrLockLost)
		case <-ctx.Done():
		}
	}()
	job := &ent.ImportJob{ID: jobID}
	hb := startHeartbeat(ctx, db, job.ID)
	opt := importer.ApplyOptions{JobID: job.ID, ConfirmArchive: o.confirmArchive, Progress: hb.progress}
	if bar != nil && len(res.Records) >= progressMinRecords {
		opt.Progress = func(p importer.Progress) {
			hb.progress(p)
			bar.update(p)
		}
	}
	plan, err := importer.Apply(ctx, db, in, s.ID, o.actions, opt)
	hb.stop()
	bar.clear()
	if err != nil {
		// The apply rolled back; the job says why in the app's history, also after Ctrl-C.
		bg := context.WithoutCancel(ctx)
		if ferr := db.Client.ImportJob.UpdateOneID(job.ID).SetStatus(importjob.StatusFAILED).SetPhase("failed").
			SetError(jobFailure(err)).Exec(bg); ferr != nil {
			return errors.Join(err, fmt.Errorf("mark import job %d failed: %w", job.ID, ferr))
		}
		return err
	}
	sum.fill(plan)
	sum.Applied = true
	return nil
}

// jobFailure is the message a failed run leaves on its job, for the school's import history.
func jobFailure(err error) string {
	var ce *importer.ArchiveConfirmationError
	switch {
	case errors.As(err, &ce):
		return ce.Error()
	case errors.Is(err, context.Canceled):
		return "De import met numo import is afgebroken. Er is niets gewijzigd."
	}
	return "De import met numo import is mislukt; er is niets gewijzigd. Oorzaak: " + err.Error()
}

// fill copies a plan's counts, classes and problems into the summary.
func (sum *importSummary) fill(p *importer.Plan) {
	c := p.Counts
	sum.Added, sum.Updated, sum.Archived, sum.Unchanged, sum.Skipped, sum.Refused = c.Added, c.Updated, c.Archived, c.Unchanged, c.Skipped, c.Refused
	sum.ClassesCreated = append([]string{}, p.ClassesToCreate...)
	g := p.Guard
	sum.Guard = &g
	sum.Warnings = sum.Warnings[:0]
	for _, w := range p.Warnings {
		sum.Warnings = append(sum.Warnings, problemOf(w))
	}
	sum.Errors = sum.Errors[:0]
	for _, r := range p.Refused {
		sum.Errors = append(sum.Errors, problemOf(r))
	}
	sum.rowErrors = len(sum.Errors)
}

// createJob records a real run in the school's import history, ready for Apply to commit.
func createJob(ctx context.Context, c *ent.Client, schoolID int, o importOptions, data []byte, f *importer.File) (*ent.ImportJob, error) {
	sum := sha256.Sum256(data)
	var actions []string
	for _, a := range []struct {
		on   bool
		name string
	}{{o.actions.Add, "add"}, {o.actions.Update, "update"}, {o.actions.Archive, "archive"}} {
		if a.on {
			actions = append(actions, a.name)
		}
	}
	host, _ := os.Hostname()
	job, err := c.ImportJob.Create().SetSchoolID(schoolID).SetStatus(importjob.StatusCOMMITTING).
		SetClaimedBy(store.LockedClaim(fmt.Sprintf("numo import on %s (pid %d)", host, os.Getpid()), 200)).SetHeartbeatAt(time.Now()).
		SetFileName(truncate(filepath.Base(o.file), 255)).SetFileSize(int64(len(data))).SetSha256(hex.EncodeToString(sum[:])).
		SetEncoding(f.Encoding).SetDelimiter(string(f.Delimiter)).SetHeaderLine(f.HeaderLine).SetRowCount(len(f.Rows)).
		SetActions(actions).SetPhase("planning").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create import job: %w", err)
	}
	return job, nil
}

// heartbeatEvery is how often a real run shows a server's reaper that its job is alive. The
// server counts a COMMITTING job without a heartbeat for 20 s as dead (internal/jobs). A
// variable for the tests.
var heartbeatEvery = 2 * time.Second

// heartbeat keeps the job of a running apply alive and its progress visible in the app: it
// writes both to the job row every heartbeatEvery. On SQLite the apply commits in short steps
// (importer.Apply), so the beats go between them. A server's reaper takes the job for dead
// when its commit lock (store.CreateLockedJob) is free — at once on PostgreSQL; on SQLite
// when the heartbeat has been silent for 5 s as well — or, as a fallback, when the heartbeat
// has been silent for --commit-dead-after (PostgreSQL); on SQLite it rolls back what this
// process did not finish.
type heartbeat struct {
	mu     sync.Mutex
	latest importer.Progress
	done   chan struct{}
	exited chan struct{}
}

func startHeartbeat(ctx context.Context, db *store.DB, jobID int) *heartbeat {
	h := &heartbeat{done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(h.exited)
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			h.mu.Lock()
			p := h.latest
			h.mu.Unlock()
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			u := db.Client.ImportJob.Update().Where(importjob.ID(jobID), importjob.StatusEQ(importjob.StatusCOMMITTING)).
				SetHeartbeatAt(time.Now())
			if p.Phase != "" {
				u = u.SetPhase(p.Phase).SetProgressDone(p.Done).SetProgressTotal(p.Total)
			}
			_ = u.Exec(wctx) // a missed beat is retried at the next tick; the apply goes on
			cancel()
		}
	}()
	return h
}

// progress records the apply's latest progress for the next beat.
func (h *heartbeat) progress(p importer.Progress) {
	h.mu.Lock()
	h.latest = p
	h.mu.Unlock()
}

// stop ends the beats and waits until none is being written.
func (h *heartbeat) stop() {
	select {
	case <-h.done:
	default:
		close(h.done)
	}
	<-h.exited
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// readMapping reads a --mapping file: a JSON object from column header to field name. A header
// matches a column exactly or, failing that, ignoring case, accents and punctuation ("E-mail" =
// "email"). Every problem is reported at once, with the mapping's own (Mapping.Validate).
func readMapping(path string, cols []importer.Column) (importer.Mapping, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --mapping: %w", err)
	}
	var byHeader map[string]*string
	if err := json.Unmarshal(raw, &byHeader); err != nil {
		return nil, fmt.Errorf("--mapping %s is not a JSON object of column header to field name: %w", path, err)
	}
	headers := make([]string, 0, len(byHeader))
	for h := range byHeader {
		headers = append(headers, h)
	}
	slices.Sort(headers)
	var probs []importer.Problem
	m := importer.Mapping{}
	for _, h := range headers {
		field := byHeader[h]
		if field == nil || strings.TrimSpace(*field) == "" {
			continue // explicitly not imported
		}
		col, prob := findColumn(h, cols)
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		if prev, dup := m[col]; dup {
			probs = append(probs, importer.Problem{Column: cols[col].Header, Code: "duplicate_column",
				NL: fmt.Sprintf("kolom %s staat twee keer in --mapping (als %s en als %s)", cols[col].Header, prev, *field),
				EN: fmt.Sprintf("column %s appears twice in --mapping (as %s and as %s)", cols[col].Header, prev, *field)})
			continue
		}
		m[col] = importer.Field(strings.TrimSpace(*field))
	}
	probs = append(probs, m.Validate(cols)...)
	if len(probs) > 0 {
		return nil, &mappingFileError{problems: probs}
	}
	return m, nil
}

// findColumn finds the column a --mapping header names.
func findColumn(h string, cols []importer.Column) (int, *importer.Problem) {
	var exact, loose []int
	norm := importer.NormalizeHeader(h)
	for i, c := range cols {
		switch {
		case c.Header == strings.TrimSpace(h):
			exact = append(exact, i)
		case norm != "" && importer.NormalizeHeader(c.Header) == norm:
			loose = append(loose, i)
		}
	}
	found := exact
	if len(found) == 0 {
		found = loose
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Header
		}
		return 0, &importer.Problem{Column: h, Code: "unknown_column",
			NL: fmt.Sprintf("het bestand heeft geen kolom %q (wel: %s)", h, strings.Join(names, ", ")),
			EN: fmt.Sprintf("the file has no column %q (it has: %s)", h, strings.Join(names, ", "))}
	}
	return 0, &importer.Problem{Column: h, Code: "ambiguous_column",
		NL: fmt.Sprintf("het bestand heeft %d kolommen met de naam %q; hernoem er een in het bestand", len(found), h),
		EN: fmt.Sprintf("the file has %d columns named %q; rename one of them in the file", len(found), h)}
}

// classify turns the run's error into the exit status and the summary's errors.
func classify(err error, sum *importSummary, o importOptions) int {
	if err == nil {
		return exitOK
	}
	var (
		fe  *importer.FileError
		me  *importer.MappingError
		mfe *mappingFileError
		ace *importer.ArchiveConfirmationError
	)
	switch {
	case errors.As(err, &fe):
		sum.Errors = append(sum.Errors, cliProblem{Line: fe.Line, Code: fe.Code, Message: "het bestand is geweigerd: " + fe.NL})
		return exitFileRefused
	case errors.Is(err, importer.ErrFileRejected):
		sum.Errors = append(sum.Errors, cliProblem{Code: "file_rejected", Message: "het bestand is geweigerd: " + err.Error()})
		return exitFileRefused
	case errors.As(err, &me):
		for _, p := range me.Problems {
			sum.Errors = append(sum.Errors, problemOf(p))
		}
		if o.mappingFile == "" {
			sum.Errors = append(sum.Errors, cliProblem{Code: "mapping_needed",
				Message: "de kolommen zijn niet vanzelf te herkennen: geef met --mapping FILE aan welke kolom wat is (zie \"mapping\" in --json)"})
		}
		return exitError
	case errors.As(err, &mfe):
		for _, p := range mfe.problems {
			sum.Errors = append(sum.Errors, problemOf(p))
		}
		return exitError
	case errors.As(err, &ace):
		g := ace.Guard
		sum.Guard = &g
		sum.Errors = append(sum.Errors, cliProblem{Code: "archive_confirmation_required",
			Message: fmt.Sprintf("deze import archiveert %d van de %d actieve leerlingen (meer dan %d %%); controleer dat en bevestig met --confirm-archive %d",
				g.ToArchive, g.ActivePupils, g.ThresholdPercent, g.ToArchive)})
		return exitConfirm
	}
	sum.Errors = append(sum.Errors, cliProblem{Code: "error", Message: err.Error()})
	return exitError
}

// maxListed is how many warnings or refused rows the readable summary lists.
const maxListed = 20

// printSummary writes the readable Dutch summary of a run.
func printSummary(w io.Writer, sum *importSummary) {
	delim := sum.Delimiter
	if delim == "\t" {
		delim = "tab"
	}
	fmt.Fprintf(w, "Bestand %s: %s, scheidingsteken %s, kopregel op regel %d, %d rijen.\n",
		filepath.Base(sum.File), sum.Encoding, delim, sum.HeaderLine, sum.Rows)
	if len(sum.headers) > 0 {
		parts := make([]string, len(sum.headers))
		for i, h := range sum.headers {
			parts[i] = h + " → " + sum.Mapping[h]
		}
		fmt.Fprintf(w, "Kolommen: %s\n", strings.Join(parts, ", "))
	}
	if sum.Guard == nil {
		return // refused before planning
	}
	switch {
	case sum.Applied:
		fmt.Fprintf(w, "Import toegepast op school %s (import %d).\n", sum.School, sum.JobID)
	case sum.DryRun:
		fmt.Fprintf(w, "Proefimport voor school %s: zo zou de import uitpakken. Er is niets opgeslagen.\n", sum.School)
	default:
		fmt.Fprintf(w, "Niet toegepast op school %s; zo zou de import uitpakken:\n", sum.School)
	}
	for _, l := range []struct {
		label string
		n     int
	}{{"toegevoegd", sum.Added}, {"bijgewerkt", sum.Updated}, {"gearchiveerd", sum.Archived},
		{"ongewijzigd", sum.Unchanged}, {"overgeslagen", sum.Skipped}, {"geweigerd", sum.Refused}} {
		fmt.Fprintf(w, "  %-13s %7s\n", l.label, thousands(l.n))
	}
	if sum.Skipped > 0 {
		fmt.Fprintln(w, "  (overgeslagen: nieuw of gewijzigd, maar --add of --update is niet gekozen)")
	}
	if len(sum.ClassesCreated) > 0 {
		verb := "Nieuwe klassen"
		if !sum.Applied {
			verb = "Nieuwe klassen (aan te maken)"
		}
		fmt.Fprintf(w, "%s: %s\n", verb, strings.Join(sum.ClassesCreated, ", "))
	}
	list := func(title string, ps []cliProblem) {
		if len(ps) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(ps))
		for _, p := range ps[:min(len(ps), maxListed)] {
			fmt.Fprintf(w, "  %s\n", formatProblem(p))
		}
		if len(ps) > maxListed {
			fmt.Fprintf(w, "  … en nog %d (alles staat in --json)\n", len(ps)-maxListed)
		}
	}
	list("Waarschuwingen", sum.Warnings)
	list("Geweigerde regels", sum.Errors[:sum.rowErrors])
}

func formatProblem(p cliProblem) string {
	return importer.Problem{Line: p.Line, Column: p.Column, NL: p.Message}.Error()
}

// thousands writes n with Dutch thousands separators: 100.000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// isTerminal reports whether w is a terminal (a character device), where a progress bar helps.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws an apply's progress on one terminal line, at most ten times a second.
type progressBar struct {
	w     io.Writer
	last  time.Time
	drawn bool
}

func (b *progressBar) update(p importer.Progress) {
	if time.Since(b.last) < 100*time.Millisecond && p.Done != p.Total {
		return
	}
	b.last = time.Now()
	b.drawn = true
	if p.Phase == "planning" || p.Total == 0 {
		fmt.Fprintf(b.w, "\r\033[Kplannen …")
		return
	}
	const width = 30
	filled := width * p.Done / p.Total
	fmt.Fprintf(b.w, "\r\033[Kschrijven [%s%s] %3d%% %s/%s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		100*p.Done/p.Total, thousands(p.Done), thousands(p.Total))
}

// clear removes the bar so that the summary starts on a clean line; nil-safe.
func (b *progressBar) clear() {
	if b != nil && b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func isNotFound(err error) bool { return ent.IsNotFound(err) }
