package rosterset_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/rosterset"
)

// TestOpenSDSInferredClasses reads SDS sets shaped like the Magister (v1) and Somtoday (v2.1)
// community exports, without metadata.numo.classType: the stamklassen are inferred from the
// section names, every pupil gets one, the importer maps every column and refuses no row, and
// the canonical files match the golden ones.
func TestOpenSDSInferredClasses(t *testing.T) {
	cases := []struct {
		dir              string
		format           rosterset.Format
		school           string
		inferred         string // name:pupils of each inferred stamklas
		pupils, teachers int
		rows             []string // rows the canonical files must hold
	}{
		{"sds1-nl", rosterset.FormatSDS1, "Stedelijk Lyceum De Linde", "[H4a:4 H4b:4 1A:4]", 12, 4, []string{
			"\n210101;Zoë;;van den Berg;H4a;10;;;210101@leerling.delinde.example;;h4a.ne1, h4a.en1, h4.wiB1\n",
			// Only in 1A: its Klas all the same, as 1A is the class part of 1a.lo1 of the others.
			"\n210110;Amélie;;de Wit;1A;07;;;210110@leerling.delinde.example;;\n",
			// A teacher of an inferred stamklas teaches it; SDS does not say who the mentor is.
			"\nBRK;Marieke;;van den Broek;;brk@delinde.example;;H4a, h4a.ne1, h4b.ne1;\n",
			"\nOZK;Elif;;Özkan;;ozk@delinde.example;;H4b, h4a.en1, h4b.en1;\n",
		}},
		{"sds21-nl", rosterset.FormatSDS21, "Christelijk College Het Anker", "[1A:3 2B:3]", 6, 4, []string{
			"\n300102;Iris;;Şahin;1A;07;;300102@leerling.hetanker.example;300102@leerling.hetanker.example;;1A-en, 1A-ne\n",
			// 2-lo1 spans the classes of year 2: its class part "2" is no class name.
			"\n300106;Élise;;Verbeek;2B;08;;300106@leerling.hetanker.example;300106@leerling.hetanker.example;;2B-en, 2-lo1\n",
			"\nRVS;Roos;;van Strien;rvs@hetanker.example;rvs@hetanker.example;;1A-en, 2B-en, 2B;\n",
		}},
	}
	for _, c := range cases {
		for _, form := range uploads(t, c.dir, c.dir+".zip") {
			t.Run(c.dir+"/"+form.name, func(t *testing.T) {
				s, err := rosterset.Open(form.in, "")
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if s.Format != c.format || s.School.Name != c.school {
					t.Errorf("format %s school %+v, want %s %s", s.Format, s.School, c.format, c.school)
				}
				if s.InferRule != rosterset.RuleSectionNames || inferredNames(s) != c.inferred {
					t.Errorf("inferred by %q: %s, want %s", s.InferRule, inferredNames(s), c.inferred)
				}
				if len(s.Warnings) != 0 || s.WarningsTotal != 0 {
					t.Errorf("warnings %d: %+v", s.WarningsTotal, s.Warnings)
				}
				for _, in := range s.Inferred {
					if in.Line < 2 || !strings.EqualFold(in.File, "Section.csv") && in.File != "classes.csv" {
						t.Errorf("inferred %s at %s:%d", in.Name, in.File, in.Line)
					}
					if _, lesgroep := s.Subjects[in.Name]; lesgroep {
						t.Errorf("inferred stamklas %s has a subject", in.Name)
					}
				}
				all := string(s.Pupils) + string(s.Teachers)
				for _, row := range c.rows {
					if !strings.Contains(all, row) {
						t.Errorf("canonical files lack %q:\n%s", row, all)
					}
				}
				checkOrigins(t, s)
				checkImportable(t, s.Pupils, importer.KindPupils, c.pupils)
				checkImportable(t, s.Teachers, importer.KindTeachers, c.teachers)
				golden(t, c.dir, s)
			})
		}
	}
}

