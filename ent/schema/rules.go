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
	"github.com/numo/accounts/ent/privacy"
	"github.com/numo/accounts/ent/school"
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

func schoolInterceptor() ent.Interceptor {
	return intercept.TraverseSchool(func(ctx context.Context, q *gen.SchoolQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		q.Where(school.ID(v.SchoolID))
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
		q.Where(class.SchoolID(v.SchoolID))
		switch {
		case v.CanReadSchool(v.SchoolID):
		case v.IsToken():
			q.Where(class.IDIn())
		case v.Role == auth.RoleTeacher:
			q.Where(class.HasTeachersWith(account.ID(v.AccountID)))
		default: // a pupil sees their own class
			q.Where(class.HasPupilsWith(account.ID(v.AccountID)))
		}
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
		q.Where(account.SchoolID(v.SchoolID))
		switch {
		case v.CanReadSchool(v.SchoolID):
		case v.IsToken():
			q.Where(account.IDIn())
		case v.Role == auth.RoleTeacher: // themselves and the pupils of the classes they teach
			q.Where(account.Or(account.ID(v.AccountID),
				account.And(account.RoleEQ(account.RolePUPIL), account.HasClassWith(class.HasTeachersWith(account.ID(v.AccountID))))))
		default: // a pupil sees only themselves
			q.Where(account.ID(v.AccountID))
		}
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
		if v.IsAdminOf(v.SchoolID) {
			q.Where(importjob.SchoolID(v.SchoolID))
		} else {
			q.Where(importjob.IDIn())
		}
		return nil
	})
}

// apiTokenInterceptor shows tokens only to the school's admin accounts: a token never manages
// tokens.
func apiTokenInterceptor() ent.Interceptor {
	return intercept.TraverseAPIToken(func(ctx context.Context, q *gen.APITokenQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		if !v.IsToken() && v.Role == auth.RoleAdmin {
			q.Where(apitoken.SchoolID(v.SchoolID))
		} else {
			q.Where(apitoken.IDIn())
		}
		return nil
	})
}

// auditEventInterceptor shows the audit log only to the school's admin accounts.
func auditEventInterceptor() ent.Interceptor {
	return intercept.TraverseAuditEvent(func(ctx context.Context, q *gen.AuditEventQuery) error {
		if system(ctx) {
			return nil
		}
		v, err := viewerOr(ctx)
		if err != nil {
			return err
		}
		if !v.IsToken() && v.Role == auth.RoleAdmin {
			q.Where(auditevent.SchoolID(v.SchoolID))
		} else {
			q.Where(auditevent.IDIn())
		}
		return nil
	})
}
