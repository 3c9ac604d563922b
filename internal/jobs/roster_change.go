package jobs

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/importer"
)

// A roster change is what an admin does to selected pupils on a class page: move them to
// another stamklas, or archive them. It becomes an ordinary import job of the school, made by
// the app instead of from an uploaded file (its source starts with SourceApp): the app writes
// the canonical pupil CSV the change amounts to, and the job is previewed at once. So the
// preview, commit, change records, undo, audit events and history of an import apply to it
// unchanged.
//
// A move is a file of the selected pupils with their new class and actions UPDATE; an archive
// is a file of every other active pupil of the school with actions ARCHIVE (an import
// archives the active pupils its file leaves out). Either way the plan is checked to touch
// the selected pupils only before the job is kept, and its actions cannot be changed later
// (CheckAppActions).

// SourceApp starts the source of a job the app made from a selection on a class page.
const SourceApp = "app:"

// The sources of the two roster changes (ImportJob.source).
const (
	SourceAppMove    = SourceApp + " verplaatsen"
	SourceAppArchive = SourceApp + " archiveren"
)

// MaxRosterChange is the most pupils one roster change may select.
const MaxRosterChange = 2000

// RosterChange is a selection of pupils on a class page and what to do with them: move them
// to the stamklas MoveTo (an id), or archive them.
type RosterChange struct {
	SchoolID   int
	AccountIDs []int
	MoveTo     int // 0: no move
	Archive    bool
}

// IsApp reports whether the job was made by the app from a roster change.
func IsApp(j *ent.ImportJob) bool { return strings.HasPrefix(j.Source, SourceApp) }

// CheckAppActions refuses other actions than its own for a job the app made: a move that
// archived, or an archive that updated, would touch pupils that were not selected.
func CheckAppActions(j *ent.ImportJob, a importer.Actions) error {
	if !IsApp(j) {
		return nil
	}
	want := importer.Actions{Update: j.Source == SourceAppMove, Archive: j.Source == SourceAppArchive}
	if a != want {
		return apperr.New(apperr.CodeInvalidInput,
			"De acties van een wijziging vanaf de klaspagina liggen vast.",
			"The actions of a change made on a class page cannot be changed.", nil)
	}
	return nil
}

// PlanRosterChange makes the job of a roster change and previews it: the job comes back
// PREVIEWED, ready for Commit (with the archive guard's confirmation when it applies). Only
// an admin of the school may; pupils that are not active pupils of the school, and a class
// that is not a stamklas of the school, are not found.
func (s *Service) PlanRosterChange(ctx context.Context, rc RosterChange) (*ent.ImportJob, error) {
	ids, err := checkRosterChange(ctx, rc)
	if err != nil {
		return nil, err
	}
	user := ctx
	sys := auth.System(ctx)
	school, err := s.db.Client.School.Get(sys, rc.SchoolID)
	if err != nil {
		return nil, fmt.Errorf("roster change: %w", err)
	}
	pupils, err := s.db.Client.Account.Query().Where(account.IDIn(ids...), account.SchoolID(rc.SchoolID),
		account.RoleEQ(account.RolePUPIL), account.StatusEQ(account.StatusACTIVE)).All(sys)
	if err != nil {
		return nil, fmt.Errorf("roster change: %w", err)
	}
	if len(pupils) != len(ids) {
		return nil, apperr.New(apperr.CodeNotFound,
			fmt.Sprintf("%d van de gekozen leerlingen zijn geen actieve leerlingen van deze school.", len(ids)-len(pupils)),
			fmt.Sprintf("%d of the chosen pupils are not active pupils of this school.", len(ids)-len(pupils)), nil)
	}
	if err := requireKeys(pupils); err != nil {
		return nil, err
	}
	data, name, actions, err := s.rosterFile(sys, rc, pupils)
	if err != nil {
		return nil, err
	}
	job, err := s.createAppJob(sys, auth.FromContext(user), school, name, data, actions)
	if err != nil {
		return nil, err
	}
	plan, err := s.Preview(user, job.ID, actions)
	if err == nil {
		err = checkPlanTouches(plan, ids, rc.Archive)
	}
	if err != nil {
		s.dropJob(sys, job.ID)
		return nil, err
	}
	audit.Record(user, s.db.Client, rc.SchoolID, "import_uploaded", fmt.Sprintf("job %d: %s, %d pupils selected on a class page", job.ID, job.FileName, len(ids)))
	s.log.Info("roster change planned", "job", job.ID, "school", rc.SchoolID, "pupils", len(ids), "archive", rc.Archive)
	return s.db.Client.ImportJob.Get(sys, job.ID)
}

