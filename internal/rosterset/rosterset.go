// Package rosterset reads standard roster sets — Microsoft School Data Sync CSV (v1 and v2.1)
// and IMS/1EdTech OneRoster bulk CSV (1.1 and 1.2) — checks the set as a whole and converts the
// chosen school's rows into Numo's own canonical pupil and teacher CSV files, which the
// importer then maps (every column recognised), plans and commits like any other upload.
//
// Specifications followed: OneRoster v1.1 CSV Tables (IMS Final Release, 2017) and OneRoster
// v1.2 CSV Binding (1EdTech Final Release, 2022): manifest.csv (oneroster.version, file.* =
// bulk/delta/absent), orgs, users (1.1: role and orgSourcedIds; 1.2: roles.csv with roleType
// primary/secondary), classes (classType homeroom/scheduled), courses, enrollments (primary);
// School Data Sync v1 CSV (School, Section, Student, Teacher, StudentEnrollment, TeacherRoster)
// and SDS v2.1 CSV (orgs, users, roles, classes, enrollments, optional courses) as Microsoft
// documents them and its sample sets show. Files are comma-separated (RFC 4180; encoding/csv
// without lazy quotes) and decoded like the pupil import (BOM, UTF-8, Windows-1252 fallback);
// column names are matched case-insensitively.
//
// The set as a whole is checked before anything is converted: the files the format needs,
// a manifest declaring delta files (refused: Numo reads only complete sets), duplicate and
// empty ids per file, references to users, classes, schools or courses that are not in the
// set. Each refusal is a *SetError naming the file and line, with up to 50 row problems.
//
// Conversion decisions:
//   - The school is chosen by BRIN: orgs.identifier (SDS v1: School Number), else the
//     sourcedId / SIS ID. Users of other schools, roles other than student and teacher
//     (parents, aides, administrators …) and rows marked tobedeleted (SDS: Inactive) go to
//     Set.Skipped with the reason; classes and enrolments of other schools are ignored.
//     enabledUser=false is imported like any user: archiving is the import's own action.
//     Skipped lists people (users, SDS students and teachers), not their enrolments.
//   - Keys: a pupil's number is users.identifier (SDS v1: Student Number), a teacher's code is
//     users.identifier (SDS v1: Teacher Number), else the sourcedId / SIS ID. SDS v2.1 users
//     have no number: their key is the sourcedId. E-mail is users.email; SDS v1 has no school
//     address for a person (Secondary Email is a private one), so its E-mailadres stays empty.
//     Username → Gebruikersnaam.
//   - Names: givenName → Roepnaam, familyName → Achternaam. Only when the extension column
//     metadata.numo.infix is present (Numo's own export writes it) is the tussenvoegsel taken
//     from it and removed from the front of familyName; infixes are never guessed.
//   - Groups: a homeroom class is a stamklas (Klas), a scheduled class a lesgroep. A group is
//     named by classCode when present (what Dutch schools use, such as "4H-wiB1"), else by its
//     title. A pupil with two homerooms is a row problem. A teacher enrolled as primary in a
//     homeroom is its mentor ("Mentor van"); every other teacher enrolment is a group taught.
//     Subjects come from classes.subjects (SDS v1: Course Subject, else Course Name), else
//     the course's title.
//   - SDS has no homerooms (neither v1 Section.csv nor v2.1 classes.csv has a class type).
//     A set with Numo's column metadata.numo.classType is read by it alone. Without it Numo
//     infers the stamklassen from the section names by RuleSectionNames: a section without
//     course or subject whose name has the form of a Dutch class (1A, H4a, 4hv2) and is the
//     class part of another section of its pupils (h4a.ne1, 1A-en). A pupil with exactly one
//     such section has it as Klas; a pupil with none or several keeps an empty Klas, which the
//     import refuses with its usual row problem, and Set.Warnings names the file and line.
//     Set.InferRule and Set.Inferred say that (and which) stamklassen were inferred.
//     Sets made by the TeamSync Magister→SDS script hold only class-and-subject sections
//     ("1A ak"), so the rule finds none; Set.ClassParts then offers the class parts and bare
//     class-form section names, and OpenWith's Options.Stamklassen names the stamklassen
//     explicitly (RuleChosen): a chosen section name makes that section a stamklas, a chosen
//     class part gives its pupils that Klas while their sections stay lesgroepen.
//   - Level and year: metadata.numo.level and metadata.numo.year when present; else the set's
//     grades (CEDS codes such as "09") are put in Niveau as written, so that the wizard's
//     unknown-value step asks the admin what they mean.
//   - ECK iD: the userIds entry of type ECK (or ECKiD), written {ECK:…}.
package rosterset

// Input is one uploaded file: a .zip holding a set, or one .csv of a set.
type Input struct {
	Name string
	Data []byte
}

