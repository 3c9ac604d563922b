package importer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/numo/accounts/internal/store"
)

// groupSets holds a set of classes per account compactly, for a school of 100,000 pupils in
// 8 lesgroepen each: the set of the account at position i of State.accounts is
// items[start[i]:start[i+1]], each item a position in State.classList, for teaching rows with
// mentorBit set when the teacher is the class's mentor.
type groupSets struct {
	start []int32
	items []int32
}

// mentorBit marks a teaching row whose teacher is the class's mentor.
const mentorBit = int32(1) << 30

// emptySets is a groupSets without any sets; of reads it as empty for every account.
var emptySets = groupSets{}

// of returns the set of the account at position i; the caller must not change it.
func (g *groupSets) of(i int) []int32 {
	if i+1 >= len(g.start) {
		return nil
	}
	return g.items[g.start[i]:g.start[i+1]]
}

// link is one membership or teaching row as loaded: account and class positions.
type link struct{ account, class int32 }

// buildSets turns loose links into groupSets over n accounts (a counting sort).
func buildSets(links []link, n int) groupSets {
	g := groupSets{start: make([]int32, n+1), items: make([]int32, len(links))}
	for _, l := range links {
		g.start[l.account+1]++
	}
	for i := 1; i <= n; i++ {
		g.start[i] += g.start[i-1]
	}
	fill := slices.Clone(g.start[:n])
	for _, l := range links {
		g.items[fill[l.account]] = l.class
		fill[l.account]++
	}
	// The database returns the rows in no set order; a plan must not depend on it.
	for i := range n {
		if set := g.items[g.start[i]:g.start[i+1]]; len(set) > 1 {
			slices.SortFunc(set, func(a, b int32) int { return int(a&^mentorBit) - int(b&^mentorBit) })
		}
	}
	return g
}

// loadGroups reads the school's memberships and teaching rows into the state.
func (st *State) loadGroups(ctx context.Context, q Querier, d string) error {
	if len(st.accounts) >= math.MaxInt32 || len(st.classList) >= int(mentorBit) {
		return fmt.Errorf("load groups: school %d has too many accounts or classes", st.SchoolID)
	}
	byID := make(map[int]int32, len(st.classList))
	for _, c := range st.classList {
		byID[c.id] = c.ix
	}
	var links []link
	err := store.EachMembership(ctx, q, d, st.SchoolID, func(accountID, classID int) {
		if l, ok := st.link(byID, accountID, classID); ok {
			links = append(links, l)
		}
	})
	if err != nil {
		return fmt.Errorf("load memberships: %w", err)
	}
	st.members = buildSets(links, len(st.accounts))
	links = links[:0]
	err = store.EachTeaching(ctx, q, d, st.SchoolID, func(accountID, classID int, mentor bool) {
		if l, ok := st.link(byID, accountID, classID); ok {
			if mentor {
				l.class |= mentorBit
			}
			links = append(links, l)
		}
	})
	if err != nil {
		return fmt.Errorf("load teachings: %w", err)
	}
	st.teaching = buildSets(links, len(st.accounts))
	return nil
}

// link finds the positions of an account (accounts are loaded by id) and a class.
func (st *State) link(byID map[int]int32, accountID, classID int) (link, bool) {
	c, ok := byID[classID]
	if !ok {
		return link{}, false
	}
	i := sort.Search(len(st.accounts), func(i int) bool { return st.accounts[i].id >= accountID })
	if i == len(st.accounts) || st.accounts[i].id != accountID {
		return link{}, false
	}
	return link{int32(i), c}, true
}

// classOf returns the position in classList of the class a group name stands for, or -1 for a
// class that does not exist yet.
func (st *State) classOf(name string) int32 {
	var buf [64]byte
	if k, ok := asciiKey(buf[:0], name); ok {
		if c, ok := st.classes[string(k)]; ok { // no allocation: the compiler looks up by the bytes
			return c.ix
		}
		return -1
	}
	if c, ok := st.classes[groupKey(name)]; ok {
		return c.ix
	}
	return -1
}

