package startcode

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/ent/membership"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/feed"
	"github.com/numo/accounts/internal/letters"
	"github.com/numo/accounts/internal/store"
)

// MaxAccounts is the most accounts one generation makes letters for: a whole September intake
// of a large school fits; a larger selection is refused (INVALID_INPUT), never cut short.
const MaxAccounts = 2000

// DownloadValid is how long the letters of a generation can be downloaded.
const DownloadValid = 30 * time.Minute

// Scope is what a generation makes letters for: exactly one of the new accounts of an import
// job, the pupils of a class (stamklas or lesgroep), or a selection of accounts.
type Scope struct {
	JobID      int
	ClassID    int
	AccountIDs []int
}

// Result is a generation: the download handle (shown once, to the admin who made it) and
// what the audit log says of it. It holds no code.
type Result struct {
	Handle       string
	Letters      int
	NewUsernames int
	Classes      int
	ValidUntil   time.Time
	DownloadBy   time.Time
}

// Generate makes a start code (and a username where there is none) for every active account
// in the scope of the viewer's school, replacing the codes they had, and seals the letters for
// one download. Only an admin account of the school may: not a teacher, and not an API token —
// the codes are people's credentials, handed out on paper by people.
func Generate(ctx context.Context, db *store.DB, schoolID int, scope Scope, now time.Time) (*Result, error) {
	v := auth.FromContext(ctx)
	if err := requireAdmin(v, schoolID); err != nil {
		return nil, err
	}
	sys := auth.System(ctx)
	sch, err := db.Client.School.Get(sys, schoolID)
	if err != nil {
		return nil, fmt.Errorf("start codes: %w", err)
	}
	targets, label, err := selectAccounts(sys, db.Client, schoolID, scope)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := makeCodes(len(targets))
	if err != nil {
		return nil, err
	}
	validUntil := ExpiresAt(now, sch.StartCodeValidDays)
	batch := &letters.Batch{School: sch.Name, BRIN: sch.Brin, ValidUntil: validUntil}
	handle := NewHandle()
	newNames, err := write(sys, db, sch, targets, codes, hashes, validUntil, now, batch, handle, v.AccountID)
	if err != nil {
		return nil, err
	}
	purgeExpired(sys, db.Client, now)
	batch.Sort()
	res := &Result{Handle: handle, Letters: len(targets), NewUsernames: newNames, Classes: len(batch.Classes()),
		ValidUntil: validUntil, DownloadBy: now.Add(DownloadValid)}
	audit.Record(ctx, db.Client, schoolID, "start_codes_generated",
		fmt.Sprintf("%s: %d startcodes (%d nieuwe gebruikersnamen), geldig tot en met %s; oude codes werken niet meer",
			label, res.Letters, newNames, letters.DutchDate(validUntil)))
	return res, nil
}

// requireAdmin allows only an admin account of the school (see Generate).
func requireAdmin(v *auth.Viewer, schoolID int) error {
	switch {
	case v == nil:
		return auth.ErrUnauthenticated
	case v.MustChangePassword:
		return apperr.ErrPasswordChangeRequired
	case v.IsToken() || v.Role != auth.RoleAdmin || v.SchoolID != schoolID:
		return auth.ErrForbidden
	}
	return nil
}

func invalid(nl, en string, ext map[string]any) error {
	return apperr.New(apperr.CodeInvalidInput, nl, en, ext)
}

// target is an account a letter is made for, with the class its letter names.
type target struct {
	*ent.Account
	class string
}

