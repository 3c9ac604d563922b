package main

import (
	"fmt"
	"strings"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
)

// levelFlags collects --level VALUE=LEVEL: a level value of the file and the level it means;
// an empty LEVEL is "no level" (its pupils are imported without a level, on purpose). LEVEL
// is one of Numo's levels or a spelling Numo recognises ("HAVO", "vmbo-kb").
type levelFlags []jobs.LevelChoice

func (l *levelFlags) String() string { return "" }

func (l *levelFlags) Set(s string) error {
	i := strings.LastIndex(s, "=")
	if i < 0 {
		return fmt.Errorf("%q is not VALUE=LEVEL (an empty LEVEL means no level, e.g. --level 'ISK=')", s)
	}
	value, level := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	if value == "" {
		return fmt.Errorf("%q names no level value before the =", s)
	}
	if level != "" {
		l, ok := importer.NormalizeLevel(level)
		if !ok {
			return fmt.Errorf("%q is not a level of Numo; choose one of %s, or nothing for no level", level, levelNames())
		}
		level = string(l)
	}
	*l = append(*l, jobs.LevelChoice{Value: value, Level: level})
	return nil
}

func levelNames() string {
	names := make([]string, 0, len(importer.Levels()))
	for _, l := range importer.Levels() {
		names = append(names, string(l))
	}
	return strings.Join(names, ", ")
}

// unknownLevelsProblem is the run's error while level values are undecided: which values,
// and how to decide them with --level.
func unknownLevelsProblem(u []importer.UnknownValue) cliProblem {
	named, _ := jobs.NameLevels(u)
	var ex []string
	for _, v := range u[:min(len(u), 2)] {
		ex = append(ex, fmt.Sprintf("--level '%s=…'", strings.ReplaceAll(v.Value, "'", `'\''`)))
	}
	values := "niveauwaarden"
	if len(u) == 1 {
		values = "niveauwaarde"
	}
	msg := fmt.Sprintf(
		"Numo kent %d %s uit het bestand niet: %s. Er is niets ingelezen: kies voor elke waarde een niveau met --level WAARDE=NIVEAU "+
			"(niveaus: %s) of geen niveau met --level WAARDE= (leeg), bijvoorbeeld %s; zie \"unknownLevels\" in --json. "+
			"De school onthoudt de keuzes voor haar volgende bestanden. Met --level '*=' worden de leerlingen van alle andere waarden zonder niveau ingelezen (alleen deze keer).",
		len(u), values, named, levelNames(), strings.Join(ex, " "))
	if len(u) > jobs.MaxUnknownLevels {
		msg += fmt.Sprintf(" Zoveel verschillende waarden (%d) wijzen erop dat deze kolom misschien niet het niveau bevat: geef dan met --mapping de goede kolom op.", len(u))
	}
	return cliProblem{Code: importer.CodeUnknownLevel, Message: msg}
}
