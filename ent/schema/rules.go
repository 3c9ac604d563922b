package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	gen "github.com/numo/accounts/ent"
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
// Guessing another school's IDs therefore finds nothing.

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

// denyViewers is the interceptor of entities that only the product's own code reads.
func denyViewers() ent.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if system(ctx) {
			return nil
		}
		if _, err := viewerOr(ctx); err != nil {
			return err
		}
		q.WhereP(func(s *sql.Selector) { s.Where(sql.False()) })
		return nil
	})
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
// here (sessions, import blobs, account changes, login throttles) are seen by no viewer.

// nothing is the predicate no row satisfies.
func nothing(s *sql.Selector) { s.Where(sql.False()) }

// SchoolVisible is the rule of which schools v reads: its own.
func SchoolVisible(v *auth.Viewer) predicate.School {
	if v == nil {
		return nothing
	}
	return school.ID(v.SchoolID)
}

// ClassVisible is the rule of which classes v reads: all of its school for the school's admins
// and read tokens; for a teacher the groups they teach or mentor (stamklassen and lesgroepen
// alike); for a pupil their own stamklas and the lesgroepen they are a member of (the names of
// their own groups, never who else is in them: AccountVisible keeps fellow members hidden).
func ClassVisible(v *auth.Viewer) predicate.Class {
	switch {
	case v == nil:
		return nothing
	case v.CanReadSchool(v.SchoolID):
		return class.SchoolID(v.SchoolID)
	case v.IsToken():
		return nothing
	case v.Role == auth.RoleTeacher:
		return class.And(class.SchoolID(v.SchoolID), taughtBy(v))
	default: // a pupil sees their own stamklas and their own lesgroepen
		return class.And(class.SchoolID(v.SchoolID), class.Or(
			class.HasPupilsWith(account.ID(v.AccountID)),
			class.HasMembershipsWith(membership.AccountID(v.AccountID))))
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
	switch {
	case v == nil:
		return nothing
	case v.CanReadSchool(v.SchoolID):
		return account.SchoolID(v.SchoolID)
	case v.IsToken():
		return nothing
	case v.Role == auth.RoleTeacher:
		taught := taughtBy(v)
		return account.And(account.SchoolID(v.SchoolID), account.Or(
			account.And(account.ID(v.AccountID), account.StatusEQ(account.StatusACTIVE)),
			account.And(account.RoleEQ(account.RolePUPIL), account.Or(
				account.HasClassWith(taught),
				account.HasMembershipsWith(membership.HasGroupWith(taught))))))
	default: // a pupil sees only themselves
		return account.And(account.SchoolID(v.SchoolID), account.ID(v.AccountID))
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

func schoolInterceptor() ent.Interceptor {
	return intercept.TraverseSchool(func(ctx context.Context, q *gen.SchoolQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(SchoolVisible(v))
		return nil
	})
}

func classInterceptor() ent.Interceptor {
	return intercept.TraverseClass(func(ctx context.Context, q *gen.ClassQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(ClassVisible(v))
		return nil
	})
}

func accountInterceptor() ent.Interceptor {
	return intercept.TraverseAccount(func(ctx context.Context, q *gen.AccountQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(AccountVisible(v))
		return nil
	})
}

func importJobInterceptor() ent.Interceptor {
	return intercept.TraverseImportJob(func(ctx context.Context, q *gen.ImportJobQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(ImportJobVisible(v))
		return nil
	})
}

func apiTokenInterceptor() ent.Interceptor {
	return intercept.TraverseAPIToken(func(ctx context.Context, q *gen.APITokenQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(APITokenVisible(v))
		return nil
	})
}

func auditEventInterceptor() ent.Interceptor {
	return intercept.TraverseAuditEvent(func(ctx context.Context, q *gen.AuditEventQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(AuditEventVisible(v))
		return nil
	})
}

func teachingInterceptor() ent.Interceptor {
	return intercept.TraverseTeaching(func(ctx context.Context, q *gen.TeachingQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(TeachingVisible(v))
		return nil
	})
}
