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
	return &ids{t: t, col: col, first: make(map[string]int, len(t.rows))}
}

// add records row i's id and reports whether the row is the first with a non-empty id.
func (d *ids) add(i int) bool {
	id, line, col := d.t.get(i, d.col), d.t.lines[i], d.t.colName(d.col)
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

// checkRefs refuses a set with references to ids that are not in it: an enrolment of an
// unknown user or class, a class of an unknown school …
func checkRefs(m *model, fileOf map[string]string) error {
	known := map[string]map[string]bool{"user": {}, "student": {}, "teacher": {}, "class": {}, "org": {}, "course": {}}
	for _, u := range m.users {
		known[u.refKind][u.refID] = true
	}
	for _, c := range m.classes {
		known["class"][c.id] = true
	}
	for _, o := range m.orgs {
		known["org"][o.id] = true
	}
	for id := range m.courses {
		known["course"][id] = true
	}
	var p problems
	for _, r := range m.refs {
		if known[r.kind][r.id] {
			continue
		}
		n := kindNames[r.kind]
		p.add(r.file, r.line, r.column,
			fmt.Sprintf("%s %q verwijst naar een %s die niet in %s staat", r.column, r.id, n[0], fileOf[r.kind]),
			fmt.Sprintf("%s %q refers to a %s that is not in %s", r.column, r.id, n[1], fileOf[r.kind]))
	}
	return p.err(CodeDanglingRef,
		"De set verwijst naar gegevens die er niet in staan; exporteer de set opnieuw, met alle bestanden van hetzelfde moment.",
		"The set refers to data that is not in it; export the set again, with all files from the same moment.")
}
