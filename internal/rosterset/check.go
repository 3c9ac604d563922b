package rosterset

import "fmt"

func (t *table) at(i int) where { return where{t.name, t.lines[i]} }

// ids checks one file's identifier column: present and unique.
type ids struct {
	t     *table
	col   string
	first map[string]int // id -> line of its first row
	p     problems
}

func newIDs(t *table, col string) *ids {
	return &ids{t: t, col: col, first: make(map[string]int, max(len(t.rows), t.estimate))}
}

// add records row i's id and reports whether the row is the first with a non-empty id.
func (d *ids) add(i int) bool { return d.addID(d.t.get(i, d.col), d.t.lines[i]) }

// addID records the id of the row on line and reports whether it is the first such row.
func (d *ids) addID(id string, line int) bool {
	col := d.t.colName(d.col)
	if id == "" {
		d.p.add(d.t.name, line, col, fmt.Sprintf("de kolom %s is leeg", col), fmt.Sprintf("the column %s is empty", col))
		return false
	}
	if prev, dup := d.first[id]; dup {
		d.p.add(d.t.name, line, col,
			fmt.Sprintf("%s %q staat ook op regel %d; een id mag maar één keer voorkomen", col, id, prev),
			fmt.Sprintf("%s %q is also on line %d; an id may occur only once", col, id, prev))
		return false
	}
	d.first[id] = line
	return true
}

func (d *ids) err() error {
	return d.p.err(CodeDuplicateID,
		fmt.Sprintf("%s heeft dubbele of lege ids (%s):", d.t.name, d.t.colName(d.col)),
		fmt.Sprintf("%s has duplicate or empty ids (%s):", d.t.name, d.t.colName(d.col)))
}

// kindNames names what a reference points to, with the file that should hold it.
var kindNames = map[string][2]string{
	"user":    {"gebruiker", "user"},
	"student": {"leerling", "student"},
	"teacher": {"docent", "teacher"},
	"class":   {"groep", "class"},
	"org":     {"school of organisatie", "school or organisation"},
	"course":  {"cursus", "course"},
}

// refer checks a reference from a row to an id of some kind ("user", "student", "teacher",
// "class", "org", "course"). Every file refers only to files read before it, so the check is
// made at once, and a board-sized enrollments.csv need not be kept for it.
func (m *model) refer(w where, column, kind, id string) {
	if id == "" || m.has(kind, id) {
		return
	}
	n := kindNames[kind]
	m.dangling.add(w.file, w.line, column,
		fmt.Sprintf("%s %q verwijst naar een %s die niet in %s staat", column, id, n[0], m.fileOf[kind]),
		fmt.Sprintf("%s %q refers to a %s that is not in %s", column, id, n[1], m.fileOf[kind]))
}

// has reports whether the set read so far holds an id of the kind; it indexes what was
// read since the last call.
func (m *model) has(kind, id string) bool {
	if m.known == nil {
		m.known = map[string]map[string]bool{"user": {}, "student": {}, "teacher": {}, "class": {}, "org": {}}
	}
	for ; m.nUsers < len(m.users); m.nUsers++ {
		u := &m.users[m.nUsers]
		m.known[u.refKind][u.refID] = true
	}
	for ; m.nClasses < len(m.classes); m.nClasses++ {
		m.known["class"][m.classes[m.nClasses].id] = true
	}
	for ; m.nOrgs < len(m.orgs); m.nOrgs++ {
		m.known["org"][m.orgs[m.nOrgs].id] = true
	}
	if kind == "course" {
		_, ok := m.courses[id]
		return ok
	}
	return m.known[kind][id]
}

// checkRefs refuses a set with references to ids that are not in it: an enrolment of an
// unknown user or class, a class of an unknown school …
func checkRefs(m *model) error {
	return m.dangling.err(CodeDanglingRef,
		"De set verwijst naar gegevens die er niet in staan; exporteer de set opnieuw, met alle bestanden van hetzelfde moment.",
		"The set refers to data that is not in it; export the set again, with all files from the same moment.")
}
