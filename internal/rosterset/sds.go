package rosterset

import (
	"strings"
)

// SDS has no notion of a stamklas (homeroom): every section or class is a group of pupils with
// its teachers. When the set has the extension column metadata.numo.classType ("homeroom";
// otherwise "scheduled"), named after OneRoster's classType, Numo reads the stamklassen from it
// and from nothing else. Without the column Numo infers them from the section names by
// RuleSectionNames (infer.go) and says so in Set.InferRule and Set.Inferred.
const numoClassType = "metadata.numo.classType"

// readSDS1 reads a School Data Sync v1 set (School, Section, Student, Teacher,
// StudentEnrollment, TeacherRoster).
func readSDS1(files map[string]*file, m *model) error {
	err := readParts(files, m, part{"school.csv", readSDS1Schools}, part{"section.csv", readSDS1Sections},
		part{"student.csv", func(f *file, m *model) error { return readSDS1People(f, m, "student", "Student Number", rolePupil) }},
		part{"teacher.csv", func(f *file, m *model) error { return readSDS1People(f, m, "teacher", "Teacher Number", roleTeacher) }})
	if err != nil {
		return err
	}
	for _, p := range []struct{ file, kind, role string }{
		{"studentenrollment.csv", "student", rolePupil},
		{"teacherroster.csv", "teacher", roleTeacher},
	} {
		t, err := readTable(files[p.file], "Section SIS ID", "SIS ID")
		if err != nil {
			return err
		}
		for i := range t.rows {
			w, cid, uid := t.at(i), t.get(i, "Section SIS ID"), t.get(i, "SIS ID")
			m.refer(w, t.colName("Section SIS ID"), "class", cid)
			m.refer(w, t.colName("SIS ID"), p.kind, uid)
			m.enrols = append(m.enrols, enrolment{where: w, class: cid, user: p.kind + ":" + uid, role: p.role})
		}
	}
	return nil
}

func readSDS1Schools(f *file, m *model) error {
	return readRows(f, func(t *table, i int) {
		m.orgs = append(m.orgs, org{where: t.at(i), id: t.get(i, "SIS ID"), name: t.get(i, "Name"),
			identifier: t.get(i, "School Number"), kind: "school"})
	}, "SIS ID", "Name")
}

// readSDSClasses reads the sections (v1) or classes (v2.1) of an SDS set like readRows, and
// notes whether the file has the column metadata.numo.classType.
func readSDSClasses(f *file, m *model, row func(t *table, i int), required ...string) error {
	t, err := readTable(f, required...)
	if err != nil {
		return err
	}
	m.classTypeCol = t.has(numoClassType)
	return t.eachID(required[0], row)
}

func readSDS1Sections(f *file, m *model) error {
	return readSDSClasses(f, m, func(t *table, i int) {
		c := class{where: t.at(i), id: t.get(i, "SIS ID"), name: t.get(i, "Section Name"), org: t.get(i, "School SIS ID"),
			subject: t.get(i, "Course Subject"), homeroom: strings.EqualFold(t.get(i, numoClassType), "homeroom"),
			gone: strings.EqualFold(t.get(i, "Status"), "Inactive")}
		if c.subject == "" {
			c.subject = t.get(i, "Course Name")
		}
		m.refer(c.where, t.colName("School SIS ID"), "org", c.org)
		m.classes = append(m.classes, c)
	}, "SIS ID", "School SIS ID", "Section Name")
}

// readSDS1People reads Student.csv or Teacher.csv; the key is the Student or Teacher Number
// (the school's pupil number or teacher code), else the SIS ID.
func readSDS1People(f *file, m *model, kind, keyCol, role string) error {
	return readRows(f, func(t *table, i int) {
		sis := t.get(i, "SIS ID")
		u := user{where: t.at(i), id: kind + ":" + sis, refKind: kind, refID: sis, key: t.get(i, keyCol),
			given: t.get(i, "First Name"), family: t.get(i, "Last Name"), login: t.get(i, "Username"),
			gone:  strings.EqualFold(t.get(i, "Status"), "Inactive"),
			roles: []userRole{{role: role, org: t.get(i, "School SIS ID"), primary: true}}}
		if u.key == "" {
			u.key = sis
		}
		numoColumns(t, i, &u, t.get(i, "Grade"))
		m.refer(u.where, t.colName("School SIS ID"), "org", u.roles[0].org)
		m.users = append(m.users, u)
	}, "SIS ID", "School SIS ID", "First Name", "Last Name")
}

// readSDS21 reads a School Data Sync v2.1 set (orgs, users, roles, classes, enrollments and the
// optional courses). Its users have no pupil number or teacher code: the key is the sourcedId.
func readSDS21(files map[string]*file, m *model) error {
	return readParts(files, m, part{"orgs.csv", readORorgs}, part{"users.csv", readSDS21Users},
		part{"roles.csv", readSDS21Roles}, part{"courses.csv?", readCourses},
		part{"classes.csv", readSDS21Classes}, part{"enrollments.csv", readSDS21Enrolments})
}

func readSDS21Users(f *file, m *model) error {
	return readRows(f, func(t *table, i int) {
		u := user{where: t.at(i), id: t.get(i, "sourcedId"), given: t.get(i, "givenName"), family: t.get(i, "familyName"),
			email: t.get(i, "email"), login: t.get(i, "username"), refKind: "user"}
		u.key, u.refID = u.id, u.id
		numoColumns(t, i, &u, "")
		m.users = append(m.users, u)
	}, "sourcedId", "username", "givenName", "familyName")
}

// readSDS21Enrolments reads enrollments.csv, whose rows have no id of their own.
func readSDS21Enrolments(f *file, m *model) error {
	t, err := readTable(f, "classSourcedId", "userSourcedId", "role")
	if err != nil {
		return err
	}
	for i := range t.rows {
		e := enrolment{where: t.at(i), class: t.get(i, "classSourcedId"), user: t.get(i, "userSourcedId"), role: strings.ToLower(t.get(i, "role"))}
		m.refer(e.where, t.colName("classSourcedId"), "class", e.class)
		m.refer(e.where, t.colName("userSourcedId"), "user", e.user)
		m.enrols = append(m.enrols, e)
	}
	return nil
}

// readSDS21Roles reads roles.csv: each user's role per org, and a pupil's grade.
func readSDS21Roles(f *file, m *model) error {
	t, err := readTable(f, "userSourcedId", "orgSourcedId", "role")
	if err != nil {
		return err
	}
	byID := m.userIndex()
	for i := range t.rows {
		j, ok := m.referRole(t, i, byID)
		if !ok {
			continue
		}
		u := &m.users[j]
		u.roles = append(u.roles, userRole{role: strings.ToLower(t.get(i, "role")), org: t.get(i, "orgSourcedId"), primary: strings.EqualFold(t.get(i, "isPrimary"), "true")})
		if u.level == "" && !u.numoLevel {
			u.level = t.get(i, "grade")
		}
	}
	return nil
}

func readSDS21Classes(f *file, m *model) error {
	return readSDSClasses(f, m, func(t *table, i int) {
		m.addClass(t, i, class{where: t.at(i), id: t.get(i, "sourcedId"), name: t.get(i, "code"), org: t.get(i, "orgSourcedId"),
			course: t.get(i, "courseSourcedId"), homeroom: strings.EqualFold(t.get(i, numoClassType), "homeroom")}, "orgSourcedId")
	}, "sourcedId", "orgSourcedId", "title")
}
