// Package retention keeps pupil data only as long as the school wants it and the AVG allows:
// the purge of archived accounts, of import row data and of audit events past the school's
// terms and of the
// uploaded files of abandoned imports (on a schedule inside numo serve, and as numo purge),
// the export of everything stored about one account (the right of access) and the erasure of
// one pupil (the right to erasure), and the school's retention settings.
package retention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// AbandonedAfter is how long an uploaded import may wait for its commit; after that it counts
// as abandoned and its file, plan and example values are deleted.
const AbandonedAfter = 24 * time.Hour

// Options control Purge.
type Options struct {
	// DryRun computes what would be purged without changing anything: every school's purge
	// runs in its transaction, which is then rolled back.
	DryRun bool
}

// Report is what one purge did (or, in a dry run, would do).
type Report struct {
	At      time.Time      `json:"at"`
	DryRun  bool           `json:"dryRun"`
	Schools []SchoolReport `json:"schools"`
	// NoSchoolAuditEvents is how many audit events of no school older than
	// DefaultAuditRetentionDays were deleted.
	NoSchoolAuditEvents int `json:"noSchoolAuditEvents"`
}

// SchoolReport is what the purge did for one school.
type SchoolReport struct {
	SchoolID              int    `json:"schoolId"`
	Brin                  string `json:"brin"`
	Name                  string `json:"name"`
	ArchivedRetentionDays int    `json:"archivedRetentionDays"`
	JobDataRetentionDays  int    `json:"jobDataRetentionDays"`
	AuditRetentionDays    int    `json:"auditRetentionDays"`
	// Accounts is how many archived accounts past the school's term were deleted.
	Accounts int `json:"accounts"`
	// Jobs is how many committed imports lost their row data (plan, change records, the
	// report's row-level lists, the mapping's example values); their counts stay.
	Jobs int `json:"jobs"`
	// Changes is how many change records were deleted, of those imports and of the accounts.
	Changes int `json:"changes"`
	// Abandoned is how many imports not committed within a day lost their file and plan.
	Abandoned int `json:"abandoned"`
	// Files is how many uploaded files were deleted.
	Files int `json:"files"`
	// Samples is how many committed imports lost the example values of their mapping.
	Samples int `json:"samples"`
	// Sessions is how many expired sessions were deleted.
	Sessions int `json:"sessions"`
	// Letters is how many sealed batches of login letters past their download term were deleted.
	Letters int `json:"letters"`
	// AuditEvents is how many audit events older than the school's audit term were deleted.
	AuditEvents int `json:"auditEvents"`
	// Skipped reports that the school was not purged this time because an import of it was
	// being committed (or undone) meanwhile; the next purge takes it.
	Skipped bool `json:"skipped,omitempty"`
}

// Empty reports whether nothing was purged for the school.
func (r SchoolReport) Empty() bool {
	return r.Accounts == 0 && r.Jobs == 0 && r.Changes == 0 && r.Abandoned == 0 && r.Files == 0 && r.Samples == 0 && r.Sessions == 0 && r.Letters == 0 && r.AuditEvents == 0
}

// Dutch describes what was purged for the school, for the audit log.
func (r SchoolReport) Dutch() string {
	var parts []string
	for _, p := range []struct {
		n    int
		text string
	}{
		{r.Accounts, fmt.Sprintf("%d gearchiveerde accounts ouder dan %d dagen verwijderd", r.Accounts, r.ArchivedRetentionDays)},
		{r.Jobs, fmt.Sprintf("rijgegevens van %d imports ouder dan %d dagen verwijderd", r.Jobs, r.JobDataRetentionDays)},
		{r.Changes, fmt.Sprintf("%d wijzigingsregels verwijderd", r.Changes)},
		{r.Abandoned, fmt.Sprintf("%d niet uitgevoerde imports opgeruimd", r.Abandoned)},
		{r.Files, fmt.Sprintf("%d geüploade bestanden verwijderd", r.Files)},
		{r.Samples, fmt.Sprintf("voorbeeldwaarden van %d uitgevoerde imports verwijderd", r.Samples)},
		{r.Sessions, fmt.Sprintf("%d verlopen sessies verwijderd", r.Sessions)},
		{r.Letters, fmt.Sprintf("%d verlopen sets inlogbrieven verwijderd", r.Letters)},
		{r.AuditEvents, fmt.Sprintf("%d gebeurtenissen in het auditlog ouder dan %d dagen verwijderd", r.AuditEvents, r.AuditRetentionDays)},
	} {
		if p.n > 0 {
			parts = append(parts, p.text)
		}
	}
	if len(parts) == 0 {
		return "niets te verwijderen"
	}
	return "bewaartermijn: " + strings.Join(parts, ", ")
}

