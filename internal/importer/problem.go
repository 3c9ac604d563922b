package importer

import (
	"errors"
	"fmt"
	"strings"
)

// Row-level problem codes; they are part of the API and never change meaning.
const (
	// CodeMissingValue marks a required field that is empty in a row.
	CodeMissingValue = "missing_value"
	// CodeFieldCount marks a row whose number of cells differs from the header.
	CodeFieldCount = "field_count"
	// CodeFormula marks a value that a spreadsheet would run as a formula.
	CodeFormula = "formula"
	// CodeTooLong marks a value longer than MaxValueLength characters.
	CodeTooLong = "too_long"
	// CodeInvalidEmail marks an e-mail address that cannot be delivered to.
	CodeInvalidEmail = "invalid_email"
	// CodeInvalidCharacter marks a value holding an invisible control character.
	CodeInvalidCharacter = "invalid_character"
	// CodeQuestionMark warns about a "?" in a name, usually a letter lost in a save.
	CodeQuestionMark = "question_mark"
	// CodeKeptDamaged warns that a value of the file is the stored value with letters lost to
	// "?" (a spreadsheet's save): the stored value stays.
	CodeKeptDamaged = "kept_damaged"
	// CodeGarbledText warns about a name that looks like UTF-8 read as Windows-1252.
	CodeGarbledText = "garbled_text"
	// CodeDuplicateKey warns that an identical row for the same key was collapsed.
	CodeDuplicateKey = "duplicate_key"
	// CodeConflictingKey refuses every row of a key that occurs with different data.
	CodeConflictingKey = "conflicting_key"
	// CodeDuplicateValue refuses rows of different pupils sharing a username or ECK iD.
	CodeDuplicateValue = "duplicate_value"
	// CodeSharedEmail warns that different pupils share one e-mail address.
	CodeSharedEmail = "shared_email"
	// CodeClassSpelling warns that a class spelling was merged into the most frequent one.
	CodeClassSpelling = "class_spelling"
	// CodeInvalidYear warns that a year value was not understood.
	CodeInvalidYear = "invalid_year"
	// CodeRepeatedHeader refuses a data row that repeats the header row.
	CodeRepeatedHeader = "repeated_header"
	// CodeRequiredUnmapped marks a required field that no column is mapped to.
	CodeRequiredUnmapped = "required_unmapped"
	// CodeDuplicateField marks two columns mapped to the same field.
	CodeDuplicateField = "duplicate_field"
	// CodeColumnOutOfRange marks a mapping entry for a column the file does not have.
	CodeColumnOutOfRange = "column_out_of_range"
	// CodeUnknownField marks a mapping entry naming a field that does not exist.
	CodeUnknownField = "unknown_field"
	// CodeUnknownLevel marks level values that Numo does not recognise and that are not yet
	// mapped to a level or to "no level": the import waits for that choice.
	CodeUnknownLevel = "unknown_level"
	// CodeTooManyGroups refuses a row whose list cell names more than MaxGroupsPerCell groups.
	CodeTooManyGroups = "too_many_groups"
	// CodeEmptyColumn warns that a mapped list column is empty in every row: it is treated as
	// not mapped, so nobody's groups change.
	CodeEmptyColumn = "empty_column"
	// CodeGroupSpelling warns that a group spelling was merged into the most frequent one.
	CodeGroupSpelling = "group_spelling"
	// CodeMatchedByEmail warns that a teacher row was matched to a keyless account by e-mail.
	CodeMatchedByEmail = "matched_by_email"
	// CodeNoTeacherCode refuses a teacher row without a code whose e-mail address finds no
	// teacher of the school without a code: a new teacher needs one.
	CodeNoTeacherCode = "no_teacher_code"
	// CodeNotATeacher refuses a teacher row whose code belongs to a pupil's or admin's account.
	CodeNotATeacher = "not_a_teacher"
	// CodeClassIsLesgroep refuses a pupil row whose stamklas is the name of a lesgroep.
	CodeClassIsLesgroep = "class_is_lesgroep"
)

// File-level refusal codes used in FileError.
const (
	// CodeEmpty refuses a file without any content.
	CodeEmpty = "empty"
	// CodeNoRows refuses a file that has a header row but no pupils.
	CodeNoRows = "no_rows"
	// CodeBinary refuses a file that is not text.
	CodeBinary = "binary"
	// CodeExcelWorkbook refuses an Excel workbook (xlsx, xls) saved under a .csv name.
	CodeExcelWorkbook = "excel_workbook"
	// CodeHTML refuses a web page that an "export to Excel" produced.
	CodeHTML = "html"
	// CodeUnclosedQuote refuses a file with a quote that is not closed in time.
	CodeUnclosedQuote = "unclosed_quote"
	// CodeNoHeader refuses a file without a recognisable header row.
	CodeNoHeader = "no_header"
	// CodeRequiredMissing refuses a file that lacks required columns and has none left to map.
	CodeRequiredMissing = "required_missing"
	// CodeTooManyColumns refuses a file with a record of more than MaxColumns cells.
	CodeTooManyColumns = "too_many_columns"
)

// Problem is a row- or file-level problem with a message in Dutch and English.
type Problem struct {
	Line   int    `json:"line"`             // 1-based physical line in the file (0 = whole file)
	Column string `json:"column,omitempty"` // the file's header text of the column, "kolom N" if that is empty
	Field  Field  `json:"field,omitempty"`
	Code   string `json:"code"`      // stable machine code, one of the Code constants
	NL     string `json:"message"`   // plain Dutch message for the admin
	EN     string `json:"messageEn"` // the same message in English
}

// Error formats the problem in Dutch, e.g. "regel 12, kolom Achternaam: ...".
func (p Problem) Error() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "regel %d", p.Line)
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "kolom %s", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.NL)
	return b.String()
}

// ErrFileRejected is matched by errors.Is for every *FileError.
var ErrFileRejected = errors.New("file rejected")

// FileError refuses a whole file; NL and EN tell the admin what to do. NL and EN never name
// Line themselves ("deze regel"): whoever shows the error adds the line once (Error, the
// upload's extensions.line, the CLI), so a message does not say "regel 9" twice.
type FileError struct {
	Code string `json:"code"`      // one of the file-level Code constants
	Line int    `json:"line"`      // 1-based physical line the problem is on, 0 if none
	NL   string `json:"message"`   // plain Dutch message for the admin
	EN   string `json:"messageEn"` // the same message in English
}

// Error returns the Dutch message, prefixed with the line when there is one.
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("regel %d: %s", e.Line, e.NL)
	}
	return e.NL
}

// Unwrap returns ErrFileRejected so that errors.Is(err, ErrFileRejected) holds.
func (e *FileError) Unwrap() error { return ErrFileRejected }

// ErrInvalidMapping is matched by errors.Is for every *MappingError.
var ErrInvalidMapping = errors.New("invalid column mapping")

// MappingError is returned by BuildRecords when the column mapping is unusable.
type MappingError struct {
	Problems []Problem // what Mapping.Validate reported, in column order
}

// Error joins the Dutch messages of all problems.
func (e *MappingError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "kolomindeling ongeldig: " + strings.Join(msgs, "; ")
}

// Unwrap exposes ErrInvalidMapping and each Problem to errors.Is and errors.As.
func (e *MappingError) Unwrap() []error {
	errs := make([]error, 0, len(e.Problems)+1)
	errs = append(errs, ErrInvalidMapping)
	for _, p := range e.Problems {
		errs = append(errs, p)
	}
	return errs
}