// selectAccounts reads the active accounts of the scope (admins left out: they sign in with
// their own password), with the audit log's words for the scope.
func selectAccounts(sys context.Context, c *ent.Client, schoolID int, s Scope) ([]target, string, error) {
	n := 0
	for _, set := range []bool{s.JobID != 0, s.ClassID != 0, s.AccountIDs != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, "", invalid("Kies één groep: de nieuwe accounts van een import, een klas of een selectie accounts.",
			"Choose one group: the new accounts of an import, a class, or a selection of accounts.", nil)
	}
	if len(s.AccountIDs) > MaxAccounts {
		return nil, "", tooMany(len(s.AccountIDs))
	}
	q := c.Account.Query().Where(account.SchoolID(schoolID), account.StatusEQ(account.StatusACTIVE), account.RoleNEQ(account.RoleADMIN))
	var label, className string
	switch {
	case s.JobID != 0:
		job, err := c.ImportJob.Get(sys, s.JobID)
		if err != nil || job.SchoolID != schoolID {
			return nil, "", invalid("Deze import bestaat niet op deze school.", "This import does not exist at this school.", map[string]any{"field": "importJobId"})
		}
		q.Where(account.ImportJobID(s.JobID))
		label = fmt.Sprintf("nieuwe accounts van import %d", s.JobID)
	case s.ClassID != 0:
		cl, err := c.Class.Query().Where(class.ID(s.ClassID), class.SchoolID(schoolID)).Only(sys)
		if err != nil {
			return nil, "", invalid("Deze klas bestaat niet op deze school.", "This class does not exist at this school.", map[string]any{"field": "classId"})
		}
		q.Where(account.RoleEQ(account.RolePUPIL))
		if cl.Kind == class.KindLESGROEP {
			q.Where(account.HasMembershipsWith(membership.GroupID(cl.ID)))
			label = "lesgroep " + cl.Name
		} else {
			q.Where(account.ClassID(cl.ID))
			label = "klas " + cl.Name
		}
		className = cl.Name
	default:
		ids := slices.Compact(slices.Sorted(slices.Values(s.AccountIDs)))
		q.Where(account.IDIn(ids...))
		label = fmt.Sprintf("selectie van %d accounts", len(ids))
	}
	accounts, err := q.Order(ent.Asc(account.FieldSortName), ent.Asc(account.FieldID)).Limit(MaxAccounts + 1).All(sys)
	if err != nil {
		return nil, "", fmt.Errorf("start codes: %w", err)
	}
	switch {
	case len(accounts) > MaxAccounts:
		return nil, "", tooMany(len(accounts))
	case len(accounts) == 0:
		return nil, "", invalid("Hier zijn geen actieve leerlingen of docenten om inlogbrieven voor te maken.",
			"There are no active pupils or teachers here to make login letters for.", nil)
	case s.AccountIDs != nil && len(accounts) != len(slices.Compact(slices.Sorted(slices.Values(s.AccountIDs)))):
		return nil, "", invalid("Een of meer gekozen accounts bestaan niet op deze school, zijn gearchiveerd of zijn beheerders.",
			"One or more chosen accounts do not exist at this school, are archived or are administrators.", map[string]any{"field": "accountIds"})
	}
	targets, err := withClasses(sys, c, accounts, className)
	return targets, label, err
}

func tooMany(n int) error {
	return invalid(fmt.Sprintf("Maak inlogbrieven voor hoogstens %d accounts tegelijk; dit waren er %d. Kies een kleinere groep, bijvoorbeeld per klas.", MaxAccounts, n),
		fmt.Sprintf("Make login letters for at most %d accounts at once; this was %d. Choose a smaller group, for example per class.", MaxAccounts, n),
		map[string]any{"max": MaxAccounts, "count": n})
}

// withClasses gives each account the class its letter names: the scope's class, else its stamklas.
func withClasses(sys context.Context, c *ent.Client, accounts []*ent.Account, className string) ([]target, error) {
	names := map[int]string{}
	if className == "" {
		var ids []int
		for _, a := range accounts {
			if a.ClassID != nil {
				ids = append(ids, *a.ClassID)
			}
		}
		if len(ids) > 0 {
			classes, err := c.Class.Query().Where(class.IDIn(slices.Compact(slices.Sorted(slices.Values(ids)))...)).All(sys)
			if err != nil {
				return nil, fmt.Errorf("start codes: %w", err)
			}
			for _, cl := range classes {
				names[cl.ID] = cl.Name
			}
		}
	}
	out := make([]target, len(accounts))
	for i, a := range accounts {
		out[i] = target{Account: a, class: className}
		if className == "" && a.ClassID != nil {
			out[i].class = names[*a.ClassID]
		}
	}
	return out, nil
}

