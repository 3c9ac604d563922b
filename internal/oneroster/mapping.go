package oneroster

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// The sourcedIds of a set are derived from the database ids of what they name (and, for
// the school year and courses, from what defines them), so that every export of a school
// gives the same record the same sourcedId and an integrator can diff two exports.

func orgID(schoolID int) string       { return fmt.Sprintf("numo-school-%d", schoolID) }
func classID(id int) string           { return fmt.Sprintf("numo-class-%d", id) }
func userID(id int) string            { return fmt.Sprintf("numo-account-%d", id) }
func roleID(accountID int) string     { return fmt.Sprintf("numo-role-%d", accountID) }
func sessionID(schoolYear int) string { return fmt.Sprintf("numo-schoolyear-%d", schoolYear) }
func enrollmentID(classID, accountID int) string {
	return fmt.Sprintf("numo-enrollment-%d-%d", classID, accountID)
}

// slug makes text safe inside a sourcedId: lower case letters, digits and hyphens; when
// that changed anything, a short hash of the original keeps two spellings apart
// ("wiskunde B" and "wiskunde-b").
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	if out != s {
		h := fnv.New32a()
		h.Write([]byte(s))
		out = fmt.Sprintf("%s-%08x", out, h.Sum32())
	}
	return out
}

// courseKey identifies a course of the set: the subject of lesgroepen, or the year and
// level of stamklassen.
type courseKey struct {
	homeroom bool
	subject  string // lesgroepen: their subject ("" for lesgroepen without one)
	year     int    // stamklassen: their year (0 for none)
	level    string // stamklassen: their level
}

// id is the course's sourcedId.
func (k courseKey) id(schoolID int) string {
	switch {
	case k.homeroom:
		id := fmt.Sprintf("numo-course-%d-stamklas", schoolID)
		if k.year > 0 {
			id += "-" + strconv.Itoa(k.year)
		}
		if k.level != "" {
			id += "-" + slug(k.level)
		}
		return id
	case k.subject == "":
		return fmt.Sprintf("numo-course-%d-lesgroep", schoolID)
	}
	return fmt.Sprintf("numo-course-%d-vak-%s", schoolID, slug(k.subject))
}

// title is the course's title, in Dutch as the school's people read it.
func (k courseKey) title() string {
	return k.name("Stamklas", " leerjaar ", " ", "Lesgroepen zonder vak")
}

// code is the course's courseCode.
func (k courseKey) code() string { return k.name("stamklas", "-", "-", "lesgroep") }

// name names the course: a homeroom course by the word homeroom followed by its year and its
// level where known (each after its separator), a course of lesgroepen by its subject, or by
// noSubject when the lesgroepen have none.
func (k courseKey) name(homeroom, beforeYear, beforeLevel, noSubject string) string {
	switch {
	case k.homeroom:
		n := homeroom
		if k.year > 0 {
			n += beforeYear + strconv.Itoa(k.year)
		}
		if k.level != "" {
			n += beforeLevel + k.level
		}
		return n
	case k.subject == "":
		return noSubject
	}
	return k.subject
}

// Grade is the CEDS grade level (the binding's grades vocabulary) of a Numo year and level:
// in primary school (level po) groep 1 is PK, groep 2 KG and groep 3 to 8 are grades 01 to
// 06; in secondary school leerjaar 1 to 6 are grades 07 to 12 (a Dutch pupil starts
// secondary school at about twelve, as a US pupil starts grade 7). No year, or a year
// outside those ranges, gives no grade. The exact year and level travel in the metadata
// columns.
func Grade(year int, level string) string {
	if level == "po" {
		switch {
		case year == 1:
			return "PK"
		case year == 2:
			return "KG"
		case year >= 3 && year <= 8:
			return fmt.Sprintf("%02d", year-2)
		}
		return ""
	}
	if year >= 1 && year <= 6 {
		return fmt.Sprintf("%02d", year+6)
	}
	return ""
}

// SchoolYear is the Dutch school year that holds the day: 1 August to 31 July. end is the
// calendar year it ends in, the binding's schoolYear ("2027" for 2026-2027).
func SchoolYear(day time.Time) (start, end time.Time, endYear int) {
	y := day.Year()
	if day.Month() < time.August {
		y--
	}
	return time.Date(y, time.August, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, time.July, 31, 0, 0, 0, 0, time.UTC), y + 1
}

// DateFormat is the binding's date format (startDate, endDate, beginDate).
const DateFormat = "2006-01-02"

// familyName is the name a consumer shows as the family name: the infix and the last name
// with one space between, as a Dutch reader writes most names ("van der Berg"). A reader
// gets the last name back by cutting metadata.numo.infix and the space from the front (the
// contract with internal/rosterset, which reads this export back).
func familyName(infix, last string) string {
	if infix == "" {
		return last
	}
	return infix + " " + last
}

// clean keeps a value on one line: the binding allows no line breaks inside a field.
func clean(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}
