package rosterset

// The readers of each format fill one model; the checks, the choice of school and the
// conversion to Numo's canonical CSV work on it alone.

// where is a row's place in the set.
type where struct {
	file string
	line int
}

// person roles in the model.
const (
	rolePupil   = "student"
	roleTeacher = "teacher"
)

type org struct {
	where
	id, name, identifier, kind string // kind: OneRoster org type ("school", "district" …)
}

type user struct {
	where
	id     string
	roles  []userRole
	key    string // pupil number or teacher code
	given  string
	family string // without the infix when the set names it
	infix  string
	email  string
	login  string
	eck    string
	level  string // metadata.numo.level, else the set's grade(s) raw
	year   string // metadata.numo.year
	// numoLevel says the set has the metadata.numo.level column, which then wins over grades.
	numoLevel bool
	gone      bool // status tobedeleted
	// refKind is what enrolments call this user in checks: "user", or in SDS v1, whose
	// students and teachers have separate SIS IDs, "student" or "teacher"; refID is the
	// id they use.
	refKind, refID string
}

// userRole is one role of a user in one org: rolePupil, roleTeacher or the set's own word
// (parent, aide, administrator …).
type userRole struct {
	role, org string
	primary   bool
}

type class struct {
	where
	id, name, org, course, subject string
	homeroom, gone                 bool
	inferred                       bool // a stamklas by RuleSectionNames, not by the set
}

type enrolment struct {
	where
	class, user, role string
	primary           bool
}

// model is a whole set as read.
type model struct {
	format   Format
	version  string
	orgs     []org
	users    []user
	classes  []class
	enrols   []enrolment
	courses  map[string]string // course id -> title ("" when the set has no courses file)
	hasCours bool
	// classTypeCol says the SDS set has the column metadata.numo.classType; without it
	// the stamklassen are inferred (RuleSectionNames).
	classTypeCol bool
	// fromNumo: Numo's own export wrote the set (see readManifest).
	fromNumo bool
	// fileOf names the file that holds each kind of id, for messages.
	fileOf map[string]string
	// dangling are the references to ids not in the set; known indexes the ids read so far
	// (up to nUsers, nClasses, nOrgs).
	dangling                problems
	known                   map[string]map[string]bool
	nUsers, nClasses, nOrgs int
}
