package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/rosterset"
)

// numo import of a roster set (School Data Sync v1/v2.1, OneRoster 1.1/1.2): a zip, a folder
// or several CSV files. The set is read and checked whole (internal/rosterset) and becomes
// two imports, run in order with the same flags and the same output as a file: the pupils
// (so that their lesgroepen exist), then the teachers. A refused set imports nothing.

// isSet says whether the paths given are a roster set rather than one CSV file.
func (o importOptions) isSet() bool {
	if len(o.files) != 1 {
		return len(o.files) > 1
	}
	if strings.EqualFold(filepath.Ext(o.file), ".zip") {
		return true
	}
	st, err := os.Stat(o.file)
	return err == nil && st.IsDir()
}

// setSummary is the outcome of numo import of a set; with --json it is printed as is.
type setSummary struct {
	Format   string       `json:"format"`
	Version  string       `json:"version"`
	School   setSchool    `json:"setSchool"`
	Schools  []setSchool  `json:"setSchools"`
	Skipped  []setSkipped `json:"skipped"`
	ExitCode int          `json:"exitCode"`
	// Imports are the runs of the set's parts in order: pupils, then teachers.
	Imports []*importSummary `json:"imports"`
	// Errors say why the set was refused (exit 2) or could not be read.
	Errors []cliProblem `json:"errors"`
}

// setSchool is a school of the set as --json prints it.
type setSchool struct {
	SourceID   string `json:"sourceId"`
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
}

// setSkipped is a row of the set that is not imported, as --json prints it.
type setSkipped struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Reason   string `json:"reason"`
	ReasonEn string `json:"reasonEn"`
}

func setSchoolOf(s rosterset.School) setSchool {
	return setSchool{SourceID: s.ID, Name: s.Name, Identifier: s.Identifier}
}

// importSetCmd runs numo import for a roster set.
func importSetCmd(ctx context.Context, o importOptions, stdout, stderr io.Writer) int {
	ss := &setSummary{Imports: []*importSummary{}, Errors: []cliProblem{}, Skipped: []setSkipped{}, Schools: []setSchool{}}
	code := runSet(ctx, o, ss, stdout, stderr)
	ss.ExitCode = code
	if o.json && writeJSON(stdout, stderr, "numo import", ss) != 0 {
		return exitError
	}
	return code
}

// runSet reads the set and imports its parts in order, stopping at the first that does not
// end well.
func runSet(ctx context.Context, o importOptions, ss *setSummary, stdout, stderr io.Writer) int {
	inputs, err := setInputs(o.files)
	if err != nil {
		fmt.Fprintf(stderr, "numo import: %v\n", err)
		ss.Errors = append(ss.Errors, cliProblem{Message: err.Error()})
		return exitError
	}
	set, parts, err := jobs.ReadSet(inputs, o.setBrin, o.brin, rosterset.Options{Stamklassen: o.stamklassen})
	if err != nil {
		ss.Errors = append(ss.Errors, setProblems(err)...)
		if !o.json {
			for _, p := range ss.Errors {
				fmt.Fprintf(stderr, "numo import: %s\n", formatProblem(p))
			}
		}
		return exitFileRefused
	}
	ss.Format, ss.Version, ss.School = string(set.Format), set.Version, setSchoolOf(set.School)
	for _, sc := range set.Schools {
		ss.Schools = append(ss.Schools, setSchoolOf(sc))
	}
	for _, k := range set.Skipped {
		ss.Skipped = append(ss.Skipped, setSkipped{File: k.File, Line: k.Line, Reason: k.Reason, ReasonEn: k.ReasonEn})
	}
	if !o.json {
		printSet(stdout, set, parts)
	}
	name := jobs.SetName(inputs)
	if len(o.files) == 1 { // a zip or a folder: its own name
		name = filepath.Base(filepath.Clean(o.files[0]))
	}
	for i := range parts {
		p := &parts[i]
		po := o
		po.kind, po.file = p.Kind, name
		if p.Kind == importer.KindTeachers {
			po.levels = nil // a teacher has no level
		}
		sum := &importSummary{File: name, School: o.brin, Actions: o.actions, DryRun: o.dryRun, KindGiven: true,
			ClassesCreated: []string{}, GroupsCreated: []string{}, GroupChanges: []groupChange{}, Warnings: []cliProblem{}, Errors: []cliProblem{}, Mapping: map[string]string{},
			UnknownLevels: []importer.UnknownValue{}, DamagedValues: []importer.DamagedValue{}}
		var bar *progressBar
		if !o.dryRun && isTerminal(stderr) {
			bar = &progressBar{w: stderr}
		}
		err := runImportData(ctx, po, sum, bar, importData{name: name, data: p.Data, set: p, source: jobs.SetSource(set.Format, p.Origins)})
		code := classify(err, sum, po)
		sum.ExitCode = code
		ss.Imports = append(ss.Imports, sum)
		if !o.json {
			if sum.parsed {
				printSummary(stdout, sum)
			}
			if err != nil {
				for _, pr := range sum.Errors[sum.rowErrors:] {
					fmt.Fprintf(stderr, "numo import: %s\n", formatProblem(pr))
				}
			}
		}
		if code != exitOK {
			return code
		}
	}
	return exitOK
}

