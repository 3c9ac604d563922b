package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/store"
)

// Operator is ctx acting as the system on behalf of a named operator who administers the
// school: the viewer of the command line (numo import, numo undo), which holds the
// database's own credentials. Audit events name the operator as their actor.
func Operator(ctx context.Context, schoolID int, name string) context.Context {
	return auth.NewContext(auth.System(ctx), &auth.Viewer{SchoolID: schoolID, Role: auth.RoleAdmin, Name: name})
}

// Direct is one import that runs start to end in the calling process (numo import): no
// upload, mapping and preview steps in between.
type Direct struct {
	SchoolID int
	FileName string
	Data     []byte
	// Prepared is the file read under Mapping.Chosen and Mapping.Levels.
	Prepared *importer.Prepared
	// Mapping is the mapping as stored on the job (see Propose).
	Mapping *MappingState
	// Levels are the operator's level decisions (numo import --level), already in Mapping;
	// the school remembers them with the job.
	Levels         []LevelChoice
	Actions        importer.Actions
	ConfirmArchive int
	// ConfirmYearDown repeats the number of pupils going back a leerjaar (numo import
	// --confirm-year-down) when the year guard applies.
	ConfirmYearDown int
	// Claim names the committing process on the job ("numo import on host (pid 1)").
	Claim string
	// Progress, when set, is called as the commit advances, besides the job row.
	Progress func(importer.Progress)
	// Source and Origins, for a part of a roster set, say where its rows came from (set.go).
	Source  string
	Origins *Origins
}

// Import records d as a job in the school's history and commits it in ctx, here and now. The
// job is created COMMITTING with its commit lock held, so that any numo process takes it for
// dead as soon as this one dies. The job record, its actions and phases, heartbeat, progress
// events, failure message and audit events are those of a commit from the app; ctx's viewer
// (Operator) is the audit actor. It returns the job and the applied plan; on an error the job
// is failed (when it was created).
func (s *Service) Import(ctx context.Context, d Direct) (jobID int, applied *importer.Plan, err error) {
	user := ctx
	sys := auth.System(ctx)
	raw, err := json.Marshal(d.Mapping)
	if err != nil {
		return 0, nil, fmt.Errorf("import: %w", err)
	}
	jobID, lock, err := s.db.CreateLockedJob(sys, s.HeartbeatInterval, func(ctx context.Context, c *ent.Client) (int, error) {
		job, err := s.createDirect(ctx, c, d, raw)
		if err != nil {
			return 0, err
		}
		return job.ID, nil
	})
	if err != nil {
		return 0, nil, err
	}
	defer lock.Release() // after the job's final status is written
	if err := rememberLevels(sys, s.db.Client, d.SchoolID, d.Levels); err != nil {
		s.log.Warn("import: level decisions not remembered", "job", jobID, "err", err)
	}
	name := cleanName(d.FileName)
	audit.Record(user, s.db.Client, d.SchoolID, "import_uploaded", fmt.Sprintf("job %d: %s, %d rows%s", jobID, name, len(d.Prepared.File.Rows), kindNote(d.Mapping.kind())))
	audit.Record(user, s.db.Client, d.SchoolID, "import_commit", fmt.Sprintf("job %d: %s, actions %v, confirmed %d, year down confirmed %d",
		jobID, name, actionNames(d.Actions), d.ConfirmArchive, d.ConfirmYearDown))
	s.log.Info("import commit claimed", "job", jobID, "school", d.SchoolID, "node", d.Claim)
	in := d.Prepared.Input
	if d.Origins != nil {
		in.GroupSubjects = d.Origins.Subjects // a roster set's lesgroepen get their subjects
	}
	applied, err = s.apply(sys, commitRun{jobID: jobID, schoolID: d.SchoolID, in: in, actions: d.Actions,
		confirm: d.ConfirmArchive, confirmYearDown: d.ConfirmYearDown, viewer: auth.FromContext(user), lock: lock, progress: d.Progress,
		stopped: "De import met numo import is afgebroken. Er is niets gewijzigd."})
	return jobID, applied, err
}

// createDirect creates the job of a Direct import, claimed for this process.
func (s *Service) createDirect(ctx context.Context, c *ent.Client, d Direct, mapping []byte) (*ent.ImportJob, error) {
	f := d.Prepared.File
	sum := sha256.Sum256(d.Data)
	claim := d.Claim
	if claim == "" {
		claim = s.node
	}
	job, err := c.ImportJob.Create().SetSchoolID(d.SchoolID).SetFileName(cleanName(d.FileName)).
		SetFileSize(int64(len(d.Data))).SetSha256(hex.EncodeToString(sum[:])).SetEncoding(f.Encoding).
		SetDelimiter(string(f.Delimiter)).SetHeaderLine(f.HeaderLine).SetRowCount(len(f.Rows)).
		SetMapping(mapping).SetFileKind(FileKind(d.Mapping.kind())).SetActions(actionNames(d.Actions)).
		SetStatus(importjob.StatusCOMMITTING).SetClaimedBy(store.LockedClaim(claim, 200)).SetHeartbeatAt(time.Now()).
		SetPhase(string(PhaseQueued)).SetProgressTotal(len(d.Prepared.Result.Records)).SetSource(d.Source).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("create import job: %w", err)
	}
	if d.Origins != nil {
		if err := putOrigins(ctx, c, job.ID, d.Origins); err != nil {
			return nil, err
		}
	}
	return job, nil
}

// Reap fails the commits whose process died, and rolls back what they wrote, as a running
// numo serve does (see Start): numo import calls it before its own import. On SQLite it
// takes for dead only a commit whose commit lock is free and whose heartbeat has been silent
// (so it never touches a live commit of another process).
func (s *Service) Reap(ctx context.Context) {
	ctx = auth.System(ctx)
	switch {
	case s.db.Dialect == dialect.Postgres:
		s.reapUnlocked(ctx)
	case !s.db.SeesDeadCommits():
		return // without a lock file a live commit cannot be told from a dead one
	}
	s.reap(ctx, false)
}
