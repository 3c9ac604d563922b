package rosterset

import (
	"fmt"
	"regexp"
	"slices"
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

// candidate is an inferred or chosen stamklas of a pupil: its name, the section when a
// section is the stamklas (nil for a chosen class part), and the enrolment that places them.
type candidate struct {
	name string
	c    *class
	at   where
}

// RuleChosen names the explicit choice of Options.Stamklassen in Set.InferRule: a chosen name
// equal to a section's name makes that section a stamklas (as metadata.numo.classType=homeroom
// would); a chosen name equal to the class part of a pupil's sections (1A of "1A ak",
// "1A_ne") gives the pupil that Klas while those sections stay lesgroepen. It replaces
// RuleSectionNames; pupils with none or several chosen stamklassen get a warning.
const RuleChosen = "chosen"

// ClassPart is a candidate stamklas of an SDS set: a class part of the pupils' section names
// or a bare section name, both of class form (isClassName), merged case-insensitively, with
// the number of pupils it would cover; Section says a section has exactly this name.
type ClassPart struct {
	Name    string
	Pupils  int
	Section bool
}

// classParts lists the candidate stamklassen over the pupils' sections, sorted by name.
func classParts(m *model, classes map[string]*class, people map[string]*person) []ClassPart {
	type acc struct {
		part   ClassPart
		pupils map[string]bool
	}
	byKey := map[string]*acc{}
	add := func(name, user string, section bool) {
		if !isClassName(name) {
			return
		}
		k := strings.ToLower(name)
		a := byKey[k]
		if a == nil {
			a = &acc{part: ClassPart{Name: name}, pupils: map[string]bool{}}
			byKey[k] = a
		}
		if section && !a.part.Section {
			a.part.Name, a.part.Section = name, true
		}
		a.pupils[user] = true
	}
	for _, e := range m.enrols {
		c, pe := classes[e.class], people[e.user]
		if c == nil || pe == nil || !pe.pupil || e.role != rolePupil {
			continue
		}
		add(c.name, e.user, true)
		if p := classPart(c.name); p != "" {
			add(p, e.user, false)
		}
	}
	out := []ClassPart{}
	for _, a := range byKey {
		a.part.Pupils = len(a.pupils)
		out = append(out, a.part)
	}
	slices.SortFunc(out, func(a, b ClassPart) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// chooseHomerooms marks the sections named in chosen (lower-cased name -> name as chosen)
// as stamklassen and returns them in the order of the set. Such a name is then spelled as the
// section is, so that the pupils placed by its class part get the same Klas.
func chooseHomerooms(m *model, classes map[string]*class, chosen map[string]string) []*class {
	var out []*class
	for i := range m.classes {
		c := &m.classes[i]
		if _, ok := chosen[strings.ToLower(c.name)]; ok && classes[c.id] == c {
			chosen[strings.ToLower(c.name)] = c.name
			c.homeroom, c.inferred = true, true
			out = append(out, c)
		}
	}
	return out
}

// addChosenPart makes the chosen class part of a pupil's lesgroep c a stamklas candidate.
func addChosenPart(pe *person, c *class, at where, chosen map[string]string) {
	p := classPart(c.name)
	name, ok := chosen[strings.ToLower(p)]
	if p == "" || !ok {
		return
	}
	if !slices.ContainsFunc(pe.candidates, func(k candidate) bool { return strings.EqualFold(k.name, name) }) {
		pe.candidates = append(pe.candidates, candidate{name: name, at: at})
	}
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

// resolveInferred gives each pupil their one inferred or chosen stamklas (rule 2 of
// RuleSectionNames), or leaves the Klas empty with a warning, and reports the stamklassen in
// s. chosen is nil under RuleSectionNames, else the names of Options.Stamklassen.
func resolveInferred(m *model, s *Set, order []*person, inferred []*class, chosen []string) {
	count := map[string]int{}
	var w problems
	var d doubts
	for _, pe := range order {
		if !pe.pupil {
			continue
		}
		switch len(pe.candidates) {
		case 1:
			pe.homerooms = []string{pe.candidates[0].name}
			count[strings.ToLower(pe.candidates[0].name)]++
		default:
			d.add(pe)
		}
	}
	d.warn(&w, chosen != nil)
	s.InferRule = RuleSectionNames
	s.Inferred = []InferredClass{}
	if chosen != nil {
		s.InferRule = RuleChosen
		for _, name := range chosen {
			in := InferredClass{Name: name, Pupils: count[strings.ToLower(name)]}
			if i := slices.IndexFunc(inferred, func(c *class) bool { return strings.EqualFold(c.name, name) }); i >= 0 {
				in.File, in.Line = inferred[i].file, inferred[i].line
			}
			s.Inferred = append(s.Inferred, in)
		}
	}
	for _, c := range inferred {
		if chosen == nil {
			s.Inferred = append(s.Inferred, InferredClass{Name: c.name, File: c.file, Line: c.line, Pupils: count[strings.ToLower(c.name)]})
		}
	}
	s.Warnings, s.WarningsTotal = w.list, w.total
}

// doubts groups the pupils whose stamklas could not be determined by their reason (no
// candidate, or the same candidates), so that the set's warnings say "3 leerlingen …" once
// instead of one line per pupil each repeating the same advice. The way out (choosing the
// stamklassen, the set's classType column, a pupil file) is the reader's to say once: the
// app's checklist, numo import's --stamklassen line.
type doubts struct {
	order  []string
	groups map[string]*doubt
}

// doubt is one reason and the pupils it holds for.
type doubt struct {
	at     where // where to look: the first pupil's row, or its second candidate's enrolment
	names  []string
	pupils []*person
}

func (d *doubts) add(pe *person) {
	key, at := "", pe.u.where
	names := make([]string, len(pe.candidates))
	for i, c := range pe.candidates {
		names[i] = c.name
	}
	if len(names) > 0 {
		key, at = strings.ToLower(strings.Join(names, "\x00")), pe.candidates[1].at
	}
	if d.groups == nil {
		d.groups = map[string]*doubt{}
	}
	g := d.groups[key]
	if g == nil {
		g = &doubt{at: at, names: names}
		d.groups[key] = g
		d.order = append(d.order, key)
	}
	g.pupils = append(g.pupils, pe)
}

// maxNamedPupils is how many pupils one grouped warning names.
const maxNamedPupils = 10

// warn adds one warning per group to w, counting every pupil (WarningsTotal is the pupils).
func (d *doubts) warn(w *problems, chosen bool) {
	for _, key := range d.order {
		g := d.groups[key]
		why, whyEn := "geen stamklas te bepalen: kandidaten "+strings.Join(g.names, ", "), "no stamklas could be determined: candidates "+strings.Join(g.names, ", ")
		switch {
		case len(g.names) == 0 && chosen:
			why, whyEn = "geen van de gekozen stamklassen past bij de secties", "none of the chosen stamklassen matches the sections"
		case len(g.names) == 0:
			why, whyEn = "geen stamklas te bepalen: geen sectie heeft de vorm van een klas waarmee ook een lesgroep van de leerling begint",
				"no stamklas could be determined: no section has the form of a class that also begins the name of one of the pupil's lesson groups"
		}
		who, whoEn := pupilList(g.pupils, g.at)
		nl, en := fmt.Sprintf("leerling %s: %s", who, why), fmt.Sprintf("pupil %s: %s", whoEn, whyEn)
		if n := len(g.pupils); n > 1 {
			nl, en = fmt.Sprintf("%d leerlingen: %s — %s", n, why, who), fmt.Sprintf("%d pupils: %s — %s", n, whyEn, whoEn)
		}
		w.total += len(g.pupils) - 1
		w.add(g.at.file, g.at.line, "", nl, en)
	}
}

// pupilList names up to maxNamedPupils pupils with their rows: "210101 (Student.csv regel 2),
// 210102 (regel 3), … en nog 4"; a lone pupil whose row is the warning's own place, by key alone.
func pupilList(ps []*person, at where) (nl, en string) {
	if len(ps) == 1 && ps[0].u.where == at {
		return ps[0].u.key, ps[0].u.key
	}
	var b, bEn strings.Builder
	file := ""
	for i, pe := range ps {
		if i == maxNamedPupils {
			fmt.Fprintf(&b, ", … en nog %d", len(ps)-i)
			fmt.Fprintf(&bEn, ", … and %d more", len(ps)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
			bEn.WriteString(", ")
		}
		if pe.u.file != file {
			file = pe.u.file
			fmt.Fprintf(&b, "%s (%s regel %d)", pe.u.key, file, pe.u.line)
			fmt.Fprintf(&bEn, "%s (%s line %d)", pe.u.key, file, pe.u.line)
			continue
		}
		fmt.Fprintf(&b, "%s (regel %d)", pe.u.key, pe.u.line)
		fmt.Fprintf(&bEn, "%s (line %d)", pe.u.key, pe.u.line)
	}
	return b.String(), bEn.String()
}
