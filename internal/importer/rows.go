package importer

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// MaxValueLength is the longest value, in characters, that BuildRecords accepts.
const MaxValueLength = 200

// Record is one valid pupil or teacher read from the file.
type Record struct {
	Line      int    // physical line of the row in the file
	Key       string // opaque pupil number: trimmed, leading zeros kept
	FirstName string // white space collapsed to single spaces, like the other names
	Infix     string
	LastName  string
	Class     string // the file's most frequent spelling of this class
	Email     string
	Username  string
	EckID     string
	Level     Level  // canonical, "" if none or unrecognised
	LevelRaw  string // what the file said
	Year      int    // 0 if unknown; for a combined group the lowest year
	Years     []int  // all years, sorted; more than one for a combined group such as "1/2"
	// Groups are the names of the list column, in the file's order and its most frequent
	// spelling, without repeats: a pupil's lesgroepen (FieldGroups; their own stamklas left
	// out) or the groups and classes a teacher teaches (FieldTeaches). Nil when the cell is
	// empty or the column not mapped.
	Groups []string
	// MentorOf are the stamklassen a teacher mentors (FieldMentorOf), like Groups.
	MentorOf []string
}

// Input is what BuildRecords needs: the parsed file, the confirmed column
// mapping and the school's remembered level values.
type Input struct {
	File    *File
	Mapping Mapping
	// LevelMap holds the school's own level spellings, keyed by NormalizeHeader
	// of the raw value; it overrides NormalizeLevel. A value of "" means "no
	// level" on purpose; entries with a value that is not a canonical Level are ignored.
	LevelMap map[string]Level
	// Kind is what the file holds; "" reads as KindPupils.
	Kind Kind
}

// Result is the outcome of BuildRecords.
type Result struct {
	Records       []Record       // valid, de-duplicated, in file order
	Refused       []Problem      // one or more per refused row (row is not imported), by line
	RefusedLines  int            // number of distinct refused rows
	Warnings      []Problem      // about imported rows, by line
	UnknownLevels []UnknownValue // distinct unrecognised level values, in order of first appearance
	// EmptyLists are the mapped list fields (FieldGroups, FieldTeaches, FieldMentorOf) whose
	// column is empty in every row: they count as not mapped (a warning says so).
	EmptyLists []Field
	// Kind is the kind of file the records were read as (Input.Kind, KindPupils for "").
	Kind Kind
}

// UnknownValue is a distinct value that was not recognised, with how often it occurs.
type UnknownValue struct {
	Value     string `json:"value"`     // as written in the file (first spelling seen)
	Count     int    `json:"count"`     // number of rows with this value
	FirstLine int    `json:"firstLine"` // physical line of its first occurrence
}

// BuildRecords validates every row against the mapping and returns the records
// to import with the problems found. Its error is a *MappingError, only when the
// mapping itself is unusable.
func BuildRecords(in Input) (*Result, error) {
	if in.File == nil {
		return nil, errors.New("importer: BuildRecords needs a parsed File")
	}
	in.Kind = in.Kind.orPupils()
	if probs := in.Mapping.ValidateFor(in.Kind, in.File.Columns); len(probs) > 0 {
		return nil, &MappingError{Problems: probs}
	}
	b := newBuilder(in)
	for _, r := range in.File.Rows {
		b.row(r)
	}
	b.resolveKeys()
	b.resolveUnique(FieldUsername, func(r *Record) string { return strings.ToLower(r.Username) })
	b.resolveUnique(FieldEckID, func(r *Record) string { return r.EckID })
	b.resolveSharedEmail()
	if b.kind == KindPupils {
		b.resolveClasses()
		b.primaryLevels()
	}
	b.resolveGroups()
	return b.result(), nil
}

// candidate is a row that passed the row checks; later checks across rows may
// still refuse or drop it.
type candidate struct {
	rec      Record
	classRaw string // class cell as written, for the spelling vote
	warnings []Problem
	refused  bool
	dropped  bool // identical duplicate of an earlier row
}

// fieldCheck says how the cell of one mapped field is validated.
type fieldCheck struct {
	field    Field
	ix       int // position in fieldInfos
	col      int
	nl, en   string // labels for messages
	required bool
	formula  bool // refuse values a spreadsheet would run as a formula
	name     bool // warn about lost or garbled letters
}

