package oneroster_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/store"
	"github.com/numo/accounts/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/oneroster")

// goldenDir holds the expected CSVs of the scene's export, with database ids replaced by
// labels (ids differ between databases and runs; everything else must not).
var goldenDir = filepath.Join("..", "..", "testdata", "oneroster", "golden")

var idPattern = regexp.MustCompile(`(numo-[a-z]+-)(\d+)(-(\d+))?`)

// normalise replaces the database ids in sourcedIds by the scene's labels.
func normalise(data []byte, labels map[int]string) []byte {
	label := func(s string) string {
		n, err := strconv.Atoi(s)
		if l, ok := labels[n]; err == nil && ok {
			return "{" + l + "}"
		}
		return s
	}
	return idPattern.ReplaceAllFunc(data, func(m []byte) []byte {
		g := idPattern.FindSubmatch(m)
		out := string(g[1]) + label(string(g[2]))
		if len(g[4]) > 0 {
			out += "-" + label(string(g[4]))
		}
		return []byte(out)
	})
}

func TestExportGolden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := seed(t, db)
		data, sum := export(t, db, sc.school.ID, oneroster.Options{})
		if want := (oneroster.Summary{Pupils: 6, Teachers: 2, Admins: 1, Classes: 5, Courses: 5, Enrollments: 16}); sum != want {
			t.Errorf("summary %+v, want %+v", sum, want)
		}
		s := unzip(t, data)
		want := append(slices.Clone(oneroster.DataFiles), oneroster.FileManifest)
		if !slices.Equal(s.order, want) {
			t.Fatalf("files %v, want %v", s.order, want)
		}
		for _, name := range s.order {
			got := normalise(s.raw[name], sc.labels)
			path := filepath.Join(goldenDir, name)
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			exp, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("%s differs from %s:\n%s", name, path, got)
			}
		}
		checkConformance(t, s)
	})
}

// TestExportContents checks what the golden files hold that matters most, by field: data
// minimisation, the archived pupil, the other school, names, the mentor and the metadata.
func TestExportContents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := seed(t, db)
		data, _ := export(t, db, sc.school.ID, oneroster.Options{})
		s := unzip(t, data)
		for name, raw := range s.raw {
			for _, secret := range []string{"argon2", "SECRETHASH", "Vreemd", "100999", "Oud"} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("%s holds %q", name, secret)
				}
			}
		}
		users := byKey(s.records(oneroster.FileUsers), "identifier")
		noor := users["100201"]
		if noor["givenName"] != "Noor" || noor["familyName"] != "van der Berg" || noor[oneroster.MetaInfix] != "van der" ||
			noor[oneroster.MetaLevel] != "vmbo-gt" || noor[oneroster.MetaYear] != "2" || noor["grades"] != "08" || noor["enabledUser"] != "true" {
			t.Errorf("Noor: %v", noor)
		}
		if sanne := users["100101"]; sanne["userIds"] != "{ECK:https://ketenid.nl/201703/abc123}" || sanne["email"] != "sanne@leerling.demo.invalid" ||
			sanne["username"] != "ll100101" {
			t.Errorf("Sanne: %v", sanne)
		}
		if m := users["KRJ"]; m["familyName"] != "van 't Kramer" || m["grades"] != "" || m[oneroster.MetaYear] != "" {
			t.Errorf("mentor: %v", m)
		}
		if e := users["100202"]; e["familyName"] != `Dubois, "Mimi"` || e["givenName"] != "Émilie" {
			t.Errorf("Émilie: %v", e)
		}
		mentorEnrol := 0
		for _, e := range s.records(oneroster.FileEnrollments) {
			if e["userSourcedId"] == fmt.Sprintf("numo-account-%d", sc.mentor.ID) && e["primary"] == "true" {
				mentorEnrol++
			}
			if e["role"] == "student" && e["primary"] != "false" {
				t.Errorf("student enrolment with primary %q: %v", e["primary"], e)
			}
		}
		if mentorEnrol != 1 {
			t.Errorf("%d primary enrolments of the mentor, want 1 (their stamklas)", mentorEnrol)
		}
		withArchived := unzip(t, must(export(t, db, sc.school.ID, oneroster.Options{IncludeArchived: true})))
		if old := byKey(withArchived.records(oneroster.FileUsers), "identifier")["100999"]; old == nil || old["enabledUser"] != "false" || old["status"] != "" {
			t.Errorf("archived pupil with IncludeArchived: %v", old)
		}
		checkConformance(t, withArchived)
	})
}

