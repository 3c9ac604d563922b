package oneroster

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/class"
)

// classSet is every class of the school and the courses they belong to. A school has
// hundreds of classes, a board some thousands: few enough to hold, unlike its accounts.
type classSet struct {
	list    []classRow
	byID    map[int]*classRow
	courses []courseKey
}

// classRow is what the export needs of a class.
type classRow struct {
	id       int
	name     string
	year     int
	level    string
	subject  string
	homeroom bool
	course   courseKey
}

func loadClasses(ctx context.Context, c *ent.Client, schoolID int) (*classSet, error) {
	rows, err := c.Class.Query().Where(class.SchoolID(schoolID)).Order(class.ByID()).
		Select(class.FieldID, class.FieldName, class.FieldYear, class.FieldLevel, class.FieldKind, class.FieldSubject).All(ctx)
	if err != nil {
		return nil, err
	}
	set := &classSet{list: make([]classRow, 0, len(rows)), byID: make(map[int]*classRow, len(rows))}
	seen := map[courseKey]bool{}
	for _, r := range rows {
		cr := classRow{id: r.ID, name: r.Name, level: r.Level, subject: r.Subject, homeroom: r.Kind == class.KindSTAMKLAS}
		if r.Year != nil {
			cr.year = *r.Year
		}
		if cr.homeroom {
			cr.course = courseKey{homeroom: true, year: cr.year, level: cr.level}
		} else {
			cr.course = courseKey{subject: cr.subject}
		}
		if !seen[cr.course] {
			seen[cr.course] = true
			set.courses = append(set.courses, cr.course)
		}
		set.list = append(set.list, cr)
	}
	for i := range set.list {
		set.byID[set.list[i].id] = &set.list[i]
	}
	// Stamklas courses by year and level, then subjects: the same order in every export.
	slices.SortFunc(set.courses, func(a, b courseKey) int {
		if a.homeroom != b.homeroom {
			if a.homeroom {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.year, b.year), cmp.Compare(a.level, b.level), cmp.Compare(a.subject, b.subject))
	})
	return set, nil
}

func (e *exporter) writeCourses() error {
	for _, k := range e.classes.courses {
		grades := ""
		if k.homeroom {
			grades = Grade(k.year, k.level)
		}
		subjects := ""
		if !k.homeroom {
			subjects = k.subject
		}
		if err := e.row(FileCourses, k.id(e.school.ID), "", "", e.schoolYearID(), k.title(), k.code(), grades,
			orgID(e.school.ID), subjects, ""); err != nil {
			return err
		}
	}
	return nil
}

func (e *exporter) writeClasses() error {
	term := e.schoolYearID()
	for _, cl := range e.classes.list {
		classType := "scheduled"
		if cl.homeroom {
			classType = "homeroom"
		}
		if err := e.row(FileClasses, classID(cl.id), "", "", cl.name, Grade(cl.year, cl.level), cl.course.id(e.school.ID), cl.name,
			classType, "", orgID(e.school.ID), term, cl.subject, "", ""); err != nil {
			return err
		}
	}
	return nil
}

// itoa writes a year, "" for none.
func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