// levelInfo caches what a raw level value means; files repeat few values many times.
type levelInfo struct {
	level   Level
	known   bool
	year    int
	unknown int // index in builder.unknown, -1 when known
}

type builder struct {
	in     Input
	kind   Kind
	cols   []Column
	width  int
	col    [numFields]int // column per field, -1 when unmapped
	checks []fieldCheck
	cands  []candidate

	refused  []Problem
	warnings []Problem // file-wide warnings such as class spellings

	levels       map[string]*levelInfo // by raw value
	unknown      []UnknownValue
	unknownByKey map[string]int // NormalizeHeader(value) -> index in unknown
	years        []int          // arena for Record.Years

	lists      []listColumn // the mapped list columns, at most two
	listVals   [2][]string  // scratch: the current row's lists, by position in lists
	names      []string     // arena for Record.Groups and MentorOf
	emptyLists []Field
	// nounNL and nounEN name who a row is about in messages: leerling/pupil, docent/teacher.
	nounNL, nounEN string
}

func newBuilder(in Input) *builder {
	b := &builder{
		in:           in,
		kind:         in.Kind,
		nounNL:       "leerling",
		nounEN:       "pupil",
		cols:         in.File.Columns,
		width:        len(in.File.Columns),
		cands:        make([]candidate, 0, len(in.File.Rows)),
		levels:       make(map[string]*levelInfo),
		unknownByKey: make(map[string]int),
	}
	for i := range b.col {
		b.col[i] = -1
	}
	for i, f := range in.Mapping {
		if ix := f.index(); ix >= 0 {
			b.col[ix] = i
		}
	}
	if in.Kind == KindTeachers {
		b.nounNL, b.nounEN = "docent", "teacher"
	}
	for _, fi := range infosFor(in.Kind) {
		ix := fi.Field.index()
		i := b.col[ix]
		if i < 0 {
			continue
		}
		f := fi.Field
		if f.isList() {
			b.lists = append(b.lists, listColumn{field: f, col: i, nl: fi.LabelNL, en: fi.LabelEN})
			continue
		}
		b.checks = append(b.checks, fieldCheck{
			field:    f,
			ix:       ix,
			col:      i,
			nl:       fi.LabelNL,
			en:       fi.LabelEN,
			required: fi.Required,
			formula:  f != FieldLevel && f != FieldYear, // those two are read, never shown as typed
			name:     f == FieldFirstName || f == FieldInfix || f == FieldLastName,
		})
	}
	return b
}

func (b *builder) problem(line, col int, f Field, code, nl, en string) Problem {
	return Problem{Line: line, Column: columnName(b.cols, col), Field: f, Code: code, NL: nl, EN: en}
}

// row checks one data row and adds it as a candidate or refuses it.
func (b *builder) row(r Row) {
	if !b.rowShape(r) {
		return
	}
	var probs, warns []Problem
	var vals [numFields]string
	for _, c := range b.checks {
		v := r.Cells[c.col]
		if c.name || c.field == FieldClass {
			v = collapseSpace(v)
		}
		vals[c.ix] = v
		if v == "" && c.field == FieldKey && b.keylessTeacher(r) {
			continue // matched by e-mail in the plan, or refused there as a new teacher
		}
		if p, bad := b.checkCell(&c, v, r.Line); bad {
			if p.Code != "" {
				probs = append(probs, p)
			}
			continue
		}
		if c.name {
			if w, ok := b.nameWarning(&c, v, r.Line); ok {
				warns = append(warns, w)
			}
		}
	}
	probs = b.rowLists(r, probs)
	if len(probs) > 0 {
		b.refused = append(b.refused, probs...)
		return
	}
	b.addRecord(r, &vals, warns)
}

// keylessTeacher reports whether r is a teacher row without a code but with an e-mail
// address: it may stand for a teacher Numo has without a code (made by hand in Beheer, or
// exported so by Numo itself), whom the plan finds by e-mail.
func (b *builder) keylessTeacher(r Row) bool {
	i := b.col[ixEmail]
	return b.kind == KindTeachers && i >= 0 && i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != ""
}

