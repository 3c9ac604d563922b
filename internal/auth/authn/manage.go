package authn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/store"
)

// Every method here authorises the viewer in ctx first, then writes as the system.

// CreateToken makes an API token for the school and returns it with its secret, which is
// shown this once.
func (s *Service) CreateToken(ctx context.Context, schoolID int, name string, scopes []auth.Scope) (*ent.APIToken, string, error) {
	v := auth.FromContext(ctx)
	if err := requireAdminAccount(v, schoolID); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, "", invalid("Geef de sleutel een naam van hoogstens 100 tekens.", "Give the token a name of at most 100 characters.")
	}
	if len(scopes) == 0 {
		return nil, "", invalid("Kies wat de sleutel mag.", "Choose what the token may do.")
	}
	names := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if sc != auth.ScopeReadRosters && sc != auth.ScopeRunImports {
			return nil, "", invalid(fmt.Sprintf("onbekende bevoegdheid %q", sc), fmt.Sprintf("unknown scope %q", sc))
		}
		if !slices.Contains(names, string(sc)) {
			names = append(names, string(sc))
		}
	}
	secret := auth.NewSecret("numo_tok_")
	sys := auth.System(ctx)
	t, err := s.client.APIToken.Create().SetSchoolID(schoolID).SetName(name).SetPrefix(secret[:13]).
		SetTokenHash(auth.HashSecret(secret)).SetScopes(names).SetCreatedByID(v.AccountID).Save(sys)
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	audit.Record(ctx, s.client, schoolID, "token_created", fmt.Sprintf("%s (%s) %v", t.Name, t.Prefix, names))
	return t, secret, nil
}

// RevokeToken ends an API token at once.
func (s *Service) RevokeToken(ctx context.Context, id int) (*ent.APIToken, error) {
	t, err := s.client.APIToken.Get(ctx, id) // the viewer's rules hide other schools' tokens
	if err != nil {
		return nil, err
	}
	if err := requireAdminAccount(auth.FromContext(ctx), t.SchoolID); err != nil {
		return nil, err
	}
	if t.RevokedAt == nil {
		if t, err = s.client.APIToken.UpdateOne(t).SetRevokedAt(time.Now()).Save(auth.System(ctx)); err != nil {
			return nil, fmt.Errorf("revoke token: %w", err)
		}
		audit.Record(ctx, s.client, t.SchoolID, "token_revoked", t.Name+" ("+t.Prefix+")")
		s.TokenEnded(ctx, t.ID)
	}
	return t, nil
}

// TeacherInput is a new teacher account.
type TeacherInput struct {
	FirstName, Infix, LastName, Email, Username string
}

// CreateTeacher adds a teacher account to the school (without a password: the admin gives
// one with ResetPassword).
func (s *Service) CreateTeacher(ctx context.Context, schoolID int, in TeacherInput) (*ent.Account, error) {
	if err := requireAdminAccount(auth.FromContext(ctx), schoolID); err != nil {
		return nil, err
	}
	in.FirstName, in.LastName = strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	in.Username, in.Email = strings.TrimSpace(in.Username), strings.TrimSpace(in.Email)
	if in.FirstName == "" || in.LastName == "" || in.Username == "" || !strings.Contains(in.Email, "@") {
		return nil, invalid("Vul voornaam, achternaam, gebruikersnaam en een geldig e-mailadres in.",
			"Fill in first name, last name, username and a valid e-mail address.")
	}
	sys := auth.System(ctx)
	// Usernames are unique per school: people sign in at their school (POST /api/login names it).
	taken, err := s.client.Account.Query().Where(account.SchoolID(schoolID), account.UsernameEqualFold(in.Username)).Exist(sys)
	if err != nil {
		return nil, fmt.Errorf("create teacher: %w", err)
	}
	if taken {
		return nil, invalid(fmt.Sprintf("De gebruikersnaam %q is al in gebruik.", in.Username), fmt.Sprintf("The username %q is taken.", in.Username))
	}
	a, err := s.createRecorded(sys, schoolID, func(c *ent.Client) *ent.AccountCreate {
		return c.Account.Create().SetSchoolID(schoolID).SetRole(account.RoleTEACHER).SetFirstName(in.FirstName).
			SetInfix(strings.TrimSpace(in.Infix)).SetLastName(in.LastName).SetEmail(in.Email).SetUsername(in.Username)
	})
	if err != nil {
		return nil, fmt.Errorf("create teacher: %w", err)
	}
	audit.RecordAbout(ctx, s.client, schoolID, a.ID, "teacher_created", fmt.Sprintf("account %d (%s)", a.ID, a.Username))
	return a, nil
}

