package importer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testimport"
)

// TestSniffKind recognises teacher exports by their headers, and leaves pupil exports (also
// those with a Mentor or Docent column about the pupil's mentor) as pupils.
func TestSniffKind(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    importer.Kind
	}{
		{"magister docenten", []string{"Code", "Roepnaam", "Tussenv", "Achternaam", "E-mail", "Lesgroepen", "Mentorklas"}, importer.KindTeachers},
		{"somtoday medewerkers", []string{"Afkorting", "Voornaam", "Tussenvoegsel(s)", "Achternaam", "E-mailadres", "Vakken/klassen", "Mentor van"}, importer.KindTeachers},
		{"docentcode only", []string{"Docentcode", "Roepnaam", "Achternaam"}, importer.KindTeachers},
		{"afk", []string{"Afk", "Voornaam", "Achternaam", "Groepen"}, importer.KindTeachers},
		{"mentor class without code", []string{"Roepnaam", "Achternaam", "Mentorklas"}, importer.KindTeachers},
		{"with an id column", []string{"ID", "Afkorting", "Roepnaam", "Achternaam"}, importer.KindTeachers},
		{"pupil export with a mentor", []string{"Stamnr", "Roepnaam", "Achternaam", "Klas", "Mentor", "Lesgroepen"}, importer.KindPupils},
		{"pupil export with a code column", []string{"Leerlingnummer", "Code", "Roepnaam", "Achternaam", "Klas"}, importer.KindPupils},
		{"pupil export with a docent column", []string{"Stamnr", "Roepnaam", "Achternaam", "Klas", "Docent"}, importer.KindPupils},
		{"plain pupils", []string{"Stamnr", "Roepnaam", "Achternaam", "Klas"}, importer.KindPupils},
		{"bare mentor column", []string{"Roepnaam", "Achternaam", "Klas", "Mentor"}, importer.KindPupils},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := importer.SniffKind(columns(tt.headers...)); got != tt.want {
				t.Errorf("SniffKind = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestProposeTeacherMapping maps the headers of teacher exports to teacher fields.
func TestProposeTeacherMapping(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    []importer.Field
	}{
		{"magister", []string{"Code", "Roepnaam", "Tussenv", "Achternaam", "E-mail", "Lesgroepen", "Mentorklas", "Functie"},
			[]importer.Field{"key", "firstName", "infix", "lastName", "email", "teaches", "mentorOf", ""}},
		{"somtoday", []string{"Afkorting", "Voornaam", "Tussenvoegsel(s)", "Achternaam", "E-mailadres", "Vakken/klassen", "Mentor van"},
			[]importer.Field{"key", "firstName", "infix", "lastName", "email", "teaches", "mentorOf"}},
		{"mentor and groepen", []string{"Docentcode", "Roepnaam", "Achternaam", "Groepen", "Mentor", "Telefoon", "E-mail leerling"},
			[]importer.Field{"key", "firstName", "lastName", "teaches", "mentorOf", "", ""}},
		{"e-mail docent is the teacher's", []string{"Afk", "Roepnaam", "Achternaam", "E-mail docent"},
			[]importer.Field{"key", "firstName", "lastName", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []importer.Field
			for _, m := range importer.ProposeMappingFor(importer.KindTeachers, columns(tt.headers...)) {
				got = append(got, m.Field)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("mapping = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFieldsFor lists the teacher fields and their labels; the pupil list is Fields().
func TestFieldsFor(t *testing.T) {
	var got []string
	for _, fi := range importer.FieldsFor(importer.KindTeachers) {
		s := string(fi.Field)
		if fi.Required {
			s += "*"
		}
		got = append(got, s)
	}
	want := []string{"key*", "firstName*", "infix", "lastName*", "email", "username", "eckId", "teaches", "mentorOf"}
	if !slices.Equal(got, want) {
		t.Errorf("FieldsFor(teachers) = %v, want %v", got, want)
	}
	if fi, _ := importer.FieldKey.InfoFor(importer.KindTeachers); fi.LabelNL != "Docentcode" || fi.LabelEN != "Teacher code" {
		t.Errorf("teacher key labels = %+v", fi)
	}
	if !slices.Equal(importer.FieldsFor(""), importer.Fields()) || !slices.Equal(importer.FieldsFor(importer.KindPupils), importer.Fields()) {
		t.Error("FieldsFor(pupils) differs from Fields()")
	}
	// A teacher file needs no class; a pupil field is unknown to it.
	cols := columns("Code", "Roepnaam", "Achternaam", "Klas")
	m := importer.Mapping{0: importer.FieldKey, 1: importer.FieldFirstName, 2: importer.FieldLastName}
	if probs := m.ValidateFor(importer.KindTeachers, cols); len(probs) != 0 {
		t.Errorf("teacher mapping problems: %+v", probs)
	}
	m[3] = importer.FieldClass
	if probs := m.ValidateFor(importer.KindTeachers, cols); len(probs) != 1 || probs[0].Code != importer.CodeUnknownField {
		t.Errorf("class in a teacher mapping: %+v", probs)
	}
}

// TestTeacherRecords reads the two teacher fixtures: codes, names, lists, no class needed.
func TestTeacherRecords(t *testing.T) {
	tests := []struct {
		file  string
		lines []int
		want  map[int][3]string // line -> key, teaches, mentorOf
	}{
		{"teachers/magister_docenten.csv", []int{2, 3, 4, 5}, map[int][3]string{
			2: {"JAN", "h4a.ne1|h4b.ne1", "h4a"},
			3: {"PIE", "h4a.en2|h4b.ne1", "h4b"},
			4: {"DEV", "h4a.wiB1", "h4c|h5c"},
			5: {"LEE", "", ""},
		}},
		{"teachers/somtoday_medewerkers.csv", []int{2, 3}, map[int][3]string{
			2: {"BRG", "v5.netl1|v5.entl2", "v5a"},
			3: {"HOE", "v5.entl2", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			k, res := buildKind(t, testimport.Fixture(t, tt.file))
			if k != importer.KindTeachers {
				t.Fatalf("kind = %s", k)
			}
			if len(res.Refused) != 0 || len(res.Warnings) != 0 {
				t.Fatalf("refused %+v, warnings %+v", res.Refused, res.Warnings)
			}
			var lines []int
			for _, r := range res.Records {
				lines = append(lines, r.Line)
				got := [3]string{r.Key, strings.Join(r.Groups, "|"), strings.Join(r.MentorOf, "|")}
				if got != tt.want[r.Line] {
					t.Errorf("line %d = %v, want %v", r.Line, got, tt.want[r.Line])
				}
				if r.Class != "" || r.Level != "" || r.Year != 0 {
					t.Errorf("line %d has class/level/year %q %q %d", r.Line, r.Class, r.Level, r.Year)
				}
			}
			if !slices.Equal(lines, tt.lines) {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
		})
	}
}

// TestTeacherRowChecks: the pupil checks apply to teacher rows, with teacher words.
func TestTeacherRowChecks(t *testing.T) {
	data := "Code;Roepnaam;Achternaam;E-mail;Lesgroepen\n" +
		"AB;Anna;Bos;a@docent.example.nl;x\n" +
		"AB;Anna;Bos;a@docent.example.nl;y\n" +
		"CD;;Dam;c@docent.example.nl;\n" +
		"EF;Eef;Feld;a@docent.example.nl;\"=1+1\"\n" +
		"GH;Gijs;Hal;g@docent.example.nl;\n"
	_, res := buildKind(t, []byte(data))
	want := []codeLine{{2, importer.CodeConflictingKey}, {3, importer.CodeConflictingKey}, {4, importer.CodeMissingValue}, {5, importer.CodeFormula}}
	if got := codeLines(res.Refused); !slices.Equal(got, want) {
		t.Fatalf("refused = %v, want %v", got, want)
	}
	if p := res.Refused[0]; !strings.HasPrefix(p.NL, "Docentcode AB staat ook op regel 3") || !strings.HasPrefix(p.EN, "Teacher code AB also appears on line 3") {
		t.Errorf("conflict message = %q / %q", p.NL, p.EN)
	}
	if p := res.Refused[2]; !strings.HasPrefix(p.NL, "Roepnaam is leeg") {
		t.Errorf("missing message = %q", p.NL)
	}
	if len(res.Records) != 1 || res.Records[0].Key != "GH" {
		t.Errorf("records = %+v", res.Records)
	}
}

// TestParseTeacherFileWithoutPupilColumns: a teacher file without spare columns is not refused
// for lacking Leerlingnummer and Klas; a pupil file still is.
func TestParseTeacherFileWithoutPupilColumns(t *testing.T) {
	if _, err := importer.Parse([]byte("Docentcode;Roepnaam;Achternaam\nAB;Anna;Bos\n")); err != nil {
		t.Errorf("teacher file: %v", err)
	}
	_, err := importer.Parse([]byte("Stamnr;Roepnaam;Achternaam\n1;Anna;Bos\n"))
	if fe, ok := err.(*importer.FileError); !ok || fe.Code != importer.CodeRequiredMissing {
		t.Errorf("pupil file without class: %v", err)
	}
	_, err = importer.Parse([]byte("Docentcode;Roepnaam;Tussenv\nAB;Anna;van\n"))
	if fe, ok := err.(*importer.FileError); !ok || fe.Code != importer.CodeRequiredMissing || !strings.Contains(fe.NL, "Achternaam") || strings.Contains(fe.NL, "Klas") {
		t.Errorf("teacher file without last name: %v", err)
	}
}