// rowShape refuses a row whose number of cells differs from the header's, or that repeats the
// header; it reports whether the row may be checked further.
func (b *builder) rowShape(r Row) bool {
	if len(r.Cells) != b.width && !onlyEmptyPast(r.Cells, b.width) {
		d := string(rune(b.in.File.Delimiter))
		if b.in.File.Delimiter == '\t' {
			d = "tab"
		}
		b.refused = append(b.refused, Problem{
			Line: r.Line, Code: CodeFieldCount,
			NL: fmt.Sprintf("Deze regel heeft %d kolommen, de kopregel %d. Waarschijnlijk staat er een scheidingsteken (%s) te veel of te weinig, bijvoorbeeld in een naam. De regel is niet ingelezen, omdat de gegevens dan in de verkeerde kolommen staan.", len(r.Cells), b.width, d),
			EN: fmt.Sprintf("This row has %d columns, the header row %d. Probably a separator (%s) is missing or one too many, for instance in a name. The row was not imported because its values would be in the wrong columns.", len(r.Cells), b.width, d),
		})
		return false
	}
	if b.repeatsHeader(r.Cells) {
		b.refused = append(b.refused, Problem{
			Line: r.Line, Code: CodeRepeatedHeader,
			NL: "Deze regel herhaalt de kopregel en is overgeslagen. Staan er misschien twee exports onder elkaar?",
			EN: "This row repeats the header row and was skipped. Were two exports pasted below each other?",
		})
		return false
	}
	return true
}

// checkCell checks one value; done reports that the cell needs no further checks: it is empty
// (a problem when required: p.Code is "" otherwise) or it has problem p.
func (b *builder) checkCell(c *fieldCheck, v string, line int) (p Problem, done bool) {
	nl, en := c.nl, c.en
	switch {
	case v == "":
		if c.required {
			return b.problem(line, c.col, c.field, CodeMissingValue,
				fmt.Sprintf("%s is leeg, maar verplicht. Vul deze in of haal de regel weg.", nl),
				fmt.Sprintf("%s is empty but required. Fill it in or remove the row.", en)), true
		}
		return Problem{}, true
	case utf8.RuneCountInString(v) > MaxValueLength:
		return b.problem(line, c.col, c.field, CodeTooLong,
			fmt.Sprintf("%s is %d tekens lang; het maximum is %d.", nl, utf8.RuneCountInString(v), MaxValueLength),
			fmt.Sprintf("%s is %d characters long; the maximum is %d.", en, utf8.RuneCountInString(v), MaxValueLength)), true
	case hasControl(v):
		return b.problem(line, c.col, c.field, CodeInvalidCharacter,
			fmt.Sprintf("%s bevat een onzichtbaar stuurteken. Typ de waarde opnieuw.", nl),
			fmt.Sprintf("%s contains an invisible control character. Type the value again.", en)), true
	case c.formula && isFormulaStart(v[0]):
		return b.problem(line, c.col, c.field, CodeFormula,
			fmt.Sprintf("%s begint met %q en zou in Excel als formule worden uitgevoerd. Haal dat teken weg.", nl, v[:1]),
			fmt.Sprintf("%s starts with %q and would run as a formula in Excel. Remove that character.", en, v[:1])), true
	case c.field == FieldEmail && !validEmail(v):
		return b.problem(line, c.col, c.field, CodeInvalidEmail,
			fmt.Sprintf("%q is geen geldig e-mailadres.", v),
			fmt.Sprintf("%q is not a valid e-mail address.", v)), true
	}
	return Problem{}, false
}

// nameWarning warns about a name that lost letters or was saved in the wrong character set.
func (b *builder) nameWarning(c *fieldCheck, v string, line int) (Problem, bool) {
	nl, en := c.nl, c.en
	if strings.ContainsAny(v, "?\uFFFD") {
		return b.problem(line, c.col, c.field, CodeQuestionMark,
			fmt.Sprintf("%s %q bevat een vraagteken. Vaak is dat een letter (zoals ë of ç) die bij het opslaan verloren ging. Controleer de naam.", nl, v),
			fmt.Sprintf("%s %q contains a question mark. Often that is a letter (such as ë or ç) lost when the file was saved. Check the name.", en, v)), true
	}
	if fixed, ok := repairMojibake(v); ok {
		return b.problem(line, c.col, c.field, CodeGarbledText,
			fmt.Sprintf("%s %q bevat vreemde tekens; het bestand is waarschijnlijk in de verkeerde tekenset opgeslagen. Bedoeld is waarschijnlijk %q.", nl, v, fixed),
			fmt.Sprintf("%s %q contains odd characters; the file was probably saved in the wrong character set. Probably meant: %q.", en, v, fixed)), true
	}
	return Problem{}, false
}