// createRecorded creates an account and its entry in the school's roster change log (package
// feed) in one transaction.
func (s *Service) createRecorded(sys context.Context, schoolID int, create func(*ent.Client) *ent.AccountCreate) (*ent.Account, error) {
	tx, err := s.client.Tx(sys)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	a, err := create(tx.Client()).Save(sys)
	if err != nil {
		return nil, err
	}
	if _, err := feed.Record(sys, tx, store.DialectOf(sys, tx), schoolID, feed.OriginManual, 0, time.Now(), feed.Touched{Accounts: []int{a.ID}}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return a.Unwrap(), nil
}

// MaxTeacherClasses is how many groups setTeacherClasses takes at once: a teacher of a
// secondary school teaches a few dozen; a longer list is refused, never cut short.
const MaxTeacherClasses = 1000

// SetTeacherClasses replaces the groups (stamklassen and lesgroepen) a teacher teaches with
// classIDs. A group the teacher keeps keeps its assignment as it was: its mentor flag and the
// import that made it survive (the mentor flag comes from the teacher import); a new group is
// taught without being mentored; a group left out is no longer taught or mentored.
func (s *Service) SetTeacherClasses(ctx context.Context, teacherID int, classIDs []int) (*ent.Account, error) {
	t, err := s.client.Account.Get(ctx, teacherID)
	if err != nil {
		return nil, err
	}
	if err := requireAdminAccount(auth.FromContext(ctx), t.SchoolID); err != nil {
		return nil, err
	}
	if t.Role != account.RoleTEACHER {
		return nil, invalid("Alleen docenten geven les aan klassen.", "Only teachers teach classes.")
	}
	ids := slices.Compact(slices.Sorted(slices.Values(classIDs)))
	if len(ids) > MaxTeacherClasses {
		return nil, apperr.New(apperr.CodeInvalidInput,
			fmt.Sprintf("Een docent krijgt hoogstens %d klassen en lesgroepen tegelijk; dit waren er %d.", MaxTeacherClasses, len(ids)),
			fmt.Sprintf("A teacher is given at most %d classes and groups at once; this was %d.", MaxTeacherClasses, len(ids)),
			map[string]any{"max": MaxTeacherClasses, "count": len(ids)})
	}
	sys := auth.System(ctx)
	n, err := s.client.Class.Query().Where(class.IDIn(ids...), class.SchoolID(t.SchoolID)).Count(sys)
	if err != nil {
		return nil, fmt.Errorf("set teacher classes: %w", err)
	}
	if n != len(ids) {
		return nil, invalid("Een of meer klassen bestaan niet op deze school.", "One or more classes do not exist at this school.")
	}
	if err := s.replaceTeachings(sys, t.SchoolID, t.ID, ids); err != nil {
		return nil, err
	}
	audit.RecordAbout(ctx, s.client, t.SchoolID, t.ID, "teacher_classes_set", fmt.Sprintf("account %d: %v", t.ID, ids))
	return t, nil
}

// replaceTeachings makes ids the classes the teacher teaches, in one transaction: the rows of
// other classes go, the rows of kept classes stay as they are, the new ones are added.
func (s *Service) replaceTeachings(sys context.Context, schoolID, teacherID int, ids []int) error {
	tx, err := s.client.Tx(sys)
	if err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	gone := tx.Teaching.Delete().Where(teaching.AccountID(teacherID))
	if len(ids) > 0 {
		gone.Where(teaching.ClassIDNotIn(ids...))
	}
	if _, err := gone.Exec(sys); err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	kept, err := tx.Teaching.Query().Where(teaching.AccountID(teacherID)).Select(teaching.FieldClassID).Ints(sys)
	if err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	var add []*ent.TeachingCreate
	for _, id := range ids {
		if !slices.Contains(kept, id) {
			add = append(add, tx.Teaching.Create().SetAccountID(teacherID).SetClassID(id))
		}
	}
	if len(add) > 0 {
		if err := tx.Teaching.CreateBulk(add...).Exec(sys); err != nil {
			return fmt.Errorf("set teacher classes: %w", err)
		}
	}
	// The teacher's row moves with their classes: an undo of an earlier teacher import sees the
	// hand edit as a change made after it (a conflict) instead of overwriting it.
	if err := tx.Account.UpdateOneID(teacherID).SetUpdatedAt(time.Now()).Exec(sys); err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	if _, err := feed.Record(sys, tx, store.DialectOf(sys, tx), schoolID, feed.OriginManual, 0, time.Now(), feed.Touched{Accounts: []int{teacherID}}); err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set teacher classes: %w", err)
	}
	return nil
}

