package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/numo/accounts/internal/clip"
	"golang.org/x/text/unicode/norm"
)

// File is a parsed upload: how it was written, its header and its data rows.
type File struct {
	Encoding   string   // one of the Encoding constants
	Delimiter  rune     // ';', ',', '\t' or '|'
	HeaderLine int      // 1-based physical line of the header row
	Columns    []Column // the header cells, without trailing empty ones
	Rows       []Row    // data rows in file order; rows with only empty cells are dropped
}

// Column is one column of the header row with a few example values for the mapping screen.
type Column struct {
	Index   int      `json:"index"`             // 0-based position in Row.Cells
	Header  string   `json:"header"`            // the header cell as written (trimmed, NFC)
	Samples []string `json:"samples,omitempty"` // up to 5 distinct non-empty values from well-formed rows, in file order
}

// Row is one data record of the file.
type Row struct {
	Line int // physical 1-based line where the record starts
	// Cells are NFC-normalised and trimmed. Empty cells past the header width are
	// cut off, but a row with a different number of cells than the header keeps
	// them all so that BuildRecords can refuse it instead of importing shifted data.
	Cells []string
}

const (
	// maxSamples is how many example values Column.Samples keeps.
	maxSamples = 5
	// maxQuotedLines is how many line breaks one quoted cell may span before
	// Parse assumes the quote was never meant to be that long.
	maxQuotedLines = 100
	// arenaChunk is how many cells are allocated at once for Row.Cells.
	arenaChunk = 8192
)

// MaxColumns is the most cells one record (the header or a data row) may have, not counting
// empty cells at its end. Pupil
// administrations export a few dozen columns at most; a record of thousands is not a roster
// and would only make every later step (the mapping screen, the stored job) slow and large.
const MaxColumns = 250

const (
	// maxHeaderLen is the longest column name kept (the job and the school's remembered
	// mappings store it); a longer one is cut, it names no known column anyway.
	maxHeaderLen = 100
	// maxSampleLen is the longest example value kept for the mapping screen.
	maxSampleLen = 100
)

// Parse decodes an uploaded CSV, finds its delimiter and header row together and
// splits the rest into rows that keep their physical line numbers.
//
// Text is read as UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised by
// its zero bytes) or else Windows-1252. Whole-file refusals are a *FileError:
// empty, binary, excel_workbook, html, unclosed_quote, no_header, no_rows, and
// required_missing when a required column is absent and no unmapped column is
// left that the admin could map to it.
func Parse(data []byte) (*File, error) {
	if len(data) == 0 {
		return nil, errEmpty()
	}
	if fe := checkMagic(data); fe != nil {
		return nil, fe
	}
	text, enc := decode(data)
	text = strings.TrimRight(text, "\x1a") // DOS end-of-file marker from old export tools
	if fe := checkText(text); fe != nil {
		return nil, fe
	}
	if isBlank(text) {
		return nil, errEmpty()
	}
	h, err := sniff(text)
	if err != nil {
		return nil, err
	}
	f := &File{
		Encoding:   enc,
		Delimiter:  rune(h.delim),
		HeaderLine: h.line,
		Columns:    make([]Column, len(h.cells)),
	}
	for i, c := range h.cells {
		f.Columns[i] = Column{Index: i, Header: clip.Marked(c, maxHeaderLen)}
	}
	if err := f.readRows(text, h); err != nil {
		return nil, err
	}
	if len(f.Rows) == 0 {
		return nil, &FileError{
			Code: CodeNoRows, Line: f.HeaderLine,
			NL: "Het bestand heeft alleen een kopregel en geen leerlingen. Exporteer de leerlingenlijst opnieuw en zorg dat de leerlingen geselecteerd zijn. Controleer in Magister of Somtoday het filter van de export (schooljaar, peildatum, klas of lesgroep): staat daar niemand in, dan is het bestand leeg.",
			EN: "The file only has a header row and no pupils. Export the pupil list again with the pupils selected. In Magister or Somtoday, check the export's filter (school year, reference date, class or group): if nobody matches it, the file is empty.",
		}
	}
	if fe := checkRequiredColumns(SniffKind(f.Columns), f.Columns, f.HeaderLine); fe != nil {
		return nil, fe
	}
	return f, nil
}

// readRows reads the data records after the header into f.Rows and f.Columns' samples.
func (f *File) readRows(text string, h header) error {
	width := len(h.cells)
	t := tokenizer{s: text, pos: h.next, line: h.nextLine, delim: h.delim, width: width}
	rest := text[h.next:]
	estimate := strings.Count(rest, "\n")
	if estimate == 0 {
		estimate = strings.Count(rest, "\r")
	}
	f.Rows = make([]Row, 0, estimate+1)
	// Cells of all rows share a few large arrays; the first one is sized for
	// the file so that a small file does not allocate a full chunk.
	arena := make([]string, 0, min(arenaChunk, (estimate+1)*width))
	for {
		fields, line, err := t.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		n := len(fields)
		empty := true
		for i := range fields {
			fields[i] = cleanCell(fields[i])
			if fields[i] != "" {
				empty = false
			}
		}
		if empty {
			continue // a separator-only line such as ";;;;"
		}
		for n > width && fields[n-1] == "" {
			n--
		}
		if cap(arena)-len(arena) < n {
			arena = make([]string, 0, max(n, arenaChunk))
		}
		start := len(arena)
		arena = append(arena, fields[:n]...)
		cells := arena[start:len(arena):len(arena)]
		f.Rows = append(f.Rows, Row{Line: line, Cells: cells})
		if n == width {
			f.addSamples(cells)
		}
	}
}

