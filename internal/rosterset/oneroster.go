package rosterset

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// readManifest reads manifest.csv: the OneRoster version, and refuses delta files and files the
// manifest declares but the upload lacks.
//
// fromNumo reports a set that Numo's own export wrote (source.systemName): its lesgroepen
// carry their subject in classes.subjects, and a course title is no subject there (a lesgroep
// without a subject is in the course "Lesgroepen zonder vak").
func readManifest(files map[string]*file) (format Format, version string, fromNumo bool, err error) {
	t, err := readTable(files["manifest.csv"], "propertyName", "value")
	if err != nil {
		return "", "", false, err
	}
	var delta, missing []string
	for i := range t.rows {
		prop, val := t.get(i, "propertyName"), strings.ToLower(t.get(i, "value"))
		switch {
		case strings.EqualFold(prop, "oneroster.version"):
			version = t.get(i, "value")
		case strings.EqualFold(prop, "source.systemName"):
			fromNumo = t.get(i, "value") == numoSystemName
		case strings.HasPrefix(strings.ToLower(prop), "file."):
			name := prop[len("file."):] + ".csv"
			if val == "delta" {
				delta = append(delta, name)
			}
			if _, ok := files[strings.ToLower(name)]; val == "bulk" && !ok {
				missing = append(missing, name)
			}
		}
	}
	switch version {
	case "1.1":
		format = FormatOneRoster11
	case "1.2":
		format = FormatOneRoster12
	default:
		return "", "", false, fileError(CodeUnknownFormat, t.name, 0,
			fmt.Sprintf("manifest.csv noemt OneRoster-versie %q; Numo leest de versies 1.1 en 1.2 (oneroster.version).", version),
			fmt.Sprintf("manifest.csv names OneRoster version %q; Numo reads versions 1.1 and 1.2 (oneroster.version).", version))
	}
	if len(delta) > 0 {
		return "", "", false, fileError(CodeDelta, t.name, 0,
			fmt.Sprintf("Numo leest alleen volledige (bulk) sets; manifest.csv noemt %s als delta (alleen wijzigingen). Exporteer een volledige set.", strings.Join(delta, ", ")),
			fmt.Sprintf("Numo reads only complete (bulk) sets; manifest.csv declares %s as delta (changes only). Export a complete set.", strings.Join(delta, ", ")))
	}
	if len(missing) > 0 {
		return "", "", false, missingFiles(format, missing)
	}
	return format, version, fromNumo, nil
}

// numoSystemName is source.systemName in the manifest of Numo's own export (package oneroster).
const numoSystemName = "Numo accounts"

// readOneRoster reads a OneRoster 1.1 or 1.2 bulk set into m.
func readOneRoster(files map[string]*file, m *model) error {
	parts := []part{{"orgs.csv", readORorgs}, {"users.csv", readORusers}}
	if m.format == FormatOneRoster12 {
		parts = append(parts, part{"roles.csv", readORroles})
	}
	return readParts(files, m, append(parts, part{"courses.csv?", readCourses},
		part{"classes.csv", readORclasses}, part{"enrollments.csv", readORenrolments})...)
}

// part is one file of a set and its reader; a name ending in ? is an optional file, skipped
// when the set lacks it.
type part struct {
	name string
	read func(*file, *model) error
}

// readParts reads the parts of a set into m in order, each file referring only to those read
// before it; it stops at the first error.
func readParts(files map[string]*file, m *model, parts ...part) error {
	for _, p := range parts {
		name, optional := strings.CutSuffix(p.name, "?")
		f, ok := files[name]
		if optional && !ok {
			continue
		}
		if err := p.read(f, m); err != nil {
			return err
		}
	}
	return nil
}

// readRows reads all of f, whose required columns are required (the first is its id column),
// and calls row for each row with a non-empty id not seen before; empty and repeated ids are
// an error (CodeDuplicateID) when all rows were read.
func readRows(f *file, row func(t *table, i int), required ...string) error {
	t, err := readTable(f, required...)
	if err != nil {
		return err
	}
	return t.eachID(required[0], row)
}

