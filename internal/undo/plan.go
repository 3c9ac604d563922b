package undo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/numo/accounts/ent/accountchange"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/internal/store"
)

// touched is an account the job changed, with its change record and its state now.
type touched struct {
	id        int
	action    accountchange.Action
	before    *store.AccountState // nil for an added account
	now       store.AccountState
	updatedAt time.Time
}

// history is what other jobs did to one of the job's accounts.
type history struct {
	// later is the most recent import committed after the job that changed the account and
	// was not undone.
	later *laterJob
	// undoneAt are the commit times of undos of later imports that changed the account: an
	// account last written by one of them is back in the state the job left.
	undoneAt []time.Time
	// archivedAt is when the last import before the job archived the account, zero if none.
	archivedAt time.Time
}

type laterJob struct {
	fileName    string
	committedAt time.Time
}

// makePlan computes what undoing the job does, reading through q (the client, or the undo's
// transaction) in the dialect d.
func makePlan(ctx context.Context, q store.Querier, d string, jobID, schoolID int) (*Plan, error) {
	job, found, err := store.LoadJobRecord(ctx, q, d, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("load job %d: %w", jobID, err)
	}
	if !found {
		return nil, errNotFound(jobID)
	}
	p := &Plan{JobID: jobID, SchoolID: schoolID, FileName: job.FileName, FileKind: job.FileKind, RemoveClasses: []string{}, Conflicts: []Conflict{}}
	if p.refusal = refuse(job); p.refusal != nil {
		p.Reason, p.ReasonEn = p.refusal.nl, p.refusal.en
		return p, nil
	}
	p.Possible = true
	committed := job.CommittedAt.Time
	accounts, err := loadTouched(ctx, q, d, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	hist, err := loadHistory(ctx, q, d, jobID, schoolID, committed)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	classes, err := loadClasses(ctx, q, d, jobID, schoolID)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	activity, err := loadActivity(ctx, q, d, schoolID, accounts)
	if err != nil {
		return nil, fmt.Errorf("undo job %d: %w", jobID, err)
	}
	for _, a := range accounts {
		if a.now.ClassID != nil {
			a.now.Class = classes.names[*a.now.ClassID]
		}
		h := hist[a.id]
		reason, reasonEn := conflict(a, h, committed, classes)
		if reason == "" && a.action == accountchange.ActionADDED {
			reason, reasonEn = activityConflict(activity[a.id])
		}
		if reason != "" {
			p.Conflicts = append(p.Conflicts, Conflict{AccountID: a.id, Key: a.now.Key, Name: fullName(&a.now), Reason: reason, ReasonEn: reasonEn})
			continue
		}
		it := item{accountID: a.id, current: a.now}
		switch a.action {
		case accountchange.ActionADDED:
			p.RemoveAdded++
		case accountchange.ActionUPDATED:
			p.RestoreUpdated++
		case accountchange.ActionARCHIVED:
			p.Reactivate++
		}
		if a.before != nil {
			t := *a.before
			if t.Archived() && t.ArchivedAt == nil {
				// A change record without the archiving time (the import engine does not store
				// it): the last import that archived the account set it to its commit time;
				// failing that the account counts as archived when the job ran, so that the
				// retention term never starts earlier than it did.
				at := h.archivedAt
				if at.IsZero() {
					at = committed
				}
				t.ArchivedAt = &at
			}
			it.target = &t
		}
		p.items = append(p.items, it)
	}
	slices.SortFunc(p.Conflicts, func(a, b Conflict) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.AccountID - b.AccountID
	})
	return p, p.finish(ctx, q, d, classes)
}

// finish reads the links of the plan's accounts and lists the classes the undo empties.
func (p *Plan) finish(ctx context.Context, q store.Querier, d string, classes *classInfo) error {
	if err := p.loadLinks(ctx, q, d, classes); err != nil {
		return fmt.Errorf("undo job %d: %w", p.JobID, err)
	}
	p.removeClassIDs, p.RemoveClasses = emptied(p.items, classes)
	return nil
}

