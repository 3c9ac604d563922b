package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

// classify turns the run's error into the exit status and the summary's errors.
func classify(err error, sum *importSummary, o importOptions) int {
	if err == nil {
		return exitOK
	}
	if guardProblems(err, sum) {
		return exitConfirm
	}
	var (
		fe  *importer.FileError
		me  *importer.MappingError
		mfe *mappingFileError
	)
	switch {
	case len(sum.UnknownLevels) > 0:
		sum.Errors = append(sum.Errors, unknownLevelsProblem(sum.UnknownLevels))
		return exitFileRefused
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
	}
	sum.Errors = append(sum.Errors, cliProblem{Code: "error", Message: err.Error()})
	return exitError
}

// guardProblems adds a problem for each guard (archive, year) that err says is not confirmed,
// and reports whether there was any: the run then needs a confirmation (exit 3).
func guardProblems(err error, sum *importSummary) bool {
	var (
		ace *importer.ArchiveConfirmationError
		yde *importer.YearDownConfirmationError
	)
	if errors.As(err, &ace) {
		g := ace.Guard
		sum.Guard = &g
		sum.Errors = append(sum.Errors, confirmProblem("archive_confirmation_required", g.ToArchive, g.ActivePupils, g.ThresholdPercent,
			"deze import archiveert %d van de %d actieve leerlingen (meer dan %d %%); controleer dat en bevestig met --confirm-archive %d"))
	}
	if errors.As(err, &yde) {
		g := yde.Guard
		sum.YearGuard = &g
		sum.Errors = append(sum.Errors, confirmProblem("year_down_confirmation_required", g.YearDown, g.ActivePupils, g.ThresholdPercent,
			"deze import zet %d van de %d actieve leerlingen een leerjaar terug (meer dan %d %%); is dit het bestand van vorig jaar? Controleer het bestand en bevestig met --confirm-year-down %d"))
	}
	return ace != nil || yde != nil
}

// confirmProblem is the problem of a guard that is not confirmed; format takes the count, the
// active pupils, the threshold and the count again (the number to confirm with).
func confirmProblem(code string, count, active, threshold int, format string) cliProblem {
	return cliProblem{Code: code, Message: fmt.Sprintf(format, count, active, threshold, count)}
}

// maxListed is how many warnings or refused rows the readable summary lists.
const maxListed = 20

// printSummary writes the readable Dutch summary of a run.
func printSummary(w io.Writer, sum *importSummary) {
	delim := sum.Delimiter
	if delim == "\t" {
		delim = "tab"
	}
	if sum.origins != nil { // a part of a roster set: its rows come from the set's files
		fmt.Fprintf(w, "Set %s: %d rijen uit %s.\n", filepath.Base(sum.File), sum.Rows, strings.Join(sum.origins.Files, ", "))
	} else {
		fmt.Fprintf(w, "Bestand %s: %s, scheidingsteken %s, kopregel op regel %d, %d rijen.\n",
			filepath.Base(sum.File), sum.Encoding, delim, sum.HeaderLine, sum.Rows)
	}
	printKind(w, sum)
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
		{"ongewijzigd", sum.Unchanged}, {"overgeslagen", sum.Skipped}, {"geweigerd", sum.Refused},
		{"behouden", sum.Kept}, {"beschadigd", sum.Damaged}} {
		if l.n > 0 || (l.label != "behouden" && l.label != "beschadigd") {
			fmt.Fprintf(w, "  %-13s %7s\n", l.label, thousands(l.n))
		}
	}
	if sum.Kept > 0 {
		fmt.Fprintln(w, "  (behouden: de opgeslagen waarde blijft staan, want in het bestand zijn letters verloren gegaan)")
	}
	if sum.Damaged > 0 {
		fmt.Fprintln(w, "  (beschadigd: namen met verloren letters die zo worden ingelezen; controleer ze)")
	}
	if sum.Skipped > 0 {
		fmt.Fprintln(w, "  (overgeslagen: nieuw of gewijzigd, maar --add of --update is niet gekozen)")
	}
	if yg := sum.YearGuard; yg != nil && yg.YearDown > 0 {
		fmt.Fprintf(w, "Let op: %s leerlingen gaan een leerjaar terug.\n", thousands(yg.YearDown))
	}
	if len(sum.ClassesCreated) > 0 {
		verb := "Nieuwe klassen"
		if !sum.Applied {
			verb = "Nieuwe klassen (aan te maken)"
		}
		fmt.Fprintf(w, "%s: %s\n", verb, strings.Join(sum.ClassesCreated, ", "))
	}
	printGroups(w, sum)
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
	kept, damaged := damagedLines(sum.DamagedValues)
	list("Behouden waarden, bestand beschadigd", kept)
	list("Namen met verloren letters", damaged)
	list("Waarschuwingen", sum.Warnings)
	list("Geweigerde regels", sum.Errors[:sum.rowErrors])
}