// eachID calls row for each row of t with a non-empty id in idCol not seen before; empty and
// repeated ids are an error (CodeDuplicateID) when all rows were seen.
func (t *table) eachID(idCol string, row func(t *table, i int)) error {
	ids := newIDs(t, idCol)
	for i := range t.rows {
		if ids.add(i) {
			row(t, i)
		}
	}
	return ids.err()
}

// tobedeleted reports a row a bulk file marks for deletion; it is read as absent.
func tobedeleted(t *table, i int) bool { return strings.EqualFold(t.get(i, "status"), "tobedeleted") }

func readORorgs(f *file, m *model) error {
	return readRows(f, func(t *table, i int) {
		if !tobedeleted(t, i) {
			m.orgs = append(m.orgs, org{where: t.at(i), id: t.get(i, "sourcedId"), name: t.get(i, "name"),
				identifier: t.get(i, "identifier"), kind: strings.ToLower(t.get(i, "type"))})
		}
	}, "sourcedId", "name", "type")
}

func readORusers(f *file, m *model) error {
	req := []string{"sourcedId", "givenName", "familyName"}
	if m.format == FormatOneRoster11 {
		req = append(req, "role", "orgSourcedIds")
	}
	return readRows(f, func(t *table, i int) {
		u := user{where: t.at(i), id: t.get(i, "sourcedId"), key: t.get(i, "identifier"),
			given: t.get(i, "givenName"), family: t.get(i, "familyName"), email: t.get(i, "email"),
			login: t.get(i, "username"), eck: eckFromUserIDs(t.get(i, "userIds")), gone: tobedeleted(t, i), refKind: "user"}
		u.refID = u.id
		// Without an identifier the sourcedId is the key, except in Numo's own export: there a
		// teacher without a code (made by hand in Beheer) stays without one, and the import
		// finds that teacher by e-mail (importer.CodeNoTeacherCode when it cannot).
		if u.key == "" && !m.fromNumo {
			u.key = u.id
		}
		numoColumns(t, i, &u, t.get(i, "grades"))
		if m.format == FormatOneRoster11 {
			for j, o := range list(t.get(i, "orgSourcedIds")) {
				u.roles = append(u.roles, userRole{role: strings.ToLower(t.get(i, "role")), org: o, primary: j == 0})
				m.refer(u.where, t.colName("orgSourcedIds"), "org", o)
			}
		}
		m.users = append(m.users, u)
	}, req...)
}

// numoColumns reads the extension columns Numo's own export writes (metadata.numo.infix,
// .level, .year) into u; without them the level is the set's grades as written, for the
// wizard to ask about.
func numoColumns(t *table, i int, u *user, grades string) {
	if t.has("metadata.numo.infix") {
		u.infix = t.get(i, "metadata.numo.infix")
		u.family = stripInfix(u.family, u.infix)
	}
	u.level, u.year = grades, ""
	if t.has("metadata.numo.level") {
		u.level, u.numoLevel = t.get(i, "metadata.numo.level"), true
	}
	if t.has("metadata.numo.year") {
		u.year = t.get(i, "metadata.numo.year")
	}
}

// stripInfix removes the infix from the front of a familyName: "van der Meer" → "Meer". The
// infix must be followed by a space, or end in an apostrophe ("d'Ancona" → "Ancona").
func stripInfix(family, infix string) string {
	n := len(infix)
	if infix == "" || len(family) <= n || !strings.EqualFold(family[:n], infix) {
		return family
	}
	if family[n] != ' ' && !strings.HasSuffix(infix, "'") {
		return family
	}
	return strings.TrimSpace(family[n:])
}

// eckFromUserIDs finds the ECK iD in a OneRoster userIds value: a list of {type:identifier}
// pairs ("{ECK:https://ketenid.nl/…},{LDAP:…}"); the type is matched as ECK or ECKiD.
func eckFromUserIDs(v string) string {
	for _, part := range strings.Split(v, "}") {
		part = strings.TrimLeft(strings.TrimSpace(part), ",{ ")
		typ, id, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(typ), " ", "")) {
		case "eck", "eckid":
			return strings.TrimSpace(id)
		}
	}
	return ""
}