// addRecord adds a checked row as a candidate record.
func (b *builder) addRecord(r Row, vals *[numFields]string, warns []Problem) {
	rec := Record{
		Line:      r.Line,
		Key:       vals[ixKey],
		FirstName: vals[ixFirstName],
		Infix:     vals[ixInfix],
		LastName:  vals[ixLastName],
		Class:     vals[ixClass],
		Email:     vals[ixEmail],
		Username:  vals[ixUsername],
		EckID:     vals[ixEckID],
		LevelRaw:  vals[ixLevel],
	}
	var li *levelInfo
	if rec.LevelRaw != "" {
		li = b.level(rec.LevelRaw, r.Line)
		rec.Level = li.level
	}
	years, warn := b.rowYears(r.Line, vals[ixYear], li, rec.Class)
	if warn != nil {
		warns = append(warns, *warn)
	}
	if len(years) > 0 {
		start := len(b.years)
		if cap(b.years)-start < len(years) {
			b.years = make([]int, 0, max(len(years), min(yearsChunk, 2*len(b.in.File.Rows))))
			start = 0
		}
		b.years = append(b.years, years...)
		rec.Years = b.years[start:len(b.years):len(b.years)]
		rec.Year = rec.Years[0]
	}
	b.addLists(&rec)
	c := candidate{rec: rec, warnings: warns}
	if i := b.col[ixClass]; i >= 0 {
		c.classRaw = r.Cells[i]
	}
	b.cands = append(b.cands, c)
}

// addLists gives a record the lists of its row (see rowLists).
func (b *builder) addLists(rec *Record) {
	for i := range b.lists {
		switch b.lists[i].field {
		case FieldGroups:
			rec.Groups = b.keepList(b.listVals[i], rec.Class)
		case FieldTeaches:
			rec.Groups = b.keepList(b.listVals[i], "")
		case FieldMentorOf:
			rec.MentorOf = b.keepList(b.listVals[i], "")
		}
	}
}

// rowYears takes the years from the year cell, else from a study code in the
// level cell, else from the class name.
func (b *builder) rowYears(line int, cell string, li *levelInfo, class string) ([]int, *Problem) {
	var warn *Problem
	if len(cell) == 1 && '1' <= cell[0] && cell[0] <= '8' {
		return singleYears[cell[0]-'0'], nil // the usual case, without allocating
	}
	if cell != "" {
		if ys, ok := ParseYear(cell, ""); ok {
			return ys, nil
		}
		col := b.col[ixYear]
		p := b.problem(line, col, FieldYear, CodeInvalidYear,
			fmt.Sprintf("Leerjaar %q is niet herkend; verwacht is een getal van 1 tot en met 8, zoals 3 of 1/2. Het leerjaar is, als dat kan, afgeleid uit de studie of de klas.", cell),
			fmt.Sprintf("Year %q was not recognised; expected a number from 1 to 8, such as 3 or 1/2. Where possible the year was taken from the study code or the class.", cell))
		warn = &p
	}
	if li != nil && li.year > 0 {
		return singleYears[li.year], warn
	}
	ys, _ := yearsFromClass(class)
	return ys, warn
}

// yearsChunk is how many years are allocated at once for Record.Years.
const yearsChunk = 4096

// singleYears are shared read-only slices for one year; row copies them into its arena.
var singleYears = func() (t [maxYear + 1][]int) {
	for y := minYear; y <= maxYear; y++ {
		t[y] = []int{y}
	}
	return t
}()

// level resolves a raw level value once per distinct spelling and counts unknown ones.
func (b *builder) level(raw string, line int) *levelInfo {
	if li, ok := b.levels[raw]; ok {
		if li.unknown >= 0 {
			b.unknown[li.unknown].Count++
		}
		return li
	}
	key := NormalizeHeader(raw)
	li := &levelInfo{unknown: -1}
	if l, ok := b.in.LevelMap[key]; ok && (l == "" || slices.Contains(levels, l)) {
		li.level, li.known = l, true
	} else {
		li.level, li.known = NormalizeLevel(raw)
	}
	li.year, _ = YearFromStudieCode(raw)
	if !li.known {
		// another spelling of the same value ("Technasium", "technasium") shares the entry
		u, ok := b.unknownByKey[key]
		if !ok {
			u = len(b.unknown)
			b.unknownByKey[key] = u
			b.unknown = append(b.unknown, UnknownValue{Value: raw, FirstLine: line})
		}
		li.unknown = u
		b.unknown[u].Count++
	}
	b.levels[raw] = li
	return li
}

