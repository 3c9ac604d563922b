package store

import "context"

// TeachingState is one of a teacher's groups as a change record keeps it: the class and
// whether the teacher is its mentor.
type TeachingState struct {
	ClassID int  `json:"classId"`
	Mentor  bool `json:"mentor,omitempty"`
}

// EachTeaching calls fn(account, class, mentor) for every teaching assignment to one of the
// school's classes (lesgroepen taught, stamklassen taught or mentored).
func EachTeaching(ctx context.Context, q Querier, d string, schoolID int, fn func(accountID, classID int, mentor bool)) error {
	return EachLink(ctx, q, d, Teachings, schoolID, func(l Link) { fn(l.AccountID, l.ClassID, l.Mentor) })
}

// GroupLinks are the memberships of a before-state's Groups, for ReplaceLinks.
func GroupLinks(groups []int) []Link {
	out := make([]Link, len(groups))
	for i, c := range groups {
		out[i] = Link{ClassID: c}
	}
	return out
}

// TeachingLinks are the teachings of a before-state's Teaches, for ReplaceLinks.
func TeachingLinks(teaches []TeachingState) []Link {
	out := make([]Link, len(teaches))
	for i, t := range teaches {
		out[i] = Link{ClassID: t.ClassID, Mentor: t.Mentor}
	}
	return out
}
