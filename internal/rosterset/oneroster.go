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
	if err := readORorgs(files["orgs.csv"], m); err != nil {
		return err
	}
	if err := readORusers(files["users.csv"], m); err != nil {
		return err
	}
	if m.format == FormatOneRoster12 {
		if err := readORroles(files["roles.csv"], m); err != nil {
			return err
		}
	}
	if f, ok := files["courses.csv"]; ok {
		if err := readCourses(f, m, "sourcedId", "title"); err != nil {
			return err
		}
	}
	if err := readORclasses(files["classes.csv"], m); err != nil {
		return err
	}
	return readORenrolments(files["enrollments.csv"], m)
}

// tobedeleted reports a row a bulk file marks for deletion; it is read as absent.
func tobedeleted(t *table, i int) bool { return strings.EqualFold(t.get(i, "status"), "tobedeleted") }

func readORorgs(f *file, m *model) error {
	t, err := readTable(f, "sourcedId", "name", "type")
	if err != nil {
		return err
	}
	ids := newIDs(t, "sourcedId")
	for i := range t.rows {
		if !ids.add(i) || tobedeleted(t, i) {
			continue
		}
		m.orgs = append(m.orgs, org{where: t.at(i), id: t.get(i, "sourcedId"), name: t.get(i, "name"),
			identifier: t.get(i, "identifier"), kind: strings.ToLower(t.get(i, "type"))})
	}
	return ids.err()
}

func readORusers(f *file, m *model) error {
	req := []string{"sourcedId", "givenName", "familyName"}
	if m.format == FormatOneRoster11 {
		req = append(req, "role", "orgSourcedIds")
	}
	t, err := readTable(f, req...)
	if err != nil {
		return err
	}
	ids := newIDs(t, "sourcedId")
	for i := range t.rows {
		if !ids.add(i) {
			continue
		}
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
	}
	return ids.err()
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
	t, err := readTable(f, "sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId")
	if err != nil {
		return err
	}
	byID := make(map[string]int, len(m.users))
	for j, u := range m.users {
		byID[u.id] = j
	}
	ids := newIDs(t, "sourcedId")
	for i := range t.rows {
		if !ids.add(i) || tobedeleted(t, i) {
			continue
		}
		w, uid, o := t.at(i), t.get(i, "userSourcedId"), t.get(i, "orgSourcedId")
		m.refer(w, t.colName("userSourcedId"), "user", uid)
		m.refer(w, t.colName("orgSourcedId"), "org", o)
		if j, ok := byID[uid]; ok {
			r := userRole{role: strings.ToLower(t.get(i, "role")), org: o, primary: strings.EqualFold(t.get(i, "roleType"), "primary")}
			m.users[j].roles = append(m.users[j].roles, r)
		}
	}
	return ids.err()
}

func readCourses(f *file, m *model, idCol, titleCol string) error {
	t, err := readTable(f, idCol, titleCol)
	if err != nil {
		return err
	}
	m.courses, m.hasCours = map[string]string{}, true
	ids := newIDs(t, idCol)
	for i := range t.rows {
		if ids.add(i) {
			m.courses[t.get(i, idCol)] = t.get(i, titleCol)
		}
	}
	return ids.err()
}

func readORclasses(f *file, m *model) error {
	t, err := readTable(f, "sourcedId", "title", "classType", "schoolSourcedId")
	if err != nil {
		return err
	}
	ids := newIDs(t, "sourcedId")
	for i := range t.rows {
		if !ids.add(i) {
			continue
		}
		c := class{gone: tobedeleted(t, i), where: t.at(i), id: t.get(i, "sourcedId"), name: t.get(i, "classCode"), org: t.get(i, "schoolSourcedId"),
			course: t.get(i, "courseSourcedId"), homeroom: strings.EqualFold(t.get(i, "classType"), "homeroom")}
		if c.name == "" {
			c.name = t.get(i, "title")
		}
		if s := list(t.get(i, "subjects")); len(s) > 0 {
			c.subject = s[0]
		}
		m.refer(c.where, t.colName("schoolSourcedId"), "org", c.org)
		if m.hasCours {
			m.refer(c.where, t.colName("courseSourcedId"), "course", c.course)
		}
		m.classes = append(m.classes, c)
	}
	return ids.err()
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