// Format names a roster set format.
type Format string

// The formats Open recognises.
const (
	FormatSDS1        Format = "SDS1"
	FormatSDS21       Format = "SDS2.1"
	FormatOneRoster11 Format = "ONEROSTER1.1"
	FormatOneRoster12 Format = "ONEROSTER1.2"
)

// School is one school (org) of a set; Identifier is the BRIN when given.
type School struct{ ID, Name, Identifier string }

// Origin says where a canonical row came from: a file of the set and its
// 1-based physical line.
type Origin struct {
	File string
	Line int
}

// Skipped is a row of the set that is not imported, with the reason.
type Skipped struct {
	File             string
	Line             int
	Reason, ReasonEn string
}

// Set is a read and checked roster set, converted for one school.
type Set struct {
	Format   Format
	Version  string
	Schools  []School
	School   School
	Pupils   []byte
	Teachers []byte
	// PupilOrigins[i] and TeacherOrigins[i] are the origins of data row i
	// (0-based, after the header) of Pupils and Teachers.
	PupilOrigins, TeacherOrigins []Origin
	Skipped                      []Skipped
	Subjects                     map[string]string
	// ClassParts are the candidate stamklassen of an SDS set without
	// metadata.numo.classType (see ClassPart), for the admin to choose from; nil otherwise.
	ClassParts []ClassPart
	// InferRule is RuleChosen when Options.Stamklassen named them, RuleSectionNames when the stamklassen of an SDS set were inferred from
	// its section names (the set has no metadata.numo.classType column), else "".
	InferRule string
	// Inferred lists the chosen stamklassen (RuleChosen; File is empty for a class part)
	// or the sections taken for stamklassen by InferRule (empty, not nil, when
	// the rule ran and found none).
	Inferred []InferredClass
	// Warnings are row problems that do not stop the set: a pupil whose stamklas could not
	// be inferred (the import then refuses the row for its empty Klas). At most 50 are kept;
	// WarningsTotal counts them all.
	Warnings      []Problem
	WarningsTotal int
}

// Problem is one row problem of a set.
type Problem struct {
	File               string
	Line               int
	Column             string
	Message, MessageEn string
}

// SetError says why a set as a whole cannot be read.
type SetError struct {
	Code               string
	File               string
	Line               int
	Message, MessageEn string
	Problems           []Problem
}

func (e *SetError) Error() string { return e.Code + ": " + e.MessageEn }

// Open recognises the format by file names and headers, checks the set as a whole and converts
// the chosen school's rows. brin selects the school (matched on identifier/BRIN,
// case-insensitive); when the set holds exactly one school brin may be "". Errors are *SetError.
func Open(inputs []Input, brin string) (*Set, error) {
	return OpenWith(inputs, brin, Options{})
}

// Options are the admin's answers for reading a set.
type Options struct {
	// Stamklassen names the stamklassen of an SDS set without metadata.numo.classType
	// explicitly (RuleChosen), instead of inferring them by RuleSectionNames: section names
	// or class parts of section names, compared case-insensitively. Ignored for other sets.
	Stamklassen []string
}

// OpenWith is Open with the admin's options.
func OpenWith(inputs []Input, brin string, opts Options) (*Set, error) {
	files, err := unpack(inputs)
	if err != nil {
		return nil, err
	}
	m, err := read(files)
	if err != nil {
		return nil, err
	}
	if err := checkRefs(m); err != nil {
		return nil, err
	}
	s := &Set{Format: m.format, Version: m.version, Schools: m.schools(), Subjects: map[string]string{}}
	if s.School, err = chooseSchool(s.Schools, brin); err != nil {
		return nil, err
	}
	if err := convert(m, s, opts); err != nil {
		return nil, err
	}
	return s, nil
}

// read recognises the format, checks the files are there and reads them into a model.
func read(files map[string]*file) (*model, error) {
	format, err := detect(files)
	if err != nil {
		return nil, err
	}
	m := &model{format: format}
	switch format {
	case FormatSDS1:
		m.version = "1"
	case FormatSDS21:
		m.version = "2.1"
	default:
		if m.format, m.version, m.fromNumo, err = readManifest(files); err != nil {
			return nil, err
		}
	}
	if err := requireFiles(m.format, files); err != nil {
		return nil, err
	}
	m.fileOf = map[string]string{"user": "users.csv", "class": "classes.csv", "org": "orgs.csv", "course": "courses.csv"}
	if m.format == FormatSDS1 {
		m.fileOf = map[string]string{"student": "Student.csv", "teacher": "Teacher.csv", "class": "Section.csv", "org": "School.csv"}
	}
	switch m.format {
	case FormatSDS1:
		err = readSDS1(files, m)
	case FormatSDS21:
		err = readSDS21(files, m)
	default:
		err = readOneRoster(files, m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}