// checkRosterChange checks the viewer and the size and shape of a roster change, and returns
// its distinct account ids.
func checkRosterChange(ctx context.Context, rc RosterChange) ([]int, error) {
	if err := auth.RequireAdmin(ctx, rc.SchoolID); err != nil {
		return nil, err
	}
	if rc.Archive == (rc.MoveTo != 0) {
		return nil, apperr.New(apperr.CodeInvalidInput, "Kies verplaatsen naar een klas of archiveren.",
			"Choose either moving to a class or archiving.", nil)
	}
	ids := slices.Clone(rc.AccountIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 || len(ids) > MaxRosterChange {
		return nil, apperr.New(apperr.CodeInvalidInput,
			fmt.Sprintf("Kies 1 tot %d leerlingen (gekozen: %d).", MaxRosterChange, len(ids)),
			fmt.Sprintf("Choose 1 to %d pupils (chosen: %d).", MaxRosterChange, len(ids)), nil)
	}
	return ids, nil
}

// requireKeys refuses pupils without a leerlingnummer: an import finds a pupil by it.
func requireKeys(pupils []*ent.Account) error {
	for _, p := range pupils {
		if p.ExternalKey == nil || *p.ExternalKey == "" {
			return apperr.New(apperr.CodeInvalidInput,
				fmt.Sprintf("%s heeft geen leerlingnummer; zo'n leerling kan alleen via een import worden gewijzigd.", clip.Marked(p.FirstName+" "+p.LastName, 80)),
				fmt.Sprintf("%s has no student number; such a pupil can only be changed by an import.", clip.Marked(p.FirstName+" "+p.LastName, 80)), nil)
		}
	}
	return nil
}

// rosterHeader is the canonical pupil CSV's header of a roster change's file.
// The pupil's own level and year are written too: without them an import infers them from
// the class name ("7B" would read as groep 7 of a primary school).
var rosterHeader = []string{"Leerlingnummer", "Roepnaam", "Tussenvoegsel", "Achternaam", "Klas", "Niveau", "Leerjaar"}

// rosterFile writes the file a roster change amounts to, and names it and its actions.
func (s *Service) rosterFile(ctx context.Context, rc RosterChange, selected []*ent.Account) ([]byte, string, importer.Actions, error) {
	if rc.MoveTo != 0 {
		to, err := s.db.Client.Class.Query().Where(class.ID(rc.MoveTo), class.SchoolID(rc.SchoolID), class.KindEQ(class.KindSTAMKLAS)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil, "", importer.Actions{}, errNotFound("class", rc.MoveTo)
		} else if err != nil {
			return nil, "", importer.Actions{}, fmt.Errorf("roster change: %w", err)
		}
		data, err := writeRoster(selected, func(*ent.Account) string { return to.Name })
		name := fmt.Sprintf("%d leerlingen naar %s", len(selected), to.Name)
		return data, name, importer.Actions{Update: true}, err
	}
	chosen := map[int]bool{}
	for _, p := range selected {
		chosen[p.ID] = true
	}
	others, err := s.db.Client.Account.Query().Where(account.SchoolID(rc.SchoolID), account.RoleEQ(account.RolePUPIL),
		account.StatusEQ(account.StatusACTIVE)).WithClass().Order(account.ByID()).All(ctx)
	if err != nil {
		return nil, "", importer.Actions{}, fmt.Errorf("roster change: %w", err)
	}
	keep := others[:0]
	for _, p := range others {
		if !chosen[p.ID] {
			keep = append(keep, p)
		}
	}
	data, err := writeRoster(keep, func(p *ent.Account) string {
		if p.Edges.Class != nil {
			return p.Edges.Class.Name
		}
		return ""
	})
	return data, fmt.Sprintf("%d leerlingen archiveren", len(selected)), importer.Actions{Archive: true}, err
}

// writeRoster writes pupils as the canonical CSV, each in the class classOf names.
func writeRoster(pupils []*ent.Account, classOf func(*ent.Account) string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = ';'
	_ = w.Write(rosterHeader)
	for _, p := range pupils {
		key := ""
		if p.ExternalKey != nil {
			key = *p.ExternalKey
		}
		year := ""
		if p.Year != nil {
			year = strconv.Itoa(*p.Year)
		}
		_ = w.Write([]string{key, p.FirstName, p.Infix, p.LastName, classOf(p), p.Level, year})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("roster change: write file: %w", err)
	}
	return b.Bytes(), nil
}

// createAppJob creates the job of a roster change's file with its fixed, confirmed mapping.
func (s *Service) createAppJob(ctx context.Context, v *auth.Viewer, school *ent.School, name string, data []byte, a importer.Actions) (*ent.ImportJob, error) {
	f, err := importer.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("roster change: parse own file: %w", err)
	}
	m := Propose(school, f, importer.KindPupils)
	m.Chosen = importer.Mapping{}
	for _, c := range f.Columns {
		m.Chosen[c.Index] = []importer.Field{importer.FieldKey, importer.FieldFirstName, importer.FieldInfix,
			importer.FieldLastName, importer.FieldClass, importer.FieldLevel, importer.FieldYear}[c.Index]
	}
	m.Confirmed, m.Remembered = true, false
	source := SourceAppMove
	if a.Archive {
		source = SourceAppArchive
	}
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("roster change: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	create, err := jobCreate(tx, school.ID, name+".csv", data, f, m)
	if err != nil {
		return nil, fmt.Errorf("roster change: %w", err)
	}
	if v != nil && v.AccountID != 0 {
		create.SetStartedByID(v.AccountID)
	}
	job, err := saveJob(ctx, tx, create.SetSource(source).SetStatus(importjob.StatusMAPPED).SetActions(actionNames(a)), data, "roster change")
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("roster change: %w", err)
	}
	return job.Unwrap(), nil
}

