package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/importer"
)

// A level value Numo does not recognise blocks the import until it is decided: mapped to a
// level, or deliberately to "no level" (an empty level). The school remembers each decision
// (School.LevelMappings, keyed by importer.NormalizeHeader of the value; "" is "no level"),
// whether it was made in the app, through the API or with numo import --level.

// decided reports whether a level value is decided in levels, and to which level ("" for
// "no level"). A remembered level that is no longer canonical counts as undecided, as
// importer.Input.LevelMap ignores it.
func decided(levels map[string]importer.Level, value string) (importer.Level, bool) {
	l, ok := levels[importer.NormalizeHeader(value)]
	if !ok || (l != "" && !slices.Contains(importer.Levels(), l)) {
		return "", false
	}
	return l, true
}

// Undecided lists the file's unrecognised level values that are mapped neither to a level
// nor to "no level" (of the at most MaxUnknownLevels listed).
func (m *MappingState) Undecided() []importer.UnknownValue {
	if m.OtherNoLevel {
		return nil
	}
	var out []importer.UnknownValue
	for _, u := range m.Unknown {
		if _, ok := decided(m.Levels, u.Value); !ok {
			out = append(out, u)
		}
	}
	return out
}

// maxNamedLevels is how many undecided level values a message names.
const maxNamedLevels = 10

