package importer

import (
	"fmt"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
)

// The writes of lesgroepen and teaching assignments. A user of the plan with GroupsSet gets
// exactly its planned set: a pupil's memberships (Groups), a teacher's teaching rows (Groups,
// mentor where MentorOf says so, or as the row was without MentorSet). Links that stay are not
// touched (they keep the import that made them); the ones the import adds carry its job. An
// updated user's change record keeps its set before the import (AccountState.Groups/Teaches),
// so that a rollback or an undo restores it; an added user's links go with the account.

// linkKind is the table a plan's groups go to: memberships for pupils, teachings for teachers.
func (p *Plan) linkKind() store.LinkKind {
	if p.Kind == KindTeachers {
		return store.Teachings
	}
	return store.Memberships
}

// role is the role of the plan's new accounts.
func (p *Plan) role() account.Role {
	if p.Kind == KindTeachers {
		return account.RoleTEACHER
	}
	return account.RolePUPIL
}

// setsGroups reports whether the plan writes anybody's groups.
func (p *Plan) setsGroups() bool {
	for i := range p.Users {
		if p.Users[i].GroupsSet && writesLinks(p.Users[i].Outcome) {
			return true
		}
	}
	return false
}

// writesLinks reports whether a user of this outcome gets its planned groups.
func writesLinks(o Outcome) bool { return o == OutcomeNew || o == OutcomeUpdated }

// currentLinks are the links of the account at position i of the state (nil for -1), as
// store.Links of account id.
func (st *State) currentLinks(k store.LinkKind, i, id int) []store.Link {
	if i < 0 {
		return nil
	}
	set := st.members.of(i)
	if k == store.Teachings {
		set = st.teaching.of(i)
	}
	out := make([]store.Link, len(set))
	for j, x := range set {
		out[j] = store.Link{AccountID: id, ClassID: st.classList[x&^mentorBit].id, Mentor: k == store.Teachings && x&mentorBit != 0}
	}
	return out
}

// withGroups adds the account's groups before the import to its before-state b, when the
// plan replaces them.
func (st *State) withGroups(b *store.AccountState, k store.LinkKind, u *PlannedUser, i int) {
	if !u.GroupsSet || u.Outcome != OutcomeUpdated {
		return
	}
	cur := st.currentLinks(k, i, u.AccountID)
	if k == store.Teachings {
		b.Teaches = make([]store.TeachingState, len(cur))
		for j, l := range cur {
			b.Teaches[j] = store.TeachingState{ClassID: l.ClassID, Mentor: l.Mentor}
		}
		return
	}
	b.Groups = make([]int, len(cur))
	for j, l := range cur {
		b.Groups[j] = l.ClassID
	}
}

// plannedLinks appends to dst the links user u (account id) has after the import: its Groups
// resolved to class ids, with mentor flags for a teacher; cur are its links now.
func plannedLinks(dst []store.Link, k store.LinkKind, u *PlannedUser, id int, classes classIDs, cur []store.Link) ([]store.Link, error) {
	var mentor map[int]bool
	if k == store.Teachings && u.MentorSet {
		mentor = make(map[int]bool, len(u.MentorOf))
		for _, name := range u.MentorOf {
			c, ok := classes[groupKey(name)]
			if !ok {
				return nil, fmt.Errorf("mentor class %q of %s is not in the school", name, u.Key)
			}
			mentor[c] = true
		}
	}
	for _, name := range u.Groups {
		c, ok := classes[groupKey(name)]
		if !ok {
			return nil, fmt.Errorf("group %q of %s is not in the school", name, u.Key)
		}
		l := store.Link{AccountID: id, ClassID: c}
		if k == store.Teachings {
			if mentor != nil {
				l.Mentor = mentor[c]
			} else {
				l.Mentor = hasMentorLink(cur, c)
			}
		}
		dst = append(dst, l)
	}
	return dst, nil
}