// loadLinks reads the memberships and teaching assignments of the accounts the undo changes:
// what an item has now (recorded as the undo's before-state where it restores them) and how
// many links the undo gives back and takes away.
func (p *Plan) loadLinks(ctx context.Context, q store.Querier, d string, classes *classInfo) error {
	ids := make([]int, len(p.items))
	at := make(map[int]int, len(p.items))
	for i, it := range p.items {
		ids[i], at[it.accountID] = it.accountID, i
	}
	now := [2]map[int][]store.Link{{}, {}}
	for k, kind := range []store.LinkKind{store.Memberships, store.Teachings} {
		if err := store.EachLinkOf(ctx, q, d, kind, p.SchoolID, ids, func(l store.Link) {
			now[k][l.AccountID] = append(now[k][l.AccountID], l)
		}); err != nil {
			return err
		}
	}
	for i := range p.items {
		it := &p.items[i]
		if it.target == nil {
			p.GroupsLeft += len(now[0][it.accountID]) + len(now[1][it.accountID])
			continue
		}
		if it.target.Groups != nil {
			it.current.Groups = classIDs(now[0][it.accountID])
			p.countChange(it.current.Groups, it.target.Groups, classes)
		}
		if it.target.Teaches != nil {
			cur := now[1][it.accountID]
			it.current.Teaches = make([]store.TeachingState, len(cur))
			for j, l := range cur {
				it.current.Teaches[j] = store.TeachingState{ClassID: l.ClassID, Mentor: l.Mentor}
			}
			want := make([]int, len(it.target.Teaches))
			for j, t := range it.target.Teaches {
				want[j] = t.ClassID
			}
			p.countChange(classIDs(cur), want, classes)
		}
	}
	return nil
}

// countChange counts the classes of want (that still exist) missing from cur as joined, and
// those of cur missing from want as left.
func (p *Plan) countChange(cur, want []int, classes *classInfo) {
	for _, c := range want {
		if classes.exists(c) && !slices.Contains(cur, c) {
			p.GroupsJoined++
		}
	}
	for _, c := range cur {
		if !slices.Contains(want, c) {
			p.GroupsLeft++
		}
	}
}

// classIDs are the classes of links.
func classIDs(links []store.Link) []int {
	out := make([]int, len(links))
	for i, l := range links {
		out[i] = l.ClassID
	}
	return out
}

// refuse says why the job cannot be undone, nil when it can.
func refuse(j *store.JobRecord) *refusal {
	switch {
	case j.Kind == importjob.KindUNDO:
		return &refusal{"Dit is zelf het ongedaan maken van een import; dat kan niet ongedaan worden gemaakt. Importeer het bestand opnieuw.",
			"This job undid an import; it cannot be undone itself. Import the file again."}
	case j.Status == importjob.StatusUNDONE:
		at := ""
		if j.UndoneAt.Valid {
			at = " op " + dutchTime(j.UndoneAt.Time)
		}
		return &refusal{"Deze import is al ongedaan gemaakt" + at + ".", "This import was undone already."}
	case j.Status != importjob.StatusCOMMITTED || !j.CommittedAt.Valid:
		return &refusal{"Alleen een uitgevoerde import kan ongedaan worden gemaakt.", "Only a committed import can be undone."}
	case j.PurgedAt.Valid:
		return &refusal{fmt.Sprintf("De gegevens van deze import zijn na de bewaartermijn verwijderd (op %s). Daarom kan hij niet meer ongedaan worden gemaakt.", dutchTime(j.PurgedAt.Time)),
			"The row data of this import was purged after the retention term, so it can no longer be undone."}
	}
	return nil
}

