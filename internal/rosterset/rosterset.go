// Package rosterset reads standard roster sets — Microsoft School Data Sync
// (v1 CSV and v2.1 CSV) and IMS OneRoster bulk CSV (1.1 and 1.2) — checks
// the set as a whole and converts the chosen school's rows into Numo's own
// canonical pupil and teacher CSV files, which the importer then plans and
// commits like any other upload.
//
// Work in progress: the exported types and Open's signature are the contract
// other packages code against; Open does not read sets yet.
package rosterset

// Input is one uploaded file: a .zip holding a set, or one .csv of a set.
type Input struct {
	Name string
	Data []byte
}

// Format names a roster set format.
type Format string

// The formats Open recognises.
const (
	FormatSDS1        Format = "SDS1"
	FormatSDS21       Format = "SDS2.1"
	FormatOneRoster11 Format = "ONEROSTER1.1"
	FormatOneRoster12 Format = "ONEROSTER1.2"
)

// School is one school (org) of a set; Identifier is the BRIN when given.
type School struct{ ID, Name, Identifier string }

// Origin says where a canonical row came from: a file of the set and its
// 1-based physical line.
type Origin struct {
	File string
	Line int
}

// Skipped is a row of the set that is not imported, with the reason.
type Skipped struct {
	File             string
	Line             int
	Reason, ReasonEn string
}

// Set is a read and checked roster set, converted for one school.
type Set struct {
	Format   Format
	Version  string
	Schools  []School
	School   School
	Pupils   []byte
	Teachers []byte
	// PupilOrigins[i] and TeacherOrigins[i] are the origins of data row i
	// (0-based, after the header) of Pupils and Teachers.
	PupilOrigins, TeacherOrigins []Origin
	Skipped                      []Skipped
	Subjects                     map[string]string
}

// Problem is one row problem of a set.
type Problem struct {
	File               string
	Line               int
	Column             string
	Message, MessageEn string
}

// SetError says why a set as a whole cannot be read.
type SetError struct {
	Code               string
	File               string
	Line               int
	Message, MessageEn string
	Problems           []Problem
}

func (e *SetError) Error() string { return e.Code + ": " + e.MessageEn }

// Open recognises the format by file names and headers, checks the set as a
// whole and converts the chosen school's rows. brin selects the school
// (matched on identifier/BRIN, case-insensitive); when the set holds exactly
// one school brin may be "".
func Open(inputs []Input, brin string) (*Set, error) {
	return nil, &SetError{Code: "SET_UNKNOWN_FORMAT", Message: "Nog niet beschikbaar.", MessageEn: "Not available yet."}
}
