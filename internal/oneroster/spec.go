package oneroster

// The OneRoster 1.2 CSV binding (1EdTech, "OneRoster: CSV Binding", version 1.2): file
// names, the header of each file in the binding's order, and which columns the binding
// requires. A consumer reads the header row by name and in this order; extension columns
// ("metadata.<vendor>.<name>") may follow the binding's columns, never precede them.

// The versions written to manifest.csv.
const (
	ManifestVersion  = "1.0"
	OneRosterVersion = "1.2"
	// SystemName is source.systemName in manifest.csv.
	SystemName = "Numo accounts"
	// SystemCode is source.systemCode in manifest.csv.
	SystemCode = "numo"
)

// The file names of the set.
const (
	FileManifest         = "manifest.csv"
	FileOrgs             = "orgs.csv"
	FileAcademicSessions = "academicSessions.csv"
	FileCourses          = "courses.csv"
	FileClasses          = "classes.csv"
	FileUsers            = "users.csv"
	FileRoles            = "roles.csv"
	FileEnrollments      = "enrollments.csv"
)

// The metadata extension columns of users.csv: what a Numo import needs besides the
// binding's columns to reproduce a pupil exactly. familyName holds the full "infix lastName"
// (readable by any consumer); metadata.numo.infix says which leading part is the infix.
const (
	MetaInfix = "metadata.numo.infix"
	MetaLevel = "metadata.numo.level"
	MetaYear  = "metadata.numo.year"
)

// Header is the header row of each data file: the binding's columns, in its order, then
// Numo's extension columns.
var Header = map[string][]string{
	FileOrgs:             {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
	FileAcademicSessions: {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
	FileCourses: {"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades",
		"orgSourcedId", "subjects", "subjectCodes"},
	FileClasses: {"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType",
		"location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
	FileUsers: {"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName",
		"middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier",
		"resourceSourcedIds", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
		MetaInfix, MetaLevel, MetaYear},
	FileRoles: {"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
		"orgSourcedId", "userProfileSourcedId"},
	FileEnrollments: {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role",
		"primary", "beginDate", "endDate"},
}

// Required is, per data file, the columns the binding requires a value in (status and
// dateLastModified are required only in delta mode; Numo writes bulk sets).
var Required = map[string][]string{
	FileOrgs:             {"sourcedId", "name", "type"},
	FileAcademicSessions: {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
	FileCourses:          {"sourcedId", "title", "orgSourcedId"},
	FileClasses:          {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
	FileUsers:            {"sourcedId", "enabledUser", "givenName", "familyName"},
	FileRoles:            {"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"},
	FileEnrollments:      {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
}

// ManifestFiles are the file.* properties of manifest.csv in the binding's order: every file
// of the binding, each "bulk" when the set holds it and "absent" when not.
var ManifestFiles = []string{
	"academicSessions", "categories", "classes", "classResources", "courses", "courseResources", "demographics",
	"enrollments", "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "orgs", "resources",
	"resultLearningObjectiveIds", "results", "resultScoreScales", "roles", "scoreScales", "userProfiles", "users",
}

// DataFiles are the data files Numo writes, in the order they appear in the zip.
var DataFiles = []string{FileOrgs, FileAcademicSessions, FileCourses, FileClasses, FileUsers, FileRoles, FileEnrollments}