// addSamples records up to maxSamples distinct values per column.
func (f *File) addSamples(cells []string) {
	for i, v := range cells {
		c := &f.Columns[i]
		if v == "" || len(c.Samples) >= maxSamples {
			continue
		}
		dup := false
		for _, s := range c.Samples {
			if s == v {
				dup = true
				break
			}
		}
		if !dup {
			c.Samples = append(c.Samples, clip.Marked(v, maxSampleLen))
		}
	}
}

// checkRequiredColumns refuses a header that lacks a required field of kind k (as SniffKind
// reads the header) when no unmapped column is left that the admin could map to it by hand.
func checkRequiredColumns(k Kind, cols []Column, line int) *FileError {
	mapped := make(map[Field]bool, len(cols))
	spare := 0
	for _, m := range ProposeMappingFor(k, cols) {
		if m.Field == "" {
			spare++
		}
		mapped[m.Field] = true
	}
	if spare > 0 {
		return nil
	}
	var nl, en []string
	for _, fi := range infosFor(k) {
		if fi.Required && !mapped[fi.Field] {
			nl = append(nl, fi.LabelNL)
			en = append(en, fi.LabelEN)
		}
	}
	switch len(nl) {
	case 0:
		return nil
	case 1:
		return &FileError{
			Code: CodeRequiredMissing, Line: line,
			NL: fmt.Sprintf("De kolom %s ontbreekt. Voeg deze kolom met een kolomnaam in de kopregel toe aan het bestand en probeer het opnieuw.", nl[0]),
			EN: fmt.Sprintf("The column %s is missing. Add this column, with its name in the header row, to the file and try again.", en[0]),
		}
	default:
		return &FileError{
			Code: CodeRequiredMissing, Line: line,
			NL: fmt.Sprintf("De kolommen %s ontbreken. Voeg deze kolommen met een kolomnaam in de kopregel toe aan het bestand en probeer het opnieuw.", joinAnd(nl, "en")),
			EN: fmt.Sprintf("The columns %s are missing. Add these columns, with their names in the header row, to the file and try again.", joinAnd(en, "and")),
		}
	}
}

// joinAnd joins words as "a, b en c".
func joinAnd(words []string, and string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}

// isBlank reports whether text holds nothing but white space, delimiters and quotes.
func isBlank(text string) bool {
	for _, r := range text {
		switch r {
		case ' ', '\t', '\r', '\n', ';', ',', '|', '"', '\ufeff', '\u00a0', '\u200b':
		default:
			return false
		}
	}
	return true
}

// cleanCell trims white space (also no-break spaces and stray BOMs) and normalises to NFC.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf {
		s = strings.TrimFunc(s, isTrimmable)
	}
	if !isNFCQuick(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return s
}

// isNFCQuick reports whether s is certainly NFC without asking the norm tables
// (which allocate): everything below U+0300 and the typographic characters of
// Windows-1252 are starters that never compose, so Latin text passes here.
func isNFCQuick(s string) bool {
	for _, r := range s {
		if r < 0x300 {
			continue
		}
		switch r {
		case '€', '‚', '„', '…', '†', '‡', '‰', '‹', '›', '‘', '’', '“', '”', '•', '–', '—', '™':
			continue
		}
		return false
	}
	return true
}

func isTrimmable(r rune) bool {
	return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b' || r == '\u200e' || r == '\u200f'
}

// tokenizer splits decoded text into records. It follows RFC 4180 as Excel
// writes it: a field starting with a quote runs to the next lone quote, "" is a
// quote, and such a field may hold delimiters and line breaks. A quote inside an
// unquoted field is an ordinary character. CRLF, LF and a lone CR all end a line.
type tokenizer struct {
	s      string
	pos    int      // next byte to read
	line   int      // 1-based physical line of s[pos]
	delim  byte     // field separator
	width  int      // header width once known; enables the runaway-quote check
	fields []string // reused between records
	buf    []byte   // reused for quoted fields with "" inside
}

