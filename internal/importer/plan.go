package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
)

// Actions are what an import may do with the school's accounts.
type Actions struct {
	Add     bool `json:"add"`     // add accounts whose key is not in Numo yet
	Update  bool `json:"update"`  // update accounts whose key is in Numo
	Archive bool `json:"archive"` // archive active pupils (teachers, in a teacher import) whose key is not in the file
}

// Any reports whether at least one action is chosen.
func (a Actions) Any() bool { return a.Add || a.Update || a.Archive }

// Outcome is what an import does to one user.
type Outcome string

// The outcomes of a planned user.
const (
	OutcomeNew       Outcome = "new"       // a new account is added
	OutcomeUpdated   Outcome = "updated"   // an existing account changes
	OutcomeArchived  Outcome = "archived"  // an active pupil not in the file is archived
	OutcomeUnchanged Outcome = "unchanged" // in the file and in Numo, nothing differs
	OutcomeSkipped   Outcome = "skipped"   // would be added or updated, but that action is not chosen
	OutcomeRefused   Outcome = "refused"   // the row cannot be imported
)

// Change is one field of an account that an import changes.
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Person is an account's data as the import sees it: the same shape a change record keeps.
type Person = store.Person

// PlannedUser is one user in the plan: a row of the file or an account to archive.
type PlannedUser struct {
	Outcome   Outcome `json:"outcome"`
	Line      int     `json:"line,omitempty"`      // 0 for an archived account (not in the file)
	AccountID int     `json:"accountId,omitempty"` // 0 for a new account
	Person            // the result: for updates the new values, for archives the account as it is
	// Changes are the fields the import changes, before → after. Besides the Person fields
	// and "status": "groups" (a pupil's lesgroepen), "teaches" and "mentorOf" (a teacher's
	// classes), each a set of names sorted by ClassKey and joined ", "; and "key" for a teacher
	// matched by e-mail, who gets the file's code as external_key.
	Changes []Change  `json:"changes,omitempty"`
	Reasons []Problem `json:"reasons,omitempty"`
	// ClassCreated is set when the user's class does not exist yet.
	ClassCreated bool `json:"classCreated,omitempty"`
	// reactivate is set for an archived account that the file brings back.
	Reactivate bool `json:"reactivate,omitempty"`

	// GroupsSet says that the import sets this user's groups to Groups: for a pupil their
	// lesgroep memberships, for a teacher their teaching assignments (class_teachers rows).
	// When false the user's groups stay as they are, whatever Groups holds. A teacher file sets
	// it when it maps the teaches or the mentor column (Groups then completes what the file
	// leaves out with the teacher's current rows).
	GroupsSet bool `json:"groupsSet,omitempty"`
	// Groups is the complete set of the user's groups after the import, when GroupsSet: a
	// pupil's lesgroepen (never their own stamklas), or every class a teacher has a teaching
	// row for (every MentorOf class is among them). Names are as the file spells them or as
	// stored; resolve them by names.ClassKey to an existing class or to one of the plan's
	// ClassesToCreate/GroupsToCreate. Empty with GroupsSet means: in no group at all. It may
	// share memory with the Result's records: do not modify it.
	Groups []string `json:"groups,omitempty"`
	// MentorSet says that the import sets a teacher's mentor classes to MentorOf: the teaching
	// row of a class in MentorOf gets mentor=true, every other row of the teacher mentor=false.
	// When false (the file has no mentor column) the rows keep their mentor flags, and rows
	// the import adds get mentor=false.
	MentorSet bool `json:"mentorSet,omitempty"`
	// MentorOf is the complete set of the stamklassen a teacher mentors after the import.
	MentorOf []string `json:"mentorOf,omitempty"`
}