// ResetPassword gives an account of the admin's school a new one-time password, returned this
// once; every session of the account ends.
func (s *Service) ResetPassword(ctx context.Context, accountID int) (string, error) {
	a, err := s.client.Account.Get(ctx, accountID)
	if err != nil {
		return "", err
	}
	if err := requireAdminAccount(auth.FromContext(ctx), a.SchoolID); err != nil {
		return "", err
	}
	if a.Status != account.StatusACTIVE {
		return "", invalid("Een gearchiveerd account kan niet inloggen.", "An archived account cannot sign in.")
	}
	pw := auth.NewPassword()
	if err := s.setPassword(ctx, a, pw, true); err != nil {
		return "", err
	}
	audit.RecordAbout(ctx, s.client, a.SchoolID, a.ID, "password_reset", fmt.Sprintf("account %d", a.ID))
	return pw, nil
}

// ChangePassword changes the signed-in account's password.
func (s *Service) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	v := auth.FromContext(ctx)
	if v == nil || v.IsToken() {
		return auth.ErrUnauthenticated
	}
	sys := auth.System(ctx)
	a, err := s.client.Account.Get(sys, v.AccountID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	ok, err := s.checkPassword(ctx, a.PasswordHash, oldPassword)
	if errors.Is(err, ErrBusy) {
		return err
	}
	if !ok { // after signing in with a letter's start code, the code is the current password
		if ok, _, err = s.matchStartCode(ctx, a, oldPassword, time.Now()); errors.Is(err, ErrBusy) {
			return err
		}
	}
	if !ok {
		return invalid("Het huidige wachtwoord klopt niet.", "The current password is wrong.")
	}
	if len([]rune(newPassword)) < auth.MinPasswordLength {
		return invalid(fmt.Sprintf("Kies een wachtwoord van minstens %d tekens.", auth.MinPasswordLength),
			fmt.Sprintf("Choose a password of at least %d characters.", auth.MinPasswordLength))
	}
	if err := s.setPassword(ctx, a, newPassword, false); err != nil {
		return err
	}
	audit.Record(ctx, s.client, a.SchoolID, "password_changed", "")
	return nil
}