// repeatsHeader reports whether a data row is a copy of the header row.
func (b *builder) repeatsHeader(cells []string) bool {
	for _, ix := range []int{ixKey, ixLastName} {
		i := b.col[ix]
		if cells[i] == "" || !strings.EqualFold(cells[i], b.cols[i].Header) {
			return false
		}
	}
	return true
}

// resolveKeys collapses identical rows with the same key and refuses every row
// of a key that occurs with different data.
func (b *builder) resolveKeys() {
	first := make(map[string]int, len(b.cands))
	var groups map[string][]int
	var order []string
	for i := range b.cands {
		k := b.cands[i].rec.Key
		if k == "" {
			continue // a keyless teacher row (keylessTeacher): its e-mail must be unique instead
		}
		j, ok := first[k]
		if !ok {
			first[k] = i
			continue
		}
		if groups == nil {
			groups = make(map[string][]int)
		}
		if _, seen := groups[k]; !seen {
			groups[k] = []int{j}
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	keyCol := b.col[ixKey]
	keyNL, keyEN := FieldKey.labelsFor(b.kind)
	for _, k := range order {
		g := groups[k]
		head := &b.cands[g[0]]
		conflict := false
		for _, i := range g[1:] {
			if !sameRecord(&head.rec, &b.cands[i].rec) {
				conflict = true
				break
			}
		}
		if !conflict {
			for _, i := range g[1:] {
				c := &b.cands[i]
				c.dropped = true
				b.warnings = append(b.warnings, b.problem(c.rec.Line, keyCol, FieldKey, CodeDuplicateKey,
					fmt.Sprintf("%s %s staat ook op regel %d, met precies dezelfde gegevens. De %s is één keer ingelezen.", upperFirst(b.nounNL), k, head.rec.Line, b.nounNL),
					fmt.Sprintf("%s %s also appears on line %d with exactly the same data. The %s was imported once.", upperFirst(b.nounEN), k, head.rec.Line, b.nounEN)))
			}
			continue
		}
		for _, i := range g {
			c := &b.cands[i]
			c.refused = true
			nlLines, enLines := b.otherLines(g, i)
			b.refused = append(b.refused, b.problem(c.rec.Line, keyCol, FieldKey, CodeConflictingKey,
				fmt.Sprintf("%s %s staat ook op regel %s, met andere gegevens. Geen van deze regels is ingelezen; maak %s uniek of haal de verkeerde regel weg.", keyNL, k, nlLines, b.keyNounNL()),
				fmt.Sprintf("%s %s also appears on line %s with different data. None of these rows was imported; make the %s unique or remove the wrong row.", keyEN, k, enLines, b.keyNounEN())))
		}
	}
}

// resolveUnique refuses all rows of different pupils that share a username or ECK iD.
func (b *builder) resolveUnique(f Field, value func(*Record) string) {
	col := b.col[f.index()]
	if col < 0 {
		return
	}
	first := make(map[string]int, len(b.cands))
	groups := make(map[string][]int)
	var order []string
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped {
			continue
		}
		v := value(&c.rec)
		if v == "" {
			continue
		}
		j, ok := first[v]
		if !ok {
			first[v] = i
			continue
		}
		if _, seen := groups[v]; !seen {
			groups[v] = []int{j}
			order = append(order, v)
		}
		groups[v] = append(groups[v], i)
	}
	nl, en := f.labelsFor(b.kind)
	for _, v := range order {
		g := groups[v]
		for _, i := range g {
			c := &b.cands[i]
			c.refused = true
			nlLines, enLines := b.otherLines(g, i)
			b.refused = append(b.refused, b.problem(c.rec.Line, col, f, CodeDuplicateValue,
				fmt.Sprintf("%s %s hoort ook bij een andere %s (regel %s). Geen van deze regels is ingelezen; elke %s heeft een eigen %s nodig.", nl, c.rec.valueOf(f), b.nounNL, nlLines, b.nounNL, strings.ToLower(nl)),
				fmt.Sprintf("%s %s also belongs to another %s (line %s). None of these rows was imported; every %s needs their own %s.", en, c.rec.valueOf(f), b.nounEN, enLines, b.nounEN, strings.ToLower(en))))
		}
	}
}

// resolveSharedEmail warns when different pupils share one e-mail address.
func (b *builder) resolveSharedEmail() {
	col := b.col[ixEmail]
	if col < 0 {
		return
	}
	first := make(map[string]int, len(b.cands))
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped || c.rec.Email == "" {
			continue
		}
		k := strings.ToLower(c.rec.Email)
		j, ok := first[k]
		if !ok {
			first[k] = i
			continue
		}
		line := b.cands[j].rec.Line
		c.warnings = append(c.warnings, b.problem(c.rec.Line, col, FieldEmail, CodeSharedEmail,
			fmt.Sprintf("E-mailadres %s wordt ook gebruikt door de %s op regel %d. Controleer of dit het eigen adres van de %s is.", c.rec.Email, b.nounNL, line, b.nounNL),
			fmt.Sprintf("E-mail address %s is also used by the %s on line %d. Check that it is the %s's own address.", c.rec.Email, b.nounEN, line, b.nounEN)))
	}
}

