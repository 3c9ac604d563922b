package importer

import "slices"

// Field is a pupil attribute that a column of the file can be mapped to.
type Field string

// The fields a column can be mapped to; the zero Field means "not imported".
const (
	FieldKey       Field = "key"       // the school's pupil number (Stamnr), an opaque string
	FieldFirstName Field = "firstName" // the name the pupil is called by (Roepnaam)
	FieldInfix     Field = "infix"     // tussenvoegsel such as "van der"
	FieldLastName  Field = "lastName"  // surname without the infix
	FieldClass     Field = "class"     // class or group name, e.g. "2B" or "groep 7a"
	FieldLevel     Field = "level"     // school type or Magister study code, see Level
	FieldYear      Field = "year"      // leerjaar or jaargroep, 1..8
	FieldEmail     Field = "email"     // the pupil's own e-mail address
	FieldUsername  Field = "username"  // login name at the school
	FieldEckID     Field = "eckId"     // the Dutch ECK iD pseudonym
	// FieldGroups is a pupil's lesgroepen: a list in one cell, comma- or semicolon-separated
	// ("h4a.ne1, h4a.en2"); optional.
	FieldGroups Field = "groups"
	// FieldTeaches is what a teacher teaches: groups or classes, a list in one cell.
	FieldTeaches Field = "teaches"
	// FieldMentorOf is the stamklas (or the stamklassen) a teacher is mentor of, a list in one cell.
	FieldMentorOf Field = "mentorOf"
)

// Kind is what a file holds: pupils or teachers. Its fields, labels and required columns
// follow from it (see FieldsFor).
type Kind string

// The kinds of import; "" reads as KindPupils everywhere.
const (
	KindPupils   Kind = "pupils"
	KindTeachers Kind = "teachers"
)

// orPupils returns k, or KindPupils for "".
func (k Kind) orPupils() Kind {
	if k == "" {
		return KindPupils
	}
	return k
}

// FieldInfo describes a Field for the mapping screen.
type FieldInfo struct {
	Field    Field  `json:"field"`
	Required bool   `json:"required"` // a row without a value for it is refused
	LabelNL  string `json:"labelNl"`  // label shown to a Dutch admin
	LabelEN  string `json:"labelEn"`  // label shown in English
}

// Positions of the fields in fieldInfos, for arrays indexed by field.
const (
	ixKey = iota
	ixFirstName
	ixInfix
	ixLastName
	ixClass
	ixLevel
	ixYear
	ixEmail
	ixUsername
	ixEckID
	ixGroups
	ixTeaches
	ixMentorOf
	numFields
)

// fieldOrder is every Field at its ix position, whatever the kind.
var fieldOrder = [numFields]Field{FieldKey, FieldFirstName, FieldInfix, FieldLastName, FieldClass, FieldLevel,
	FieldYear, FieldEmail, FieldUsername, FieldEckID, FieldGroups, FieldTeaches, FieldMentorOf}

// fieldInfos are the pupil fields in display order.
var fieldInfos = []FieldInfo{
	{FieldKey, true, "Leerlingnummer", "Student number"},
	{FieldFirstName, true, "Roepnaam", "First name"},
	{FieldInfix, false, "Tussenvoegsel", "Infix"},
	{FieldLastName, true, "Achternaam", "Last name"},
	{FieldClass, true, "Klas", "Class"},
	{FieldLevel, false, "Niveau", "Level"},
	{FieldYear, false, "Leerjaar", "Year"},
	{FieldEmail, false, "E-mailadres", "E-mail address"},
	{FieldUsername, false, "Gebruikersnaam", "Username"},
	{FieldEckID, false, "ECK iD", "ECK iD"},
	{FieldGroups, false, "Lesgroepen", "Teaching groups"},
}

// teacherFieldInfos are the teacher fields in display order: a teacher is keyed by the
// school's teacher code (docentcode, afkorting) and has no class, level or year.
var teacherFieldInfos = []FieldInfo{
	{FieldKey, true, "Docentcode", "Teacher code"},
	{FieldFirstName, true, "Roepnaam", "First name"},
	{FieldInfix, false, "Tussenvoegsel", "Infix"},
	{FieldLastName, true, "Achternaam", "Last name"},
	{FieldEmail, false, "E-mailadres", "E-mail address"},
	{FieldUsername, false, "Gebruikersnaam", "Username"},
	{FieldEckID, false, "ECK iD", "ECK iD"},
	{FieldTeaches, false, "Lesgroepen en klassen", "Groups and classes taught"},
	{FieldMentorOf, false, "Mentor van", "Mentor of"},
}

// Fields lists every pupil Field in display order; key, firstName, lastName and class are required.
func Fields() []FieldInfo { return slices.Clone(fieldInfos) }

// FieldsFor lists the fields of a kind of file in display order ("" is pupils).
func FieldsFor(k Kind) []FieldInfo { return slices.Clone(infosFor(k)) }

// infosFor is the shared field list of k.
func infosFor(k Kind) []FieldInfo {
	if k == KindTeachers {
		return teacherFieldInfos
	}
	return fieldInfos
}

// Info returns the description of f as a pupil field, else as a teacher field, and whether f
// is a known field.
func (f Field) Info() (FieldInfo, bool) {
	if fi, ok := f.InfoFor(KindPupils); ok {
		return fi, true
	}
	return f.InfoFor(KindTeachers)
}

// InfoFor returns the description of f in a file of kind k, and whether k has that field.
func (f Field) InfoFor(k Kind) (FieldInfo, bool) {
	for _, fi := range infosFor(k) {
		if fi.Field == f {
			return fi, true
		}
	}
	return FieldInfo{}, false
}

// index returns the ix position of f, or -1 when f is unknown.
func (f Field) index() int {
	for i, g := range fieldOrder {
		if g == f {
			return i
		}
	}
	return -1
}

// labels returns the Dutch and English labels of f, or f itself when unknown.
func (f Field) labels() (nl, en string) {
	if fi, ok := f.Info(); ok {
		return fi.LabelNL, fi.LabelEN
	}
	return string(f), string(f)
}

// labelsFor returns the Dutch and English labels of f in a file of kind k.
func (f Field) labelsFor(k Kind) (nl, en string) {
	if fi, ok := f.InfoFor(k); ok {
		return fi.LabelNL, fi.LabelEN
	}
	return f.labels()
}

// isList reports whether f holds a list of group names in one cell.
func (f Field) isList() bool { return f == FieldGroups || f == FieldTeaches || f == FieldMentorOf }

// textField returns the text field f of p, or nil when f is not one: level and year are parsed
// from what the file writes, not copied. It is the one place that maps a Field to a Person's field.
func textField(p *Person, f Field) *string {
	switch f {
	case FieldKey:
		return &p.Key
	case FieldFirstName:
		return &p.FirstName
	case FieldInfix:
		return &p.Infix
	case FieldLastName:
		return &p.LastName
	case FieldClass:
		return &p.Class
	case FieldEmail:
		return &p.Email
	case FieldUsername:
		return &p.Username
	case FieldEckID:
		return &p.EckID
	}
	return nil
}
