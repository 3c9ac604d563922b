package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Match is the proposed field for one column of the file.
type Match struct {
	Column     int     `json:"column"`     // Column.Index
	Header     string  `json:"header"`     // Column.Header
	Field      Field   `json:"field"`      // "" = not imported
	Confidence float64 `json:"confidence"` // 0..1; 1 is an exact known column name
}

// Mapping assigns fields to columns by column index; a missing index is not imported.
type Mapping map[int]Field

// Confidence levels of ProposeMapping; exact names score the synonym's own weight.
const (
	confPrefix   = 0.8 // header starts with a known name: "Roepnaam leerling"
	confContains = 0.6 // header contains a known name: "Officiële achternaam"
	// minHeaderConf is what a cell needs to count as a known column name when
	// Parse looks for the header row.
	minHeaderConf = 0.6
	// minHeaderFields is how many different fields a row must name to be the header.
	minHeaderFields = 2
)

// synonym is a known column name, already passed through NormalizeHeader.
type synonym struct {
	name   string
	field  Field
	weight float64 // confidence of an exact match
}

// synonymGroup is known column names of one field, all with one weight, separated by spaces.
type synonymGroup struct {
	field  Field
	weight float64
	names  string
}

// synonymsOf lists the names of each group as synonyms, in order.
func synonymsOf(groups []synonymGroup) []synonym {
	var out []synonym
	for _, g := range groups {
		for _, n := range strings.Fields(g.names) {
			out = append(out, synonym{n, g.field, g.weight})
		}
	}
	return out
}

// The column names that pupil and teacher exports share, in the order they win ties.
const (
	firstNames    = "roepnaam voornaam firstname givenname"
	infixNames    = "tussenv tussenvoegsel tussenvoegsels voorvoegsel voorvoegsels infix"
	lastNames     = "achternaam lastname surname"
	emailNames    = "email emailadres mail"
	usernameNames = "gebruikersnaam loginaccount username login inlognaam"
)

// headerSynonyms lists known column names; within a field, earlier names win
// ties, which is how Roepnaam beats Voornaam when a file has both.
var headerSynonyms = synonymsOf([]synonymGroup{
	{FieldKey, 1, "stamnr stamnummer leerlingnummer leerlingnr leerlingid studentnumber studentnummer studentnr studentid id"},

	{FieldFirstName, 1, firstNames},
	// "Voornamen" holds all official given names, not the name a pupil is called by.
	{FieldFirstName, 0.6, "voornamen"},
	{FieldFirstName, 0.5, "officielevoornamen"},

	{FieldInfix, 1, infixNames + " prefix"},

	{FieldLastName, 1, lastNames + " familyname geslachtsnaam"},

	{FieldClass, 1, "klas stamgroep groep basisgroep class stamklas klasnaam"},

	{FieldLevel, 1, "studie opleiding niveau leerweg opleidingsniveau level schoolsoort onderwijssoort"},

	{FieldYear, 1, "leerjaar jaargroep year grade studiejaar jaarlaag"},

	{FieldEmail, 1, emailNames + " mailadres emailaddress"},

	{FieldUsername, 1, usernameNames + " inlogaccount"},

	{FieldEckID, 1, "eckid"},

	// A pupil's lesgroepen as Magister ("Lesgroepen") and Somtoday ("Clusters") name them.
	{FieldGroups, 1, "lesgroepen lesgroep groepen clusters clustergroepen cluster clustergroep lesgroepenleerling clusterklassen teachinggroups groups"},
})

// teacherSynonyms are the known column names of a teacher export (Magister's "Docenten",
// Somtoday's "Medewerkers"); earlier names win ties within a field, as in headerSynonyms.
var teacherSynonyms = synonymsOf([]synonymGroup{
	{FieldKey, 1, "docentcode code afkorting afk docentafkorting medewerkercode medewerkerafkorting personeelscode teachercode"},
	{FieldKey, 0.6, "docent"},

	{FieldFirstName, 1, firstNames},
	{FieldFirstName, 0.6, "voornamen"},

	{FieldInfix, 1, infixNames},

	{FieldLastName, 1, lastNames + " geslachtsnaam"},

	{FieldEmail, 1, emailNames + " emailschool emailaddress"},

	{FieldUsername, 1, usernameNames},

	{FieldEckID, 1, "eckid"},

	{FieldTeaches, 1, "lesgroepen lesgroep groepen vakkenklassen klassen clusters lesgroepenklassen lesgroepenenklassen lesgeeftaan lesopdrachten groups teaches"},

	{FieldMentorOf, 1, "mentor mentorklas mentorklassen mentorvan mentorgroep mentorgroepen mentoraat mentorof"},
})

// vocabulary is how the headers of one kind of file are read.
type vocabulary struct {
	synonyms        []synonym
	ignoredPrefixes []string
	ignoredWords    []string
}