// classSpelling counts one spelling of a class as written in the file.
type classSpelling struct {
	raw       string
	count     int
	firstLine int
}

// resolveClasses merges class names that differ only in case or spaces into
// the spelling used most often (the earliest one on a tie).
func (b *builder) resolveClasses() {
	type group struct{ spellings []*classSpelling }
	byRaw := make(map[string]*classSpelling)
	byKey := make(map[string]*group)
	var order []*group
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped {
			continue
		}
		s, ok := byRaw[c.classRaw]
		if !ok {
			s = &classSpelling{raw: c.classRaw, firstLine: c.rec.Line}
			byRaw[c.classRaw] = s
			key := strings.ToLower(collapseSpace(c.classRaw))
			g, ok := byKey[key]
			if !ok {
				g = &group{}
				byKey[key] = g
				order = append(order, g)
			}
			g.spellings = append(g.spellings, s)
		}
		s.count++
	}
	canonical := make(map[string]string)
	col := b.col[ixClass]
	for _, g := range order {
		if len(g.spellings) < 2 {
			continue
		}
		win := g.spellings[0]
		for _, s := range g.spellings[1:] {
			if s.count > win.count {
				win = s
			}
		}
		name := collapseSpace(win.raw)
		for _, s := range g.spellings {
			canonical[s.raw] = name
			if s == win {
				continue
			}
			b.warnings = append(b.warnings, b.problem(s.firstLine, col, FieldClass, CodeClassSpelling,
				fmt.Sprintf("Klas %q (%d keer) is gelezen als %q, de schrijfwijze die het vaakst voorkomt.", s.raw, s.count, name),
				fmt.Sprintf("Class %q (%d times) was read as %q, the spelling used most often.", s.raw, s.count, name)))
		}
	}
	if len(canonical) == 0 {
		return
	}
	for i := range b.cands {
		c := &b.cands[i]
		if name, ok := canonical[c.classRaw]; ok {
			c.rec.Class = name
		}
	}
}

// result collects the surviving records and sorts the problems by line.
func (b *builder) result() *Result {
	res := &Result{UnknownLevels: b.unknown, EmptyLists: b.emptyLists, Kind: b.kind}
	n := 0
	for i := range b.cands {
		if !b.cands[i].refused && !b.cands[i].dropped {
			n++
		}
	}
	res.Records = make([]Record, 0, n)
	warnings := b.warnings
	for i := range b.cands {
		c := &b.cands[i]
		if c.refused || c.dropped {
			continue
		}
		res.Records = append(res.Records, c.rec)
		warnings = append(warnings, c.warnings...)
	}
	byLine := func(a, b Problem) int { return a.Line - b.Line }
	slices.SortStableFunc(warnings, byLine)
	slices.SortStableFunc(b.refused, byLine)
	res.Warnings = warnings
	res.Refused = b.refused
	last := 0
	for _, p := range res.Refused {
		if p.Line != last {
			res.RefusedLines++
			last = p.Line
		}
	}
	return res
}

