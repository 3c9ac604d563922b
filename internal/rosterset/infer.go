package rosterset

import (
	"fmt"
	"regexp"
	"strings"
)

// School Data Sync (v1 Section.csv: SIS ID, School SIS ID, Section Name and the optional Term
// and Course columns; v2.1 classes.csv: sourcedId, orgSourcedId, title, sessionSourcedIds,
// courseSourcedId, code) has no column that tells a stamklas (homeroom) from a lesgroep. When a
// set does not carry Numo's extension column metadata.numo.classType, Numo infers the
// stamklassen from the section names by RuleSectionNames, the way the Magister and Somtoday
// community scripts name them (stamklas "H4a" with lesgroepen "h4a.ne1"; "1A" with "1A-en").

// RuleSectionNames names the inference rule in Set.InferRule:
//
//  1. A section is a stamklas section when it has no course and no subject (SDS v1: Course
//     Subject and Course Name empty; SDS v2.1: no course with a title), its name has the
//     form of a Dutch class (classForm: an optional year digit, up to four letters, a digit,
//     an optional letter, with at least one digit and one letter: 1A, H4a, 4hv2, V5b), and
//     it is the class part of another section of one of its pupils: the part of that
//     section's name before its first '.', '-', '_' or space, compared case-insensitively
//     (h4a.ne1 and H4a-wiB1 → H4a; 1A-en → 1A).
//  2. A pupil in exactly one stamklas section has it as Klas. A pupil in none or in several
//     keeps an empty Klas (which the import refuses, as for any file without a class) and
//     the set carries a warning naming the file and line.
//  3. Stamklas sections are not lesgroepen; their teachers teach them ("Lesgroepen en
//     klassen"); no teacher is made mentor, as SDS does not say who is.
const RuleSectionNames = "sds-section-names"

var classForm = regexp.MustCompile(`^[0-9]?[A-Za-z]{0,4}[0-9]?[A-Za-z]?$`)

// isClassName reports whether name has the form of a Dutch class (1A, H4a, 4hv2).
func isClassName(name string) bool {
	return classForm.MatchString(name) && strings.ContainsAny(name, "0123456789") &&
		strings.IndexFunc(name, func(r rune) bool { return r < '0' || r > '9' }) >= 0
}

// classPart is the part of a section name before its first separator ("h4a.ne1" → "h4a"),
// or "" when the name has no separator or nothing after it.
func classPart(name string) string {
	i := strings.IndexAny(name, ".-_ ")
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return name[:i]
}

// InferredClass is a section Numo took for a stamklas by RuleSectionNames: its name, its row
// in Section.csv or classes.csv, and how many pupils got it as their Klas.
type InferredClass struct {
	Name   string
	File   string
	Line   int
	Pupils int
}

// candidate is an inferred stamklas section of a pupil, with the enrolment that places them.
type candidate struct {
	c  *class
	at where
}

// inferHomerooms marks the stamklas sections of an SDS set without metadata.numo.classType
// (rule 1 of RuleSectionNames) and returns them in the order of the set.
func inferHomerooms(m *model, classes map[string]*class, people map[string]*person) []*class {
	sections := map[string][]*class{} // pupil id -> their sections of the school
	for _, e := range m.enrols {
		c, pe := classes[e.class], people[e.user]
		if c != nil && pe != nil && pe.pupil && e.role == rolePupil {
			sections[e.user] = append(sections[e.user], c)
		}
	}
	homeroom := map[*class]bool{}
	for _, cs := range sections {
		parts := map[string]bool{}
		for _, c := range cs {
			if p := classPart(c.name); p != "" {
				parts[strings.ToLower(p)] = true
			}
		}
		for _, c := range cs {
			if parts[strings.ToLower(c.name)] && isClassName(c.name) && subjectOf(m, c) == "" {
				homeroom[c] = true
			}
		}
	}
	var out []*class
	for i := range m.classes {
		if c := &m.classes[i]; homeroom[c] {
			c.homeroom, c.inferred = true, true
			out = append(out, c)
		}
	}
	return out
}

// resolveInferred gives each pupil their one inferred stamklas (rule 2 of RuleSectionNames),
// or leaves the Klas empty with a warning, and reports the inferred classes in s.
func resolveInferred(m *model, s *Set, order []*person, inferred []*class) {
	count := map[*class]int{}
	var w problems
	secFile := m.fileOf["class"]
	for _, pe := range order {
		if !pe.pupil {
			continue
		}
		u := pe.u
		switch len(pe.candidates) {
		case 1:
			pe.homerooms = []string{pe.candidates[0].c.name}
			count[pe.candidates[0].c]++
		case 0:
			w.add(u.file, u.line, "", fmt.Sprintf("leerling %s: geen stamklas te bepalen: geen van de secties heeft de vorm van een klas die ook het begin is van een lesgroep van deze leerling — voeg %s=homeroom toe aan %s of importeer de stamklassen met een leerlingbestand", u.key, numoClassType, secFile),
				fmt.Sprintf("pupil %s: no stamklas could be determined: none of the sections has the form of a class that also begins the name of one of this pupil's lesson groups — add %s=homeroom to %s or import the stamklassen with a pupil file", u.key, numoClassType, secFile))
		default:
			names := make([]string, len(pe.candidates))
			for i, c := range pe.candidates {
				names[i] = c.c.name
			}
			at := pe.candidates[1].at
			w.add(at.file, at.line, "", fmt.Sprintf("leerling %s (%s regel %d): geen stamklas te bepalen: kandidaten %s — voeg %s=homeroom toe aan %s of importeer de stamklassen met een leerlingbestand", u.key, u.file, u.line, strings.Join(names, ", "), numoClassType, secFile),
				fmt.Sprintf("pupil %s (%s line %d): no stamklas could be determined: candidates %s — add %s=homeroom to %s or import the stamklassen with a pupil file", u.key, u.file, u.line, strings.Join(names, ", "), numoClassType, secFile))
		}
	}
	s.InferRule = RuleSectionNames
	s.Inferred = []InferredClass{}
	for _, c := range inferred {
		s.Inferred = append(s.Inferred, InferredClass{Name: c.name, File: c.file, Line: c.line, Pupils: count[c]})
	}
	s.Warnings, s.WarningsTotal = w.list, w.total
}