func (s *Service) setPassword(ctx context.Context, a *ent.Account, password string, oneTime bool) error {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	sys := auth.System(ctx)
	// A password is not roster data: updated_at (the roster's version) stays.
	if err := s.client.Account.UpdateOne(a).SetPasswordHash(hash).SetMustChangePassword(oneTime).SetUpdatedAt(a.UpdatedAt).
		SetFailedLogins(0).ClearLockedUntil().
		// A password replaces a letter's start code: it stops working.
		ClearStartCodeHash().ClearStartCodeExpiresAt().ClearStartCodeGeneratedAt().Exec(sys); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if oneTime {
		if _, err := s.client.Session.Delete().Where(session.AccountID(a.ID)).Exec(sys); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
	}
	// A new password opens the account at once: its throttling counters go (at every address).
	sch, err := s.client.School.Get(sys, a.SchoolID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if err := s.clearThrottles(ctx, sch.Brin, a.Username, a.Email); err != nil {
		return err
	}
	s.AccountChanged(ctx, a.ID) // its websockets check again (a reset ended their sessions)
	return nil
}

// EnsureAdminPassword makes sure that the school's first admin account can sign in: when no
// admin of the school has a password yet, the first admin (created as "beheer" when there is
// none) gets password, or a generated one when it is empty. Either way it is a one-time
// password that must be changed at the first sign-in: a configured password
// (NUMO_ADMIN_PASSWORD) is shared by every school of the installation. It returns the username
// and the password it set ("" when nothing changed).
func (s *Service) EnsureAdminPassword(ctx context.Context, schoolID int, password string) (string, string, error) {
	sys := auth.System(ctx)
	admins, err := s.client.Account.Query().Where(account.SchoolID(schoolID), account.RoleEQ(account.RoleADMIN),
		account.StatusEQ(account.StatusACTIVE)).Order(ent.Asc(account.FieldID)).All(sys)
	if err != nil {
		return "", "", fmt.Errorf("first admin: %w", err)
	}
	for _, a := range admins {
		if a.PasswordHash != "" {
			return "", "", s.expireSharedPassword(ctx, admins[0], password)
		}
	}
	var a *ent.Account
	if len(admins) > 0 {
		a = admins[0]
	} else {
		username := "beheer"
		if taken, _ := s.client.Account.Query().Where(account.SchoolID(schoolID), account.UsernameEqualFold(username)).Exist(sys); taken {
			username = fmt.Sprintf("beheer-%d", schoolID)
		}
		if a, err = s.createRecorded(sys, schoolID, func(c *ent.Client) *ent.AccountCreate {
			return c.Account.Create().SetSchoolID(schoolID).SetRole(account.RoleADMIN).SetFirstName("Beheerder").
				SetLastName("School").SetUsername(username)
		}); err != nil {
			return "", "", fmt.Errorf("first admin: %w", err)
		}
	}
	if password == "" {
		password = auth.NewPassword()
	}
	if err := s.setPassword(ctx, a, password, true); err != nil {
		return "", "", err
	}
	audit.RecordAbout(sys, s.client, schoolID, a.ID, "first_admin", fmt.Sprintf("account %d (%s)", a.ID, a.Username))
	return a.Username, password, nil
}

// expireSharedPassword makes the school's first admin change its password at the next sign-in
// when it still has the shared NUMO_ADMIN_PASSWORD without having to change it (as first
// admins set up before that was required do). One hash per school at start, only when
// NUMO_ADMIN_PASSWORD is set.
func (s *Service) expireSharedPassword(ctx context.Context, a *ent.Account, password string) error {
	if password == "" || a.PasswordHash == "" || a.MustChangePassword {
		return nil
	}
	if ok, err := s.checkPassword(ctx, a.PasswordHash, password); err != nil || !ok {
		return nil //nolint:nilerr // a hash we cannot read is not the shared password
	}
	sys := auth.System(ctx)
	if err := s.client.Account.UpdateOne(a).SetMustChangePassword(true).SetUpdatedAt(a.UpdatedAt).Exec(sys); err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	audit.RecordAbout(sys, s.client, a.SchoolID, a.ID, "first_admin_must_change", fmt.Sprintf("account %d (%s) still had NUMO_ADMIN_PASSWORD", a.ID, a.Username))
	return nil
}

// requireAdminAccount allows only an admin account of the school (not a token): tokens,
// teachers and passwords are people's business.
func requireAdminAccount(v *auth.Viewer, schoolID int) error {
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case v.MustChangePassword:
		return ErrPasswordChangeRequired
	case v.IsToken() || v.Role != auth.RoleAdmin || v.SchoolID != schoolID:
		return auth.ErrForbidden
	}
	return nil
}

// invalid refuses bad input.
func invalid(nl, en string) error { return apperr.New(apperr.CodeInvalidInput, nl, en, nil) }