// NameLevels names undecided level values with their counts, in Dutch and English:
// "technasium" (3 leerlingen), "ISK" (2 leerlingen); at most maxNamedLevels of them.
func NameLevels(u []importer.UnknownValue) (nl, en string) {
	nls := make([]string, 0, min(len(u), maxNamedLevels)+1)
	ens := make([]string, 0, cap(nls))
	for _, v := range u[:min(len(u), maxNamedLevels)] {
		q := fmt.Sprintf("%q", clip.Marked(v.Value, 40))
		nls = append(nls, fmt.Sprintf("%s (%d %s)", q, v.Count, plural(v.Count, "leerling", "leerlingen")))
		ens = append(ens, fmt.Sprintf("%s (%d %s)", q, v.Count, plural(v.Count, "pupil", "pupils")))
	}
	if more := len(u) - maxNamedLevels; more > 0 {
		nls = append(nls, fmt.Sprintf("en nog %d", more))
		ens = append(ens, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(nls, ", "), strings.Join(ens, ", ")
}

// UnknownLevelsProblem is the unknown_level problem about undecided level values: it names
// them with their counts and says what to do, in Dutch and English.
func UnknownLevelsProblem(u []importer.UnknownValue) importer.Problem {
	nl, en := NameLevels(u)
	return importer.Problem{Field: importer.FieldLevel, Code: importer.CodeUnknownLevel,
		NL: fmt.Sprintf("Numo kent %d %s uit het bestand niet: %s. Kies voor elke waarde een niveau of ‘Geen niveau’; anders zouden deze leerlingen zonder niveau worden ingelezen.",
			len(u), plural(len(u), "niveauwaarde", "niveauwaarden"), nl),
		EN: fmt.Sprintf("Numo does not know %d level %s of the file: %s. Choose a level or ‘No level’ for each; otherwise these pupils would be imported without a level.",
			len(u), plural(len(u), "value", "values"), en),
	}
}

// unknownLevelsProblem is UnknownLevelsProblem for the job's undecided values u; when the
// file holds more unrecognised values than the job lists, it says so and how to go on.
func (m *MappingState) unknownLevelsProblem(u []importer.UnknownValue) importer.Problem {
	p := UnknownLevelsProblem(u)
	if m.UnknownTotal > len(m.Unknown) {
		nl, en := MoreLevelsNote(m.UnknownTotal, len(m.Unknown))
		p.NL, p.EN = p.NL+" "+nl, p.EN+" "+en
	}
	return p
}

// MoreLevelsNote says, in Dutch and English, that the file holds total unrecognised level
// values of which only the listed most frequent are shown: such a column may not be a level
// column, and all other values can be imported without a level.
func MoreLevelsNote(total, listed int) (nl, en string) {
	return fmt.Sprintf("Het bestand heeft %d verschillende niveauwaarden die Numo niet kent; alleen de %d die het vaakst voorkomen staan in de lijst. "+
			"Zoveel waarden wijzen erop dat deze kolom misschien niet het niveau bevat: kies dan een andere kolom, of kies ‘Alle andere waarden: geen niveau’.", total, listed),
		fmt.Sprintf("The file holds %d different level values Numo does not know; only the %d most frequent are listed. "+
			"So many values suggest that this column may not be a level column: choose another column, or choose ‘All other values: no level’.", total, listed)
}

// ErrUnknownLevels refuses to go on while level values are undecided: MAPPING_INVALID with
// extensions.unknownLevels ([{value, count}], the most frequent MaxUnknownLevels) and the
// unknown_level problem.
func ErrUnknownLevels(u []importer.UnknownValue) *apperr.Error {
	m := &MappingState{Unknown: u, UnknownTotal: len(u)}
	if len(u) > MaxUnknownLevels {
		m.Unknown = slices.Clone(u)
		slices.SortStableFunc(m.Unknown, func(a, b importer.UnknownValue) int { return b.Count - a.Count })
		m.Unknown = m.Unknown[:MaxUnknownLevels]
	}
	return m.errUnknownLevels(m.Unknown)
}

// errUnknownLevels is ErrUnknownLevels for the job's undecided values u.
func (m *MappingState) errUnknownLevels(u []importer.UnknownValue) *apperr.Error {
	list := make([]map[string]any, 0, len(u))
	for _, v := range u {
		list = append(list, map[string]any{"value": v.Value, "count": v.Count})
	}
	p := m.unknownLevelsProblem(u)
	return apperr.New(apperr.CodeMappingInvalid, p.NL, p.EN, map[string]any{"unknownLevels": list, "problems": problemsExt([]importer.Problem{p})})
}

// CheckLevels refuses records read with level values that are still undecided
// (importer.Result.UnknownLevels when the school's level mappings were applied), unless the
// admin chose "no level" for all other values (otherNoLevel).
func CheckLevels(res *importer.Result, otherNoLevel bool) error {
	if len(res.UnknownLevels) == 0 || otherNoLevel {
		return nil
	}
	return ErrUnknownLevels(res.UnknownLevels)
}

// Decide records level choices in m, after checking them (MAPPING_INVALID when one is not
// valid). numo import --level uses it; setMapping does the same in choose.
func (m *MappingState) Decide(levels []LevelChoice) error {
	if err := checkLevelChoices(levels); err != nil {
		return err
	}
	if m.Levels == nil {
		m.Levels = map[string]importer.Level{}
	}
	for _, l := range levels {
		if l.Value == OtherLevels {
			m.OtherNoLevel = true
			continue
		}
		m.Levels[importer.NormalizeHeader(l.Value)] = importer.Level(l.Level)
	}
	return nil
}

// rememberLevels stores level choices for the school within its limit (past it, only these
// choices are kept).
func rememberLevels(ctx context.Context, c *ent.Client, schoolID int, levels []LevelChoice) error {
	if len(levels) == 0 {
		return nil
	}
	school, err := c.School.Get(ctx, schoolID)
	if err != nil {
		return fmt.Errorf("remember level mappings: %w", err)
	}
	levelMap := school.LevelMappings
	if levelMap == nil || len(levelMap)+len(levels) > maxSchoolLevelMappings {
		levelMap = map[string]string{}
	}
	for _, l := range levels {
		if l.Value != OtherLevels { // a choice for this job only
			levelMap[importer.NormalizeHeader(l.Value)] = l.Level
		}
	}
	if err := c.School.UpdateOne(school).SetLevelMappings(levelMap).Exec(ctx); err != nil {
		return fmt.Errorf("remember level mappings for school: %w", err)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