// printSet writes what was recognised in the set, before the parts' summaries.
func printSet(w io.Writer, set *rosterset.Set, parts []jobs.SetPart) {
	pupils, teachers, groups := jobs.SetCounts(parts)
	fmt.Fprintf(w, "Herkend: %s — %d leerlingen, %d docenten, %d lesgroepen; %d regels overgeslagen.\n",
		jobs.FormatLabel(set.Format), pupils, teachers, groups, len(set.Skipped))
	if len(set.Schools) > 1 {
		fmt.Fprintf(w, "School in de set: %s (%s); de regels van de andere %d scholen zijn overgeslagen.\n", set.School.Name, set.School.Identifier, len(set.Schools)-1)
	}
	for i, k := range set.Skipped {
		if i == maxListed {
			fmt.Fprintf(w, "  … en nog %d\n", len(set.Skipped)-maxListed)
			break
		}
		fmt.Fprintf(w, "  overgeslagen: %s, regel %d: %s\n", k.File, k.Line, k.Reason)
	}
	printInferred(w, set)
}

// printInferred writes the stamklassen Numo inferred from an SDS set's section names and the
// pupils it could not place (rosterset.RuleSectionNames), or those chosen with --stamklassen
// (rosterset.RuleChosen), and the candidates to choose from when pupils have none.
func printInferred(w io.Writer, set *rosterset.Set) {
	if set.InferRule == "" {
		return
	}
	names := make([]string, len(set.Inferred))
	for i, c := range set.Inferred {
		names[i] = fmt.Sprintf("%s (%d)", c.Name, c.Pupils)
	}
	how := "afgeleid uit de sectienamen"
	if set.InferRule == rosterset.RuleChosen {
		how = "gekozen met --stamklassen"
	}
	fmt.Fprintf(w, "Stamklassen %s: %d — %s.\n", how, len(set.Inferred), strings.Join(names, ", "))
	for i, p := range set.Warnings {
		if i == maxListed {
			fmt.Fprintf(w, "  … en nog %d\n", set.WarningsTotal-maxListed)
			break
		}
		fmt.Fprintf(w, "  let op: %s, regel %d: %s\n", p.File, p.Line, p.Message)
	}
	if set.WarningsTotal > 0 && set.InferRule == rosterset.RuleSectionNames && len(set.ClassParts) > 0 {
		parts := make([]string, 0, min(len(set.ClassParts), maxListed))
		for _, c := range set.ClassParts[:min(len(set.ClassParts), maxListed)] {
			parts = append(parts, fmt.Sprintf("%s (%d)", c.Name, c.Pupils))
		}
		fmt.Fprintf(w, "Mogelijke stamklassen (kies ze met --stamklassen 1A,1B): %s.\n", strings.Join(parts, ", "))
	} else if set.WarningsTotal > 0 {
		fmt.Fprintln(w, "Kies de stamklassen met --stamklassen 1A,1B, zet metadata.numo.classType=homeroom bij de stamklassen in de secties van de set, of importeer de stamklassen met een leerlingbestand.")
	}
}

// setProblems are the refusal of a set as numo import reports it.
func setProblems(err error) []cliProblem {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return []cliProblem{{Message: err.Error()}}
	}
	ext := ae.Extensions()
	code, _ := ext["setCode"].(string)
	file, _ := ext["file"].(string)
	line, _ := ext["line"].(int)
	out := []cliProblem{{Line: line, SourceFile: file, Code: code, Message: ae.Error()}}
	if ps, ok := ext["problems"].([]map[string]any); ok {
		for _, p := range ps {
			f, _ := p["file"].(string)
			l, _ := p["line"].(int)
			c, _ := p["column"].(string)
			m, _ := p["message"].(string)
			out = append(out, cliProblem{Line: l, SourceFile: f, Column: c, Code: code, Message: m})
		}
	}
	return out
}

// maxSetBytes bounds the files of a set read from disk together (the server's upload
// default is 20 MB; a command line may read larger sets, as it reads larger files).
const maxSetBytes = 1 << 30

// setInputs reads the paths of a set: a zip, a folder (its .csv files, not its subfolders) or
// several files.
func setInputs(paths []string) ([]rosterset.Input, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".csv") {
				files = append(files, filepath.Join(p, e.Name()))
			}
		}
	}
	var in []rosterset.Input
	var total int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		if total += int64(len(data)); total > maxSetBytes {
			return nil, fmt.Errorf("the set is larger than %d MB", maxSetBytes>>20)
		}
		in = append(in, rosterset.Input{Name: filepath.Base(f), Data: data})
	}
	return in, nil
}

// problemAt is a plan's problem as numo import reports it, its line mapped to the set's file
// and line for a part of a roster set.
func (sum *importSummary) problemAt(p importer.Problem) cliProblem {
	mapped, file := sum.origins.Problem(p)
	c := problemOf(mapped)
	c.SourceFile = file
	return c
}
