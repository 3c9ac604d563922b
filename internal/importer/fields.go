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
)

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
	numFields
)

// fieldInfos is in display order; its positions are the ix constants.
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
}

// Fields lists every Field in display order; key, firstName, lastName and class are required.
func Fields() []FieldInfo { return slices.Clone(fieldInfos) }

// Info returns the description of f and whether f is a known field.
func (f Field) Info() (FieldInfo, bool) {
	for _, fi := range fieldInfos {
		if fi.Field == f {
			return fi, true
		}
	}
	return FieldInfo{}, false
}

// index returns the position of f in fieldInfos, or -1 when f is unknown.
func (f Field) index() int {
	for i, fi := range fieldInfos {
		if fi.Field == f {
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