var (
	pupilVocabulary   = vocabulary{headerSynonyms, ignoredPrefixes, ignoredWords}
	teacherVocabulary = vocabulary{teacherSynonyms, teacherIgnoredPrefixes, teacherIgnoredWords}
)

// vocabularyFor is the vocabulary of a kind ("" is pupils).
func vocabularyFor(k Kind) *vocabulary {
	if k == KindTeachers {
		return &teacherVocabulary
	}
	return &pupilVocabulary
}

// ignoredPrefixes are columns that exports carry but that are never imported;
// they are checked before the loose prefix and contains matching.
var ignoredPrefixes = []string{
	"geboorte", "geslacht", "opmerking", "mentor", "profiel", "lesgroep", "adres",
	"postcode", "woonplaats", "plaats", "straat", "huisnummer", "telefoon", "mobiel",
	"nationaliteit", "bsn", "burgerservicenummer", "land", "vak", "cluster", "datum",
	"inschrijving", "uitschrijving", "leeftijd",
}

// ignoredWords mark columns about someone other than the pupil, wherever they occur:
// "E-mail ouder/verzorger" must not become the pupil's e-mail address.
var ignoredWords = []string{"ouder", "verzorger", "mentor", "docent", "vader", "moeder", "voogd", "contact"}

// teacherIgnoredPrefixes and teacherIgnoredWords do the same for a teacher export, where the
// teacher's own mentor class and code are wanted but a pupil's or a manager's data is not.
var (
	teacherIgnoredPrefixes = []string{"geboorte", "geslacht", "opmerking", "adres", "postcode", "woonplaats",
		"plaats", "straat", "huisnummer", "telefoon", "mobiel", "nationaliteit", "bsn", "burgerservicenummer",
		"land", "datum", "functie", "afdeling", "team", "locatie", "bevoegdheid", "aanstelling", "fte"}
	teacherIgnoredWords = []string{"leerling", "ouder", "verzorger", "leidinggevende", "contact", "prive"}
)

// NormalizeHeader lowercases h, strips accents and removes everything but letters and digits.
func NormalizeHeader(h string) string {
	ascii := true
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(h))
	if ascii {
		for i := 0; i < len(h); i++ {
			c := h[i]
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			}
		}
		return b.String()
	}
	for _, r := range norm.NFD.String(h) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent left by NFD: "ë" becomes "e"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// headerCandidate is one way a header could be read as a field.
type headerCandidate struct {
	field Field
	conf  float64
	rank  int // index in headerSynonyms; lower wins ties
}

// matchHeader returns the best reading of one normalised header of a pupil file, or ok=false.
func matchHeader(n string) (headerCandidate, bool) { return pupilVocabulary.match(n) }

// match returns the best reading of one normalised header, or ok=false.
func (v *vocabulary) match(n string) (headerCandidate, bool) {
	if n == "" {
		return headerCandidate{}, false
	}
	for i, s := range v.synonyms {
		if s.name == n {
			return headerCandidate{s.field, s.weight, i}, true
		}
	}
	for _, p := range v.ignoredPrefixes {
		if strings.HasPrefix(n, p) {
			return headerCandidate{}, false
		}
	}
	for _, w := range v.ignoredWords {
		if strings.Contains(n, w) {
			return headerCandidate{}, false
		}
	}
	// A header that starts with a known name says most about itself
	// ("Achternaam + tussenvoegsel" is a last name); otherwise the longest known
	// name inside it is the most specific reading ("emailadresleerling" is about
	// "emailadres", not "mail").
	prefix, prefixLen := headerCandidate{}, 0
	contains, containsLen := headerCandidate{}, 0
	for i, s := range v.synonyms {
		if len(s.name) < 4 {
			continue
		}
		switch {
		case strings.HasPrefix(n, s.name):
			if len(s.name) > prefixLen {
				prefix, prefixLen = headerCandidate{s.field, confPrefix * s.weight, i}, len(s.name)
			}
		case strings.Contains(n, s.name):
			if len(s.name) > containsLen {
				contains, containsLen = headerCandidate{s.field, confContains * s.weight, i}, len(s.name)
			}
		}
	}
	switch {
	case prefixLen > 0:
		return prefix, true
	case containsLen > 0:
		return contains, true
	}
	return headerCandidate{}, false
}

// ProposeMapping proposes a pupil field for every column; each field goes to at most one column.
func ProposeMapping(cols []Column) []Match { return ProposeMappingFor(KindPupils, cols) }

