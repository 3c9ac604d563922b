package importer

import (
	"slices"
	"strings"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/internal/names"
)

// ClassSummary is what an import does to the school's stamklassen, for the top of the preview:
// the moves between classes ("1A → 2A: 26"), the classes that have active pupils now and none
// after the import, the classes it creates, and the file's users who have no e-mail address
// after it. It is computed with the plan, against the school's live pupils.
type ClassSummary struct {
	Moves        []ClassMove `json:"moves,omitempty"`
	EmptyClasses []string    `json:"emptyClasses,omitempty"`
	NewClasses   []string    `json:"newClasses,omitempty"`
	// WithoutEmail counts the users the import adds, updates or leaves unchanged who have no
	// e-mail address after it (pupils in a pupil file, teachers in a teacher file).
	WithoutEmail int `json:"withoutEmail"`
}

// ClassMove is a number of pupils going from one stamklas to another; From is "" for pupils
// the import adds.
type ClassMove struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// classCount counts active pupils per class key before and after the import.
type classCount struct {
	before, after map[string]int
	name          map[string]string
}

func (c *classCount) move(from, to string) {
	if from != "" {
		c.after[names.ClassKey(from)]--
	}
	if to != "" {
		k := names.ClassKey(to)
		c.after[k]++
		if c.name[k] == "" {
			c.name[k] = to
		}
	}
}

// classSummary summarises the finished plan's users per class (see ClassSummary).
func (pl *planner) classSummary() *ClassSummary {
	p := pl.p
	s := &ClassSummary{NewClasses: slices.Clone(p.ClassesToCreate)}
	for i := range p.Users {
		u := &p.Users[i]
		switch u.Outcome {
		case OutcomeNew, OutcomeUpdated, OutcomeUnchanged:
			if strings.TrimSpace(u.Email) == "" {
				s.WithoutEmail++
			}
		}
	}
	if pl.kind != KindPupils {
		return s
	}
	c := classCount{before: map[string]int{}, after: map[string]int{}, name: map[string]string{}}
	for _, a := range pl.st.accounts {
		if a.role == string(account.RolePUPIL) && a.status == string(account.StatusACTIVE) && a.classKey != "" {
			c.before[a.classKey]++
			c.after[a.classKey]++
			c.name[a.classKey] = a.className
		}
	}
	moves := map[[2]string]int{}
	for i := range p.Users {
		u := &p.Users[i]
		switch {
		case u.Outcome == OutcomeNew:
			c.move("", u.Class)
			moves[[2]string{"", u.Class}]++
		case u.Outcome == OutcomeArchived:
			c.move(u.Class, "")
		case u.Outcome == OutcomeUpdated:
			from, to, changed := u.Class, u.Class, false
			for _, ch := range u.Changes {
				if ch.Field == "class" {
					from, to, changed = ch.Before, ch.After, true
				}
			}
			if u.Reactivate {
				from = "" // an archived pupil is in no class's count yet
			}
			if changed || u.Reactivate {
				c.move(from, to)
			}
			if changed {
				moves[[2]string{from, to}]++
			}
		}
	}
	for k, n := range c.before {
		if n > 0 && c.after[k] <= 0 {
			s.EmptyClasses = append(s.EmptyClasses, c.name[k])
		}
	}
	slices.SortFunc(s.EmptyClasses, func(a, b string) int { return strings.Compare(names.ClassKey(a), names.ClassKey(b)) })
	for m, n := range moves {
		s.Moves = append(s.Moves, ClassMove{From: m[0], To: m[1], Count: n})
	}
	slices.SortFunc(s.Moves, func(a, b ClassMove) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if d := strings.Compare(names.ClassKey(a.From), names.ClassKey(b.From)); d != 0 {
			return d
		}
		return strings.Compare(names.ClassKey(a.To), names.ClassKey(b.To))
	})
	return s
}