// TestExportPages checks that reading the accounts in pages of 2 writes the same set as in
// one page.
func TestExportPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sc := seed(t, db)
		one, _ := export(t, db, sc.school.ID, oneroster.Options{})
		small, _ := export(t, db, sc.school.ID, oneroster.Options{PageSize: 2})
		a, b := unzip(t, one), unzip(t, small)
		for _, name := range a.order {
			if !bytes.Equal(a.raw[name], b.raw[name]) {
				t.Errorf("%s differs with pages of 2:\n%s\nwant\n%s", name, b.raw[name], a.raw[name])
			}
		}
	})
}

// TestExportEmptySchool: files without data rows are absent, as the binding asks.
func TestExportEmptySchool(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Client.School.Create().SetName("Leeg").SetBrin("97OR").SaveX(sys)
		set := unzip(t, must(export(t, db, s.ID, oneroster.Options{})))
		if want := []string{oneroster.FileOrgs, oneroster.FileAcademicSessions, oneroster.FileManifest}; !slices.Equal(set.order, want) {
			t.Fatalf("files %v, want %v", set.order, want)
		}
		checkConformance(t, set)
	})
}

func TestSchoolYearAndGrade(t *testing.T) {
	for _, tc := range []struct {
		day        string
		start, end string
		year       int
	}{
		{"2026-07-31", "2025-08-01", "2026-07-31", 2026},
		{"2026-08-01", "2026-08-01", "2027-07-31", 2027},
		{"2027-01-15", "2026-08-01", "2027-07-31", 2027},
	} {
		day, _ := timeParse(tc.day)
		start, end, year := oneroster.SchoolYear(day)
		if start.Format(oneroster.DateFormat) != tc.start || end.Format(oneroster.DateFormat) != tc.end || year != tc.year {
			t.Errorf("SchoolYear(%s) = %s %s %d", tc.day, start, end, year)
		}
	}
	for _, tc := range []struct {
		year  int
		level string
		want  string
	}{{1, "po", "PK"}, {2, "po", "KG"}, {3, "po", "01"}, {8, "po", "06"}, {1, "havo/vwo", "07"}, {6, "vwo", "12"},
		{1, "", "07"}, {0, "havo", ""}, {7, "vwo", ""}, {9, "po", ""}} {
		if got := oneroster.Grade(tc.year, tc.level); got != tc.want {
			t.Errorf("Grade(%d, %q) = %q, want %q", tc.year, tc.level, got, tc.want)
		}
	}
}

func must(data []byte, _ oneroster.Summary) []byte { return data }

// byKey indexes records by one of their fields.
func byKey(recs []map[string]string, field string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range recs {
		out[r[field]] = r
	}
	return out
}

var (
	datePattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
	// grades is the CEDS grade vocabulary the binding uses.
	grades = strings.Fields("IT PR PK TK KG 01 02 03 04 05 06 07 08 09 10 11 12 13 PS UG Other")
	enums  = map[string]map[string][]string{
		oneroster.FileOrgs:             {"type": {"department", "school", "district", "local", "state", "national"}},
		oneroster.FileAcademicSessions: {"type": {"gradingPeriod", "semester", "schoolYear", "term"}},
		oneroster.FileClasses:          {"classType": {"homeroom", "scheduled"}},
		oneroster.FileUsers:            {"enabledUser": {"true", "false"}},
		oneroster.FileRoles: {"roleType": {"primary", "secondary"}, "role": {"aide", "counselor", "districtAdministrator", "guardian",
			"parent", "principal", "proctor", "relative", "siteAdministrator", "student", "systemAdministrator", "teacher"}},
		oneroster.FileEnrollments: {"role": {"administrator", "proctor", "student", "teacher"}, "primary": {"true", "false"}},
	}
)

