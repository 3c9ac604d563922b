package importer

import (
	"errors"
	"io"
	"strings"
)

// delimiters are the separators Parse recognises, in order of preference on a tie.
var delimiters = []byte{';', ',', '\t', '|'}

const (
	// sniffRecords is how many records from the top are searched for the header
	// row; exports put at most a title, a date and a blank line above it.
	sniffRecords = 50
	// maxHeaderCell is the longest cell that can still be a column name.
	maxHeaderCell = 60
	// maxHeaderScan is how many cells of a record are looked at as column
	// names, so that a huge data row cannot make the search slow.
	maxHeaderScan = 256
)

// header is the header row found by sniff and where the data starts after it.
type header struct {
	delim    byte
	cells    []string // cleaned header cells, trailing empty ones removed
	line     int      // physical line of the header row
	next     int      // byte offset of the first record after the header
	nextLine int      // physical line at next
	score    int      // number of distinct fields the header names
	named    int      // number of non-empty header cells
}

// sniff finds the delimiter and the header row together: for each delimiter it
// looks for the row among the first records that names the most known columns,
// and the delimiter whose header names the most wins. Data cells may contain
// the other separators; the header row decides.
func sniff(text string) (header, error) {
	var best header
	for _, d := range delimiters {
		h := findHeader(text, d)
		if h.score > best.score || (h.score == best.score && h.named > best.named) {
			best = h
		}
	}
	if best.score >= minHeaderFields {
		return best, nil
	}
	// Without a header, a broken quote that swallowed the top of the file is the
	// more useful thing to report.
	t := tokenizer{s: text, line: 1, delim: guessDelimiter(text)}
	for {
		_, _, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return header{}, err
		}
	}
	return header{}, &FileError{
		Code: CodeNoHeader,
		NL:   "Er is geen kopregel met kolomnamen gevonden. Zet bovenaan een regel met kolomnamen zoals Stamnr, Roepnaam, Tussenvoegsel, Achternaam en Klas.",
		EN:   "No header row with column names was found. Put a row with column names such as Stamnr, Roepnaam, Tussenvoegsel, Achternaam and Klas at the top.",
	}
}

// findHeader returns the record among the first sniffRecords that names the
// most distinct fields when split by delim; the first one wins a tie.
func findHeader(text string, delim byte) header {
	t := tokenizer{s: text, line: 1, delim: delim}
	var best header
	for range sniffRecords {
		fields, line, err := t.next()
		if err != nil {
			break // io.EOF, or a quote problem that the full parse reports
		}
		score, named := headerScore(fields)
		if score <= best.score {
			continue
		}
		cells := make([]string, len(fields))
		for i, f := range fields {
			cells[i] = cleanCell(f)
		}
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		best = header{
			delim: delim, cells: cells, line: line, next: t.pos, nextLine: t.line,
			score: score, named: named,
		}
	}
	return best
}

// headerScore counts the distinct fields that the first maxHeaderScan cells
// name, and the non-empty ones among them.
func headerScore(fields []string) (score, named int) {
	var seen [16]Field
	for _, f := range fields[:min(len(fields), maxHeaderScan)] {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		named++
		if len(f) > maxHeaderCell {
			continue
		}
		hc, ok := matchHeader(NormalizeHeader(f))
		if !ok || hc.conf < minHeaderConf {
			continue
		}
		dup := false
		for _, s := range seen[:score] {
			if s == hc.field {
				dup = true
				break
			}
		}
		if !dup && score < len(seen) {
			seen[score] = hc.field
			score++
		}
	}
	return score, named
}

// guessDelimiter picks the separator that occurs most on the first non-blank line.
func guessDelimiter(text string) byte {
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		best, bestN := delimiters[0], 0
		for _, d := range delimiters {
			if n := strings.Count(line, string(d)); n > bestN {
				best, bestN = d, n
			}
		}
		return best
	}
	return delimiters[0]
}

// teacherCodeHeaders are the headers (after NormalizeHeader) that name a teacher's code; a
// pupil export never has one without a pupil number beside it.
var teacherCodeHeaders = map[string]bool{
	"docentcode": true, "afkorting": true, "afk": true, "docentafkorting": true, "medewerkercode": true,
	"medewerkerafkorting": true, "personeelscode": true, "teachercode": true, "docent": true, "code": true,
}

// teacherMentorHeaders name the class a teacher mentors. A bare "Mentor" is not among them:
// pupil exports carry their mentor's name under that header.
var teacherMentorHeaders = map[string]bool{
	"mentorklas": true, "mentorklassen": true, "mentorvan": true, "mentorgroep": true, "mentorgroepen": true,
	"mentoraat": true, "mentorof": true,
}

// SniffKind recognises a teacher export by its headers: it has no column a pupil file keys
// its rows by (Stamnr, Leerlingnummer, …) and it has a teacher code column (Docentcode,
// Afkorting, Code, …) or a column with the class a teacher mentors (Mentorklas, Mentor van).
// Every other file is KindPupils.
func SniffKind(cols []Column) Kind {
	code, mentor := false, false
	for _, c := range cols {
		n := NormalizeHeader(c.Header)
		if hc, ok := matchHeader(n); ok && hc.field == FieldKey && hc.conf >= minHeaderConf && n != "id" {
			return KindPupils
		}
		code = code || teacherCodeHeaders[n]
		mentor = mentor || teacherMentorHeaders[n]
	}
	if code || mentor {
		return KindTeachers
	}
	return KindPupils
}
