package importer

import "strings"

// A primary school's export (ParnasSys, Esis, Magister or Somtoday for primary schools) has
// no level column: its pupils are in groepen 1 to 8. Such a file gives every pupil the level
// po. The rule, applied only when no column is matched to the level:
//
//   - the year column's header names a groep ("Jaargroep", "Groep"), or
//   - the class column's header is "Groep", "Jaargroep" or "Basisgroep" (secondary schools'
//     exports say "Klas"; "Stamgroep" is used by both, so it is no evidence), or
//   - a class name starts with the word groep ("groep 5", "Groep 7/8a", "gr. 3b"), or
//   - a pupil is in year 7 or 8 ("7a", "8b", Jaargroep 8): secondary schools end at year 6.
//
// A secondary school's file without a level column (class names "1a" to "6b") keeps its
// pupils' levels empty, as before.

// primaryClassHeaders are class column headers (after NormalizeHeader) only primary schools use.
var primaryClassHeaders = map[string]bool{"groep": true, "jaargroep": true, "basisgroep": true}

// isPrimaryFile reports whether the file, with no level column, is a primary school's.
func (b *builder) isPrimaryFile() bool {
	if b.col[ixLevel] >= 0 {
		return false
	}
	if i := b.col[ixYear]; i >= 0 && strings.Contains(NormalizeHeader(b.cols[i].Header), "groep") {
		return true
	}
	if i := b.col[ixClass]; i >= 0 && primaryClassHeaders[NormalizeHeader(b.cols[i].Header)] {
		return true
	}
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped {
			continue
		}
		if isGroepName(c.rec.Class) {
			return true
		}
		for _, y := range c.rec.Years {
			if y >= 7 {
				return true
			}
		}
	}
	return false
}

// isGroepName reports whether a class name is written with the word groep: "groep 5",
// "Groep 7/8a", "gr. 3b", "gr3".
func isGroepName(class string) bool {
	n := strings.ToLower(strings.TrimSpace(class))
	for _, w := range []string{"groep", "gr"} {
		rest, ok := strings.CutPrefix(n, w)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " .")
		if rest != "" && isDigit(rest[0]) {
			return true
		}
	}
	return false
}

// primaryLevels gives every pupil of a primary school's file the level po.
func (b *builder) primaryLevels() {
	if !b.isPrimaryFile() {
		return
	}
	for i := range b.cands {
		b.cands[i].rec.Level = LevelPO
	}
}