// Purge deletes, for every school, what its retention terms no longer allow at time now:
//   - archived accounts archived longer than archived_retention_days ago, with every trace
//     of them (see forget);
//   - the row data of imports committed longer than job_data_retention_days ago: the plan,
//     the change records, the row-level lists of the report and the mapping's example
//     values (data_purged_at is set; the counts and the audit entries stay, and the import
//     can no longer be undone);
//   - the uploaded file, plan and example values of imports not committed within
//     AbandonedAfter, any uploaded file left of a committed import, and the example values
//     of committed imports' mappings (at once: only the mapping screen needs them);
//   - expired sessions;
//   - audit events older than audit_retention_days, after that transaction, in batches that
//     commit one by one (see purgeAudit); events of no school keep DefaultAuditRetentionDays.
//
// Each school is purged in a transaction of its own that holds the school's import lock. A
// school whose import is being committed meanwhile is skipped (Skipped in its report) rather
// than waited for: the purge is not urgent, the next one takes it. A school that fails does
// not stop the others: the errors are joined.
func Purge(ctx context.Context, db *store.DB, now time.Time, opt Options) (*Report, error) {
	sys := auth.System(ctx)
	rep := &Report{At: now, DryRun: opt.DryRun, Schools: []SchoolReport{}}
	schools, err := db.Client.School.Query().Order(school.ByBrin()).All(sys)
	if err != nil {
		return nil, fmt.Errorf("purge: list schools: %w", err)
	}
	var errs []error
	for _, s := range schools {
		busy, err := db.SchoolBusy(sys, s.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("purge school %s: %w", s.Brin, err))
			continue
		}
		if busy {
			rep.Schools = append(rep.Schools, skipped(s))
			continue
		}
		r, err := purgeSchool(sys, db, s, now, opt)
		if errors.Is(err, store.ErrSchoolBusy) {
			rep.Schools = append(rep.Schools, skipped(s))
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("purge school %s: %w", s.Brin, err))
			continue
		}
		rep.Schools = append(rep.Schools, r)
		if !opt.DryRun && !r.Empty() {
			audit.Record(sys, db.Client, s.ID, "retention_purge", r.Dutch())
		}
	}
	n, err := purgeAudit(sys, db, 0, now.AddDate(0, 0, -DefaultAuditRetentionDays), opt.DryRun)
	rep.NoSchoolAuditEvents = n
	if err != nil {
		errs = append(errs, fmt.Errorf("purge audit events of no school: %w", err))
	}
	return rep, errors.Join(errs...)
}

// skipped is the report of a school the purge left for the next time.
func skipped(s *ent.School) SchoolReport {
	return SchoolReport{SchoolID: s.ID, Brin: s.Brin, Name: s.Name, ArchivedRetentionDays: s.ArchivedRetentionDays,
		JobDataRetentionDays: s.JobDataRetentionDays, AuditRetentionDays: s.AuditRetentionDays, Skipped: true}
}

func purgeSchool(ctx context.Context, db *store.DB, s *ent.School, now time.Time, opt Options) (SchoolReport, error) {
	r := SchoolReport{SchoolID: s.ID, Brin: s.Brin, Name: s.Name, ArchivedRetentionDays: s.ArchivedRetentionDays,
		JobDataRetentionDays: s.JobDataRetentionDays, AuditRetentionDays: s.AuditRetentionDays}
	t, err := beginSchool(ctx, db.Client, db.Dialect, s.ID)
	if err != nil {
		return r, err
	}
	defer t.Rollback() //nolint:errcheck // a no-op after Commit; the end of a dry run
	if err := t.purgeJobData(&r, now.AddDate(0, 0, -s.JobDataRetentionDays), now); err != nil {
		return r, err
	}
	if err := t.purgeAbandoned(&r, now.Add(-AbandonedAfter), now); err != nil {
		return r, err
	}
	if err := t.purgeArchived(&r, now.AddDate(0, 0, -s.ArchivedRetentionDays)); err != nil {
		return r, err
	}
	if err := t.purgeSessions(&r, now); err != nil {
		return r, err
	}
	if err := t.purgeLetters(&r, now); err != nil {
		return r, err
	}
	if !opt.DryRun {
		if err := t.Commit(); err != nil {
			return r, fmt.Errorf("commit: %w", err)
		}
	} else if err := t.Rollback(); err != nil {
		return r, fmt.Errorf("end dry run: %w", err)
	}
	// The events of accounts deleted above were pseudonymised in the transaction; the term
	// applies to all events alike.
	r.AuditEvents, err = purgeAudit(ctx, db, s.ID, now.AddDate(0, 0, -s.AuditRetentionDays), opt.DryRun)
	if err != nil {
		return r, fmt.Errorf("audit log: %w", err)
	}
	return r, nil
}

// Times are compared here in Go, not in SQL: SQLite stores them as text, which only sorts
// right when every writer used the same format and time zone.

