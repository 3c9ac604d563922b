// Package jobs runs import jobs for the API: upload, mapping, preview and commit, with the
// commit in the background and its progress published to every numo process. Everything
// about a job lives in the database, so any process can continue any job.
package jobs

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"entgo.io/ent/dialect"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/pubsub"
	"github.com/numo/accounts/internal/store"
)

// Service runs import jobs.
type Service struct {
	db     *store.DB
	bus    pubsub.Bus
	log    *slog.Logger
	node   string // this process, as written into a job it claims
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// HeartbeatInterval is how often a committing process shows it is alive (PostgreSQL).
	HeartbeatInterval time.Duration
	// DeadAfter is how long a commit may go without a heartbeat before it counts as dead.
	DeadAfter time.Duration
	// LockPollInterval is how often the commits whose process died are looked for by their
	// free commit lock (PostgreSQL): a dead committer is seen within about this long.
	LockPollInterval time.Duration

	plans planCache
}

// New starts the service: it fails the commits that a dead process left behind, and keeps
// doing so (PostgreSQL) while it runs.
func New(db *store.DB, bus pubsub.Bus, log *slog.Logger) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	var b [4]byte
	rand.Read(b[:])
	s := &Service{db: db, bus: bus, log: log, node: hex.EncodeToString(b[:]), ctx: auth.System(ctx), cancel: cancel,
		HeartbeatInterval: 2 * time.Second, DeadAfter: 20 * time.Second, LockPollInterval: time.Second}
	s.plans.max = 8
	return s
}

// Start begins the background reaper of dead commits. On PostgreSQL it looks every
// LockPollInterval for commits whose commit lock is free (their process died: seen in about a
// second), and every DeadAfter/2 for commits without a recent heartbeat (a committer that is
// stuck, or one that took no lock).
//
// On SQLite it looks every LockPollInterval for commits whose commit lock it can take (with a
// lock file, see store.LockJob) and whose heartbeat has been silent for 5 s: a `numo import`
// or another `numo serve` on the same file that died, seen within about 5–7 s. Without a lock
// file, what was left COMMITTING is found at the next start only.
func (s *Service) Start() {
	s.reap(s.ctx, true)
	if s.db.Dialect != dialect.Postgres {
		if s.db.SeesDeadCommits() {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				t := time.NewTicker(s.LockPollInterval)
				defer t.Stop()
				for {
					select {
					case <-s.ctx.Done():
						return
					case <-t.C:
						s.reap(s.ctx, false)
					}
				}
			}()
		}
		return
	}
	s.reapUnlocked(s.ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		heartbeat := time.NewTicker(s.DeadAfter / 2)
		defer heartbeat.Stop()
		lock := time.NewTicker(s.LockPollInterval)
		defer lock.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-lock.C:
				s.reapUnlocked(s.ctx)
			case <-heartbeat.C:
				s.reap(s.ctx, false)
			}
		}
	}()
}

// Close stops running commits (their transactions roll back and the jobs are marked failed)
// and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// jobMapping is what the job's mapping column holds: the file's columns, the proposal and the
// admin's choices.
type jobMapping struct {
	Columns    []importer.Column         `json:"columns"`
	Proposed   []importer.Match          `json:"proposed"`
	Chosen     importer.Mapping          `json:"chosen"`
	Levels     map[string]importer.Level `json:"levels,omitempty"`
	Unknown    []importer.UnknownValue   `json:"unknown,omitempty"`
	Remembered bool                      `json:"remembered,omitempty"`
	Confirmed  bool                      `json:"confirmed,omitempty"`
}

// Mapping decodes a job's mapping.
func Mapping(j *ent.ImportJob) (*jobMapping, error) {
	var m jobMapping
	if len(j.Mapping) == 0 {
		return &m, nil
	}
	if err := json.Unmarshal(j.Mapping, &m); err != nil {
		return nil, fmt.Errorf("job %d: decode mapping: %w", j.ID, err)
	}
	return &m, nil
}