// printKind says what the file holds and how numo knows: --kind, or its column names.
func printKind(w io.Writer, sum *importSummary) {
	kind, how := "leerlingen", "herkend aan de kolomnamen; anders: --kind teachers"
	if sum.Kind == importer.KindTeachers {
		kind, how = "docenten", "herkend aan de kolomnamen; anders: --kind pupils"
	}
	switch {
	case sum.origins != nil:
		how = "uit de set"
	case sum.KindGiven:
		how = "--kind"
	}
	fmt.Fprintf(w, "Soort bestand: %s (%s).\n", kind, how)
}

// printGroups writes the group links the import adds and removes, the lesgroepen it creates
// and, for the first maxListed users, how their groups change.
func printGroups(w io.Writer, sum *importSummary) {
	if sum.GroupsJoined > 0 || sum.GroupsLeft > 0 {
		fmt.Fprintf(w, "Groepskoppelingen: %s erbij, %s eraf.\n", thousands(sum.GroupsJoined), thousands(sum.GroupsLeft))
	}
	if n := len(sum.GroupsCreated); n > 0 {
		verb := "Nieuwe lesgroepen"
		if !sum.Applied {
			verb = "Nieuwe lesgroepen (aan te maken)"
		}
		names := strings.Join(sum.GroupsCreated[:min(n, maxListed)], ", ")
		if n > maxListed {
			names += fmt.Sprintf(" … en nog %d", n-maxListed)
		}
		fmt.Fprintf(w, "%s (%d): %s\n", verb, n, names)
	}
	if len(sum.GroupChanges) == 0 {
		return
	}
	fmt.Fprintf(w, "Groepswijzigingen (%d):\n", len(sum.GroupChanges))
	for _, c := range sum.GroupChanges[:min(len(sum.GroupChanges), maxListed)] {
		label := c.Field
		if fi, ok := importer.Field(c.Field).Info(); ok {
			label = strings.ToLower(fi.LabelNL)
		}
		fmt.Fprintf(w, "  %s %s (%s): %s: %s → %s\n", lineLabel(c.Line), c.Key, c.Name, label, orNone(c.Before), orNone(c.After))
	}
	if len(sum.GroupChanges) > maxListed {
		fmt.Fprintf(w, "  … en nog %d (alles staat in --json)\n", len(sum.GroupChanges)-maxListed)
	}
}

// lineLabel names a line of the file; an account that is not in it (archived) has none.
func lineLabel(n int) string {
	if n == 0 {
		return "niet in bestand:"
	}
	return fmt.Sprintf("regel %d:", n)
}

// orNone is a list of group names, or "(geen)" for none.
func orNone(names string) string {
	if names == "" {
		return "(geen)"
	}
	return names
}

// damagedLines are the readable lines of the damaged values: those kept (row, column, stored
// value, file value) and the damaged-looking names imported as the file has them.
func damagedLines(ds []importer.DamagedValue) (kept, damaged []cliProblem) {
	for _, d := range ds {
		if d.Kept {
			kept = append(kept, cliProblem{Line: d.Line, Column: d.Column,
				Message: fmt.Sprintf("%q blijft staan (het bestand heeft %q)", d.Stored, d.File)})
			continue
		}
		msg := fmt.Sprintf("%q wordt zo ingelezen (nieuwe leerling %s)", d.File, d.Key)
		if d.Stored != "" {
			msg = fmt.Sprintf("%q wordt zo ingelezen (nu %q)", d.File, d.Stored)
		}
		damaged = append(damaged, cliProblem{Line: d.Line, Column: d.Column, Message: msg})
	}
	return kept, damaged
}

func formatProblem(p cliProblem) string {
	s := importer.Problem{Line: p.Line, Column: p.Column, NL: p.Message}.Error()
	if p.SourceFile != "" {
		return p.SourceFile + ", " + s // a roster set's file: "users.csv, regel 17: …"
	}
	return s
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
	if jobs.Phase(p.Phase) == jobs.PhasePlanning || p.Total == 0 {
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
