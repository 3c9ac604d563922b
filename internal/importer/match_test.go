package importer_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/numo/accounts/internal/importer"
)

func TestNormalizeHeader(t *testing.T) {
	tests := map[string]string{
		"Stamnr":              "stamnr",
		"  Stamnr. ":          "stamnr",
		"E-mailadres":         "emailadres",
		"E-mail adres":        "emailadres",
		"ECK iD":              "eckid",
		"ECK-ID":              "eckid",
		"Officiële voornamen": "officielevoornamen",
		"Tussenv.":            "tussenv",
		"Leerling_nummer (1)": "leerlingnummer1",
		"Ŏzdemir":             "ozdemir",
		"ÇELİK":               "celik",
		"":                    "",
		"---":                 "",
	}
	for in, want := range tests {
		if got := importer.NormalizeHeader(in); got != want {
			t.Errorf("NormalizeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func columns(headers ...string) []importer.Column {
	cols := make([]importer.Column, len(headers))
	for i, h := range headers {
		cols[i] = importer.Column{Index: i, Header: h}
	}
	return cols
}

// fieldConfidence is the field a column is matched to and how sure the match is.
type fieldConfidence struct {
	Field      importer.Field
	Confidence float64
}

// proposeMappingCase is one case of TestProposeMapping: the headers of a file and the match expected for each column.
type proposeMappingCase struct {
	name    string
	headers []string
	want    []fieldConfidence
}

var proposeMappingCases = []proposeMappingCase{
	{
		name:    "Magister",
		headers: []string{"Stamnr", "Roepnaam", "Tussenv", "Achternaam", "Klas", "Studie", "Leerjaar", "E-mail", "Geboortedatum", "Geslacht"},
		want: []fieldConfidence{{"key", 1}, {"firstName", 1}, {"infix", 1}, {"lastName", 1}, {"class", 1}, {"level", 1}, {"year", 1}, {"email", 1},
			{"", 0}, {"", 0}},
	},
	{
		name:    "Somtoday: Roepnaam beats Voornamen",
		headers: []string{"Leerlingnummer", "Voornamen", "Roepnaam", "Voorvoegsel", "Achternaam", "Stamgroep", "Opleiding", "Leerjaar", "E-mailadres", "Opmerking"},
		want: []fieldConfidence{{"key", 1}, {"", 0}, {"firstName", 1}, {"infix", 1}, {"lastName", 1}, {"class", 1}, {"level", 1}, {"year", 1}, {"email", 1},
			{"", 0}},
	},
	{
		name:    "Voornamen alone is a weak match",
		headers: []string{"Leerlingnr", "Voornamen", "Achternaam", "Basisgroep"},
		want:    []fieldConfidence{{"key", 1}, {"firstName", 0.6}, {"lastName", 1}, {"class", 1}},
	},
	{
		name:    "Roepnaam wins over Voornaam",
		headers: []string{"Voornaam", "Roepnaam", "Achternaam", "Klas"},
		want:    []fieldConfidence{{"", 0}, {"firstName", 1}, {"lastName", 1}, {"class", 1}},
	},
	{
		name:    "English template",
		headers: []string{"Student ID", "First name", "Prefix", "Last name", "Class", "Level", "Grade", "Email", "Username", "ECK iD"},
		want: []fieldConfidence{{"key", 1}, {"firstName", 1}, {"infix", 1}, {"lastName", 1}, {"class", 1}, {"level", 1}, {"year", 1}, {"email", 1},
			{"username", 1}, {"eckId", 1}},
	},
	{
		name:    "other spellings",
		headers: []string{"Student number", "Surname", "Tussenvoegsel", "Groep", "Jaargroep", "Niveau", "Loginaccount", "ECKID", "Leerweg"},
		want: []fieldConfidence{{"key", 1}, {"lastName", 1}, {"infix", 1}, {"class", 1}, {"year", 1}, {"level", 1}, {"username", 1}, {"eckId", 1},
			{"", 0}},
	},
	{
		name:    "prefix and contains are weaker",
		headers: []string{"Stamnummer leerling", "Roepnaam leerling", "Officiële achternaam", "Klasnaam", "E-mailadres school", "Huidige jaargroep"},
		want:    []fieldConfidence{{"key", 0.8}, {"firstName", 0.8}, {"lastName", 0.6}, {"class", 1}, {"email", 0.8}, {"year", 0.6}},
	},
	{
		name:    "a header that starts with a known name is read by that name",
		headers: []string{"Leerlingnummer", "Roepnaam", "Achternaam + tussenvoegsel", "Klas (stamgroep)"},
		want:    []fieldConfidence{{"key", 1}, {"firstName", 1}, {"lastName", 0.8}, {"class", 0.8}},
	},
	{
		name:    "columns that are never imported",
		headers: []string{"ID", "Roepnaam", "Achternaam", "Klas", "Mentor", "Profiel", "Lesgroepen", "Adres", "E-mail ouder/verzorger", "Klasmentor", "Geboortedatum", "Geslacht", ""},
		// Lesgroepen is imported since issue 14 (a pupil's teaching groups).
		want: []fieldConfidence{{"key", 1}, {"firstName", 1}, {"lastName", 1}, {"class", 1},
			{"", 0}, {"", 0}, {"groups", 1}, {"", 0}, {"", 0}, {"", 0}, {"", 0}, {"", 0}, {"", 0}},
	},
	{
		name:    "each field at most once, first column wins a tie",
		headers: []string{"Klas", "Stamnr", "Klas", "Groep"},
		want:    []fieldConfidence{{"class", 1}, {"key", 1}, {"", 0}, {"", 0}},
	},
}

func TestProposeMapping(t *testing.T) {
	tests := proposeMappingCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := columns(tt.headers...)
			ms := importer.ProposeMapping(cols)
			if len(ms) != len(cols) {
				t.Fatalf("got %d matches for %d columns", len(ms), len(cols))
			}
			for i, m := range ms {
				if m.Column != i || m.Header != tt.headers[i] {
					t.Errorf("match %d is for column %d %q", i, m.Column, m.Header)
				}
				if got := (fieldConfidence{m.Field, m.Confidence}); got != tt.want[i] {
					t.Errorf("%q -> %+v, want %+v", tt.headers[i], got, tt.want[i])
				}
			}
		})
	}
}