// Upload reads a file for a school and creates its job with the detected format and a
// proposed mapping. A refused file creates nothing.
func (s *Service) Upload(ctx context.Context, schoolID int, fileName string, data []byte) (*ent.ImportJob, error) {
	// Read as the viewer: another school is not found, as if it did not exist.
	school, err := s.db.Client.School.Get(ctx, schoolID)
	if ent.IsNotFound(err) {
		return nil, errNotFound("school", schoolID)
	} else if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	if err := auth.RequireAdmin(ctx, schoolID); err != nil {
		return nil, err
	}
	user := ctx
	ctx = auth.System(ctx)
	f, err := importer.Parse(data)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return nil, newError(CodeFileRejected, fe.Error(), fe.EN, map[string]any{"line": fe.Line, "reason": fe.Code})
	} else if err != nil {
		return nil, fmt.Errorf("upload: parse: %w", err)
	}
	m := &jobMapping{Columns: f.Columns, Proposed: importer.ProposeMapping(f.Columns), Levels: map[string]importer.Level{}}
	m.Chosen = importer.MappingFromMatches(m.Proposed)
	// The mapping the school confirmed last for these same headers comes first.
	if remembered, ok := school.ColumnMappings[importer.HeadersSignature(f.Columns)]; ok {
		chosen := importer.Mapping{}
		for _, c := range f.Columns {
			if field := remembered[c.Header]; field != "" {
				chosen[c.Index] = importer.Field(field)
			}
		}
		if len(chosen.Validate(f.Columns)) == 0 {
			m.Chosen, m.Remembered = chosen, true
		}
	}
	for k, v := range school.LevelMappings {
		m.Levels[k] = importer.Level(v)
	}
	m.Unknown = unknownLevels(f, m.Chosen)
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	sum := sha256.Sum256(data)
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	job, err := tx.ImportJob.Create().SetSchoolID(schoolID).SetFileName(cleanName(fileName)).
		SetFileSize(int64(len(data))).SetSha256(hex.EncodeToString(sum[:])).SetEncoding(f.Encoding).
		SetDelimiter(string(f.Delimiter)).SetHeaderLine(f.HeaderLine).SetRowCount(len(f.Rows)).
		SetMapping(raw).SetPhase("uploaded").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("upload: save job: %w", err)
	}
	if err := putBlob(ctx, tx.Client(), job.ID, importblob.KindFILE, data); err != nil {
		return nil, fmt.Errorf("upload: save file: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	job = job.Unwrap()
	audit.Record(user, s.db.Client, schoolID, "import_uploaded", fmt.Sprintf("job %d: %s, %d rows", job.ID, job.FileName, job.RowCount))
	s.log.Info("import uploaded", "job", job.ID, "school", schoolID, "rows", len(f.Rows), "encoding", f.Encoding)
	return job, nil
}

// unknownLevels lists the file's level values that are not recognised by themselves.
func unknownLevels(f *importer.File, m importer.Mapping) []importer.UnknownValue {
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m})
	if err != nil {
		return nil // the mapping is not valid yet; setMapping computes them
	}
	// A level column with hundreds of distinct values is the wrong column: the most frequent
	// ones are enough to see that, and the job row stays small.
	u := res.UnknownLevels
	if len(u) > MaxUnknownLevels {
		u = slices.Clone(u)
		slices.SortStableFunc(u, func(a, b importer.UnknownValue) int { return b.Count - a.Count })
		u = u[:MaxUnknownLevels]
	}
	for i := range u {
		u[i].Value = importer.Clip(u[i].Value, maxLevelValue)
	}
	return u
}

// maxFileName is the longest file name kept, in bytes (what file systems allow).
const maxFileName = 255

