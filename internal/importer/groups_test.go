package importer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testimport"
)

// buildKind parses data, maps it with the proposed mapping of the sniffed kind and builds the records.
func buildKind(t testing.TB, data []byte) (importer.Kind, *importer.Result) {
	t.Helper()
	in := testimport.Input(t, data)
	return in.Kind, in.Result
}

// groupsByLine is the Groups of every record, by line, joined with "|".
func groupsByLine(res *importer.Result) map[int]string {
	out := map[int]string{}
	for _, r := range res.Records {
		out[r.Line] = strings.Join(r.Groups, "|")
	}
	return out
}

// TestGroupLists reads the lesgroepen cell of pupil rows: both separators, spaces, repeats in
// any case, empty items, the pupil's own stamklas, and the refusals of bad names and long lists.
func TestGroupLists(t *testing.T) {
	long := strings.Repeat("x", importer.MaxValueLength+1)
	many := make([]string, importer.MaxGroupsPerCell+1)
	for i := range many {
		many[i] = "g" + strings.Repeat("a", i%7) + string(rune('a'+i%26)) + strings.Repeat("b", i/26)
	}
	tests := []struct {
		name      string
		cell      string
		want      string // groups joined with "|"; "" for none
		refused   string // problem code when the row is refused
		wantInMsg string
	}{
		{"comma", "h4a.ne1, h4a.en2", "h4a.ne1|h4a.en2", "", ""},
		{"semicolon", "h4a.ne1;h4a.en2", "h4a.ne1|h4a.en2", "", ""},
		{"mixed and spaces", " h4a.ne1 ;  h4a  wiB1 , h4a.en2 ", "h4a.ne1|h4a wiB1|h4a.en2", "", ""},
		{"repeat in other case", "h4a.ne1, H4A.NE1, h4a.en2", "h4a.ne1|h4a.en2", "", ""},
		{"empty items", ",, h4a.ne1 ,;", "h4a.ne1", "", ""},
		{"own stamklas dropped", "h4a.ne1, H4A", "h4a.ne1", "", ""},
		{"only own stamklas", "h4a", "", "", ""},
		{"empty cell", "", "", "", ""},
		{"formula", "h4a.ne1, =SOM(A1)", "", importer.CodeFormula, "=SOM(A1)"},
		{"minus start", "-h4a", "", importer.CodeFormula, "-h4a"},
		{"too long", "h4a.ne1, " + long, "", importer.CodeTooLong, "201"},
		{"control character", "h4a\x01ne1", "", importer.CodeInvalidCharacter, "h4a"},
		{"too many", strings.Join(many, ","), "", importer.CodeTooManyGroups, "61"},
		{"exactly the maximum", strings.Join(many[:importer.MaxGroupsPerCell], ","), strings.Join(many[:importer.MaxGroupsPerCell], "|"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cell := `"` + strings.ReplaceAll(tt.cell, `"`, `""`) + `"`
			data := "Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n1;Eva;Kok;h4a;" + cell + "\n2;Sem;Meijer;h4a;h4a.ne1\n"
			_, res := buildKind(t, []byte(data))
			if tt.refused != "" {
				if len(res.Refused) != 1 || res.Refused[0].Code != tt.refused || res.Refused[0].Line != 2 {
					t.Fatalf("refused = %+v, want one %s on line 2", res.Refused, tt.refused)
				}
				p := res.Refused[0]
				if p.Column != "Lesgroepen" || p.Field != importer.FieldGroups || !strings.Contains(p.NL, tt.wantInMsg) || !strings.Contains(p.EN, tt.wantInMsg) {
					t.Errorf("problem = %+v, want column Lesgroepen and %q in both messages", p, tt.wantInMsg)
				}
				return
			}
			if len(res.Refused) != 0 {
				t.Fatalf("refused: %+v", res.Refused)
			}
			if got := groupsByLine(res)[2]; got != tt.want {
				t.Errorf("groups = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGroupFixtures reads the Magister and Somtoday lesgroepen exports: mapping, spelling vote,
// refusal, own stamklas; and a column empty in every row.
func TestGroupFixtures(t *testing.T) {
	k, res := buildKind(t, testimport.Fixture(t, "lesgroepen/magister_lesgroepen.csv"))
	if k != importer.KindPupils {
		t.Fatalf("kind = %s", k)
	}
	want := map[int]string{
		2: "h4a.ne1|h4a.en2|h4a.wiB1",
		3: "h4a.ne1|h4a.en2",
		4: "h4b.ne1|h4a.en2",
		5: "",
		7: "h4a.ne1|h4a.wiB1",
	}
	if got := groupsByLine(res); !mapsEqual(got, want) {
		t.Errorf("groups = %v, want %v", got, want)
	}
	if got := codeLines(res.Refused); !slices.Equal(got, []codeLine{{6, importer.CodeFormula}}) {
		t.Errorf("refused = %v", got)
	}
	if !slices.ContainsFunc(res.Warnings, func(p importer.Problem) bool {
		return p.Code == importer.CodeGroupSpelling && p.Line == 3 && strings.Contains(p.NL, `"H4A.EN2" (1 keer) is gelezen als "h4a.en2"`)
	}) {
		t.Errorf("no group_spelling warning for H4A.EN2: %+v", res.Warnings)
	}

	_, res = buildKind(t, testimport.Fixture(t, "lesgroepen/somtoday_clusters.csv"))
	if got := groupsByLine(res); !mapsEqual(got, map[int]string{2: "v5.netl1|v5.entl2", 3: ""}) {
		t.Errorf("somtoday groups = %v", got)
	}

	_, res = buildKind(t, testimport.Fixture(t, "lesgroepen/empty_groups.csv"))
	if !slices.Equal(res.EmptyLists, []importer.Field{importer.FieldGroups}) {
		t.Errorf("EmptyLists = %v", res.EmptyLists)
	}
	if got := codeLines(res.Warnings); !slices.Equal(got, []codeLine{{0, importer.CodeEmptyColumn}}) {
		t.Errorf("warnings = %v", got)
	}
}

// TestGroupsInDuplicateRows: rows with the same key and the same groups collapse; other groups
// are other data.
func TestGroupsInDuplicateRows(t *testing.T) {
	data := "Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\n" +
		"1;Eva;Kok;1a;\"x, y\"\n1;Eva;Kok;1a;\"X, Y\"\n" +
		"2;Sem;Meijer;1a;x\n2;Sem;Meijer;1a;y\n"
	_, res := buildKind(t, []byte(data))
	if got := codeLines(res.Refused); !slices.Equal(got, []codeLine{{4, importer.CodeConflictingKey}, {5, importer.CodeConflictingKey}}) {
		t.Errorf("refused = %v", got)
	}
	if len(res.Records) != 1 || res.Records[0].Line != 2 {
		t.Errorf("records = %+v", res.Records)
	}
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestProposePupilGroupsColumn maps Magister's and Somtoday's spellings of a pupil's lesgroepen,
// and leaves the pupil's mentor alone.
func TestProposePupilGroupsColumn(t *testing.T) {
	for _, h := range []string{"Lesgroepen", "Lesgroep", "Groepen", "Clusters", "Clustergroepen", "Cluster", "Clustergroep"} {
		t.Run(h, func(t *testing.T) {
			ms := importer.ProposeMapping(columns("Stamnr", "Roepnaam", "Achternaam", "Klas", h, "Mentor"))
			if ms[4].Field != importer.FieldGroups || ms[5].Field != "" {
				t.Errorf("%s -> %q, Mentor -> %q", h, ms[4].Field, ms[5].Field)
			}
			if k := importer.SniffKind(columns("Stamnr", "Roepnaam", "Achternaam", "Klas", h, "Mentor")); k != importer.KindPupils {
				t.Errorf("kind %s", k)
			}
		})
	}
}