func hasMentorLink(cur []store.Link, c int) bool {
	for _, l := range cur {
		if l.ClassID == c {
			return l.Mentor
		}
	}
	return false
}

// diffLinks splits the change from cur to want into links to remove and links to add (a
// teaching whose mentor flag changes is both).
func diffLinks(cur, want []store.Link) (remove, add []store.Link) {
	for _, c := range cur {
		if !containsLink(want, c) {
			remove = append(remove, c)
		}
	}
	for _, w := range want {
		if !containsLink(cur, w) {
			add = append(add, w)
		}
	}
	return remove, add
}

func containsLink(list []store.Link, l store.Link) bool {
	for _, x := range list {
		if x == l {
			return true
		}
	}
	return false
}

// linkIDs reads the ids of the plan's new accounts that get groups, by key: those the job
// added (accounts.import_job_id, one indexed read) or, without a job, by key.
func (w *writer) linkIDs(p *Plan) (map[string]int, error) {
	ids := map[string]int{}
	var keys []string
	for i := range p.Users {
		if u := &p.Users[i]; u.Outcome == OutcomeNew && u.GroupsSet && len(u.Groups) > 0 {
			keys = append(keys, u.Key)
		}
	}
	if len(keys) == 0 {
		return ids, nil
	}
	put := func(id int, key string) { ids[key] = id }
	var err error
	if w.jobID != 0 {
		err = store.EachAddedAccount(w.ctx, w.tx, w.dialect, w.jobID, w.schoolID, put)
	} else {
		err = store.EachAccountByKey(w.ctx, w.tx, w.dialect, w.schoolID, keys, put)
	}
	if err != nil {
		return nil, fmt.Errorf("read ids of added accounts: %w", err)
	}
	return ids, nil
}

// writeLinks gives every new and updated user with GroupsSet its planned groups, in the
// writer's one transaction: the removals in batched DELETEs, the additions in one COPY.
func (w *writer) writeLinks(p *Plan, st *State, classes classIDs) error {
	if !p.setsGroups() {
		return nil
	}
	k := p.linkKind()
	ids, err := w.linkIDs(p)
	if err != nil {
		return err
	}
	idx := st.index()
	var remove []store.Link
	var want []store.Link
	for i := range p.Users {
		u := &p.Users[i]
		if !u.GroupsSet || u.Outcome != OutcomeUpdated {
			continue
		}
		cur := st.currentLinks(k, idx[u.AccountID], u.AccountID)
		if want, err = plannedLinks(want[:0], k, u, u.AccountID, classes, cur); err != nil {
			return err
		}
		r, _ := diffLinks(cur, want)
		remove = append(remove, r...)
	}
	if err := store.DeleteLinks(w.ctx, w.tx, w.dialect, k, remove); err != nil {
		return fmt.Errorf("remove %s: %w", k, err)
	}
	err = store.InsertLinks(w.ctx, w.tx, w.dialect, k, w.jobID, func(put func(store.Link) error) error {
		return w.eachAddedLink(p, st, idx, ids, classes, put)
	})
	if err != nil {
		return fmt.Errorf("add %s: %w", k, err)
	}
	return nil
}