// Counts are the numbers of users per outcome.
type Counts struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Archived  int `json:"archived"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Refused   int `json:"refused"`
	// Kept counts the values of matched accounts that stay as stored because the file's value
	// is a damaged copy (letters lost to "?"); Damaged the damaged-looking names the import
	// writes as the file has them (new accounts, changed names). Plans stored before these
	// two existed read 0.
	Kept    int `json:"kept,omitempty"`
	Damaged int `json:"damaged,omitempty"`
	// GroupsJoined and GroupsLeft count the memberships (pupils) or teaching assignments
	// (teachers) that the added and updated users gain and lose.
	GroupsJoined int `json:"groupsJoined,omitempty"`
	GroupsLeft   int `json:"groupsLeft,omitempty"`
}

// Guard is the archive guard: archiving more than the school's threshold of its active pupils
// needs a confirmation that repeats the number. In a teacher import the same fields count
// teachers: ToArchive active teachers of ActivePupils active teachers.
type Guard struct {
	ToArchive            int  `json:"toArchive"`
	ActivePupils         int  `json:"activePupils"`
	ThresholdPercent     int  `json:"thresholdPercent"`
	ConfirmationRequired bool `json:"confirmationRequired"`
}

// Plan is what an import will do to a school, computed against its live accounts.
type Plan struct {
	// Kind is what the file holds: pupils ("" in plans stored before issue 14) or teachers,
	// whose new accounts get role TEACHER.
	Kind            Kind          `json:"kind,omitempty"`
	SchoolID        int           `json:"schoolId"`
	Actions         Actions       `json:"actions"`
	Users           []PlannedUser `json:"users"`
	ClassesToCreate []string      `json:"classesToCreate"` // stamklassen (kind STAMKLAS)
	// GroupsToCreate are the lesgroepen (kind LESGROEP) the import creates: groups of the
	// file that match no existing class of either kind and no class of ClassesToCreate.
	GroupsToCreate []string `json:"groupsToCreate,omitempty"`
	// GroupSubjects are the subjects of GroupsToCreate where the source gives one, by name.
	GroupSubjects map[string]string `json:"groupSubjects,omitempty"`
	Counts        Counts            `json:"counts"`
	Refused       []Problem         `json:"refused"`
	Warnings      []Problem         `json:"warnings"`
	Guard         Guard             `json:"guard"`
	// YearGuard is the guard against moving many pupils back a leerjaar (see YearGuard).
	YearGuard YearGuard `json:"yearGuard"`
	// Damaged lists the file's values that lost letters to "?" or U+FFFD (see DamagedValue).
	Damaged []DamagedValue `json:"damaged,omitempty"`
	// ClassSummary says per class what the import does (see ClassSummary); nil in plans
	// stored before it existed.
	ClassSummary *ClassSummary `json:"classSummary,omitempty"`
	// Corrections fingerprints the corrections made in the app to the file's cells that the
	// plan was made with (PlanInput.Corrections); "" when none.
	Corrections string `json:"corrections,omitempty"`
	// Hash fingerprints every planned write and the version of every account it reads: a
	// commit plans again and applies only when the hash is the same.
	Hash string `json:"hash"`
}

// existing is an account of the school as loaded for planning.
type existing struct {
	id         int
	key        string
	role       string
	status     string
	classKey   string
	className  string
	person     Person
	updatedAt  time.Time
	archivedAt *time.Time
}

// State is the live data of one school that a plan is made against.
type State struct {
	SchoolID  int
	Threshold int
	accounts  []existing
	byKey     map[string]int        // key -> index in accounts
	byNumeric map[string]int        // numeric key without leading zeros -> index in accounts, -1 when several share it
	classes   map[string]stateClass // by name key
	classList []stateClass          // by id; stateClass.ix is the position
	// members holds every pupil's lesgroepen, teaching every teacher's teaching rows (with
	// mentorBit), both by position in accounts.
	members  groupSets
	teaching groupSets
}

type stateClass struct {
	id   int
	name string
	key  string
	kind class.Kind
	ix   int32 // position in State.classList
}

// Querier is what LoadState reads through: a *sql.DB, *sql.Tx or *sql.Conn.
type Querier = store.Querier

// LoadState reads the school's accounts and classes through q, in the dialect d.
func LoadState(ctx context.Context, q Querier, d string, schoolID int) (*State, error) {
	st := &State{SchoolID: schoolID, classes: map[string]stateClass{}, members: emptySets, teaching: emptySets}
	threshold, found, err := store.ArchiveThreshold(ctx, q, d, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load school %d: %w", schoolID, err)
	}
	if !found {
		return nil, fmt.Errorf("load school %d: %w", schoolID, ErrSchoolNotFound)
	}
	st.Threshold = threshold
	classByID := map[int]stateClass{}
	if err := store.EachClass(ctx, q, d, schoolID, func(c store.ClassRow) {
		sc := st.addClass(c.ID, c.Name, c.NameKey, c.Kind)
		classByID[c.ID] = sc
	}); err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	// Sizing the account list up front keeps a large school's plan from holding two copies of it
	// while append grows the slice.
	n, err := store.CountAccounts(ctx, q, d, schoolID)
	if err != nil {
		return nil, fmt.Errorf("count accounts: %w", err)
	}
	st.accounts = make([]existing, 0, n)
	st.byKey = make(map[string]int, n)
	st.byNumeric = make(map[string]int, n)
	if err := store.EachAccount(ctx, q, d, schoolID, func(r *store.AccountRow) { st.add(r, classByID) }); err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	if err := st.loadGroups(ctx, q, d); err != nil {
		return nil, err
	}
	return st, nil
}

// addClass adds a loaded class to the state.
func (st *State) addClass(id int, name, key string, kind class.Kind) stateClass {
	sc := stateClass{id: id, name: name, key: key, kind: kind, ix: int32(len(st.classList))}
	st.classes[key] = sc
	st.classList = append(st.classList, sc)
	return sc
}

// add adds a loaded account to the state.
func (st *State) add(r *store.AccountRow, classByID map[int]stateClass) {
	a := existing{id: r.ID, key: r.Key, role: r.Role, status: r.Status, updatedAt: r.UpdatedAt, archivedAt: r.ArchivedAt,
		person: Person{Key: r.Key, FirstName: r.FirstName, Infix: r.Infix, LastName: r.LastName, Email: r.Email,
			Username: r.Username, EckID: r.EckID, Level: r.Level, Year: r.Year}}
	if r.ClassID != 0 {
		c := classByID[r.ClassID]
		a.className, a.classKey, a.person.Class = c.name, names.ClassKey(c.name), c.name
	}
	st.accounts = append(st.accounts, a)
	i := len(st.accounts) - 1
	if !r.HasKey {
		return
	}
	st.byKey[a.key] = i
	if n, ok := stripZeros(a.key); ok {
		if _, dup := st.byNumeric[n]; dup {
			st.byNumeric[n] = -1
		} else {
			st.byNumeric[n] = i
		}
	}
}

// stripZeros returns a numeric key without its leading zeros; ok is false for other keys.
func stripZeros(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return "", false
		}
	}
	n := strings.TrimLeft(key, "0")
	if n == "" {
		n = "0"
	}
	return n, true
}

// PlanInput is a validated file ready to be planned.
type PlanInput struct {
	Result  *Result
	Mapping Mapping
	// FileKeys are the keys of every data row, valid or refused: an account whose key is in
	// the file is never archived, even when its row was refused.
	FileKeys map[string]bool
	// RefusedRows are the refused rows' values as written, by line, so that the preview can
	// show whose row it is.
	RefusedRows map[int]Person
	// Headers are the file's headers of the mapped columns, by field.
	Headers map[Field]string
	// Kind is what the file holds; "" means pupils. NewPlanInput takes it from the Result.
	Kind Kind
	// GroupSubjects are the subjects of lesgroepen by name, where the source gives them (a
	// roster set's classes and courses); a lesgroep the import creates gets its subject.
	GroupSubjects map[string]string
	// Corrections fingerprints the cells corrected in the app before the file was read
	// (jobs.Corrections.Digest), "" when none: the plan hash includes it, so an import whose
	// corrections changed since its preview is stale even where the outcome is the same.
	Corrections string
}

// NewPlanInput collects what MakePlan needs from a parsed file and its records.
func NewPlanInput(f *File, m Mapping, res *Result) PlanInput {
	keys := map[string]bool{}
	for col, field := range m {
		if field != FieldKey {
			continue
		}
		for _, r := range f.Rows {
			if col < len(r.Cells) {
				if k := strings.TrimSpace(r.Cells[col]); k != "" {
					keys[k] = true
				}
			}
		}
	}
	refused := map[int]bool{}
	for _, pr := range res.Refused {
		refused[pr.Line] = true
	}
	rows := map[int]Person{}
	for _, r := range f.Rows {
		if !refused[r.Line] {
			continue
		}
		var p Person
		for col, field := range m {
			if col >= len(r.Cells) {
				continue
			}
			if v := textField(&p, field); v != nil {
				*v = strings.TrimSpace(r.Cells[col])
			}
		}
		rows[r.Line] = p
	}
	headers := map[Field]string{}
	for col, field := range m {
		headers[field] = columnName(f.Columns, col)
	}
	return PlanInput{Result: res, Mapping: m, FileKeys: keys, RefusedRows: rows, Headers: headers, Kind: res.Kind}
}

// MakePlan computes what the import does for the chosen actions against the live state.
func MakePlan(in PlanInput, st *State, actions Actions) *Plan {
	pl := newPlanner(in, st, actions)
	for i := range in.Result.Records {
		pl.record(&in.Result.Records[i])
	}
	pl.refusals()
	pl.keptWarnings()
	active := pl.archives()
	return pl.finish(active)
}

// planner is the work in progress of MakePlan.
type planner struct {
	in      PlanInput
	st      *State
	actions Actions
	p       *Plan
	mapped  map[Field]bool
	// matched marks the accounts of st that the file names (by key, valid or refused).
	matched      []bool
	newClasses   map[string]string // class key -> spelling
	refusedUsers []PlannedUser

	kind      Kind
	role      account.Role      // the role of the file's accounts
	groupsOn  bool              // the file sets the users' groups (a list column with values)
	mentorOn  bool              // a teacher file sets mentor classes
	newGroups map[string]string // lesgroep key -> spelling
	// byEmail finds a keyless teacher account by lower-case e-mail (-1 when several share it),
	// fileEmails counts the teacher rows per lower-case e-mail.
	byEmail    map[string]int
	fileEmails map[string]int
}

func newPlanner(in PlanInput, st *State, actions Actions) *planner {
	kind := in.Kind.orPupils()
	pl := &planner{in: in, st: st, actions: actions, mapped: map[Field]bool{}, matched: make([]bool, len(st.accounts)),
		newClasses: map[string]string{}, newGroups: map[string]string{}, kind: kind, role: account.RolePUPIL,
		p: &Plan{Kind: kind, SchoolID: st.SchoolID, Actions: actions, Refused: slices.Clone(in.Result.Refused), Warnings: slices.Clone(in.Result.Warnings)}}
	for _, f := range in.Mapping {
		pl.mapped[f] = !slices.Contains(in.Result.EmptyLists, f)
	}
	pl.groupsOn = pl.mapped[FieldGroups] && kind == KindPupils
	if kind == KindTeachers {
		pl.role = account.RoleTEACHER
		pl.mentorOn = pl.mapped[FieldMentorOf]
		pl.groupsOn = pl.mapped[FieldTeaches] || pl.mentorOn
		pl.emailIndex()
	}
	for k := range in.FileKeys {
		if i, ok := st.byKey[k]; ok {
			pl.matched[i] = true
		}
	}
	// Every record, refusal and archive gets one entry: size Users once, since for a large file
	// growing it by doubling would allocate several times its final size.
	archivable := 0
	if actions.Archive {
		for i := range st.accounts {
			if a := &st.accounts[i]; !pl.matched[i] && a.activeAs(pl.role) {
				archivable++
			}
		}
	}
	if n := len(in.Result.Records) + len(in.Result.Refused) + archivable; n > 0 {
		pl.p.Users = make([]PlannedUser, 0, n)
	}
	return pl
}

// activeAs reports whether the account is an active account of the role.
func (a *existing) activeAs(role account.Role) bool {
	return a.role == string(role) && a.status == string(account.StatusACTIVE)
}

// match finds the account of a record: by key, or by its key without leading zeros when Excel
// stripped them (with a warning).
func (pl *planner) match(r *Record) (int, bool) {
	st := pl.st
	if i, found := st.byKey[r.Key]; found {
		return i, true
	}
	n, ok := stripZeros(r.Key)
	if !ok {
		return 0, false
	}
	c, ok := st.byNumeric[n]
	if !ok || c < 0 || keyInFile(pl.in.FileKeys, st.accounts[c].key) {
		return 0, false
	}
	pl.p.Warnings = append(pl.p.Warnings, Problem{Line: r.Line, Field: FieldKey, Code: "leading_zeros",
		NL: fmt.Sprintf("leerlingnummer %s is gekoppeld aan bestaand account %s (Excel haalt voorloopnullen weg)", r.Key, st.accounts[c].key),
		EN: fmt.Sprintf("pupil key %s was matched to existing account %s (Excel strips leading zeros)", r.Key, st.accounts[c].key)})
	return c, true
}

// record plans one valid row of the file.
func (pl *planner) record(r *Record) {
	if pl.kind == KindTeachers {
		pl.teacher(r)
		return
	}
	u := PlannedUser{Line: r.Line, Person: Person{Key: r.Key, FirstName: r.FirstName, Infix: r.Infix, LastName: r.LastName,
		Class: r.Class, Level: string(r.Level), Year: r.Year, Email: r.Email, Username: r.Username, EckID: r.EckID}}
	i, found := pl.match(r)
	classKey := names.ClassKey(r.Class)
	c, classExists := pl.st.classes[classKey]
	if classExists && c.kind == class.KindLESGROEP {
		pl.classIsGroup(&u, r, i, found)
		return
	}
	switch {
	case !found && !pl.actions.Add:
		u.Outcome = OutcomeSkipped
		pl.pupilGroups(&u, r, -1)
	case !found:
		u.Outcome = OutcomeNew
		pl.newDamaged(u.Line, u.Key, u.Person)
		if !classExists {
			u.ClassCreated = true
			pl.newClasses[classKey] = r.Class
		}
		joined, _ := pl.pupilGroups(&u, r, -1)
		pl.countGroups(&u, joined, 0)
	default:
		if !pl.existing(&u, r, i, classKey, classExists) {
			return
		}
	}
	pl.p.Users = append(pl.p.Users, u)
}

// refuse keeps a refused row of an account aside (refusals adds it after the file's rows) and
// lists its reasons with the plan's refusals.
func (pl *planner) refuse(u *PlannedUser) {
	pl.refusedUsers = append(pl.refusedUsers, *u)
	pl.p.Refused = append(pl.p.Refused, u.Reasons...)
}

// classIsGroup refuses a pupil row whose stamklas is the name of a lesgroep: one name is one class
// of the school, and a pupil's class_id never points at a lesgroep.
func (pl *planner) classIsGroup(u *PlannedUser, r *Record, i int, found bool) {
	if found {
		pl.matched[i] = true
		u.AccountID, u.Key = pl.st.accounts[i].id, pl.st.accounts[i].key
	}
	u.Outcome = OutcomeRefused
	u.Reasons = []Problem{{Line: r.Line, Field: FieldClass, Code: CodeClassIsLesgroep,
		NL: fmt.Sprintf("klas %s is in Numo een lesgroep, geen stamklas: zet de stamklas van de leerling in deze kolom of koppel de kolom met lesgroepen aan Lesgroepen", r.Class),
		EN: fmt.Sprintf("class %s is a teaching group (lesgroep) in Numo, not a homeroom class: put the pupil's stamklas in this column, or map the column of groups to Lesgroepen", r.Class)}}
	pl.refuse(u)
}

// existing plans a row of the file for the account st.accounts[i]; it returns false when the
// row is refused (kept aside in refusedUsers).
func (pl *planner) existing(u *PlannedUser, r *Record, i int, classKey string, classExists bool) bool {
	a := &pl.st.accounts[i]
	pl.matched[i] = true
	u.AccountID = a.id
	u.Key = a.key // keep the stored spelling (leading zeros)
	if a.role != string(account.RolePUPIL) {
		u.Outcome = OutcomeRefused
		u.Reasons = []Problem{{Line: r.Line, Field: FieldKey, Code: "not_a_pupil",
			NL: fmt.Sprintf("leerlingnummer %s hoort bij een account van een %s, niet van een leerling", r.Key, roleNL(a.role)),
			EN: fmt.Sprintf("pupil key %s belongs to a %s account, not a pupil's", r.Key, strings.ToLower(a.role))}}
		pl.refuse(u)
		return false
	}
	pl.keepStored(u, a)
	u.Changes = diff(a, &u.Person, pl.mapped, classKey)
	joined, left := pl.pupilGroups(u, r, i)
	pl.reactivate(u, a)
	if pl.settle(u) && !classExists && slices.ContainsFunc(u.Changes, func(c Change) bool { return c.Field == "class" }) {
		u.ClassCreated = true
		pl.newClasses[classKey] = r.Class
	}
	pl.countGroups(u, joined, left)
	// Fields the file does not carry keep their stored values.
	fillUnmapped(&u.Person, a, pl.mapped)
	return true
}

// reactivate plans bringing back an archived account that the file names.
func (pl *planner) reactivate(u *PlannedUser, a *existing) {
	if a.status != string(account.StatusACTIVE) {
		u.Reactivate = true
		u.Changes = append(u.Changes, Change{Field: "status", Before: "gearchiveerd", After: "actief"})
	}
}

// settle gives a matched user its outcome from its changes and reports whether it is updated.
func (pl *planner) settle(u *PlannedUser) bool {
	switch {
	case len(u.Changes) == 0:
		u.Outcome = OutcomeUnchanged
	case !pl.actions.Update:
		u.Outcome = OutcomeSkipped
	default:
		u.Outcome = OutcomeUpdated
	}
	return u.Outcome == OutcomeUpdated
}

// refusals adds the refused users: rows of other roles' accounts, then the refused rows of
// the file (one user per line, with all its reasons).
func (pl *planner) refusals() {
	p := pl.p
	p.Users = append(p.Users, pl.refusedUsers...)
	for _, prob := range pl.in.Result.Refused {
		if n := len(p.Users); n > 0 && p.Users[n-1].Outcome == OutcomeRefused && p.Users[n-1].Line == prob.Line && p.Users[n-1].AccountID == 0 {
			last := &p.Users[n-1]
			last.Reasons = append(last.Reasons, prob)
			continue
		}
		p.Users = append(p.Users, PlannedUser{Outcome: OutcomeRefused, Line: prob.Line, Person: pl.in.RefusedRows[prob.Line], Reasons: []Problem{prob}})
	}
}

// archives adds the active pupils (teachers) the file leaves out, when archiving is chosen,
// and returns how many active pupils (teachers) the school has.
func (pl *planner) archives() int {
	active := 0
	for i := range pl.st.accounts {
		a := &pl.st.accounts[i]
		if !a.activeAs(pl.role) {
			continue
		}
		active++
		// A file without valid rows never archives anything.
		if !pl.actions.Archive || pl.matched[i] || len(pl.in.Result.Records) == 0 {
			continue
		}
		pl.p.Users = append(pl.p.Users, PlannedUser{Outcome: OutcomeArchived, AccountID: a.id, Person: a.person,
			Changes: []Change{{Field: "status", Before: "actief", After: "gearchiveerd"}}})
	}
	return active
}

// finish adds the classes to create, the counts, the archive guard and the hash.
func (pl *planner) finish(active int) *Plan {
	p, st := pl.p, pl.st
	for _, c := range pl.newClasses {
		p.ClassesToCreate = append(p.ClassesToCreate, c)
	}
	slices.Sort(p.ClassesToCreate)
	p.GroupsToCreate = pl.groupsToCreate()
	for _, g := range p.GroupsToCreate {
		if s := pl.in.GroupSubjects[g]; s != "" {
			if p.GroupSubjects == nil {
				p.GroupSubjects = map[string]string{}
			}
			p.GroupSubjects[g] = s
		}
	}
	for i := range p.Users {
		p.Counts.add(p.Users[i].Outcome)
	}
	for _, d := range p.Damaged {
		if d.Kept {
			p.Counts.Kept++
		} else {
			p.Counts.Damaged++
		}
	}
	p.Guard = Guard{ToArchive: p.Counts.Archived, ActivePupils: active, ThresholdPercent: st.Threshold}
	p.Guard.ConfirmationRequired = p.Counts.Archived > 0 && p.Counts.Archived*100 > st.Threshold*active
	p.YearGuard = yearGuard(p.Users, active, st.Threshold)
	p.ClassSummary = pl.classSummary()
	p.Corrections = pl.in.Corrections
	p.Hash = planHash(p, st)
	return p
}

// add counts one user's outcome.
func (c *Counts) add(o Outcome) {
	switch o {
	case OutcomeNew:
		c.Added++
	case OutcomeUpdated:
		c.Updated++
	case OutcomeArchived:
		c.Archived++
	case OutcomeUnchanged:
		c.Unchanged++
	case OutcomeSkipped:
		c.Skipped++
	case OutcomeRefused:
		c.Refused++
	}
}

func keyInFile(keys map[string]bool, k string) bool { return keys[k] }

func roleNL(role string) string {
	switch role {
	case "TEACHER":
		return "docent"
	case "ADMIN":
		return "beheerder"
	case "PUPIL":
		return "leerling"
	}
	return strings.ToLower(role)
}

// changes collects the fields a row of the file changes.
type changes []Change

// add records a field whose value differs.
func (ch *changes) add(field, before, after string) {
	if before != after {
		*ch = append(*ch, Change{Field: field, Before: before, After: after})
	}
}

// names adds the names: first and last name always (both are required), the infix when mapped.
func (ch *changes) names(a *existing, to *Person, mapped map[Field]bool) {
	ch.add("firstName", a.person.FirstName, to.FirstName)
	ch.add("lastName", a.person.LastName, to.LastName)
	if mapped[FieldInfix] {
		ch.add("infix", a.person.Infix, to.Infix)
	}
}

// contacts adds e-mail, username and ECK iD: only when mapped, and an empty cell never clears a
// stored value.
func (ch *changes) contacts(a *existing, to *Person, mapped map[Field]bool) {
	for _, f := range []struct {
		field         Field
		before, after string
	}{
		{FieldEmail, a.person.Email, to.Email},
		{FieldUsername, a.person.Username, to.Username},
		{FieldEckID, a.person.EckID, to.EckID},
	} {
		if mapped[f.field] && f.after != "" {
			ch.add(string(f.field), f.before, f.after)
		}
	}
}

// diff lists the fields the file changes. Only mapped fields count, and an empty optional cell
// never clears a stored value: exports often leave e-mail or level empty.
func diff(a *existing, to *Person, mapped map[Field]bool, classKey string) []Change {
	var ch changes
	ch.names(a, to, mapped)
	if a.classKey != classKey {
		ch = append(ch, Change{Field: "class", Before: a.className, After: to.Class})
	}
	if to.Level != "" {
		ch.add("level", a.person.Level, to.Level)
	}
	if to.Year != 0 && to.Year != a.person.Year {
		ch = append(ch, Change{Field: "year", Before: yearString(a.person.Year), After: yearString(to.Year)})
	}
	ch.contacts(a, to, mapped)
	return ch
}

// fillUnmapped completes a planned person with the stored values of what the file leaves out.
func fillUnmapped(p *Person, a *existing, mapped map[Field]bool) {
	if !mapped[FieldInfix] {
		p.Infix = a.person.Infix
	}
	if p.Level == "" {
		p.Level = a.person.Level
	}
	if p.Year == 0 {
		p.Year = a.person.Year
	}
	if p.Email == "" {
		p.Email = a.person.Email
	}
	if p.Username == "" {
		p.Username = a.person.Username
	}
	if p.EckID == "" {
		p.EckID = a.person.EckID
	}
}

func yearString(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// planHash fingerprints the writes of the plan and the versions of the accounts it touches or
// leaves unchanged, so that a later commit can tell that nothing moved in between.
func planHash(p *Plan, st *State) string {
	h := sha256.New()
	version := map[int]int64{}
	for _, a := range st.accounts {
		version[a.id] = a.updatedAt.UnixMicro()
	}
	fmt.Fprintf(h, "school %d actions %+v threshold %d\n", p.SchoolID, p.Actions, st.Threshold)
	if p.Kind == KindTeachers {
		fmt.Fprintf(h, "kind %s\n", p.Kind)
	}
	var buf []byte
	for i := range p.Users {
		u := &p.Users[i]
		buf = hashUser(buf[:0], u, version[u.AccountID])
		h.Write(buf)
		// Lines for the groups only when the file sets them.
		if u.GroupsSet || u.MentorSet {
			buf = hashGroups(h, buf, u)
		}
	}
	fmt.Fprintf(h, "classes %q\n", p.ClassesToCreate)
	if len(p.GroupsToCreate) > 0 {
		fmt.Fprintf(h, "groups %q\n", p.GroupsToCreate)
	}
	if p.Corrections != "" {
		fmt.Fprintf(h, "corrections %s\n", p.Corrections)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashUser appends a planned user's line of the plan hash to buf: every value it is written
// with, its account's version and its changes, text quoted (one fmt.Fprintf per user cost a
// board's preview 0.2 s).
func hashUser(buf []byte, u *PlannedUser, version int64) []byte {
	buf = append(buf, u.Outcome...)
	for _, n := range []int64{int64(u.Line), int64(u.AccountID), version, int64(u.Year)} {
		buf = strconv.AppendInt(append(buf, '|'), n, 10)
	}
	for _, v := range []string{u.Key, u.FirstName, u.Infix, u.LastName, u.Class, string(u.Level), u.Email, u.Username, u.EckID} {
		buf = strconv.AppendQuote(append(buf, '|'), v)
	}
	for _, c := range u.Changes {
		buf = strconv.AppendQuote(append(buf, '|'), c.Field)
		buf = strconv.AppendQuote(append(buf, ' '), c.Before)
		buf = strconv.AppendQuote(append(buf, ' '), c.After)
	}
	return append(buf, '\n')
}