// maxListedLines is how many other lines a duplicate message names.
const maxListedLines = 10

// otherLines lists the lines of the group members other than i in Dutch and
// English, as "3, 8 en 12", naming at most maxListedLines of them.
func (b *builder) otherLines(g []int, i int) (nl, en string) {
	lines := make([]string, 0, min(len(g)-1, maxListedLines))
	rest := 0
	for _, j := range g {
		if j == i {
			continue
		}
		if len(lines) == maxListedLines {
			rest++
			continue
		}
		lines = append(lines, strconv.Itoa(b.cands[j].rec.Line))
	}
	if rest > 0 {
		return strings.Join(lines, ", ") + fmt.Sprintf(" en nog %d andere", rest),
			strings.Join(lines, ", ") + fmt.Sprintf(" and %d others", rest)
	}
	return joinAnd(lines, "en"), joinAnd(lines, "and")
}

// valueOf returns the value of one of the unique fields of r.
func (r *Record) valueOf(f Field) string {
	switch f {
	case FieldUsername:
		return r.Username
	case FieldEckID:
		return r.EckID
	case FieldEmail:
		return r.Email
	}
	return r.Key
}

// sameRecord reports whether two rows describe the same pupil in the same way.
func sameRecord(a, b *Record) bool {
	return a.Key == b.Key && a.FirstName == b.FirstName && a.Infix == b.Infix &&
		a.LastName == b.LastName && strings.EqualFold(a.Class, b.Class) &&
		strings.EqualFold(a.Email, b.Email) && a.Username == b.Username && a.EckID == b.EckID &&
		a.Level == b.Level && NormalizeHeader(a.LevelRaw) == NormalizeHeader(b.LevelRaw) &&
		slices.Equal(a.Years, b.Years) && slices.EqualFunc(a.Groups, b.Groups, strings.EqualFold) &&
		slices.EqualFunc(a.MentorOf, b.MentorOf, strings.EqualFold)
}

// keyNounNL and keyNounEN name the key in a sentence: "het nummer" / "number", "de code" / "code".
func (b *builder) keyNounNL() string {
	if b.kind == KindTeachers {
		return "de code"
	}
	return "het nummer"
}

func (b *builder) keyNounEN() string {
	if b.kind == KindTeachers {
		return "code"
	}
	return "number"
}

// upperFirst returns s with its first (ASCII) letter in upper case.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// onlyEmptyPast reports whether cells is at least width long with only empty cells after it.
func onlyEmptyPast(cells []string, width int) bool {
	if len(cells) < width {
		return false
	}
	for _, c := range cells[width:] {
		if c != "" {
			return false
		}
	}
	return true
}

// collapseSpace replaces every run of white space (also line breaks) by one space.
func collapseSpace(s string) string {
	prevSpace := false
	for _, r := range s {
		if !unicode.IsSpace(r) {
			prevSpace = false
			continue
		}
		if r != ' ' || prevSpace {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = true
	}
	return s
}

// isFormulaStart reports whether a value starting with c would be run as a
// formula by Excel or LibreOffice when the admin opens an export.
func isFormulaStart(c byte) bool { return c == '=' || c == '+' || c == '-' || c == '@' }

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return true
		}
	}
	return false
}

// validEmail accepts addr@domain.tld with exactly one @, a dot in the domain
// and no spaces; it is stricter than RFC 5322 on purpose.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)) {
			return false
		}
	}
	labels := 0
	for label := range strings.SplitSeq(domain, ".") {
		labels++
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return false
			}
		}
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	return labels >= 2 && utf8.RuneCountInString(tld) >= 2 && strings.IndexFunc(tld, unicode.IsLetter) >= 0
}

// repairMojibake undoes UTF-8 text that was read as Windows-1252 ("Ã«" for
// "ë"); ok is false when s does not look like that.
func repairMojibake(s string) (string, bool) {
	if !strings.ContainsAny(s, "ÂÃÄÅâ") {
		return "", false
	}
	buf := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			return "", false
		}
		buf = append(buf, c)
	}
	if !utf8.Valid(buf) {
		return "", false
	}
	return norm.NFC.String(string(buf)), true
}