func TestMappingFromMatches(t *testing.T) {
	cols := columns("Stamnr", "Geslacht", "Roepnaam", "Achternaam", "Klas")
	got := importer.MappingFromMatches(importer.ProposeMapping(cols))
	want := importer.Mapping{0: "key", 2: "firstName", 3: "lastName", 4: "class"}
	if len(got) != len(want) {
		t.Fatalf("mapping = %v, want %v", got, want)
	}
	for i, f := range want {
		if got[i] != f {
			t.Errorf("mapping = %v, want %v", got, want)
		}
	}
}

func TestMappingValidate(t *testing.T) {
	cols := columns("Stamnr", "Roepnaam", "Achternaam", "Klas", "Groep")
	tests := []struct {
		name    string
		mapping importer.Mapping
		want    []string // codes
		fields  []importer.Field
	}{
		{"valid", importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class"}, nil, nil},
		{"unmapped entries are fine", importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class", 4: ""}, nil, nil},
		{"class not mapped", importer.Mapping{0: "key", 1: "firstName", 2: "lastName"}, []string{"required_unmapped"}, []importer.Field{"class"}},
		{"nothing mapped", importer.Mapping{}, []string{"required_unmapped", "required_unmapped", "required_unmapped", "required_unmapped"},
			[]importer.Field{"key", "firstName", "lastName", "class"}},
		{"two columns to class", importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class", 4: "class"}, []string{"duplicate_field"}, []importer.Field{"class"}},
		{"column out of range", importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class", 5: "email", -1: "year"},
			[]string{"column_out_of_range", "column_out_of_range"}, []importer.Field{"year", "email"}},
		{"unknown field", importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class", 4: "birthday"}, []string{"unknown_field"}, []importer.Field{"birthday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := tt.mapping.Validate(cols)
			var codes []string
			var fields []importer.Field
			for _, p := range probs {
				codes = append(codes, p.Code)
				fields = append(fields, p.Field)
				if p.NL == "" || p.EN == "" || p.Line != 0 {
					t.Errorf("problem %+v lacks a message or has a line", p)
				}
			}
			if !slices.Equal(codes, tt.want) || !slices.Equal(fields, tt.fields) {
				t.Errorf("codes %v fields %v, want %v %v", codes, fields, tt.want, tt.fields)
			}
		})
	}
	dup := importer.Mapping{0: "key", 1: "firstName", 2: "lastName", 3: "class", 4: "class"}.Validate(cols)
	if len(dup) != 1 || dup[0].Column != "Groep" || dup[0].NL != "Klas is aan meer dan één kolom gekoppeld (Klas, Groep). Kies één kolom." {
		t.Errorf("duplicate problem = %+v", dup)
	}
}

func TestHeadersSignature(t *testing.T) {
	sig := importer.HeadersSignature(columns("Stamnr", "Roepnaam", "Tussenv.", "Achternaam", "Klas"))
	if !regexp.MustCompile(`^v1:[0-9a-f]{32}$`).MatchString(sig) {
		t.Fatalf("signature %q has an unexpected form", sig)
	}
	same := importer.HeadersSignature(columns(" STAMNR ", "roepnaam", "Tussenv", "Achter-naam", "klas"))
	if same != sig {
		t.Errorf("case, spaces and punctuation changed the signature: %q vs %q", same, sig)
	}
	for _, other := range [][]string{
		{"Roepnaam", "Stamnr", "Tussenv.", "Achternaam", "Klas"},      // another order
		{"Stamnr", "Roepnaam", "Tussenv.", "Achternaam"},              // a column less
		{"Stamnr", "Roepnaam", "Tussenv.", "Achternaam", "Klas", ""},  // an empty column more
		{"Stamnr", "Roepnaam", "Tussenv.", "Achternaam", "Stamgroep"}, // another name
	} {
		if importer.HeadersSignature(columns(other...)) == sig {
			t.Errorf("%q has the same signature", other)
		}
	}
}

func TestFields(t *testing.T) {
	var got []string
	for _, fi := range importer.Fields() {
		s := string(fi.Field)
		if fi.Required {
			s += "*"
		}
		if fi.LabelNL == "" || fi.LabelEN == "" {
			t.Errorf("field %s has no labels", fi.Field)
		}
		got = append(got, s)
	}
	want := []string{"key*", "firstName*", "infix", "lastName*", "class*", "level", "year", "email", "username", "eckId", "groups"}
	if !slices.Equal(got, want) {
		t.Errorf("Fields() = %v, want %v", got, want)
	}
	fs := importer.Fields()
	fs[0].LabelNL = "changed"
	if importer.Fields()[0].LabelNL == "changed" {
		t.Error("Fields() returns shared state")
	}
	if fi, ok := importer.FieldClass.Info(); !ok || fi.LabelNL != "Klas" || !fi.Required {
		t.Errorf("FieldClass.Info() = %+v, %v", fi, ok)
	}
	if _, ok := importer.Field("birthday").Info(); ok {
		t.Error("unknown field has info")
	}
}
