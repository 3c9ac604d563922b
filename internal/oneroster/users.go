package oneroster

import (
	"cmp"
	"slices"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/teaching"
)

// accountFields are the only columns an export reads of an account: never its password
// hash, login state or import bookkeeping.
var accountFields = []string{account.FieldID, account.FieldRole, account.FieldExternalKey, account.FieldFirstName,
	account.FieldInfix, account.FieldLastName, account.FieldEmail, account.FieldUsername, account.FieldEckID,
	account.FieldLevel, account.FieldYear, account.FieldClassID, account.FieldStatus}

// eachPage calls fn with the school's exported accounts a page at a time: pupils, teachers,
// then admins, the active before the archived, each in id order. Each sequence is a keyset
// read (a page starts after the last id of the one before) with school, status and role
// all equal, so that SQLite walks its (school_id, status, role) index, whose entries end in
// the id, without sorting the school for every page; PostgreSQL walks the primary key.
func (e *exporter) eachPage(fn func([]*ent.Account) error) error {
	statuses := []account.Status{account.StatusACTIVE}
	if e.opts.IncludeArchived {
		statuses = append(statuses, account.StatusARCHIVED)
	}
	for _, role := range []account.Role{account.RolePUPIL, account.RoleTEACHER, account.RoleADMIN} {
		for _, status := range statuses {
			if err := e.eachPageOf(role, status, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *exporter) eachPageOf(role account.Role, status account.Status, fn func([]*ent.Account) error) error {
	after := 0
	for {
		page, err := e.c.Account.Query().
			Where(account.SchoolID(e.school.ID), account.StatusEQ(status), account.RoleEQ(role), account.IDGT(after)).
			Order(account.ByID()).Limit(e.opts.PageSize).Select(accountFields...).All(e.ctx)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < e.opts.PageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// roleOf is an account's role in roles.csv and enrollments.csv.
func roleOf(a *ent.Account) (role, enrollRole string) {
	switch a.Role {
	case account.RoleTEACHER:
		return "teacher", "teacher"
	case account.RoleADMIN:
		return "siteAdministrator", "administrator"
	}
	return "student", "student"
}

func (e *exporter) writeUsers() error {
	org := orgID(e.school.ID)
	return e.eachPage(func(page []*ent.Account) error {
		for _, a := range page {
			switch a.Role {
			case account.RolePUPIL:
				e.sum.Pupils++
			case account.RoleTEACHER:
				e.sum.Teachers++
			default:
				e.sum.Admins++
			}
			if err := e.row(FileUsers, userFields(a, org)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// userFields is an account's row of users.csv.
func userFields(a *ent.Account, org string) []string {
	enabled := "true"
	if a.Status != account.StatusACTIVE {
		enabled = "false"
	}
	userIDs := ""
	if a.EckID != "" {
		userIDs = "{ECK:" + a.EckID + "}"
	}
	key, year, grades := "", 0, ""
	if a.ExternalKey != nil {
		key = *a.ExternalKey
	}
	if a.Year != nil {
		year = *a.Year
	}
	if a.Role == account.RolePUPIL {
		grades = Grade(year, a.Level)
	}
	return []string{userID(a.ID), "", "", enabled, a.Username, userIDs, a.FirstName, familyName(a.Infix, a.LastName),
		"", key, a.Email, "", "", "", grades, "", "", "", "", "", "", org, "",
		a.Infix, a.Level, itoa(year)}
}

func (e *exporter) writeRoles() error {
	org := orgID(e.school.ID)
	return e.eachPage(func(page []*ent.Account) error {
		for _, a := range page {
			role, _ := roleOf(a)
			if err := e.row(FileRoles, roleID(a.ID), "", "", userID(a.ID), "primary", role, "", "", org, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

// enrollment is one row of enrollments.csv before it is written.
type enrollment struct {
	class   int
	role    string
	primary bool
}

// writeEnrollments writes, per page of accounts: a pupil's stamklas, a pupil's lesgroepen, the
// groups a teacher teaches and the stamklas a teacher mentors (primary=true: the binding's
// primary marks a class's primary teacher and applies to teachers only).
func (e *exporter) writeEnrollments() error {
	org := orgID(e.school.ID)
	return e.eachPage(func(page []*ent.Account) error {
		byAccount, err := e.links(page)
		if err != nil {
			return err
		}
		for _, a := range page {
			list := byAccount[a.ID]
			if a.Role == account.RolePUPIL && a.ClassID != nil && e.classes.byID[*a.ClassID] != nil {
				list = append([]enrollment{{class: *a.ClassID, role: "student"}}, list...)
			}
			for _, en := range list {
				primary := "false"
				if en.primary {
					primary = "true"
				}
				if err := e.row(FileEnrollments, enrollmentID(en.class, a.ID), "", "", classID(en.class), org, userID(a.ID),
					en.role, primary, "", ""); err != nil {
					return err
				}
				e.sum.Enrollments++
			}
		}
		return nil
	})
}

// links reads the lesgroep memberships and teaching assignments of a page of accounts, by
// account and then by class id; only classes of the school count.
func (e *exporter) links(page []*ent.Account) (map[int][]enrollment, error) {
	ids := make([]int, len(page))
	for i, a := range page {
		ids[i] = a.ID
	}
	out := map[int][]enrollment{}
	members, err := e.c.Membership.Query().Where(membership.AccountIDIn(ids...)).
		Select(membership.FieldGroupID, membership.FieldAccountID).All(e.ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if e.classes.byID[m.GroupID] != nil {
			out[m.AccountID] = append(out[m.AccountID], enrollment{class: m.GroupID, role: "student"})
		}
	}
	teachings, err := e.c.Teaching.Query().Where(teaching.AccountIDIn(ids...)).
		Select(teaching.FieldClassID, teaching.FieldAccountID, teaching.FieldMentor).All(e.ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teachings {
		if e.classes.byID[t.ClassID] != nil {
			out[t.AccountID] = append(out[t.AccountID], enrollment{class: t.ClassID, role: "teacher", primary: t.Mentor})
		}
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b enrollment) int { return cmp.Compare(a.class, b.class) })
	}
	return out, nil
}
