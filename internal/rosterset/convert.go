package rosterset

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
)

// The canonical headers: exactly the column names internal/importer proposes with full
// confidence for pupils and teachers.
var (
	pupilHeader   = []string{"Leerlingnummer", "Roepnaam", "Tussenvoegsel", "Achternaam", "Klas", "Niveau", "Leerjaar", "E-mailadres", "Gebruikersnaam", "ECK iD", "Lesgroepen"}
	teacherHeader = []string{"Docentcode", "Roepnaam", "Tussenvoegsel", "Achternaam", "E-mailadres", "Gebruikersnaam", "ECK iD", "Lesgroepen en klassen", "Mentor van"}
)

// schools lists the orgs of the set that are schools.
func (m *model) schools() []School {
	var out []School
	for _, o := range m.orgs {
		if o.kind == "school" {
			out = append(out, School{ID: o.id, Name: o.name, Identifier: o.identifier})
		}
	}
	return out
}

// chooseSchool picks the school brin names (its identifier, else its sourcedId / SIS ID,
// case-insensitively), or the only school when brin is "".
func chooseSchool(schools []School, brin string) (School, error) {
	brin = strings.TrimSpace(brin)
	switch {
	case len(schools) == 0:
		return School{}, &SetError{Code: CodeNoSchool,
			Message:   "De set bevat geen school (geen organisatie van het type school). Exporteer de set van de school zelf.",
			MessageEn: "The set holds no school (no organisation of type school). Export the set of the school itself."}
	case brin == "" && len(schools) == 1:
		return schools[0], nil
	case brin == "":
		return School{}, &SetError{Code: CodeChooseSchool,
			Message:   fmt.Sprintf("De set bevat %d scholen: %s. Kies de school (BRIN) waarvan Numo de leerlingen en docenten leest.", len(schools), schoolList(schools)),
			MessageEn: fmt.Sprintf("The set holds %d schools: %s. Choose the school (BRIN) whose pupils and teachers Numo reads.", len(schools), schoolList(schools))}
	}
	for _, s := range schools {
		if strings.EqualFold(s.Identifier, brin) {
			return s, nil
		}
	}
	for _, s := range schools {
		if strings.EqualFold(s.ID, brin) {
			return s, nil
		}
	}
	return School{}, &SetError{Code: CodeUnknownSchool,
		Message:   fmt.Sprintf("De set bevat geen school met BRIN %q; wel: %s.", brin, schoolList(schools)),
		MessageEn: fmt.Sprintf("The set holds no school with BRIN %q; it does hold: %s.", brin, schoolList(schools))}
}

// person is a user of the chosen school being converted.
type person struct {
	u               *user
	pupil           bool
	homerooms       []string
	groups, mentors []string
	homeroomAt      where       // the enrolment of the first stamklas
	candidates      []candidate // inferred stamklas sections (RuleSectionNames)
}

// convert turns the chosen school's pupils and teachers into the canonical files.
func convert(m *model, s *Set, opts Options) error {
	classes := map[string]*class{}
	for i := range m.classes {
		if c := &m.classes[i]; c.org == s.School.ID && !c.gone {
			classes[c.id] = c
		}
	}
	people, order := classify(m, s)
	infer := (m.format == FormatSDS1 || m.format == FormatSDS21) && !m.classTypeCol
	var inferred []*class
	var chosen map[string]string // lower-cased -> as chosen; nil under RuleSectionNames
	if infer {
		s.ClassParts = classParts(m, classes, people)
		if chosen = chosenNames(opts.Stamklassen); chosen != nil {
			inferred = chooseHomerooms(m, classes, chosen)
		} else {
			inferred = inferHomerooms(m, classes, people)
		}
	}
	var p problems
	for _, e := range m.enrols {
		c, pe := classes[e.class], people[e.user]
		if c == nil || pe == nil || (e.role == rolePupil) != pe.pupil || (e.role != rolePupil && e.role != roleTeacher) {
			continue
		}
		if strings.ContainsAny(c.name, ",;") {
			p.add(c.file, c.line, "", fmt.Sprintf("de groepsnaam %q bevat een komma of puntkomma", c.name),
				fmt.Sprintf("the group name %q contains a comma or semicolon", c.name))
			continue
		}
		addEnrolment(pe, c, e, &p)
		if chosen != nil && pe.pupil && !c.homeroom {
			addChosenPart(pe, c, e.where, chosen)
		}
		if !c.homeroom {
			if subject := subjectOf(m, c); subject != "" {
				s.Subjects[c.name] = subject
			}
		}
	}
	if err := p.err(CodeInvalidRows, "Numo kan deze rijen van de set niet overnemen:", "Numo cannot take over these rows of the set:"); err != nil {
		return err
	}
	if infer {
		resolveInferred(m, s, order, inferred, chosenList(opts.Stamklassen, chosen))
	}
	return write(s, order)
}