// ProposeMappingFor proposes a field of kind k for every column; each field goes to at most
// one column.
func ProposeMappingFor(k Kind, cols []Column) []Match {
	type cand struct {
		col int
		headerCandidate
	}
	v := vocabularyFor(k)
	cands := make([]cand, 0, len(cols))
	for i, c := range cols {
		if hc, ok := v.match(NormalizeHeader(c.Header)); ok {
			cands = append(cands, cand{i, hc})
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		switch {
		case a.conf != b.conf:
			if a.conf > b.conf {
				return -1
			}
			return 1
		case a.rank != b.rank:
			return a.rank - b.rank
		default:
			return a.col - b.col
		}
	})
	matches := make([]Match, len(cols))
	for i, c := range cols {
		matches[i] = Match{Column: c.Index, Header: c.Header}
	}
	taken := make(map[Field]bool, numFields)
	for _, c := range cands {
		if taken[c.field] {
			continue
		}
		taken[c.field] = true
		matches[c.col].Field = c.field
		matches[c.col].Confidence = c.conf
	}
	return matches
}

// MappingFromMatches turns proposed matches into a Mapping, leaving unmapped columns out.
func MappingFromMatches(ms []Match) Mapping {
	m := make(Mapping, len(ms))
	for _, x := range ms {
		if x.Field != "" {
			m[x.Column] = x.Field
		}
	}
	return m
}

// Validate reports unknown fields, columns out of range, fields mapped twice and unmapped
// required fields of a pupil file.
func (m Mapping) Validate(cols []Column) []Problem { return m.ValidateFor(KindPupils, cols) }

// ValidateFor is Validate for a file of kind k: a field the kind does not have is unknown.
func (m Mapping) ValidateFor(k Kind, cols []Column) []Problem {
	var probs []Problem
	header := func(i int) string {
		if i >= 0 && i < len(cols) {
			return cols[i].Header
		}
		return ""
	}
	idx := make([]int, 0, len(m))
	for i := range m {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	byField := make(map[Field][]int, len(m))
	for _, i := range idx {
		f := m[i]
		if f == "" {
			continue
		}
		if _, ok := f.InfoFor(k); !ok {
			probs = append(probs, Problem{
				Column: header(i), Field: f, Code: CodeUnknownField,
				NL: fmt.Sprintf("Kolom %d is gekoppeld aan het onbekende veld %q.", i+1, string(f)),
				EN: fmt.Sprintf("Column %d is mapped to the unknown field %q.", i+1, string(f)),
			})
			continue
		}
		if i < 0 || i >= len(cols) {
			nl, en := f.labelsFor(k)
			probs = append(probs, Problem{
				Field: f, Code: CodeColumnOutOfRange,
				NL: fmt.Sprintf("%s is gekoppeld aan kolom %d, maar het bestand heeft %d kolommen.", nl, i+1, len(cols)),
				EN: fmt.Sprintf("%s is mapped to column %d, but the file has %d columns.", en, i+1, len(cols)),
			})
			continue
		}
		byField[f] = append(byField[f], i)
	}
	for _, fi := range infosFor(k) {
		got := byField[fi.Field]
		switch {
		case len(got) > 1:
			names := make([]string, len(got))
			for k, i := range got {
				names[k] = columnName(cols, i)
			}
			probs = append(probs, Problem{
				Column: cols[got[1]].Header, Field: fi.Field, Code: CodeDuplicateField,
				NL: fmt.Sprintf("%s is aan meer dan één kolom gekoppeld (%s). Kies één kolom.", fi.LabelNL, strings.Join(names, ", ")),
				EN: fmt.Sprintf("%s is mapped to more than one column (%s). Choose one column.", fi.LabelEN, strings.Join(names, ", ")),
			})
		case len(got) == 0 && fi.Required:
			probs = append(probs, Problem{
				Field: fi.Field, Code: CodeRequiredUnmapped,
				NL: fmt.Sprintf("%s is verplicht, maar aan geen enkele kolom gekoppeld. Kies de kolom met de %s.", fi.LabelNL, strings.ToLower(fi.LabelNL)),
				EN: fmt.Sprintf("%s is required but not mapped to any column. Choose the column that holds the %s.", fi.LabelEN, strings.ToLower(fi.LabelEN)),
			})
		}
	}
	return probs
}

// columnName is the header of column i, or "kolom N" when the header cell is empty.
func columnName(cols []Column, i int) string {
	if i >= 0 && i < len(cols) && cols[i].Header != "" {
		return cols[i].Header
	}
	return fmt.Sprintf("kolom %d", i+1)
}

// HeadersSignature is a stable key of the ordered, normalised header row, so a
// school's confirmed Mapping (by column index) can be offered again for the next
// export with the same columns in the same order.
func HeadersSignature(cols []Column) string {
	h := sha256.New()
	for i, c := range cols {
		if i > 0 {
			h.Write([]byte{0x1f})
		}
		h.Write([]byte(NormalizeHeader(c.Header)))
	}
	return "v1:" + hex.EncodeToString(h.Sum(nil)[:16])
}