// asciiKey appends the ClassKey of a cleaned ASCII name to dst; ok is false for another name
// or one that does not fit dst's capacity, whose key groupKey computes.
func asciiKey(dst []byte, name string) ([]byte, bool) {
	if len(name) > cap(dst) {
		return nil, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			return nil, false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

// setDiff compares the current set (positions in classList, mentorBit ignored) with the file's
// names and counts the classes joined and left; both are 0 when the sets are the same.
func (st *State) setDiff(current []int32, file []string) (joined, left int) {
	matched := 0
	for _, name := range file {
		c := st.classOf(name)
		if c < 0 || !containsClass(current, c) {
			joined++
		} else {
			matched++
		}
	}
	return joined, len(current) - matched
}

func containsClass(set []int32, c int32) bool {
	for _, x := range set {
		if x&^mentorBit == c {
			return true
		}
	}
	return false
}

// namesOf returns the stored names of a set; with mentorOnly, of its mentor rows only.
func (st *State) namesOf(set []int32, mentorOnly bool) []string {
	out := make([]string, 0, len(set))
	for _, x := range set {
		if mentorOnly && x&mentorBit == 0 {
			continue
		}
		out = append(out, st.classList[x&^mentorBit].name)
	}
	return out
}

// joinGroups is how a Change shows a set of groups: the names in ClassKey order, joined ", ".
func (st *State) joinGroups(list []string) string {
	list = slices.Clone(list)
	for i, n := range list {
		if c := st.classOf(n); c >= 0 {
			list[i] = st.classList[c].name // the stored spelling
		}
	}
	slices.SortFunc(list, compareGroups)
	return strings.Join(list, ", ")
}

// compareGroups orders group names by ClassKey, then as written.
func compareGroups(a, b string) int {
	var ba, bb [64]byte
	ka, oka := asciiKey(ba[:0], a)
	kb, okb := asciiKey(bb[:0], b)
	c := 0
	if oka && okb {
		c = bytes.Compare(ka, kb)
	} else {
		c = strings.Compare(groupKey(a), groupKey(b))
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// hashGroups writes the groups of a planned user to a plan's hash without allocating.
func hashGroups(h io.Writer, buf []byte, u *PlannedUser) []byte {
	buf = append(buf[:0], "groups "...)
	buf = strconv.AppendBool(buf, u.GroupsSet)
	for _, g := range u.Groups {
		buf = append(buf, ' ')
		buf = strconv.AppendQuote(buf, g)
	}
	buf = append(buf, " mentor "...)
	buf = strconv.AppendBool(buf, u.MentorSet)
	for _, g := range u.MentorOf {
		buf = append(buf, ' ')
		buf = strconv.AppendQuote(buf, g)
	}
	buf = append(buf, '\n')
	h.Write(buf)
	return buf
}

// groupChange adds the change of a set of groups to u, and returns the classes joined and left.
func (pl *planner) groupChange(u *PlannedUser, field string, current []int32, mentorOnly bool, file []string) (joined, left int) {
	if mentorOnly {
		var mentor []int32
		for _, x := range current {
			if x&mentorBit != 0 {
				mentor = append(mentor, x)
			}
		}
		current = mentor
	}
	joined, left = pl.st.setDiff(current, file)
	if joined == 0 && left == 0 {
		return 0, 0
	}
	u.Changes = append(u.Changes, Change{Field: field, Before: pl.st.joinGroups(pl.st.namesOf(current, false)), After: pl.st.joinGroups(file)})
	return joined, left
}

// noteGroups notes the groups of a written user that do not exist yet: lesgroepen to create,
// or with stamklas set stamklassen (a teacher's mentor classes).
func (pl *planner) noteGroups(list []string, stamklas bool) {
	for _, name := range list {
		if pl.st.classOf(name) >= 0 {
			continue
		}
		k := groupKey(name)
		if stamklas {
			pl.newClasses[k] = name
			continue
		}
		if _, ok := pl.newGroups[k]; !ok {
			pl.newGroups[k] = name
		}
	}
}

// pupilGroups plans the lesgroepen of a pupil row: for a matched account (i >= 0) the change
// of its memberships, for a new one its groups; joined and left are counted by finishGroups.
func (pl *planner) pupilGroups(u *PlannedUser, r *Record, i int) (joined, left int) {
	if !pl.groupsOn {
		return 0, 0
	}
	u.GroupsSet, u.Groups = true, r.Groups
	if i < 0 {
		return len(r.Groups), 0
	}
	return pl.groupChange(u, "groups", pl.st.members.of(i), false, r.Groups)
}

// countGroups counts the joined and left groups of a user that the import writes, and notes
// the groups to create.
func (pl *planner) countGroups(u *PlannedUser, joined, left int) {
	if u.Outcome != OutcomeNew && u.Outcome != OutcomeUpdated {
		return
	}
	pl.p.Counts.GroupsJoined += joined
	pl.p.Counts.GroupsLeft += left
	if u.GroupsSet {
		pl.noteGroups(u.MentorOf, true)
		pl.noteGroups(u.Groups, false)
	}
}

// groupsToCreate lists the new lesgroepen, leaving out those that are a stamklas to create.
func (pl *planner) groupsToCreate() []string {
	var out []string
	for k, name := range pl.newGroups {
		if _, ok := pl.newClasses[k]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