func readORroles(f *file, m *model) error {
	byID := m.userIndex()
	return readRows(f, func(t *table, i int) {
		if tobedeleted(t, i) {
			return
		}
		j, ok := m.referRole(t, i, byID)
		if ok {
			r := userRole{role: strings.ToLower(t.get(i, "role")), org: t.get(i, "orgSourcedId"), primary: strings.EqualFold(t.get(i, "roleType"), "primary")}
			m.users[j].roles = append(m.users[j].roles, r)
		}
	}, "sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId")
}

// userIndex maps each user's id to its index in m.users.
func (m *model) userIndex() map[string]int {
	byID := make(map[string]int, len(m.users))
	for j, u := range m.users {
		byID[u.id] = j
	}
	return byID
}

// referRole checks the user and org that row i of a roles file refers to, and returns the
// index of the user in m.users (false when there is no such user).
func (m *model) referRole(t *table, i int, byID map[string]int) (int, bool) {
	w, uid := t.at(i), t.get(i, "userSourcedId")
	m.refer(w, t.colName("userSourcedId"), "user", uid)
	m.refer(w, t.colName("orgSourcedId"), "org", t.get(i, "orgSourcedId"))
	j, ok := byID[uid]
	return j, ok
}

// readCourses reads the optional courses.csv of a OneRoster or SDS v2.1 set.
func readCourses(f *file, m *model) error {
	m.courses, m.hasCours = map[string]string{}, true
	return readRows(f, func(t *table, i int) {
		m.courses[t.get(i, "sourcedId")] = t.get(i, "title")
	}, "sourcedId", "title")
}

func readORclasses(f *file, m *model) error {
	return readRows(f, func(t *table, i int) {
		c := class{gone: tobedeleted(t, i), where: t.at(i), id: t.get(i, "sourcedId"), name: t.get(i, "classCode"), org: t.get(i, "schoolSourcedId"),
			course: t.get(i, "courseSourcedId"), homeroom: strings.EqualFold(t.get(i, "classType"), "homeroom")}
		if s := list(t.get(i, "subjects")); len(s) > 0 {
			c.subject = s[0]
		}
		m.addClass(t, i, c, "schoolSourcedId")
	}, "sourcedId", "title", "classType", "schoolSourcedId")
}

// addClass checks the org (in orgCol) and the course that class c of row i refers to, and adds
// it; a class without a code is named by its title.
func (m *model) addClass(t *table, i int, c class, orgCol string) {
	if c.name == "" {
		c.name = t.get(i, "title")
	}
	m.refer(c.where, t.colName(orgCol), "org", c.org)
	if m.hasCours {
		m.refer(c.where, t.colName("courseSourcedId"), "course", c.course)
	}
	m.classes = append(m.classes, c)
}

// readORenrolments streams enrollments.csv, the largest file of a set.
func readORenrolments(f *file, m *model) error {
	t, err := openTable(f, "sourcedId", "classSourcedId", "userSourcedId", "role")
	if err != nil {
		return err
	}
	ids := newIDs(t, "sourcedId")
	classCol, userCol := t.colName("classSourcedId"), t.colName("userSourcedId")
	m.enrols = make([]enrolment, 0, t.estimate)
	for {
		rec, line, err := t.next()
		if errors.Is(err, io.EOF) {
			return ids.err()
		}
		if err != nil {
			return err
		}
		if !ids.addID(t.val(rec, "sourcedId"), line) || strings.EqualFold(t.val(rec, "status"), "tobedeleted") {
			continue
		}
		e := enrolment{where: where{t.name, line}, class: t.val(rec, "classSourcedId"), user: t.val(rec, "userSourcedId"),
			role: strings.ToLower(t.val(rec, "role")), primary: strings.EqualFold(t.val(rec, "primary"), "true")}
		m.refer(e.where, classCol, "class", e.class)
		m.refer(e.where, userCol, "user", e.user)
		m.enrols = append(m.enrols, e)
	}
}
