package rosterset

import (
	"fmt"
	"strings"

	"github.com/numo/accounts/internal/apperr"
)

// Codes of SetError, declared in apperr (codes are declared once, there). They reach users as
// extensions.setCode of apperr.CodeRosterSetRejected; docs/errors.md lists them.
const (
	CodeUnknownFormat = apperr.SetUnknownFormat // no file of the inputs belongs to a known set
	CodeMixedFormat   = apperr.SetMixedFormat   // files of two formats in one upload
	CodeMissingFile   = apperr.SetMissingFile   // a required file of the format is absent
	CodeDuplicateFile = apperr.SetDuplicateFile // the same file name twice in the upload
	CodeMissingColumn = apperr.SetMissingColumn // a required column of a file is absent
	CodeMalformedCSV  = apperr.SetMalformedCSV  // a file is not valid comma-separated CSV
	CodeDelta         = apperr.SetDelta         // manifest.csv declares a delta file
	CodeDuplicateID   = apperr.SetDuplicateID   // a sourcedId / SIS ID occurs twice in one file
	CodeDanglingRef   = apperr.SetDanglingRef   // a reference to a user, class, school … that is not in the set
	CodeInvalidRows   = apperr.SetInvalidRows   // rows the set cannot be converted with (a pupil in two stamklassen …)
	CodeNoSchool      = apperr.SetNoSchool      // the set holds no school
	CodeChooseSchool  = apperr.SetChooseSchool  // several schools and no BRIN given
	CodeUnknownSchool = apperr.SetUnknownSchool // the BRIN given is not a school of the set
	CodeTooLarge      = apperr.SetTooLarge      // the upload or the zip is over a limit
	CodeBadZip        = apperr.SetBadZip        // a zip that cannot be read, or with unsafe entry names
	CodeNotCSV        = apperr.SetNotCSV        // a file of the set that is not text
)

const maxProblems = 50 // row problems kept in one SetError

// problems collects row problems up to maxProblems and counts the rest.
type problems struct {
	list  []Problem
	total int
}

func (p *problems) add(file string, line int, column, nl, en string) {
	p.total++
	if len(p.list) < maxProblems {
		p.list = append(p.list, Problem{File: file, Line: line, Column: column, Message: nl, MessageEn: en})
	}
}

// err returns a SetError with the problems, or nil when there are none. The first problem
// names the file and line of the error itself.
func (p *problems) err(code, nl, en string) error {
	if p.total == 0 {
		return nil
	}
	first := p.list[0]
	nl = fmt.Sprintf("%s %d %s. Eerste: %s, regel %d: %s", nl, p.total, plural(p.total, "probleem", "problemen"), first.File, first.Line, first.Message)
	en = fmt.Sprintf("%s %d %s. First: %s, line %d: %s", en, p.total, plural(p.total, "problem", "problems"), first.File, first.Line, first.MessageEn)
	if p.total > len(p.list) {
		nl += fmt.Sprintf(" (en meer; alleen de eerste %d staan hier)", len(p.list))
		en += fmt.Sprintf(" (and more; only the first %d are listed)", len(p.list))
	}
	return &SetError{Code: code, File: first.File, Line: first.Line, Message: nl, MessageEn: en, Problems: p.list}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func fileError(code, file string, line int, nl, en string) *SetError {
	return &SetError{Code: code, File: file, Line: line, Message: nl, MessageEn: en}
}

// schoolList names schools for a message: "Naam (BRIN)".
func schoolList(ss []School) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		id := s.Identifier
		if id == "" {
			id = s.ID
		}
		parts[i] = fmt.Sprintf("%s (%s)", s.Name, id)
	}
	return strings.Join(parts, ", ")
}
