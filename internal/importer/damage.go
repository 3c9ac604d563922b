package importer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Excel damage. A spreadsheet that saves a CSV in a code page (Dutch Excel: Windows-1252)
// writes every letter that code page lacks as "?": "Ayşe Yıldız" becomes "Ay?e Y?ld?z". A
// decoder that meets bytes it cannot read writes U+FFFD instead. Such a value is never what the
// school meant, so an import never writes it over a good stored value (see DamagedCopy), and a
// new account or an update that would store one is shown to the admin before the commit.
//
// The rule, decided for issue 12: the file's value is a damaged copy of the stored value when
// both have the same number of letters (runes, after NFC), they differ, and at every position
// where they differ the file has "?" or U+FFFD where the stored value has a non-ASCII letter
// (or combining mark). Any non-ASCII letter counts, not only those missing from Windows-1252:
// other save paths (Mac Roman, ISO-8859-1, a broken decoder) lose other letters, and a "?" in
// place of a letter is never a correction. An ASCII letter that became "?" is not this damage
// (no code page lacks ASCII letters); such a value is an ordinary change, flagged by LooksDamaged.

// DamagedValue is a value of the file that lost letters to "?" or U+FFFD.
type DamagedValue struct {
	Line   int    `json:"line"`   // the row of the file
	Column string `json:"column"` // the file's header of the column
	Field  Field  `json:"field"`
	Key    string `json:"key"` // the pupil's key
	// Stored is the value Numo has; empty for a new account.
	Stored string `json:"stored,omitempty"`
	// File is the value as the file writes it.
	File string `json:"file"`
	// Kept is true when the stored value stays (File is a damaged copy of Stored); false when
	// the import would store File as written (a new account, or a different name).
	Kept bool `json:"kept,omitempty"`
}

// isLost reports whether r is what a save writes for a letter it cannot encode.
func isLost(r rune) bool { return r == '?' || r == utf8.RuneError }

// DamagedCopy reports whether file is stored with letters lost to "?" or U+FFFD (see the rule above).
func DamagedCopy(stored, file string) bool {
	if stored == file || !containsLost(file) {
		return false
	}
	s, f := []rune(norm.NFC.String(stored)), []rune(file)
	if len(s) != len(f) {
		return false
	}
	differs := false
	for i := range s {
		if s[i] == f[i] {
			continue
		}
		if !isLost(f[i]) || s[i] < utf8.RuneSelf || !(unicode.IsLetter(s[i]) || unicode.Is(unicode.Mn, s[i])) {
			return false
		}
		differs = true
	}
	return differs
}

func containsLost(v string) bool {
	for _, r := range v {
		if isLost(r) {
			return true
		}
	}
	return false
}

// LooksDamaged reports whether a name looks like it lost letters in a save: it holds U+FFFD,
// or a "?" next to a letter ("Ay?e", "Bar??"). A "?" on its own is left alone.
func LooksDamaged(v string) bool {
	if !strings.ContainsAny(v, "?\uFFFD") { // the common case, without converting to runes
		return false
	}
	rs := []rune(v)
	for i, r := range rs {
		switch {
		case r == utf8.RuneError:
			return true
		case r != '?':
		case i > 0 && (unicode.IsLetter(rs[i-1]) || rs[i-1] == '?' && i > 1 && unicode.IsLetter(rs[i-2])):
			return true
		case i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			return true
		}
	}
	return false
}

// textFields are the text fields of a person that the damage checks look at; name marks a
// name, whose damaged-looking new value is flagged.
var textFields = [...]struct {
	field Field
	name  bool
}{{FieldFirstName, true}, {FieldInfix, true}, {FieldLastName, true}, {FieldEmail, false}, {FieldUsername, false}, {FieldEckID, false}}

// keepStored puts the stored value back into every mapped text field of u whose file value is a
// damaged copy of it, and notes each; a name that changes into a damaged-looking value is noted
// as not kept.
func (pl *planner) keepStored(u *PlannedUser, a *existing) {
	for _, tf := range textFields {
		at := textField(&u.Person, tf.field)
		file, stored := *at, *textField(&a.person, tf.field)
		if !pl.mapped[tf.field] || file == "" {
			continue
		}
		switch {
		case DamagedCopy(stored, file):
			pl.damaged(u.Line, u.Key, tf.field, stored, file, true)
			*at = stored
		case tf.name && file != stored && LooksDamaged(file):
			pl.damaged(u.Line, u.Key, tf.field, stored, file, false)
		}
	}
}

// newDamaged notes every damaged-looking name of a new account (values, not the planned user:
// a pointer to it would move every planned user of a large file to the heap).
func (pl *planner) newDamaged(line int, key string, p Person) {
	for _, tf := range textFields {
		if v := *textField(&p, tf.field); tf.name && LooksDamaged(v) {
			pl.damaged(line, key, tf.field, "", v, false)
		}
	}
}

// damaged records a damaged value of the row at line on the plan.
func (pl *planner) damaged(line int, key string, f Field, stored, file string, kept bool) {
	pl.p.Damaged = append(pl.p.Damaged, DamagedValue{Line: line, Column: pl.in.Headers[f], Field: f, Key: key,
		Stored: stored, File: file, Kept: kept})
}

// keptWarnings replaces the question-mark warning of every kept value by one that says the
// stored value stays (and adds one for a field that had none), so that the CLI, the report and
// the warning list all tell the same story.
func (pl *planner) keptWarnings() {
	type at struct {
		line  int
		field Field
	}
	kept := map[at]*DamagedValue{}
	for i := range pl.p.Damaged {
		if d := &pl.p.Damaged[i]; d.Kept {
			kept[at{d.Line, d.Field}] = d
		}
	}
	if len(kept) == 0 {
		return
	}
	ws := slices.Clone(pl.p.Warnings)
	for i, w := range ws {
		if d, ok := kept[at{w.Line, w.Field}]; ok && w.Code == CodeQuestionMark {
			ws[i] = keptProblem(d)
			delete(kept, at{w.Line, w.Field})
		}
	}
	for i := range pl.p.Damaged { // in plan order: fields without a question-mark warning
		if d := &pl.p.Damaged[i]; d.Kept && kept[at{d.Line, d.Field}] == d {
			ws = append(ws, keptProblem(d))
		}
	}
	pl.p.Warnings = ws
}

// keptProblem is the warning of a kept value; it names what the file has in place of the
// lost letters: question marks, replacement characters (U+FFFD) or both.
func keptProblem(d *DamagedValue) Problem {
	nl, en := d.Field.labels()
	lostNL, lostEN := lostMarks(d.File)
	return Problem{Line: d.Line, Column: d.Column, Field: d.Field, Code: CodeKeptDamaged,
		NL: fmt.Sprintf("%s %q: bij het opslaan van het bestand zijn letters vervangen door %s. De opgeslagen waarde %q blijft staan.", nl, d.File, lostNL, d.Stored),
		EN: fmt.Sprintf("%s %q: letters were replaced by %s when the file was saved. The stored value %q is kept.", en, d.File, lostEN, d.Stored)}
}

// lostMarks names, in Dutch and English, the marks that stand for lost letters in v.
func lostMarks(v string) (nl, en string) {
	q, r := strings.ContainsRune(v, '?'), strings.ContainsRune(v, utf8.RuneError)
	switch {
	case q && r:
		return "vraagtekens en vervangingstekens (\uFFFD)", "question marks and replacement characters (\uFFFD)"
	case r:
		return "het vervangingsteken \uFFFD", "the replacement character \uFFFD"
	default:
		return "een vraagteken", "a question mark"
	}
}