// cleanName keeps the last path element of an uploaded file's name, valid UTF-8 without
// control characters, at most maxFileName bytes cut at a character boundary.
func cleanName(n string) string {
	n = n[strings.LastIndexAny(n, `/\`)+1:]
	n = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(n, ""))
	n = importer.Clip(strings.TrimSpace(n), maxFileName)
	if n == "" {
		n = "upload.csv"
	}
	return n
}

// Limits on what a school's mapping stores: every later job starts from it, so it must stay small.
const (
	// MaxUnknownLevels is how many unrecognised level values a job lists (the most frequent).
	MaxUnknownLevels = 200
	// MaxLevelChoices is how many level values one setMapping may map.
	MaxLevelChoices = 500
	// maxLevelValue is the longest level value, in bytes, that can be mapped to a level.
	maxLevelValue = 100
	// maxSchoolLevelMappings is how many level values a school remembers; past it, only the
	// newest job's choices are kept.
	maxSchoolLevelMappings = 1000
	// maxSchoolColumnMappings is how many header layouts a school remembers; past it, only
	// the newest is kept.
	maxSchoolColumnMappings = 50
)

// ColumnChoice is the admin's field for one column; Field "" leaves it unmatched.
type ColumnChoice struct {
	Column int
	Field  string
}

// LevelChoice maps one level value of the file to a canonical level.
type LevelChoice struct {
	Value string
	Level string
}

// SetMapping stores the admin's mapping: every column's field and the level values mapped by
// hand. An invalid mapping is refused with every problem; a valid one is remembered for the
// school (for the next file with the same headers).
func (s *Service) SetMapping(ctx context.Context, jobID int, cols []ColumnChoice, levels []LevelChoice) (*ent.ImportJob, error) {
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	ctx = auth.System(ctx)
	m, err := Mapping(job)
	if err != nil {
		return nil, err
	}
	if len(cols) > len(m.Columns) {
		return nil, newError(CodeMappingInvalid, fmt.Sprintf("de koppeling noemt %d kolommen, het bestand heeft er %d", len(cols), len(m.Columns)),
			fmt.Sprintf("the mapping names %d columns, the file has %d", len(cols), len(m.Columns)), nil)
	}
	if len(levels) > MaxLevelChoices {
		return nil, newError(CodeMappingInvalid, fmt.Sprintf("koppel hoogstens %d niveauwaarden tegelijk (nu %d)", MaxLevelChoices, len(levels)),
			fmt.Sprintf("map at most %d level values at once (got %d)", MaxLevelChoices, len(levels)), nil)
	}
	for _, l := range levels {
		if len(l.Value) > maxLevelValue || !utf8.ValidString(l.Value) {
			return nil, newError(CodeMappingInvalid, fmt.Sprintf("de niveauwaarde %q is langer dan %d tekens; zo'n waarde is geen opleidingsniveau", importer.Clip(l.Value, 40), maxLevelValue),
				fmt.Sprintf("the level value %q is longer than %d characters; such a value is no level", importer.Clip(l.Value, 40), maxLevelValue), nil)
		}
	}
	chosen := importer.Mapping{}
	for _, c := range cols {
		if c.Field != "" {
			if _, dup := chosen[c.Column]; dup {
				return nil, newError(CodeMappingInvalid, fmt.Sprintf("kolom %d staat twee keer in de koppeling", c.Column+1),
					fmt.Sprintf("column %d is in the mapping twice", c.Column+1), nil)
			}
			chosen[c.Column] = importer.Field(c.Field)
		}
	}
	if probs := chosen.Validate(m.Columns); len(probs) > 0 {
		msgs := make([]string, len(probs))
		en := make([]string, len(probs))
		for i, p := range probs {
			msgs[i], en[i] = p.NL, p.EN
		}
		return nil, newError(CodeMappingInvalid, strings.Join(msgs, "; "), strings.Join(en, "; "), map[string]any{"problems": problemsExt(probs)})
	}
	valid := map[string]bool{}
	for _, l := range importer.Levels() {
		valid[string(l)] = true
	}
	if m.Levels == nil {
		m.Levels = map[string]importer.Level{}
	}
	for _, l := range levels {
		if l.Level != "" && !valid[l.Level] {
			return nil, newError(CodeMappingInvalid, fmt.Sprintf("%q is geen opleidingsniveau van Numo", l.Level),
				fmt.Sprintf("%q is not a Numo level", l.Level), nil)
		}
		m.Levels[importer.NormalizeHeader(l.Value)] = importer.Level(l.Level)
	}
	f, err := importer.Parse(content)
	if err != nil {
		return nil, fmt.Errorf("set mapping: parse stored file: %w", err)
	}
	m.Chosen, m.Confirmed = chosen, true
	m.Unknown = unknownLevels(f, chosen)
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	job, err = tx.ImportJob.UpdateOne(job).SetMapping(raw).SetStatus(importjob.StatusMAPPED).
		SetPlanHash("").SetPhase("mapped").Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	if _, err := tx.ImportBlob.Delete().Where(importblob.JobID(jobID), importblob.KindEQ(importblob.KindPLAN)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("set mapping: drop old preview: %w", err)
	}
	school, err := tx.School.Get(ctx, job.SchoolID)
	if err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	byHeader := map[string]string{}
	for col, field := range chosen {
		byHeader[m.Columns[col].Header] = string(field)
	}
	remembered := school.ColumnMappings
	if remembered == nil {
		remembered = map[string]map[string]string{}
	}
	if len(remembered) >= maxSchoolColumnMappings {
		remembered = map[string]map[string]string{}
	}
	remembered[importer.HeadersSignature(m.Columns)] = byHeader
	levelMap := school.LevelMappings
	if levelMap == nil {
		levelMap = map[string]string{}
	}
	if len(levelMap)+len(levels) > maxSchoolLevelMappings {
		levelMap = map[string]string{}
	}
	for _, l := range levels {
		levelMap[importer.NormalizeHeader(l.Value)] = l.Level
	}
	if err := tx.School.UpdateOne(school).SetColumnMappings(remembered).SetLevelMappings(levelMap).Exec(ctx); err != nil {
		return nil, fmt.Errorf("set mapping: remember for school: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("set mapping: %w", err)
	}
	return job.Unwrap(), nil
}

// editableJob loads a job whose mapping and preview may still change, with its file.
// The viewer must administer the job's school; other schools' jobs do not exist for them.
func (s *Service) editableJob(ctx context.Context, jobID int) (*ent.ImportJob, []byte, error) {
	job, err := s.Job(ctx, jobID)
	if err != nil {
		return nil, nil, err
	}
	if err := auth.RequireAdmin(ctx, job.SchoolID); err != nil {
		return nil, nil, err
	}
	switch job.Status {
	case importjob.StatusCOMMITTING:
		return nil, nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	case importjob.StatusCOMMITTED, importjob.StatusUNDONE:
		return nil, nil, errState("Deze import is al uitgevoerd. Upload het bestand opnieuw voor een nieuwe import.",
			"This import was applied already. Upload the file again for a new import.")
	}
	content, err := s.blob(ctx, jobID, importblob.KindFILE)
	if err != nil {
		return nil, nil, err
	}
	if content == nil {
		return nil, nil, errState("Het bestand van deze import is niet meer bewaard. Upload het opnieuw.",
			"The file of this import is no longer kept. Upload it again.")
	}
	return job, content, nil
}

// Job loads a job the viewer may see.
func (s *Service) Job(ctx context.Context, jobID int) (*ent.ImportJob, error) {
	if auth.FromContext(ctx) == nil && !auth.IsSystem(ctx) {
		return nil, auth.ErrUnauthenticated
	}
	job, err := s.db.Client.ImportJob.Get(ctx, jobID)
	if ent.IsNotFound(err) {
		return nil, errNotFound("import", jobID)
	} else if err != nil {
		return nil, fmt.Errorf("load job %d: %w", jobID, err)
	}
	return job, nil
}

func putBlob(ctx context.Context, c *ent.Client, jobID int, kind importblob.Kind, data []byte) error {
	return c.ImportBlob.Create().SetJobID(jobID).SetKind(kind).SetData(data).
		OnConflictColumns(importblob.FieldJobID, importblob.FieldKind).UpdateData().Exec(ctx)
}

// blob reads one blob of a job, nil when there is none.
func (s *Service) blob(ctx context.Context, jobID int, kind importblob.Kind) ([]byte, error) {
	// Blobs are read only after the job itself was found for the viewer.
	b, err := s.db.Client.ImportBlob.Query().Where(importblob.JobID(jobID), importblob.KindEQ(kind)).Only(auth.System(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load %s of job %d: %w", strings.ToLower(string(kind)), jobID, err)
	}
	return b.Data, nil
}

// prepare reads a job's file under its mapping.
func prepare(job *ent.ImportJob, content []byte) (*importer.Prepared, error) {
	m, err := Mapping(job)
	if err != nil {
		return nil, err
	}
	p, err := importer.Prepare(content, m.Chosen, m.Levels)
	var me *importer.MappingError
	if errors.As(err, &me) {
		return nil, newError(CodeMappingInvalid, me.Error(), "the mapping is not valid", map[string]any{"problems": problemsExt(me.Problems)})
	}
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", job.ID, err)
	}
	return p, nil
}

// ParseActions turns API action names (ADD, UPDATE, ARCHIVE) into Actions.
func ParseActions(names []string) (importer.Actions, error) {
	var a importer.Actions
	for _, n := range names {
		switch strings.ToUpper(n) {
		case "ADD":
			a.Add = true
		case "UPDATE":
			a.Update = true
		case "ARCHIVE":
			a.Archive = true
		default:
			return a, newError(CodeInvalidInput, fmt.Sprintf("onbekende actie %q", n), fmt.Sprintf("unknown action %q", n), nil)
		}
	}
	if !a.Any() {
		return a, newError(CodeInvalidInput, "Kies minstens één actie: toevoegen, bijwerken of archiveren.",
			"Choose at least one action: add, update or archive.", nil)
	}
	return a, nil
}

// Preview plans the job for the actions against the school's live accounts and stores the
// plan, so that any process can page through it and commit it.
func (s *Service) Preview(ctx context.Context, jobID int, actions importer.Actions) (*importer.Plan, error) {
	job, content, err := s.editableJob(ctx, jobID)
	if err != nil {
		return nil, err
	}
	ctx = auth.System(ctx)
	p, err := prepare(job, content)
	if err != nil {
		return nil, err
	}
	plan, err := importer.PlanFor(ctx, s.db, job.SchoolID, p, actions)
	if err != nil {
		return nil, fmt.Errorf("preview job %d: %w", jobID, err)
	}
	blob, err := encodePlan(plan)
	if err != nil {
		return nil, err
	}
	c := plan.Counts
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("preview job %d: %w", jobID, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	_, err = tx.ImportJob.UpdateOneID(jobID).
		Where(importjob.StatusNotIn(importjob.StatusCOMMITTING, importjob.StatusCOMMITTED, importjob.StatusUNDONE)).
		SetPlanHash(plan.Hash).SetActions(actionNames(actions)).SetStatus(importjob.StatusPREVIEWED).
		SetAdded(c.Added).SetUpdated(c.Updated).SetArchived(c.Archived).SetUnchanged(c.Unchanged).SetRefused(c.Refused).
		SetPhase("previewed").SetError("").Save(ctx)
	if ent.IsNotFound(err) {
		return nil, errState("Deze import wordt al uitgevoerd.", "This import is running already.")
	} else if err != nil {
		return nil, fmt.Errorf("preview job %d: save plan: %w", jobID, err)
	}
	if err := putBlob(ctx, tx.Client(), jobID, importblob.KindPLAN, blob); err != nil {
		return nil, fmt.Errorf("preview job %d: save plan: %w", jobID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("preview job %d: %w", jobID, err)
	}
	s.plans.put(jobID, plan)
	return plan, nil
}

func actionNames(a importer.Actions) []string {
	var n []string
	if a.Add {
		n = append(n, "ADD")
	}
	if a.Update {
		n = append(n, "UPDATE")
	}
	if a.Archive {
		n = append(n, "ARCHIVE")
	}
	return n
}

// Plan returns a job's stored preview, nil when it has none.
func (s *Service) Plan(ctx context.Context, job *ent.ImportJob) (*importer.Plan, error) {
	if job.PlanHash == "" {
		return nil, nil
	}
	if p := s.plans.get(job.ID, job.PlanHash); p != nil {
		return p, nil
	}
	blob, err := s.blob(ctx, job.ID, importblob.KindPLAN)
	if err != nil || blob == nil {
		return nil, err
	}
	p, err := decodePlan(blob)
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", job.ID, err)
	}
	s.plans.put(job.ID, p)
	return p, nil
}

func encodePlan(p *importer.Plan) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(p); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return buf.Bytes(), nil
}

func decodePlan(b []byte) (*importer.Plan, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	var p importer.Plan
	if err := json.NewDecoder(zr).Decode(&p); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	return &p, nil
}

// planCache keeps the last few decoded plans, so paging through a preview does not decode
// the whole plan for every page.
type planCache struct {
	mu    sync.Mutex
	max   int
	order []int
	plans map[int]*importer.Plan
}

func (c *planCache) get(jobID int, hash string) *importer.Plan {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.plans[jobID]; p != nil && p.Hash == hash {
		return p
	}
	return nil
}

func (c *planCache) put(jobID int, p *importer.Plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans == nil {
		c.plans = map[int]*importer.Plan{}
	}
	if _, ok := c.plans[jobID]; !ok {
		c.order = append(c.order, jobID)
	}
	c.plans[jobID] = p
	for len(c.order) > c.max {
		delete(c.plans, c.order[0])
		c.order = c.order[1:]
	}
}

// Report decodes a job's result report, nil before the commit.
func Report(job *ent.ImportJob) (*importer.Report, error) {
	if len(job.Report) == 0 {
		return nil, nil
	}
	var r importer.Report
	if err := json.Unmarshal(job.Report, &r); err != nil {
		return nil, fmt.Errorf("job %d: decode report: %w", job.ID, err)
	}
	return &r, nil
}
