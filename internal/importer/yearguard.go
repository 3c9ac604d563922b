package importer

import (
	"fmt"
	"strconv"
)

// YearGuard is the guard against going back a year: an import that lowers the leerjaar of
// more of the school's active pupils than its threshold (the archive guard's percentage, see
// Guard) needs a confirmation that repeats the number, as archiving does. Uploading last
// year's export again is the mistake it catches: hundreds of pupils one class and one year
// back, which would otherwise look like any other update.
type YearGuard struct {
	// YearDown is how many matched pupils the import moves to a lower leerjaar.
	YearDown             int  `json:"yearDown"`
	ActivePupils         int  `json:"activePupils"`
	ThresholdPercent     int  `json:"thresholdPercent"`
	ConfirmationRequired bool `json:"confirmationRequired"`
}

// yearGuard counts the updates of the plan that lower a leerjaar and applies the threshold.
func yearGuard(users []PlannedUser, active, threshold int) YearGuard {
	g := YearGuard{ActivePupils: active, ThresholdPercent: threshold}
	for i := range users {
		if users[i].Outcome == OutcomeUpdated && lowersYear(users[i].Changes) {
			g.YearDown++
		}
	}
	g.ConfirmationRequired = g.YearDown > 0 && g.YearDown*100 > threshold*active
	return g
}

// lowersYear reports whether the changes move a known leerjaar to a lower one.
func lowersYear(cs []Change) bool {
	for _, c := range cs {
		if c.Field != "year" {
			continue
		}
		before, err1 := strconv.Atoi(c.Before)
		after, err2 := strconv.Atoi(c.After)
		return err1 == nil && err2 == nil && after < before
	}
	return false
}

// YearDownConfirmationError is returned when the year guard applies and the confirmation does
// not repeat the number of pupils going down a year.
type YearDownConfirmationError struct{ Guard YearGuard }

func (e *YearDownConfirmationError) Error() string {
	return fmt.Sprintf("deze import zet %d van de %d actieve leerlingen een leerjaar terug (meer dan %d %%): bevestig met dat aantal",
		e.Guard.YearDown, e.Guard.ActivePupils, e.Guard.ThresholdPercent)
}