// conflict returns why the account may not be touched by the undo, "" when it may.
func conflict(a touched, h history, committed time.Time, classes *classInfo) (nl, en string) {
	switch {
	case h.later != nil:
		return fmt.Sprintf("gewijzigd door de latere import “%s” van %s", h.later.fileName, dutchTime(h.later.committedAt)),
			fmt.Sprintf("changed by the later import “%s” of %s", h.later.fileName, h.later.committedAt.Format("2 Jan 2006 15:04"))
	case a.updatedAt.After(committed) && !slices.ContainsFunc(h.undoneAt, a.updatedAt.Equal):
		return fmt.Sprintf("gewijzigd na deze import (op %s)", dutchTime(a.updatedAt)),
			fmt.Sprintf("changed after this import (on %s)", a.updatedAt.Format("2 Jan 2006 15:04"))
	case a.before != nil && a.before.ClassID != nil && !classes.exists(*a.before.ClassID):
		return fmt.Sprintf("de klas %s van vóór de import bestaat niet meer", a.before.Class),
			fmt.Sprintf("the class %s it had before the import no longer exists", a.before.Class)
	}
	return "", ""
}

// activityConflict returns why an account the job added may not be deleted although no import
// and no hand edit changed it since: someone signed in with it, it got a password, or the
// audit log tells of it. "" when nothing happened to it.
func activityConflict(a store.Activity) (nl, en string) {
	switch {
	case a.SignedIn:
		return "na deze import is er met dit account ingelogd", "someone signed in with it after this import"
	case a.Password:
		return "heeft na deze import een wachtwoord gekregen", "it got a password after this import"
	case a.Audited:
		return "het auditlog vermeldt een handeling met dit account na deze import", "the audit log records an action on it after this import"
	}
	return "", ""
}

