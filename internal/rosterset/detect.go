package rosterset

import (
	"fmt"
	"slices"
	"strings"
)

// The file names of each format (lower case; matching is case-insensitive).
var (
	sds1Files    = []string{"school.csv", "section.csv", "student.csv", "teacher.csv", "studentenrollment.csv", "teacherroster.csv"}
	sds21Files   = []string{"orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv"}
	oneRoster11  = []string{"manifest.csv", "orgs.csv", "users.csv", "classes.csv", "enrollments.csv"}
	oneRoster12  = []string{"manifest.csv", "orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv"}
	v2FileFamily = []string{"manifest.csv", "orgs.csv", "users.csv", "roles.csv", "classes.csv", "enrollments.csv",
		"courses.csv", "academicsessions.csv", "demographics.csv", "userflags.csv", "relationships.csv",
		"userprofiles.csv", "categories.csv", "lineitems.csv", "results.csv", "resources.csv"}
)

// LooksLikeSet reports whether the uploads are (or contain) a roster set rather than one
// pupil or teacher export: a zip, or a CSV named like a file of SDS or OneRoster.
func LooksLikeSet(inputs []Input) bool {
	for _, in := range inputs {
		if isZip(in) {
			return true
		}
		name := strings.ToLower(in.Name[strings.LastIndexAny(in.Name, `/\`)+1:])
		if slices.Contains(sds1Files, name) || slices.Contains(v2FileFamily, name) {
			return true
		}
	}
	return false
}

// detect recognises the format by the file names and, where names are shared (SDS v2.1 and
// OneRoster both have users.csv), by manifest.csv and the headers.
func detect(files map[string]*file) (Format, error) {
	var sds1, v2 []string
	for k, f := range files {
		switch {
		case slices.Contains(sds1Files, k):
			sds1 = append(sds1, f.name)
		case slices.Contains(v2FileFamily, k):
			v2 = append(v2, f.name)
		}
	}
	switch {
	case len(sds1) > 0 && len(v2) > 0:
		slices.Sort(sds1)
		slices.Sort(v2)
		return "", &SetError{Code: CodeMixedFormat,
			Message: fmt.Sprintf("De upload mengt bestanden van School Data Sync v1 (%s) met die van OneRoster of SDS v2.1 (%s). Kies de bestanden van één export.",
				strings.Join(sds1, ", "), strings.Join(v2, ", ")),
			MessageEn: fmt.Sprintf("The upload mixes files of School Data Sync v1 (%s) with those of OneRoster or SDS v2.1 (%s). Choose the files of one export.",
				strings.Join(sds1, ", "), strings.Join(v2, ", "))}
	case len(sds1) > 0:
		return FormatSDS1, nil
	case len(v2) == 0:
		return "", &SetError{Code: CodeUnknownFormat,
			Message:   "Numo herkent hier geen set: verwacht worden de CSV-bestanden van School Data Sync (v1: Student.csv, Teacher.csv, Section.csv …; v2.1: orgs.csv, users.csv, roles.csv …) of OneRoster 1.1/1.2 (manifest.csv, users.csv …), los of in één zip.",
			MessageEn: "Numo does not recognise a set here: it expects the CSV files of School Data Sync (v1: Student.csv, Teacher.csv, Section.csv …; v2.1: orgs.csv, users.csv, roles.csv …) or OneRoster 1.1/1.2 (manifest.csv, users.csv …), separately or in one zip."}
	}
	if _, ok := files["manifest.csv"]; ok {
		return FormatOneRoster12, nil // the manifest names the version; readManifest refines it
	}
	if u, ok := files["users.csv"]; ok && headerHas(u, "enabledUser") {
		return "", missingFiles(FormatOneRoster12, []string{"manifest.csv"})
	}
	return FormatSDS21, nil
}

// headerHas reports whether the first line of f names col (case-insensitively).
func headerHas(f *file, col string) bool {
	first, _, _ := strings.Cut(string(f.data), "\n")
	for _, h := range strings.Split(first, ",") {
		if strings.EqualFold(strings.Trim(strings.TrimSpace(h), "\"\ufeff"), col) {
			return true
		}
	}
	return false
}

// requireFiles refuses a set without the files Numo needs from its format.
func requireFiles(format Format, files map[string]*file) error {
	var need []string
	switch format {
	case FormatSDS1:
		need = sds1Files
	case FormatSDS21:
		need = sds21Files
	case FormatOneRoster11:
		need = oneRoster11
	default:
		need = oneRoster12
	}
	var missing []string
	for _, n := range need {
		if _, ok := files[n]; !ok {
			missing = append(missing, displayName(format, n))
		}
	}
	if len(missing) > 0 {
		return missingFiles(format, missing)
	}
	return nil
}

// displayName spells a file name as the specification does.
func displayName(format Format, key string) string {
	if format == FormatSDS1 {
		for _, n := range []string{"School.csv", "Section.csv", "Student.csv", "Teacher.csv", "StudentEnrollment.csv", "TeacherRoster.csv"} {
			if strings.EqualFold(n, key) {
				return n
			}
		}
	}
	if key == "academicsessions.csv" {
		return "academicSessions.csv"
	}
	return key
}

func missingFiles(format Format, names []string) error {
	list := strings.Join(names, ", ")
	return &SetError{Code: CodeMissingFile, File: names[0],
		Message: fmt.Sprintf("De set (%s) is niet compleet: %s %s. Voeg %s toe, of maak de export opnieuw met alle bestanden.",
			formatTitle(format), plural(len(names), "ontbreekt", "ontbreken"), list, plural(len(names), "dat bestand", "die bestanden")),
		MessageEn: fmt.Sprintf("The set (%s) is not complete: %s %s missing. Add %s, or export again with all files.",
			formatTitle(format), list, plural(len(names), "is", "are"), plural(len(names), "that file", "those files"))}
}

// formatTitle is the format's name for messages.
func formatTitle(f Format) string {
	switch f {
	case FormatSDS1:
		return "School Data Sync v1"
	case FormatSDS21:
		return "School Data Sync v2.1"
	case FormatOneRoster11:
		return "OneRoster 1.1"
	default:
		return "OneRoster 1.2"
	}
}