func inferredNames(s *rosterset.Set) string {
	var out []string
	for _, in := range s.Inferred {
		out = append(out, fmt.Sprintf("%s:%d", in.Name, in.Pupils))
	}
	return "[" + strings.Join(out, " ") + "]"
}

// TestOpenSDSInferenceDoubts covers the pupils whose stamklas the rule cannot settle: the set is
// read, the pupil keeps an empty Klas (which the importer refuses) and a warning names the file
// and line. A set with metadata.numo.classType is read by that column alone.
func TestOpenSDSInferenceDoubts(t *testing.T) {
	sds1, sds21 := dirInputs(t, "sds1-nl"), dirInputs(t, "sds21-nl")
	cases := []struct {
		name     string
		in       []rosterset.Input
		inferred string
		warnings []string // file:line message-part of each warning
		refused  []string // keys of the pupils the importer refuses
	}{
		{"two candidates", replaceIn(t, sds1, "StudentEnrollment.csv", "2627_1a_fa1,210111\n", "2627_1a_fa1,210111\n2627_H4b,210101\n"),
			"[H4a:3 H4b:4 1A:4]",
			[]string{"StudentEnrollment.csv:43 leerling 210101 (Student.csv regel 2): geen stamklas te bepalen: kandidaten H4a, H4b"},
			[]string{"210101"}},
		{"a course makes a lesgroep", replaceIn(t, sds21, "classes.csv", "Klas 1A,as-2627,,1A", "Klas 1A,as-2627,c-ne,1A"),
			"[2B:3]",
			[]string{"users.csv:2 3 leerlingen: geen stamklas te bepalen: geen sectie heeft de vorm van een klas waarmee ook een lesgroep van de leerling begint — 300101 (users.csv regel 2), 300102 (regel 3), 300103 (regel 4)"},
			[]string{"300101", "300102", "300103"}},
		// The set's own column wins: 1A marked scheduled stays a lesgroep, nothing is inferred.
		{"column present", withClassType(t, sds1, map[string]string{"H4a": "homeroom", "H4b": "homeroom"}),
			"[]", nil, []string{"210109", "210110", "210111", "210112"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := rosterset.Open(c.in, "")
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := inferredNames(s); got != c.inferred || (s.InferRule == "") != (c.name == "column present") {
				t.Errorf("inferred %s, want %s", got, c.inferred)
			}
			if total := len(c.refused) * min(len(c.warnings), 1); len(s.Warnings) != len(c.warnings) || s.WarningsTotal != total { // grouped; the total counts pupils
				t.Fatalf("warnings %d: %+v, want %v", s.WarningsTotal, s.Warnings, c.warnings)
			}
			for i, w := range s.Warnings {
				got := fmt.Sprintf("%s:%d %s", w.File, w.Line, w.Message)
				if !strings.HasPrefix(got, c.warnings[i]) || w.MessageEn == "" {
					t.Errorf("warning %d = %q (en %q), want %q…", i, got, w.MessageEn, c.warnings[i])
				}
			}
			refused := refusedKeys(t, s.Pupils)
			if fmt.Sprint(refused) != fmt.Sprint(c.refused) {
				t.Errorf("importer refused %v, want %v", refused, c.refused)
			}
		})
	}
	// An inferred stamklas is no lesgroep of the pupil whose Klas stays empty.
	s, err := rosterset.Open(cases[0].in, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n210101;Zoë;;van den Berg;;10;;;210101@leerling.delinde.example;;h4a.ne1, h4a.en1, h4.wiB1\n"; !strings.Contains(string(s.Pupils), want) {
		t.Errorf("pupils lack %q:\n%s", want, s.Pupils)
	}
}

// withClassType adds the column metadata.numo.classType to Section.csv: the value for the
// sections named in types, "scheduled" for the others.
func withClassType(t *testing.T, in []rosterset.Input, types map[string]string) []rosterset.Input {
	t.Helper()
	out := slices.Clone(in)
	for i := range out {
		if out[i].Name != "Section.csv" {
			continue
		}
		var b strings.Builder
		for j, line := range strings.Split(strings.TrimSuffix(string(out[i].Data), "\n"), "\n") {
			v := "metadata.numo.classType"
			if j > 0 {
				v = "scheduled"
				if ty, ok := types[line[strings.LastIndexByte(line, ',')+1:]]; ok {
					v = ty
				}
			}
			b.WriteString(line + "," + v + "\n")
		}
		out[i].Data = []byte(b.String())
	}
	return out
}

