package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/intercept"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/predicate"
	"github.com/numo/accounts/ent/privacy"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/internal/auth"
)

// The rules of who sees what live here, below every resolver: each query of an entity runs
// through its interceptor, which narrows it to what the viewer in the context may see (or
// refuses an anonymous caller), and each mutation through a privacy policy that allows only
// the product's own code (auth.System) — which authorises the request before it writes.
// Guessing another school's IDs therefore finds nothing. Every entity gets both from its access
// mixin (readBy or systemOnly, mixin.go).

// system reports whether ctx is the product's own work.
func system(ctx context.Context) bool {
	return auth.IsSystem(ctx)
}

// viewerOr returns the viewer, or the error for an anonymous caller.
func viewerOr(ctx context.Context) (*auth.Viewer, error) {
	v := auth.FromContext(ctx)
	if v == nil {
		return nil, auth.ErrUnauthenticated
	}
	return v, nil
}

// systemOnlyMutations is the policy of every entity: only auth.System contexts write.
func systemOnlyMutations() ent.Policy {
	return privacy.Policy{
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
		Query:    privacy.QueryPolicy{privacy.AlwaysAllowRule()},
	}
}

// The visibility of each entity for a viewer is one predicate, below: the interceptors narrow
// every query of the entity with it, and graph's where-input sanitiser adds it to every edge
// filter that leads to the entity (hasAccountsWith: …), which would otherwise be a plain SQL
// subquery that no interceptor sees. A nil viewer sees nothing. Entities without a predicate
// here (sessions, import blobs, account changes, login throttles, …: systemOnly in mixin.go)
// are seen by no viewer.

// nothing is the predicate no row satisfies.
func nothing(s *sql.Selector) { s.Where(sql.False()) }

// seenByNone is the rule of the entities that only the product's own code reads.
func seenByNone(*auth.Viewer) func(*sql.Selector) { return nothing }

// SchoolVisible is the rule of which schools v reads: its own.
func SchoolVisible(v *auth.Viewer) predicate.School {
	if v == nil {
		return nothing
	}
	return school.ID(v.SchoolID)
}

// reach is how far a viewer reads into its school's roster (classes and accounts); ClassVisible
// and AccountVisible turn it into rows.
type reach int

const (
	// readsNothing: no viewer, or a token that may not read rosters.
	readsNothing reach = iota
	// readsSchool: the school's admins and read tokens read all of it.
	readsSchool
	// readsAsTeacher: a teacher reads the groups they teach or mentor and those groups' pupils.
	readsAsTeacher
	// readsAsPupil: a pupil reads their own groups and themselves.
	readsAsPupil
)

// rosterReach is how far v reads into its school's roster.
func rosterReach(v *auth.Viewer) reach {
	switch {
	case v == nil:
		return readsNothing
	case v.CanReadSchool(v.SchoolID):
		return readsSchool
	case v.IsToken():
		return readsNothing
	case v.Role == auth.RoleTeacher:
		return readsAsTeacher
	default:
		return readsAsPupil
	}
}

// ClassVisible is the rule of which classes v reads: all of its school for the school's admins
// and read tokens; for a teacher the groups they teach or mentor (stamklassen and lesgroepen
// alike); for a pupil their own stamklas and the lesgroepen they are a member of (the names of
// their own groups, never who else is in them: AccountVisible keeps fellow members hidden).
func ClassVisible(v *auth.Viewer) predicate.Class {
	switch rosterReach(v) {
	case readsSchool:
		return class.SchoolID(v.SchoolID)
	case readsAsTeacher:
		return class.And(class.SchoolID(v.SchoolID), taughtBy(v))
	case readsAsPupil: // their own stamklas and their own lesgroepen
		return class.And(class.SchoolID(v.SchoolID), class.Or(
			class.HasPupilsWith(account.ID(v.AccountID)),
			class.HasMembershipsWith(membership.AccountID(v.AccountID))))
	default:
		return nothing
	}
}

// taughtBy is the groups teacher v teaches or mentors (a Teaching row, mentor or not), while
// v's account is active: an archived teacher teaches nothing, even in a request that began
// before the archive (sign-in and sessions refuse archived accounts already; API tokens
// belong to a school, never to a teacher). One subquery, no lookup per row.
func taughtBy(v *auth.Viewer) predicate.Class {
	return class.HasTeachingsWith(teaching.HasTeacherWith(account.ID(v.AccountID), account.StatusEQ(account.StatusACTIVE)))
}

// AccountVisible is the rule of which accounts v reads: all of its school for the school's
// admins and read tokens; a teacher themselves (while active) and the pupils of the groups
// they teach or mentor: a stamklas's pupils (Account.class) and a lesgroep's members
// (memberships); a pupil only themselves.
func AccountVisible(v *auth.Viewer) predicate.Account {
	switch rosterReach(v) {
	case readsSchool:
		return account.SchoolID(v.SchoolID)
	case readsAsTeacher:
		taught := taughtBy(v)
		return account.And(account.SchoolID(v.SchoolID), account.Or(
			account.And(account.ID(v.AccountID), account.StatusEQ(account.StatusACTIVE)),
			account.And(account.RoleEQ(account.RolePUPIL), account.Or(
				account.HasClassWith(taught),
				account.HasMembershipsWith(membership.HasGroupWith(taught))))))
	case readsAsPupil: // only themselves
		return account.And(account.SchoolID(v.SchoolID), account.ID(v.AccountID))
	default:
		return nothing
	}
}

// TeachingVisible is the rule of which teaching assignments v reads: those of a group v reads
// to a teacher v reads (Class.mentors reads them; they are no GraphQL type of their own).
func TeachingVisible(v *auth.Viewer) predicate.Teaching {
	if v == nil {
		return nothing
	}
	return teaching.And(teaching.HasClassWith(ClassVisible(v)), teaching.HasTeacherWith(AccountVisible(v)))
}

// ImportJobVisible is the rule of which import jobs v reads: those of the school it
// administers (an admin account, or a token that runs imports).
func ImportJobVisible(v *auth.Viewer) predicate.ImportJob {
	if v == nil || !v.IsAdminOf(v.SchoolID) {
		return nothing
	}
	return importjob.SchoolID(v.SchoolID)
}

// APITokenVisible is the rule of which API tokens v reads: the school's admin accounts see its
// tokens; a token never sees tokens.
func APITokenVisible(v *auth.Viewer) predicate.APIToken {
	if !v.IsAdminAccount() {
		return nothing
	}
	return apitoken.SchoolID(v.SchoolID)
}

// AuditEventVisible is the rule of which audit events v reads: the school's admin accounts see
// its audit log.
func AuditEventVisible(v *auth.Viewer) predicate.AuditEvent {
	if !v.IsAdminAccount() {
		return nothing
	}
	return auditevent.SchoolID(v.SchoolID)
}

// visibleTo is the interceptor of an entity whose rows viewers read by rule: the product's own
// code reads every row, an anonymous caller is refused, and a viewer's query is narrowed to
// the rows rule gives it.
func visibleTo[P ~func(*sql.Selector)](rule func(*auth.Viewer) P) ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.WhereP(rule(v))
		return nil
	})
}