// next returns the fields of the next record and the physical line it starts
// on, or io.EOF. The returned slice is only valid until the next call.
func (t *tokenizer) next() ([]string, int, error) {
	s := t.s
	if t.pos >= len(s) {
		return nil, 0, io.EOF
	}
	t.fields = t.fields[:0]
	start := t.line
	for {
		j := t.pos
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == '"' {
			v, fe := t.quoted(j)
			if fe != nil {
				return nil, 0, fe
			}
			t.fields = append(t.fields, v)
		} else {
			k := t.pos
			for k < len(s) {
				if c := s[k]; c == t.delim || c == '\n' || c == '\r' {
					break
				}
				k++
			}
			t.fields = append(t.fields, s[t.pos:k])
			t.pos = k
		}
		if n := len(t.fields); n > MaxColumns {
			// Excel may end rows with many empty cells; those are dropped without being
			// kept, anything else past the limit refuses the file.
			if strings.TrimSpace(t.fields[n-1]) != "" {
				return nil, 0, errTooManyColumns(start)
			}
			t.fields = t.fields[:n-1]
		}
		if t.pos >= len(s) {
			return t.fields, start, nil
		}
		c := s[t.pos]
		t.pos++
		if c == t.delim {
			continue
		}
		if c == '\r' && t.pos < len(s) && s[t.pos] == '\n' {
			t.pos++
		}
		t.line++
		return t.fields, start, nil
	}
}

// quoted reads a quoted field whose opening quote is at s[open] and leaves
// t.pos at the delimiter or line break after it.
func (t *tokenizer) quoted(open int) (string, *FileError) {
	s := t.s
	p := open + 1
	escaped := false
	t.buf = t.buf[:0]
	seg := p
	for {
		k := strings.IndexByte(s[p:], '"')
		if k < 0 {
			return "", errUnclosedQuote(t.line, 0)
		}
		p += k
		if p+1 < len(s) && s[p+1] == '"' {
			t.buf = append(t.buf, s[seg:p+1]...)
			p += 2
			seg = p
			escaped = true
			continue
		}
		break
	}
	raw := s[open+1 : p]
	v := raw
	if escaped {
		t.buf = append(t.buf, s[seg:p]...)
		v = string(t.buf)
	}
	startLine := t.line
	if n := lineBreaks(raw); n > 0 {
		t.line += n
		if n > maxQuotedLines || t.swallowedRecords(raw) {
			return "", errUnclosedQuote(startLine, t.line)
		}
		if strings.IndexByte(v, '\r') >= 0 {
			v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
		}
	}
	// Text between the closing quote and the next delimiter is kept as written.
	p++
	k := p
	for k < len(s) {
		if c := s[k]; c == t.delim || c == '\n' || c == '\r' {
			break
		}
		k++
	}
	if after := s[p:k]; strings.TrimSpace(after) != "" {
		v += after
	}
	t.pos = k
	return v, nil
}

// swallowedRecords reports whether a multi-line quoted cell contains lines that
// look like whole records of the file: then a stray quote glued rows together.
func (t *tokenizer) swallowedRecords(raw string) bool {
	if t.width < 3 {
		return false
	}
	threshold := max(2, t.width/2)
	first := true
	for line := range strings.Lines(raw) {
		if first {
			first = false
			continue
		}
		if strings.Count(line, string(t.delim)) >= threshold {
			return true
		}
	}
	return false
}

// lineBreaks counts CRLF, LF and lone CR line breaks.
func lineBreaks(s string) int {
	n := strings.Count(s, "\n")
	if strings.IndexByte(s, '\r') >= 0 {
		n += strings.Count(s, "\r") - strings.Count(s, "\r\n")
	}
	return n
}

// errTooManyColumns refuses a record of more than MaxColumns cells, starting on line.
func errTooManyColumns(line int) *FileError {
	return &FileError{
		Code: CodeTooManyColumns, Line: line,
		NL: fmt.Sprintf("Deze regel heeft meer dan %d kolommen; een leerlingenlijst heeft er hoogstens enkele tientallen. Controleer of dit het goede bestand is en of het scheidingsteken klopt, en exporteer alleen de kolommen die u nodig hebt.", MaxColumns),
		EN: fmt.Sprintf("This line has more than %d columns; a pupil list has a few dozen at most. Check that this is the right file and that the separator is right, and export only the columns you need.", MaxColumns),
	}
}

func errEmpty() *FileError {
	return &FileError{
		Code: CodeEmpty,
		NL:   "Het bestand is leeg. Kies het bestand met de leerlingenlijst opnieuw.",
		EN:   "The file is empty. Choose the file with the pupil list again.",
	}
}

// errUnclosedQuote refuses a quote opened on line and closed on closeLine (0 = never).
func errUnclosedQuote(line, closeLine int) *FileError {
	if closeLine == 0 {
		return &FileError{
			Code: CodeUnclosedQuote, Line: line,
			NL: "Op deze regel begint een waarde met een aanhalingsteken (\") dat nergens wordt gesloten. Haal het aanhalingsteken weg of zet er een tweede achter, en sla het bestand opnieuw op.",
			EN: "On this line a value starts with a quote (\") that is never closed. Remove the quote or add a closing one, and save the file again.",
		}
	}
	return &FileError{
		Code: CodeUnclosedQuote, Line: line,
		NL: fmt.Sprintf("Op deze regel begint een waarde met een aanhalingsteken (\") dat pas op regel %d wordt gesloten, zodat de regels daartussen in één cel belanden. Controleer de aanhalingstekens op deze regel en sla het bestand opnieuw op.", closeLine),
		EN: fmt.Sprintf("On this line a value starts with a quote (\") that is only closed on line %d, so the lines in between end up in one cell. Check the quotes on this line and save the file again.", closeLine),
	}
}