// TestOpenWithChosenStamklassen reads a set shaped like the TeamSync Magister→SDS script (only
// class-and-subject sections "1A ak"): without a choice no pupil gets a stamklas and the set
// offers its class parts; with the admin's choice the chosen class parts become the pupils'
// Klas while their sections stay lesgroepen, and a chosen section name makes that section a
// stamklas as metadata.numo.classType would.
func TestOpenWithChosenStamklassen(t *testing.T) {
	teamsync := dirInputs(t, "sds1-teamsync")
	// A bare section 1A beside "1A ak" and "1A ne", enrolled after them: one stamklas, the section.
	withSection := slices.Clone(teamsync)
	for i, in := range withSection {
		switch in.Name {
		case "Section.csv":
			withSection[i].Data = append(slices.Clone(in.Data), "1A,34CD00,1a,,\n"...)
		case "StudentEnrollment.csv":
			withSection[i].Data = append(slices.Clone(in.Data), "1A,400101\n"...)
		}
	}
	cases := []struct {
		name      string
		in        []rosterset.Input
		chosen    []string
		rule      string
		inferred  string
		warnings  []string // file:line message-part of each warning
		refused   []string // keys of the pupils the importer refuses
		rows      []string
		goldenDir string
	}{
		{name: "no choice", in: teamsync, rule: rosterset.RuleSectionNames, inferred: "[]",
			warnings: []string{"Student.csv:2 5 leerlingen: geen stamklas te bepalen: geen sectie heeft de vorm van een klas waarmee ook een lesgroep van de leerling begint — 400101 (Student.csv regel 2), 400102 (regel 3), 400103 (regel 4), 400104 (regel 5), 400105 (regel 6)"},
			refused:  []string{"400101", "400102", "400103", "400104", "400105"}},
		{name: "all class parts", in: teamsync, chosen: []string{"1A", " 1b ", "2A", "1a"}, rule: rosterset.RuleChosen,
			inferred: "[1A:2 1b:2 2A:1]",
			rows: []string{"\n400101;Noor;;Bakker;1A;07;;;400101@leerling.dewissel.example;;1A ak, 1A ne\n",
				"\n400103;Yara;;El Idrissi;1b;07;;;400103@leerling.dewissel.example;;1B ak, 1B ne\n",
				"\nHRT;Sanne;;Hart;;hrt@dewissel.example;;1A ak, 1B ak;\n"},
			goldenDir: "sds1-teamsync"},
		{name: "a pupil outside the choice", in: teamsync, chosen: []string{"1A", "1B"}, rule: rosterset.RuleChosen,
			inferred: "[1A:2 1B:2]",
			warnings: []string{"Student.csv:6 leerling 400105: geen van de gekozen stamklassen past"},
			refused:  []string{"400105"}},
		{name: "a section and a class part", in: teamsync, chosen: []string{"1A", "1A ak", "1B", "2A"}, rule: rosterset.RuleChosen,
			inferred: "[1A:0 1A ak:0 1B:2 2A:1]",
			warnings: []string{"StudentEnrollment.csv:3 2 leerlingen: geen stamklas te bepalen: kandidaten 1A ak, 1A — 400101 (Student.csv regel 2), 400102 (regel 3)"},
			refused:  []string{"400101", "400102"}},
		{name: "a chosen class part that is also a section", in: withSection, chosen: []string{"1A", "1B", "2A"}, rule: rosterset.RuleChosen,
			inferred: "[1a:2 1B:2 2A:1]",
			rows: []string{"\n400101;Noor;;Bakker;1a;07;;;400101@leerling.dewissel.example;;1A ak, 1A ne\n",
				"\n400102;Luuk;;de Graaf;1a;07;;;400102@leerling.dewissel.example;;1A ak, 1A ne\n"}},
		{name: "section names as the rule would", in: dirInputs(t, "sds1-nl"), chosen: []string{"H4a", "h4b", "1A"}, rule: rosterset.RuleChosen,
			inferred: "[H4a:4 H4b:4 1A:4]", // spelled as the sections are
			rows:     []string{"\n210110;Amélie;;de Wit;1A;07;;;210110@leerling.delinde.example;;\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := rosterset.OpenWith(c.in, "", rosterset.Options{Stamklassen: c.chosen})
			if err != nil {
				t.Fatalf("OpenWith: %v", err)
			}
			if s.InferRule != c.rule || inferredNames(s) != c.inferred {
				t.Errorf("rule %q inferred %s, want %q %s", s.InferRule, inferredNames(s), c.rule, c.inferred)
			}
			if len(s.Warnings) != len(c.warnings) || s.WarningsTotal != len(c.refused) { // grouped; the total counts pupils
				t.Fatalf("warnings %d: %+v, want %v", s.WarningsTotal, s.Warnings, c.warnings)
			}
			for i, w := range s.Warnings {
				if got := fmt.Sprintf("%s:%d %s", w.File, w.Line, w.Message); !strings.HasPrefix(got, c.warnings[i]) || w.MessageEn == "" {
					t.Errorf("warning %d = %q (en %q), want %q…", i, got, w.MessageEn, c.warnings[i])
				}
			}
			for _, row := range c.rows {
				if !strings.Contains(string(s.Pupils)+string(s.Teachers), row) {
					t.Errorf("canonical files lack %q:\n%s%s", row, s.Pupils, s.Teachers)
				}
			}
			if got := refusedKeys(t, s.Pupils); fmt.Sprint(got) != fmt.Sprint(c.refused) {
				t.Errorf("importer refused %v, want %v", got, c.refused)
			}
			if len(s.PupilOrigins) != strings.Count(string(s.Pupils), "\n")-1 || s.PupilOrigins[4] != (rosterset.Origin{File: "Student.csv", Line: 6}) && c.goldenDir != "" {
				t.Errorf("pupil origins %+v", s.PupilOrigins)
			}
			if c.goldenDir != "" {
				checkImportable(t, s.Teachers, importer.KindTeachers, 2)
				golden(t, c.goldenDir, s)
			}
		})
	}
}