// classify decides for every user whether they are a pupil or teacher of the chosen school;
// the others go to s.Skipped with the reason.
func classify(m *model, s *Set) (map[string]*person, []*person) {
	people := map[string]*person{}
	var order []*person
	for i := range m.users {
		u := &m.users[i]
		role, other := roleIn(u, s.School.ID)
		var nl, en string
		switch {
		case role == "" && other != "":
			nl, en = fmt.Sprintf("hoort bij een andere school (%s)", other), fmt.Sprintf("belongs to another school (%s)", other)
		case role == "":
			nl, en = "heeft geen rol in de set", "has no role in the set"
		case u.gone:
			nl, en = "staat in de set als te verwijderen (tobedeleted of Inactive)", "is marked for deletion in the set (tobedeleted or Inactive)"
		case role != rolePupil && role != roleTeacher:
			nl, en = fmt.Sprintf("rol %q: Numo leest alleen leerlingen en docenten", role), fmt.Sprintf("role %q: Numo reads only pupils and teachers", role)
		default:
			pe := &person{u: u, pupil: role == rolePupil}
			people[u.id] = pe
			order = append(order, pe)
			continue
		}
		s.Skipped = append(s.Skipped, Skipped{File: u.file, Line: u.line, Reason: nl, ReasonEn: en})
	}
	return people, order
}

// roleIn returns u's role in the school (its primary role there first), or else the org of
// another role it has.
func roleIn(u *user, school string) (role, other string) {
	for _, primaryOnly := range []bool{true, false} {
		for _, r := range u.roles {
			if r.org == school && (r.primary || !primaryOnly) {
				return r.role, ""
			}
		}
	}
	if len(u.roles) > 0 {
		return "", u.roles[0].org
	}
	return "", ""
}

// addEnrolment places a pupil in their stamklas or a lesgroep, and a teacher as mentor (the
// primary teacher of a homeroom) or as teaching the group. An inferred stamklas section is
// only a candidate of the pupil's, settled by resolveInferred.
func addEnrolment(pe *person, c *class, e enrolment, p *problems) {
	switch {
	case pe.pupil && c.inferred:
		// A chosen class part of the same name (RuleChosen) is the same stamklas: the section.
		i := slices.IndexFunc(pe.candidates, func(k candidate) bool {
			return k.c == c || k.c == nil && strings.EqualFold(k.name, c.name)
		})
		if i < 0 {
			pe.candidates = append(pe.candidates, candidate{name: c.name, c: c, at: e.where})
		} else if pe.candidates[i].c == nil {
			pe.candidates[i] = candidate{name: c.name, c: c, at: e.where}
		}
	case pe.pupil && c.homeroom:
		if slices.Contains(pe.homerooms, c.name) {
			return
		}
		if len(pe.homerooms) > 0 {
			p.add(e.file, e.line, "", fmt.Sprintf("leerling %s staat al in stamklas %s (regel %d) en hier ook in %s; een leerling heeft één stamklas",
				pe.u.key, pe.homerooms[0], pe.homeroomAt.line, c.name),
				fmt.Sprintf("pupil %s is already in homeroom %s (line %d) and here also in %s; a pupil has one homeroom",
					pe.u.key, pe.homerooms[0], pe.homeroomAt.line, c.name))
		} else {
			pe.homeroomAt = e.where
		}
		pe.homerooms = append(pe.homerooms, c.name)
	case pe.pupil:
		pe.groups = appendNew(pe.groups, c.name)
	case c.homeroom && e.primary:
		pe.mentors = appendNew(pe.mentors, c.name)
	default:
		pe.groups = appendNew(pe.groups, c.name)
	}
}

func appendNew(ss []string, s string) []string {
	if slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// subjectOf is a lesgroep's subject: the class's own subject, else its course's title (not
// in Numo's own export, see readManifest).
func subjectOf(m *model, c *class) string {
	if c.subject != "" || m.fromNumo {
		return c.subject
	}
	return m.courses[c.course]
}

// write renders the canonical pupil and teacher CSVs (UTF-8, ';') and their origins.
func write(s *Set, order []*person) error {
	var pupils, teachers bytes.Buffer
	pw, tw := csv.NewWriter(&pupils), csv.NewWriter(&teachers)
	pw.Comma, tw.Comma = ';', ';'
	_ = pw.Write(pupilHeader)
	_ = tw.Write(teacherHeader)
	for _, pe := range order {
		u := pe.u
		if pe.pupil {
			_ = pw.Write([]string{u.key, u.given, u.infix, u.family, strings.Join(pe.homerooms, ", "), u.level, u.year,
				u.email, u.login, u.eck, strings.Join(pe.groups, ", ")})
			s.PupilOrigins = append(s.PupilOrigins, Origin{File: u.file, Line: u.line})
			continue
		}
		_ = tw.Write([]string{u.key, u.given, u.infix, u.family, u.email, u.login, u.eck,
			strings.Join(pe.groups, ", "), strings.Join(pe.mentors, ", ")})
		s.TeacherOrigins = append(s.TeacherOrigins, Origin{File: u.file, Line: u.line})
	}
	pw.Flush()
	tw.Flush()
	if err := pw.Error(); err != nil {
		return err
	}
	s.Pupils, s.Teachers = pupils.Bytes(), teachers.Bytes()
	return tw.Error()
}

// chosenNames indexes Options.Stamklassen by lower-cased name (trimmed, empty ones dropped),
// or returns nil when none is chosen.
func chosenNames(names []string) map[string]string {
	var out map[string]string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			if out == nil {
				out = map[string]string{}
			}
			if _, dup := out[strings.ToLower(n)]; !dup {
				out[strings.ToLower(n)] = n
			}
		}
	}
	return out
}

// chosenList is the chosen names in the order given, once each, or nil when none is chosen.
func chosenList(names []string, chosen map[string]string) []string {
	if chosen == nil {
		return nil
	}
	out := []string{}
	for _, n := range names {
		if c, ok := chosen[strings.ToLower(strings.TrimSpace(n))]; ok && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