// makeCodes makes n codes and their hashes, on every core: 2,000 light argon2id hashes take
// a few seconds on two.
func makeCodes(n int) (codes, hashes []string, err error) {
	codes, hashes = make([]string, n), make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range next {
				codes[i] = New()
				hashes[i], errs[i] = Hash(codes[i])
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return codes, hashes, nil
}

// write gives usernames and writes the codes' hashes in one transaction under the school's
// lock (two generations never hand out one username twice), ends the sessions opened with an
// old code, and stores the sealed letters. It fills batch and returns how many usernames were new.
func write(sys context.Context, db *store.DB, sch *ent.School, targets []target, codes, hashes []string, validUntil, now time.Time,
	batch *letters.Batch, handle string, by int) (int, error) {
	tx, err := db.Client.Tx(sys)
	if err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := store.LockSchool(sys, tx, db.Dialect, sch.ID); err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	taken, err := tx.Account.Query().Where(account.SchoolID(sch.ID), account.UsernameNEQ("")).Select(account.FieldUsername).Strings(sys)
	if err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	// Read again under the lock: a username given meanwhile is kept.
	ids := make([]int, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	current, err := tx.Account.Query().Where(account.IDIn(ids...)).Select(account.FieldID, account.FieldUsername).All(sys)
	if err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	have := make(map[int]string, len(current))
	for _, a := range current {
		have[a.ID] = a.Username
	}
	namer := NewNamer(sch.UsernamePattern, taken)
	rows := make([]store.StartCode, len(targets))
	newNames := 0
	for i, t := range targets {
		user := strings.TrimSpace(have[t.ID])
		rows[i] = store.StartCode{AccountID: t.ID, Hash: hashes[i], ExpiresAt: validUntil}
		if user == "" {
			user = namer.Next(Person{FirstName: t.FirstName, Infix: t.Infix, LastName: t.LastName, Email: t.Email, Key: deref(t.ExternalKey)})
			rows[i].Username = user
			newNames++
		}
		batch.Letters = append(batch.Letters, letters.Letter{AccountID: t.ID, FirstName: t.FirstName, Infix: t.Infix, LastName: t.LastName,
			SortName: t.SortName, Email: t.Email, Class: t.class, Username: user, Code: codes[i]})
	}
	n, err := store.SetStartCodes(sys, tx, db.Dialect, sch.ID, now, rows)
	if err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	if n != len(rows) {
		return 0, apperr.New(apperr.CodeInvalidState, "Een of meer accounts zijn intussen gearchiveerd of verwijderd. Probeer het opnieuw.",
			"One or more accounts were archived or deleted meanwhile. Try again.", nil)
	}
	// Accounts that got a username changed in the roster (package feed); a code is no roster data.
	var named []int
	for _, r := range rows {
		if r.Username != "" {
			named = append(named, r.AccountID)
		}
	}
	if _, err := feed.Record(sys, tx, db.Dialect, sch.ID, feed.OriginManual, 0, now, feed.Touched{Accounts: named}); err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	// A session opened with an old code (still choosing a password) ends with it.
	if _, err := tx.Session.Delete().Where(session.AccountIDIn(ids...),
		session.HasAccountWith(account.MustChangePassword(true))).Exec(sys); err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	if err := storeBatch(sys, tx, batch, handle, sch.ID, by, now); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("start codes: %w", err)
	}
	return newNames, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// storeBatch seals the letters under the handle and keeps them for one download.
func storeBatch(sys context.Context, tx *ent.Tx, batch *letters.Batch, handle string, schoolID, by int, now time.Time) error {
	plain, err := json.Marshal(batch)
	if err != nil {
		return fmt.Errorf("start codes: %w", err)
	}
	sealed, err := Seal(handle, plain)
	clear(plain)
	if err != nil {
		return err
	}
	if err := tx.LetterBatch.Create().SetSchoolID(schoolID).SetCreatedByID(by).SetHandleHash(HandleHash(handle)).SetSealed(sealed).
		SetLetters(len(batch.Letters)).SetCreatedAt(now).SetExpiresAt(now.Add(DownloadValid)).Exec(sys); err != nil {
		return fmt.Errorf("start codes: %w", err)
	}
	return nil
}

// purgeExpired deletes letter downloads that expired (best effort: the next generation or
// download tries again).
func purgeExpired(sys context.Context, c *ent.Client, now time.Time) {
	c.LetterBatch.Delete().Where(letterbatch.ExpiresAtLTE(now)).Exec(sys) //nolint:errcheck // best effort
}

// Settings are a school's settings for login letters; nil leaves one as it is.
type Settings struct {
	UsernamePattern *string
	ValidDays       *int
}

// UpdateSettings changes the school's settings for login letters (admin accounts of the school only).
func UpdateSettings(ctx context.Context, c *ent.Client, schoolID int, s Settings) (*ent.School, error) {
	if err := requireAdmin(auth.FromContext(ctx), schoolID); err != nil {
		return nil, err
	}
	u := c.School.UpdateOneID(schoolID)
	var changed []string
	if s.UsernamePattern != nil {
		p := strings.TrimSpace(*s.UsernamePattern)
		if err := CheckPattern(p); err != nil {
			return nil, err
		}
		u.SetUsernamePattern(p)
		changed = append(changed, "patroon gebruikersnamen "+p)
	}
	if s.ValidDays != nil {
		if d := *s.ValidDays; d < MinValidDays || d > MaxValidDays {
			return nil, invalid(fmt.Sprintf("Een startcode werkt 1 tot en met 90 dagen; %d kan niet.", d),
				fmt.Sprintf("A start code works for 1 to 90 days; %d is not possible.", d),
				map[string]any{"field": "startCodeValidDays", "min": MinValidDays, "max": MaxValidDays})
		}
		u.SetStartCodeValidDays(*s.ValidDays)
		changed = append(changed, fmt.Sprintf("startcode geldig %d dagen", *s.ValidDays))
	}
	sch, err := u.Save(auth.System(ctx))
	if err != nil {
		return nil, fmt.Errorf("start code settings: %w", err)
	}
	if len(changed) > 0 {
		audit.Record(ctx, c, schoolID, "start_code_settings", strings.Join(changed, "; "))
	}
	return sch, nil
}