// checkConformance checks a set against the OneRoster 1.2 CSV binding as far as Numo writes
// it: the manifest, each file's header, required values, enumerations, dates and grades,
// unique sourcedIds and every reference.
func checkConformance(t *testing.T, s *set) {
	t.Helper()
	checkManifest(t, s)
	ids := map[string]map[string]bool{}
	for _, name := range oneroster.DataFiles {
		rows, ok := s.rows[name]
		if !ok {
			continue
		}
		if !slices.Equal(rows[0], oneroster.Header[name]) {
			t.Errorf("%s header %v", name, rows[0])
		}
		if len(rows) < 2 {
			t.Errorf("%s has no data rows", name)
		}
		if bytes.ContainsAny(bytes.ReplaceAll(s.raw[name], []byte("\r\n"), nil), "\r\n") || bytes.HasPrefix(s.raw[name], []byte("\xef\xbb\xbf")) {
			t.Errorf("%s: a line break inside a field, a bare LF or a BOM", name)
		}
		ids[name] = map[string]bool{}
		for i, r := range s.records(name) {
			checkRecord(t, name, i+2, r)
			if ids[name][r["sourcedId"]] {
				t.Errorf("%s line %d: duplicate sourcedId %s", name, i+2, r["sourcedId"])
			}
			ids[name][r["sourcedId"]] = true
		}
	}
	refs := []struct{ file, field, target string }{
		{oneroster.FileCourses, "schoolYearSourcedId", oneroster.FileAcademicSessions}, {oneroster.FileCourses, "orgSourcedId", oneroster.FileOrgs},
		{oneroster.FileClasses, "courseSourcedId", oneroster.FileCourses}, {oneroster.FileClasses, "schoolSourcedId", oneroster.FileOrgs},
		{oneroster.FileClasses, "termSourcedIds", oneroster.FileAcademicSessions}, {oneroster.FileUsers, "primaryOrgSourcedId", oneroster.FileOrgs},
		{oneroster.FileRoles, "userSourcedId", oneroster.FileUsers}, {oneroster.FileRoles, "orgSourcedId", oneroster.FileOrgs},
		{oneroster.FileEnrollments, "classSourcedId", oneroster.FileClasses}, {oneroster.FileEnrollments, "userSourcedId", oneroster.FileUsers},
		{oneroster.FileEnrollments, "schoolSourcedId", oneroster.FileOrgs},
	}
	for _, ref := range refs {
		for i, r := range s.records(ref.file) {
			for _, v := range strings.Split(r[ref.field], ",") {
				if v != "" && !ids[ref.target][v] {
					t.Errorf("%s line %d: %s %q is not in %s", ref.file, i+2, ref.field, v, ref.target)
				}
			}
		}
	}
	// Every user has exactly one primary role.
	roles := map[string]int{}
	for _, r := range s.records(oneroster.FileRoles) {
		if r["roleType"] == "primary" {
			roles[r["userSourcedId"]]++
		}
	}
	for id := range ids[oneroster.FileUsers] {
		if roles[id] != 1 {
			t.Errorf("user %s has %d primary roles", id, roles[id])
		}
	}
}

// checkRecord checks one record's required values, enumerations, dates and grades.
func checkRecord(t *testing.T, name string, line int, r map[string]string) {
	t.Helper()
	for _, col := range oneroster.Required[name] {
		if r[col] == "" {
			t.Errorf("%s line %d: required %s is empty", name, line, col)
		}
	}
	// A bulk set leaves status and dateLastModified empty.
	if r["status"] != "" || r["dateLastModified"] != "" {
		t.Errorf("%s line %d: status %q, dateLastModified %q in a bulk set", name, line, r["status"], r["dateLastModified"])
	}
	for col, allowed := range enums[name] {
		if v := r[col]; v != "" && !slices.Contains(allowed, v) {
			t.Errorf("%s line %d: %s %q not in the vocabulary", name, line, col, v)
		}
	}
	for _, col := range []string{"startDate", "endDate", "beginDate"} {
		if v, ok := r[col]; ok && v != "" && !datePattern.MatchString(v) {
			t.Errorf("%s line %d: %s %q is not YYYY-MM-DD", name, line, col, v)
		}
	}
	if v := r["grades"]; v != "" {
		for _, g := range strings.Split(v, ",") {
			if !slices.Contains(grades, g) {
				t.Errorf("%s line %d: grade %q not in the CEDS vocabulary", name, line, g)
			}
		}
	}
	if v := r["schoolYear"]; v != "" && !regexp.MustCompile(`^\d{4}$`).MatchString(v) {
		t.Errorf("%s line %d: schoolYear %q", name, line, v)
	}
	for h := range r {
		if strings.HasPrefix(h, "metadata.") && !strings.HasPrefix(h, "metadata.numo.") {
			t.Errorf("%s: extension column %s outside Numo's metadata.numo. prefix", name, h)
		}
	}
}

// checkManifest checks manifest.csv: the versions, every file of the binding declared, bulk
// exactly for the files in the zip, and the source system.
func checkManifest(t *testing.T, s *set) {
	t.Helper()
	rows := s.rows[oneroster.FileManifest]
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"propertyName", "value"}) {
		t.Fatalf("manifest.csv header: %v", rows)
	}
	props := map[string]string{}
	for _, r := range rows[1:] {
		props[r[0]] = r[1]
	}
	if props["manifest.version"] != "1.0" || props["oneroster.version"] != "1.2" || props["source.systemName"] == "" {
		t.Errorf("manifest %v", props)
	}
	for _, f := range oneroster.ManifestFiles {
		_, present := s.raw[f+".csv"]
		want := map[bool]string{true: "bulk", false: "absent"}[present]
		if props["file."+f] != want {
			t.Errorf("manifest file.%s = %q, want %q", f, props["file."+f], want)
		}
	}
	for _, name := range s.order {
		if name != oneroster.FileManifest && props["file."+strings.TrimSuffix(name, ".csv")] != "bulk" {
			t.Errorf("%s is in the zip but not declared bulk", name)
		}
	}
}
