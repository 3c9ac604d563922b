package rosterset_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/rosterset"
)

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
