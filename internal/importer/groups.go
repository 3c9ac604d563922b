package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/numo/accounts/internal/names"
)

// Group lists. A pupil export carries a pupil's lesgroepen, and a teacher export the groups a
// teacher teaches and the classes they mentor, as a list in one cell: "h4a.ne1, h4a.en2" or
// "h4a.ne1;h4a.en2" (the file itself is then usually ';'-separated, so the cell arrives
// quoted). Names are trimmed, runs of white space collapsed, empty items dropped and a name
// that repeats in one cell (in any case) counted once. Over the whole file one spelling per
// group wins, the most frequent one, as for classes.

// MaxGroupsPerCell is the longest list of groups one cell may hold; a longer list is not a
// pupil's or a teacher's timetable, and the row is refused.
const MaxGroupsPerCell = 60

// listColumn is a mapped column that holds a list of group names.
type listColumn struct {
	field  Field
	col    int
	nl, en string
	filled int // rows with a non-empty cell
}

// groupKey is names.ClassKey of a name that splitList cleaned, without allocating for the
// usual lower-case ASCII name.
func groupKey(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return names.ClassKey(name)
		}
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(name) // ASCII and collapsed: ClassKey is the lower case
		}
	}
	return name
}

// sameGroup reports whether two cleaned names have the same ClassKey, without allocating for
// ASCII names.
func sameGroup(a, b string) bool {
	if a == b {
		return true
	}
	var ba, bb [64]byte
	ka, oka := asciiKey(ba[:0], a)
	kb, okb := asciiKey(bb[:0], b)
	if oka && okb {
		return bytes.Equal(ka, kb)
	}
	return groupKey(a) == groupKey(b)
}

// splitList appends the cleaned, de-duplicated names of one list cell to dst.
func splitList(dst []string, cell string) []string {
	start := len(dst)
	for cell != "" {
		i := strings.IndexAny(cell, ",;")
		item := cell
		if i >= 0 {
			item, cell = cell[:i], cell[i+1:]
		} else {
			cell = ""
		}
		item = collapseSpace(strings.TrimSpace(item))
		if item == "" {
			continue
		}
		dup := false
		for _, prev := range dst[start:] {
			if sameGroup(prev, item) {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, item)
		}
	}
	return dst
}

// listProblem checks the names of one list cell; it returns the first problem, if any.
func (b *builder) listProblem(lc *listColumn, list []string, line int) (Problem, bool) {
	if len(list) > MaxGroupsPerCell {
		return b.problem(line, lc.col, lc.field, CodeTooManyGroups,
			fmt.Sprintf("%s noemt %d groepen; het maximum is %d in één cel. Staan hier misschien de groepen van meer mensen?", lc.nl, len(list), MaxGroupsPerCell),
			fmt.Sprintf("%s lists %d groups; the maximum is %d in one cell. Does it hold the groups of several people?", lc.en, len(list), MaxGroupsPerCell)), true
	}
	for _, g := range list {
		switch n := utf8.RuneCountInString(g); {
		case n > MaxValueLength:
			return b.problem(line, lc.col, lc.field, CodeTooLong,
				fmt.Sprintf("%s: groep %q is %d tekens lang; het maximum is %d.", lc.nl, clipName(g), n, MaxValueLength),
				fmt.Sprintf("%s: group %q is %d characters long; the maximum is %d.", lc.en, clipName(g), n, MaxValueLength)), true
		case hasControl(g):
			return b.problem(line, lc.col, lc.field, CodeInvalidCharacter,
				fmt.Sprintf("%s: groep %q bevat een onzichtbaar stuurteken. Typ de naam opnieuw.", lc.nl, g),
				fmt.Sprintf("%s: group %q contains an invisible control character. Type the name again.", lc.en, g)), true
		case isFormulaStart(g[0]):
			return b.problem(line, lc.col, lc.field, CodeFormula,
				fmt.Sprintf("%s: groep %q begint met %q en zou in Excel als formule worden uitgevoerd. Haal dat teken weg.", lc.nl, g, g[:1]),
				fmt.Sprintf("%s: group %q starts with %q and would run as a formula in Excel. Remove that character.", lc.en, g, g[:1])), true
		}
	}
	return Problem{}, false
}

