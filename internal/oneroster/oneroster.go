// Package oneroster writes a school's roster as a OneRoster 1.2 bulk CSV set (1EdTech,
// "OneRoster: CSV Binding" 1.2): one zip with manifest.csv, orgs.csv, academicSessions.csv,
// courses.csv, classes.csv, users.csv, roles.csv and enrollments.csv, for integrators
// (learning environments, School Data Sync) and for another Numo to import.
//
// Only what the product stores leaves, and less: no password hashes, sessions, login state,
// import history or audit; see docs/oneroster.md for the mapping of every field. The set is
// streamed: accounts are read a page at a time and written straight into the zip, so
// memory stays flat whatever the school's size. Deciding who may export is the caller's
// (Handler, the CLI); Export reads as the system.
package oneroster

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// Options change what an export holds.
type Options struct {
	// IncludeArchived also writes archived accounts, with enabledUser=false; by default only
	// active accounts leave.
	IncludeArchived bool
	// Now is the time of the export (the school year and the zip's timestamps); zero means
	// time.Now().
	Now time.Time
	// PageSize is how many accounts are read per query; zero means 1,000.
	PageSize int
}

// Summary counts what an export wrote.
type Summary struct {
	Pupils, Teachers, Admins int
	Classes, Courses         int
	Enrollments              int
}

// Users is how many users the export wrote.
func (s Summary) Users() int { return s.Pupils + s.Teachers + s.Admins }

// Export writes the school's roster to w as a OneRoster 1.2 zip. The caller has decided that
// the viewer may; Export reads as the system. Every file is read in one read-only transaction,
// one snapshot of the school (REPEATABLE READ on PostgreSQL; SQLite's read transactions are
// snapshots), so an import committing meanwhile cannot make an enrolment name a user that
// users.csv lacks. On an error the zip is incomplete.
func Export(ctx context.Context, db *store.DB, schoolID int, w io.Writer, opts Options) (Summary, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 1000
	}
	sys := auth.System(ctx)
	txOpts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == dialect.Postgres {
		txOpts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.Client.BeginTx(sys, txOpts)
	if err != nil {
		return Summary{}, fmt.Errorf("oneroster: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	e := &exporter{ctx: sys, c: tx.Client(), opts: opts, zw: zip.NewWriter(w), written: map[string]bool{}}
	school, err := e.c.School.Get(e.ctx, schoolID)
	if err != nil {
		return Summary{}, fmt.Errorf("oneroster: school %d: %w", schoolID, err)
	}
	e.school = school
	if err := e.run(); err != nil {
		return e.sum, fmt.Errorf("oneroster: school %d: %w", schoolID, err)
	}
	return e.sum, nil
}

// afterStep, when set (by a test), runs after each file is written.
var afterStep func()

// exporter is one export in progress.
type exporter struct {
	ctx     context.Context
	c       *ent.Client
	opts    Options
	school  *ent.School
	zw      *zip.Writer
	file    *file
	written map[string]bool // data files that have rows
	classes *classSet
	sum     Summary
}

func (e *exporter) run() error {
	var err error
	if e.classes, err = loadClasses(e.ctx, e.c, e.school.ID); err != nil {
		return err
	}
	e.sum.Classes, e.sum.Courses = len(e.classes.list), len(e.classes.courses)
	steps := []func() error{e.writeOrgs, e.writeSession, e.writeCourses, e.writeClasses, e.writeUsers, e.writeRoles, e.writeEnrollments}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
		if err := e.endFile(); err != nil {
			return err
		}
		if afterStep != nil {
			afterStep()
		}
	}
	if err := e.writeManifest(); err != nil {
		return err
	}
	return e.zw.Close()
}

// file is a CSV file of the zip being written.
type file struct {
	name string
	csv  *csv.Writer
}

// row writes one data row of a file, opening the file with its header at its first row: the
// binding does not allow a file without data rows (the manifest then says "absent").
func (e *exporter) row(name string, values ...string) error {
	if e.file == nil || e.file.name != name {
		if err := e.endFile(); err != nil {
			return err
		}
		w, err := e.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: e.opts.Now})
		if err != nil {
			return err
		}
		e.file = &file{name: name, csv: csv.NewWriter(w)}
		e.file.csv.UseCRLF = true // RFC 4180, as the binding asks
		if err := e.file.csv.Write(Header[name]); err != nil {
			return err
		}
		e.written[name] = true
	}
	for i, v := range values {
		values[i] = clean(v)
	}
	return e.file.csv.Write(values)
}

// endFile flushes the file being written, if any.
func (e *exporter) endFile() error {
	if e.file == nil {
		return nil
	}
	e.file.csv.Flush()
	err := e.file.csv.Error()
	e.file = nil
	return err
}

// writeManifest writes manifest.csv last, when it is known which files have rows.
func (e *exporter) writeManifest() error {
	w, err := e.zw.CreateHeader(&zip.FileHeader{Name: FileManifest, Method: zip.Deflate, Modified: e.opts.Now})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rows := [][]string{{"propertyName", "value"}, {"manifest.version", ManifestVersion}, {"oneroster.version", OneRosterVersion}}
	for _, f := range ManifestFiles {
		mode := "absent"
		if e.written[f+".csv"] {
			mode = "bulk"
		}
		rows = append(rows, []string{"file." + f, mode})
	}
	rows = append(rows, []string{"source.systemName", SystemName}, []string{"source.systemCode", SystemCode})
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

func (e *exporter) writeOrgs() error {
	return e.row(FileOrgs, orgID(e.school.ID), "", "", e.school.Name, "school", e.school.Brin, "")
}

func (e *exporter) writeSession() error {
	start, end, year := SchoolYear(e.opts.Now.UTC())
	title := fmt.Sprintf("Schooljaar %d-%d", year-1, year)
	return e.row(FileAcademicSessions, sessionID(year), "", "", title, "schoolYear", start.Format(DateFormat), end.Format(DateFormat),
		"", fmt.Sprint(year))
}

func (e *exporter) schoolYearID() string {
	_, _, year := SchoolYear(e.opts.Now.UTC())
	return sessionID(year)
}