// loadActivity reads what happened outside the import history to the accounts the job added.
func loadActivity(ctx context.Context, q store.Querier, d string, schoolID int, accounts []touched) (map[int]store.Activity, error) {
	var added []int
	for _, a := range accounts {
		if a.action == accountchange.ActionADDED {
			added = append(added, a.id)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}
	out, err := store.AccountActivity(ctx, q, d, schoolID, added)
	if err != nil {
		return nil, fmt.Errorf("load sign-ins and passwords of added accounts: %w", err)
	}
	return out, nil
}

// loadTouched reads every account the job changed, with its change record, and every account
// it added.
func loadTouched(ctx context.Context, q store.Querier, d string, jobID, schoolID int) ([]touched, error) {
	var out []touched
	err := store.EachTouched(ctx, q, d, jobID, schoolID, func(r *store.Touched) error {
		t := touched{id: r.AccountID, action: r.Action, now: r.Now, updatedAt: r.UpdatedAt}
		if t.action != accountchange.ActionADDED {
			b, err := store.DecodeAccountState(r.Before)
			if err != nil {
				return fmt.Errorf("account %d: %w", t.id, err)
			}
			t.before = b
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load changed accounts: %w", err)
	}
	// By account, the added ones (marked with the job, read after the change records) among them.
	slices.SortFunc(out, func(a, b touched) int { return a.id - b.id })
	return out, nil
}

// loadHistory reads what other jobs of the school did to the job's accounts.
func loadHistory(ctx context.Context, q store.Querier, d string, jobID, schoolID int, committed time.Time) (map[int]history, error) {
	out := map[int]history{}
	err := store.EachOtherChange(ctx, q, d, jobID, schoolID, func(x *store.OtherChange) {
		if !x.CommittedAt.Valid {
			return
		}
		at := x.CommittedAt.Time
		h := out[x.AccountID]
		switch {
		case x.Kind == importjob.KindIMPORT && at.Before(committed):
			if x.Action == accountchange.ActionARCHIVED && at.After(h.archivedAt) {
				h.archivedAt = at
			}
		case x.Kind == importjob.KindIMPORT && x.Status == importjob.StatusCOMMITTED && at.After(committed):
			if h.later == nil || at.After(h.later.committedAt) {
				h.later = &laterJob{fileName: x.FileName, committedAt: at}
			}
		case x.Kind == importjob.KindUNDO && x.UndidCommit.Valid && x.UndidCommit.Time.After(committed):
			h.undoneAt = append(h.undoneAt, at)
		}
		out[x.AccountID] = h
	})
	if err != nil {
		return nil, fmt.Errorf("load later changes: %w", err)
	}
	return out, nil
}

// classInfo is what the undo needs to know about the school's classes.
type classInfo struct {
	names    map[int]string // every class of the school
	created  []int          // the classes the job created, by id
	pupils   map[int][]int  // class the job created -> accounts with it as their class now
	members  map[int][]int  // class the job created -> accounts in it as a lesgroep now
	teachers map[int][]int  // class the job created -> its teachers now
}

func (c *classInfo) exists(id int) bool { _, ok := c.names[id]; return ok }

func loadClasses(ctx context.Context, q store.Querier, d string, jobID, schoolID int) (*classInfo, error) {
	ci := &classInfo{names: map[int]string{}, pupils: map[int][]int{}, members: map[int][]int{}, teachers: map[int][]int{}}
	if err := store.EachClass(ctx, q, d, schoolID, func(c store.ClassRow) {
		ci.names[c.ID] = c.Name
		if c.CreatedByJob == jobID {
			ci.created = append(ci.created, c.ID)
		}
	}); err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	if len(ci.created) == 0 {
		return ci, nil
	}
	for link, m := range map[store.ClassLink]map[int][]int{store.ClassPupils: ci.pupils, store.ClassMembers: ci.members, store.ClassTeachers: ci.teachers} {
		if err := store.EachJobClassLink(ctx, q, d, jobID, schoolID, link, func(class, account int) {
			m[class] = append(m[class], account)
		}); err != nil {
			return nil, fmt.Errorf("load the accounts of new classes: %w", err)
		}
	}
	return ci, nil
}

// emptied returns the classes the job created that nobody is in after the undo: every pupil
// with it as their class, every member of it as a lesgroep and every teacher of it leaves it
// (the account is deleted, or gets back a class or a recorded set of groups without it;
// conflicting accounts stay where they are).
func emptied(items []item, ci *classInfo) (ids []int, names []string) {
	after := make(map[int]*store.AccountState, len(items)) // account -> its state after the undo, nil when deleted
	for _, it := range items {
		after[it.accountID] = it.target
	}
	leaves := func(accounts []int, stays func(t *store.AccountState, c int) bool, c int) bool {
		for _, a := range accounts {
			t, ok := after[a]
			if !ok || (t != nil && stays(t, c)) {
				return false
			}
		}
		return true
	}
	inClass := func(t *store.AccountState, c int) bool { return t.ClassID != nil && *t.ClassID == c }
	inGroup := func(t *store.AccountState, c int) bool { return t.Groups == nil || slices.Contains(t.Groups, c) }
	teaches := func(t *store.AccountState, c int) bool {
		return t.Teaches == nil || slices.ContainsFunc(t.Teaches, func(x store.TeachingState) bool { return x.ClassID == c })
	}
	names = []string{}
	for _, c := range ci.created {
		if leaves(ci.pupils[c], inClass, c) && leaves(ci.members[c], inGroup, c) && leaves(ci.teachers[c], teaches, c) {
			ids = append(ids, c)
			names = append(names, ci.names[c])
		}
	}
	slices.Sort(names)
	return ids, names
}

var months = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// amsterdam is the time zone the admins read times in; the server's own when it is unknown.
var amsterdam = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Amsterdam"); err == nil {
		return loc
	}
	return time.Local
})

// dutchTime writes t as a Dutch admin reads it, e.g. "3 september 2026 om 14:05".
func dutchTime(t time.Time) string {
	t = t.In(amsterdam())
	return fmt.Sprintf("%d %s %d om %02d:%02d", t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}
