package apperr

// The codes of a roster set that cannot be read (internal/rosterset's SetError.Code). They
// reach clients as extensions.setCode of CodeRosterSetRejected; docs/errors.md lists them in
// that row (rosterset's TestDocNamesEverySetCode checks).
const (
	SetUnknownFormat = "SET_UNKNOWN_FORMAT" // no file of the upload belongs to a known set
	SetMixedFormat   = "SET_MIXED_FORMAT"   // files of two formats in one upload
	SetMissingFile   = "SET_MISSING_FILE"   // a file the format needs is absent
	SetDuplicateFile = "SET_DUPLICATE_FILE" // the same file name twice in the upload
	SetMissingColumn = "SET_MISSING_COLUMN" // a column the specification requires is absent
	SetMalformedCSV  = "SET_MALFORMED_CSV"  // a file is not valid comma-separated CSV
	SetDelta         = "SET_DELTA"          // manifest.csv declares a delta file
	SetDuplicateID   = "SET_DUPLICATE_ID"   // an id occurs twice (or is empty) in one file
	SetDanglingRef   = "SET_DANGLING_REF"   // a reference to a user, class, school … not in the set
	SetInvalidRows   = "SET_INVALID_ROWS"   // rows the set cannot be converted with
	SetNoSchool      = "SET_NO_SCHOOL"      // the set holds no school
	SetChooseSchool  = "SET_CHOOSE_SCHOOL"  // several schools and no BRIN given
	SetUnknownSchool = "SET_UNKNOWN_SCHOOL" // the BRIN given is not a school of the set
	SetTooLarge      = "SET_TOO_LARGE"      // the upload or a zip is over a limit
	SetBadZip        = "SET_BAD_ZIP"        // a zip that cannot be read or has unsafe entry names
	SetNotCSV        = "SET_NOT_CSV"        // a file of the set that is not text
	SetTooManyFiles  = "SET_TOO_MANY_FILES" // more files than a set may have in one upload
	SetEmpty         = "SET_EMPTY"          // no pupils and no teachers of the chosen school
)