// purgeJobData drops the row data of the school's imports committed before cutoff.
func (t *schoolTx) purgeJobData(r *SchoolReport, cutoff, now time.Time) error {
	ids, err := store.JobsWithData(t.ctx, t, t.d, t.schoolID, []importjob.Status{importjob.StatusCOMMITTED, importjob.StatusUNDONE}, false, cutoff)
	if err != nil {
		return fmt.Errorf("find imports past the term: %w", err)
	}
	for _, id := range ids {
		n, err := store.DeleteJobChanges(t.ctx, t, t.d, id)
		if err != nil {
			return fmt.Errorf("delete change records of job %d: %w", id, err)
		}
		r.Changes += n
		files, err := t.dropJobData(id, now, minimalReport)
		if err != nil {
			return err
		}
		r.Files += files
		r.Jobs++
	}
	return nil
}

// purgeAbandoned drops the file and plan of imports uploaded before cutoff and never
// committed, and any uploaded file left of a committed import.
func (t *schoolTx) purgeAbandoned(r *SchoolReport, cutoff, now time.Time) error {
	ids, err := store.JobsWithData(t.ctx, t, t.d, t.schoolID, []importjob.Status{importjob.StatusUPLOADED, importjob.StatusMAPPED,
		importjob.StatusPREVIEWED, importjob.StatusFAILED}, true, cutoff)
	if err != nil {
		return fmt.Errorf("find abandoned imports: %w", err)
	}
	for _, id := range ids {
		files, err := t.dropJobData(id, now, nil)
		if err != nil {
			return err
		}
		r.Files += files
		r.Abandoned++
	}
	// The commit deletes the file in its own transaction; this catches one left behind.
	n, err := store.DeleteFinishedFiles(t.ctx, t, t.d, t.schoolID)
	if err != nil {
		return fmt.Errorf("delete files of committed imports: %w", err)
	}
	r.Files += n
	// The example values of a mapping serve the mapping screen only: once the import is
	// committed they go, without waiting for the term (they may come from any column of the
	// file, a birth date column too).
	n, err = t.dropSamples(true, nil)
	if err != nil {
		return fmt.Errorf("drop example values of committed imports: %w", err)
	}
	r.Samples += n
	return nil
}

// purgeSessions deletes the expired sessions of the school's accounts: with their address
// and browser they are personal data that serves nothing once the session is over.
func (t *schoolTx) purgeSessions(r *SchoolReport, now time.Time) error {
	ids, err := store.SessionsExpiredBefore(t.ctx, t, t.d, t.schoolID, now)
	if err != nil {
		return fmt.Errorf("find expired sessions: %w", err)
	}
	return batches(ids, func(batch []int) error {
		n, err := store.DeleteSessions(t.ctx, t, t.d, batch)
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		r.Sessions += n
		return nil
	})
}

// purgeLetters deletes the school's sealed login letters whose download term has passed
// (a download deletes its batch once both formats are taken; this catches the ones nobody took).
func (t *schoolTx) purgeLetters(r *SchoolReport, now time.Time) error {
	n, err := t.LetterBatch.Delete().Where(letterbatch.SchoolID(t.schoolID), letterbatch.ExpiresAtLTE(now)).Exec(t.ctx)
	if err != nil {
		return fmt.Errorf("delete expired login letters: %w", err)
	}
	r.Letters += n
	return nil
}

// dropJobData deletes a job's blobs (file and plan), removes the example values from its
// mapping, rewrites its report with report (nil keeps it) and sets data_purged_at. It
// returns how many uploaded files it deleted.
func (t *schoolTx) dropJobData(jobID int, now time.Time, report func([]byte) ([]byte, error)) (int, error) {
	files, err := store.DeleteJobFile(t.ctx, t, t.d, jobID)
	if err != nil {
		return 0, fmt.Errorf("delete file of job %d: %w", jobID, err)
	}
	if err := store.DeleteJobBlobs(t.ctx, t, t.d, jobID); err != nil {
		return 0, fmt.Errorf("delete plan of job %d: %w", jobID, err)
	}
	rep, mapping, err := store.JobStored(t.ctx, t, t.d, jobID)
	if err != nil {
		return 0, fmt.Errorf("read job %d: %w", jobID, err)
	}
	if report != nil {
		if rep, err = report(rep); err != nil {
			return 0, fmt.Errorf("job %d: %w", jobID, err)
		}
	}
	if mapping, _, err = scrubSamples(mapping, nil); err != nil {
		return 0, fmt.Errorf("job %d: %w", jobID, err)
	}
	if err := store.MarkJobPurged(t.ctx, t, t.d, jobID, rep, mapping, now); err != nil {
		return 0, fmt.Errorf("mark job %d purged: %w", jobID, err)
	}
	return files, nil
}

// purgeArchived deletes the school's accounts archived before cutoff.
func (t *schoolTx) purgeArchived(r *SchoolReport, cutoff time.Time) error {
	ids, err := store.ArchivedBefore(t.ctx, t, t.d, t.schoolID, cutoff)
	if err != nil {
		return fmt.Errorf("find archived accounts past the term: %w", err)
	}
	f, err := t.forget(ids, feed.OriginRetention)
	if err != nil {
		return err
	}
	r.Accounts += f.accounts
	r.Changes += f.changes
	return nil
}