// clipName shortens a name for a message.
func clipName(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// rowLists reads the list cells of a row into b.listVals; problems are appended to probs.
func (b *builder) rowLists(r Row, probs []Problem) []Problem {
	for i := range b.lists {
		lc := &b.lists[i]
		b.listVals[i] = splitList(b.listVals[i][:0], r.Cells[lc.col])
		if len(b.listVals[i]) == 0 {
			continue
		}
		lc.filled++
		if p, bad := b.listProblem(lc, b.listVals[i], r.Line); bad {
			probs = append(probs, p)
		}
	}
	return probs
}

// listsChunk is how many names are allocated at once for Record.Groups and MentorOf.
const listsChunk = 8192

// keepList copies a row's list into the builder's arena, leaving out the name that is the same
// group as skip (a pupil's own stamklas); nil when nothing is left.
func (b *builder) keepList(list []string, skip string) []string {
	n := len(list)
	if n == 0 {
		return nil
	}
	if cap(b.names)-len(b.names) < n {
		b.names = make([]string, 0, max(n, listsChunk))
	}
	start := len(b.names)
	for _, g := range list {
		if skip != "" && sameGroup(g, skip) {
			continue
		}
		b.names = append(b.names, g)
	}
	if len(b.names) == start {
		return nil
	}
	return b.names[start:len(b.names):len(b.names)]
}

// groupSpelling counts one spelling of a group name over the file.
type groupSpelling struct {
	raw       string
	count     int
	firstLine int
	col       int
	field     Field
}

// resolveGroups reports list columns that are empty in every row (and forgets them) and
// merges the spellings of a group into the one used most often (the earliest on a tie).
func (b *builder) resolveGroups() {
	for i := range b.lists {
		if lc := &b.lists[i]; lc.filled == 0 {
			b.emptyLists = append(b.emptyLists, lc.field)
			b.warnings = append(b.warnings, Problem{Column: columnName(b.cols, lc.col), Field: lc.field, Code: CodeEmptyColumn,
				NL: fmt.Sprintf("De kolom %s (%s) is in elke regel leeg. Die kolom is niet ingelezen: niemands groepen veranderen.", columnName(b.cols, lc.col), lc.nl),
				EN: fmt.Sprintf("The column %s (%s) is empty in every row. It was not imported: nobody's groups change.", columnName(b.cols, lc.col), lc.en)})
		}
	}
	if len(b.lists) == 0 {
		return
	}
	byKey, order := b.countSpellings()
	canonical := map[string]string{}
	for _, k := range order {
		ss := byKey[k]
		if len(ss) < 2 {
			continue
		}
		win := ss[0]
		for _, s := range ss[1:] {
			if s.count > win.count {
				win = s
			}
		}
		for _, s := range ss {
			if s == win {
				continue
			}
			canonical[s.raw] = win.raw
			nl, en := s.field.labelsFor(b.kind)
			b.warnings = append(b.warnings, b.problem(s.firstLine, s.col, s.field, CodeGroupSpelling,
				fmt.Sprintf("%s: groep %q (%d keer) is gelezen als %q, de schrijfwijze die het vaakst voorkomt.", nl, s.raw, s.count, win.raw),
				fmt.Sprintf("%s: group %q (%d times) was read as %q, the spelling used most often.", en, s.raw, s.count, win.raw)))
		}
	}
	if len(canonical) > 0 {
		b.respell(canonical)
	}
}

// countSpellings counts every spelling of the kept records' group names and groups them by key,
// in order of first appearance.
func (b *builder) countSpellings() (map[string][]*groupSpelling, []string) {
	spell := map[string]*groupSpelling{}
	byKey := map[string][]*groupSpelling{}
	var order []string
	count := func(list []string, line int, f Field) {
		for _, g := range list {
			s, ok := spell[g]
			if !ok {
				col := b.col[f.index()]
				s = &groupSpelling{raw: g, firstLine: line, col: col, field: f}
				spell[g] = s
				k := groupKey(g)
				if _, seen := byKey[k]; !seen {
					order = append(order, k)
				}
				byKey[k] = append(byKey[k], s)
			}
			s.count++
		}
	}
	listField := FieldGroups
	if b.kind == KindTeachers {
		listField = FieldTeaches
	}
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped {
			continue
		}
		count(c.rec.Groups, c.rec.Line, listField)
		count(c.rec.MentorOf, c.rec.Line, FieldMentorOf)
	}
	return byKey, order
}

// respell replaces every spelling that lost the vote by the winner.
func (b *builder) respell(canonical map[string]string) {
	for i := range b.cands {
		c := &b.cands[i]
		for _, list := range [][]string{c.rec.Groups, c.rec.MentorOf} {
			for j, g := range list {
				if w, ok := canonical[g]; ok {
					list[j] = w
				}
			}
		}
	}
}