// TestClassParts lists the candidate stamklassen a set offers: class parts and bare section
// names of class form, merged case-insensitively, with the pupils each covers.
func TestClassParts(t *testing.T) {
	cases := []struct{ dir, want string }{
		{"sds1-teamsync", "[1A:2 1B:2 2A:1]"},
		// h4.wiB1's class part "h4" has no letter after the year: still of class form.
		{"sds1-nl", "[1A:4:section h4:8 H4a:4:section H4b:4:section]"},
		{"sds1", "[]"}, // the set has metadata.numo.classType: nothing to choose
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			s, err := rosterset.Open(dirInputs(t, c.dir), "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range s.ClassParts {
				g := fmt.Sprintf("%s:%d", p.Name, p.Pupils)
				if p.Section {
					g += ":section"
				}
				got = append(got, g)
			}
			if "["+strings.Join(got, " ")+"]" != c.want {
				t.Errorf("class parts %v, want %s", got, c.want)
			}
		})
	}
}

// refusedKeys are the pupil numbers of the rows the importer refuses (only for their Klas).
func refusedKeys(t *testing.T, pupils []byte) []string {
	t.Helper()
	f, err := importer.Parse(pupils)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.BuildRecords(importer.Input{File: f, Kind: importer.KindPupils,
		Mapping: importer.MappingFromMatches(importer.ProposeMappingFor(importer.KindPupils, f.Columns))})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(pupils), "\n")
	var refused []string
	for _, r := range res.Refused {
		if r.Field != importer.FieldClass {
			t.Errorf("refused for %s: %s", r.Field, r.NL)
		}
		refused = append(refused, strings.SplitN(lines[r.Line-1], ";", 2)[0])
	}
	return refused
}