// checkPlanTouches refuses a plan that changes other pupils than the selected ones, or that
// does not do to them what was asked (a pupil who would stay unchanged is allowed: moved to
// the class they are in).
func checkPlanTouches(p *importer.Plan, ids []int, archive bool) error {
	selected := map[int]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	archived := 0
	for _, u := range p.Users {
		switch u.Outcome {
		case importer.OutcomeUnchanged, importer.OutcomeSkipped:
			continue
		case importer.OutcomeRefused:
			if archive && !selected[u.AccountID] {
				continue // kept: a refused row's key is never archived
			}
		case importer.OutcomeArchived:
			archived++
			if archive && selected[u.AccountID] {
				continue
			}
		case importer.OutcomeUpdated:
			if !archive && selected[u.AccountID] && onlyClass(u.Changes) {
				continue
			}
		}
		return apperr.New(apperr.CodeInvalidState,
			"Deze wijziging zou ook andere leerlingen raken (bijvoorbeeld leerlingen zonder leerlingnummer). Gebruik een import.",
			"This change would also touch other pupils (for example pupils without a student number). Use an import.", nil)
	}
	if archive && archived != len(ids) {
		return apperr.New(apperr.CodeInvalidState, "Niet alle gekozen leerlingen kunnen worden gearchiveerd.",
			"Not all chosen pupils can be archived.", nil)
	}
	return nil
}

// onlyClass reports whether a move changes nothing but the pupil's class: a level or year the
// pupil has is written in the file and stays; one the pupil lacks may be read from the new
// class's name, as an import does (the preview shows it).
func onlyClass(cs []importer.Change) bool {
	for _, c := range cs {
		switch {
		case c.Field == string(importer.FieldClass) || c.Field == "className":
		case (c.Field == string(importer.FieldYear) || c.Field == string(importer.FieldLevel)) && c.Before == "":
		default:
			return false
		}
	}
	return true
}

// dropJob deletes a roster change's job that was refused before anyone saw it.
func (s *Service) dropJob(ctx context.Context, jobID int) {
	if _, err := s.db.Client.ImportBlob.Delete().Where(importblob.JobID(jobID)).Exec(ctx); err != nil {
		s.log.Warn("roster change: drop job blobs", "job", jobID, "err", err)
	}
	if err := s.db.Client.ImportJob.DeleteOneID(jobID).Exec(ctx); err != nil {
		s.log.Warn("roster change: drop job", "job", jobID, "err", err)
	}
}