// eachAddedLink passes every link the plan adds to put: all groups of a new user, the missing
// ones of an updated user.
func (w *writer) eachAddedLink(p *Plan, st *State, idx map[int]int, ids map[string]int, classes classIDs, put func(store.Link) error) error {
	k := p.linkKind()
	var want []store.Link
	var err error
	for i := range p.Users {
		u := &p.Users[i]
		if !u.GroupsSet || !writesLinks(u.Outcome) || len(u.Groups) == 0 {
			continue
		}
		var cur []store.Link
		id := u.AccountID
		if u.Outcome == OutcomeNew {
			if id = ids[u.Key]; id == 0 {
				return fmt.Errorf("added account %s not found", u.Key)
			}
		} else {
			cur = st.currentLinks(k, idx[u.AccountID], u.AccountID)
		}
		if want, err = plannedLinks(want[:0], k, u, id, classes, cur); err != nil {
			return err
		}
		for _, l := range want {
			if cur != nil && containsLink(cur, l) {
				continue
			}
			if err := put(l); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeLinksOf writes the groups of one user in a commit's step (SQLite): the links to remove
// and to add, by account id (id: the new account's, for an added user).
func (w *writer) writeLinksOf(p *Plan, u *PlannedUser, id int, st *State, idx map[int]int, classes classIDs) error {
	if !u.GroupsSet || !writesLinks(u.Outcome) {
		return nil
	}
	k := p.linkKind()
	var cur []store.Link
	if u.Outcome == OutcomeUpdated {
		cur = st.currentLinks(k, idx[u.AccountID], u.AccountID)
	}
	want, err := plannedLinks(nil, k, u, id, classes, cur)
	if err != nil {
		return err
	}
	remove, add := diffLinks(cur, want)
	if w.linkStmts == nil {
		if err := store.DeleteLinks(w.ctx, w.tx, w.dialect, k, remove); err != nil {
			return fmt.Errorf("remove %s of %s: %w", k, u.Key, err)
		}
		if err := store.AddLinks(w.ctx, w.tx, w.dialect, k, w.jobID, add); err != nil {
			return fmt.Errorf("add %s of %s: %w", k, u.Key, err)
		}
		return nil
	}
	for _, l := range remove {
		if err := w.linkStmts.Delete(l); err != nil {
			return fmt.Errorf("%s: %w", u.Key, err)
		}
	}
	for _, l := range add {
		if err := w.linkStmts.Add(l, w.jobID); err != nil {
			return fmt.Errorf("%s: %w", u.Key, err)
		}
	}
	return nil
}

// newClasses are the classes the plan creates: its stamklassen, then its lesgroepen.
func newClasses(p *Plan, first map[string]*Record) []store.NewClass {
	out := make([]store.NewClass, 0, len(p.ClassesToCreate)+len(p.GroupsToCreate))
	for _, name := range p.ClassesToCreate {
		c := store.NewClass{Name: name, NameKey: names.ClassKey(name), Kind: class.KindSTAMKLAS}
		if r := first[c.NameKey]; r != nil {
			c.Year, c.Level = r.Year, string(r.Level)
		}
		out = append(out, c)
	}
	for _, name := range p.GroupsToCreate {
		out = append(out, store.NewClass{Name: name, NameKey: groupKey(name), Kind: class.KindLESGROEP, Subject: p.GroupSubjects[name]})
	}
	return out
}

// setsKey reports whether the plan gives an updated user's account a key (a keyless teacher
// matched by e-mail).
func setsKey(u *PlannedUser) bool {
	return u.Outcome == OutcomeUpdated && len(u.Changes) > 0 && u.Changes[0].Field == "key" && u.Changes[0].Before == ""
}

// changesRow reports whether the plan changes an updated user's account row (names, class,
// level, year, e-mail, username, ECK iD, status) and not only its groups or its key. An update
// of groups alone leaves the row, and so its updated_at, as it is: the change record and the
// links carry the import (a new timetable for a board moves 800,000 memberships of 100,000
// pupils whose rows stay the same; rewriting those rows cost 2.8 s of the commit).
func changesRow(u *PlannedUser) bool {
	for _, c := range u.Changes {
		switch c.Field {
		case "groups", "teaches", "mentorOf", "key":
		default:
			return true
		}
	}
	return false
}

// writeKey gives the account of an updated user its key when the plan says so.
func (w *writer) writeKey(u *PlannedUser) error {
	if !setsKey(u) {
		return nil
	}
	return store.SetAccountKey(w.ctx, w.tx, w.dialect, u.AccountID, w.schoolID, u.Key)
}
