package importer

import (
	"fmt"
	"strings"

	"github.com/numo/accounts/ent/account"
)

// Teacher imports. A teacher file's rows are accounts with role TEACHER, keyed by the school's
// teacher code (external_key, the same key space as the pupils' numbers). A row is matched by
// its code; an existing teacher account without a code whose e-mail address is that of exactly
// one row (and no other keyless teacher's) is matched by e-mail and gets the code. A code that
// belongs to a pupil's or an admin's account refuses the row. Add, update and archive work as
// for pupils, over the school's teachers; class, level and year play no part. The groups a
// teacher teaches and the classes they mentor are planned as PlannedUser.Groups and MentorOf.

// A teacher matched by e-mail is planned with Key = the file's code and a first Change
// {Field: "key", Before: "", After: code}: the commit stores the code as the account's
// external_key.

// PrepareFor is Prepare for a file of kind k; "" reads the kind from the headers (SniffKind).
// Without a mapping (m nil) the proposed mapping of that kind is used.
func PrepareFor(data []byte, k Kind, m Mapping, levels map[string]Level) (*Prepared, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if k == "" {
		k = SniffKind(f.Columns)
	}
	if m == nil {
		m = MappingFromMatches(ProposeMappingFor(k, f.Columns))
	}
	res, err := BuildRecords(Input{File: f, Mapping: m, LevelMap: levels, Kind: k})
	if err != nil {
		return nil, err
	}
	return &Prepared{File: f, Mapping: m, Result: res, Input: NewPlanInput(f, m, res)}, nil
}

// emailIndex indexes the school's keyless teacher accounts and the file's rows by e-mail.
func (pl *planner) emailIndex() {
	pl.byEmail = map[string]int{}
	for i := range pl.st.accounts {
		a := &pl.st.accounts[i]
		if a.role != string(account.RoleTEACHER) || a.key != "" || a.person.Email == "" {
			continue
		}
		k := strings.ToLower(a.person.Email)
		if _, dup := pl.byEmail[k]; dup {
			pl.byEmail[k] = -1
		} else {
			pl.byEmail[k] = i
		}
	}
	pl.fileEmails = map[string]int{}
	for i := range pl.in.Result.Records {
		if e := pl.in.Result.Records[i].Email; e != "" {
			pl.fileEmails[strings.ToLower(e)]++
		}
	}
}

// matchTeacher finds the account of a teacher row: by code, else by e-mail (with a warning).
func (pl *planner) matchTeacher(r *Record) (i int, byEmail, found bool) {
	if i, ok := pl.st.byKey[r.Key]; ok {
		return i, false, true
	}
	k := strings.ToLower(r.Email)
	if r.Email == "" || pl.fileEmails[k] != 1 {
		return 0, false, false
	}
	i, ok := pl.byEmail[k]
	if !ok || i < 0 || pl.matched[i] {
		return 0, false, false
	}
	if r.Key == "" {
		return i, true, true // the same teacher without a code on both sides: nothing to say
	}
	pl.p.Warnings = append(pl.p.Warnings, Problem{Line: r.Line, Field: FieldEmail, Column: pl.in.Headers[FieldEmail], Code: CodeMatchedByEmail,
		NL: fmt.Sprintf("docent %s is op e-mailadres %s gekoppeld aan het bestaande docentaccount van %s, dat nog geen docentcode had; het krijgt code %s", r.Key, r.Email, fullName(&pl.st.accounts[i].person), r.Key),
		EN: fmt.Sprintf("teacher %s was matched by e-mail address %s to the existing teacher account of %s, which had no teacher code yet; it gets code %s", r.Key, r.Email, fullName(&pl.st.accounts[i].person), r.Key)})
	return i, true, true
}

// fullName is a person's name as a message shows it.
func fullName(p *Person) string {
	return strings.Join(strings.Fields(p.FirstName+" "+p.Infix+" "+p.LastName), " ")
}

// teacher plans one valid row of a teacher file.
func (pl *planner) teacher(r *Record) {
	u := PlannedUser{Line: r.Line, Person: Person{Key: r.Key, FirstName: r.FirstName, Infix: r.Infix, LastName: r.LastName,
		Email: r.Email, Username: r.Username, EckID: r.EckID}}
	i, byEmail, found := pl.matchTeacher(r)
	if !found && r.Key == "" {
		pl.noTeacherCode(&u, r)
		return
	}
	if !found {
		u.Outcome = OutcomeSkipped
		if pl.actions.Add {
			u.Outcome = OutcomeNew
			pl.newDamaged(u.Line, u.Key, u.Person)
		}
		joined := pl.teacherGroups(&u, r, -1)
		pl.countGroups(&u, joined, 0)
		pl.p.Users = append(pl.p.Users, u)
		return
	}
	a := &pl.st.accounts[i]
	pl.matched[i] = true
	u.AccountID = a.id
	if a.role != string(account.RoleTEACHER) {
		pl.notATeacher(&u, r, a)
		return
	}
	if !byEmail {
		u.Key = a.key
	}
	pl.keepStored(&u, a)
	u.Changes = teacherDiff(a, &u.Person, pl.mapped)
	if byEmail && r.Key != "" {
		u.Changes = append([]Change{{Field: "key", Before: "", After: r.Key}}, u.Changes...)
	}
	joined, left := pl.teacherChanges(&u, r, i)
	pl.reactivate(&u, a)
	pl.settle(&u)
	pl.countGroups(&u, joined, left)
	fillUnmapped(&u.Person, a, pl.mapped)
	pl.p.Users = append(pl.p.Users, u)
}

// noTeacherCode refuses a teacher row without a code that found no teacher without a code by
// its e-mail address: a new teacher needs a code (see builder.keylessTeacher).
func (pl *planner) noTeacherCode(u *PlannedUser, r *Record) {
	u.Outcome = OutcomeRefused
	u.Reasons = []Problem{{Line: r.Line, Field: FieldKey, Column: pl.in.Headers[FieldKey], Code: CodeNoTeacherCode,
		NL: fmt.Sprintf("de docentcode is leeg en op e-mailadres %s staat geen docent zonder code in Numo; een nieuwe docent heeft een docentcode nodig. Vul de docentcode in of verbeter het e-mailadres.", r.Email),
		EN: fmt.Sprintf("the teacher code is empty and no teacher without a code has e-mail address %s in Numo; a new teacher needs a teacher code. Fill in the teacher code or correct the e-mail address.", r.Email)}}
	pl.refuse(u)
}

// notATeacher refuses a teacher row whose code is a pupil's or an admin's.
func (pl *planner) notATeacher(u *PlannedUser, r *Record, a *existing) {
	u.Key = a.key
	u.Outcome = OutcomeRefused
	u.Reasons = []Problem{{Line: r.Line, Field: FieldKey, Column: pl.in.Headers[FieldKey], Code: CodeNotATeacher,
		NL: fmt.Sprintf("docentcode %s hoort bij een account van een %s, niet van een docent", r.Key, roleNL(a.role)),
		EN: fmt.Sprintf("teacher code %s belongs to a %s account, not a teacher's", r.Key, strings.ToLower(a.role))}}
	pl.refuse(u)
}

// teacherDiff lists the fields a teacher row changes: names and the optional text fields, as
// diff does for pupils, without class, level and year.
func teacherDiff(a *existing, to *Person, mapped map[Field]bool) []Change {
	var ch changes
	ch.names(a, to, mapped)
	ch.contacts(a, to, mapped)
	return ch
}

// teacherGroups sets the groups and mentor classes of a teacher row (see PlannedUser.Groups):
// what the file says, completed with the account's current rows for what it does not say.
// It returns the number of classes in Groups, the rows a new teacher gets.
func (pl *planner) teacherGroups(u *PlannedUser, r *Record, i int) int {
	if !pl.groupsOn {
		return 0
	}
	var current []int32
	if i >= 0 {
		current = pl.st.teaching.of(i)
	}
	mentor := r.MentorOf
	if pl.mentorOn {
		u.MentorSet, u.MentorOf = true, r.MentorOf
	} else {
		mentor = pl.st.namesOf(current, true)
	}
	taught := r.Groups
	if !pl.mapped[FieldTeaches] {
		taught = pl.st.namesOf(current, false)
	}
	u.GroupsSet, u.Groups = true, taught
	for _, m := range mentor {
		if !containsGroup(u.Groups, m) {
			if len(u.Groups) == len(taught) {
				u.Groups = append(make([]string, 0, len(taught)+len(mentor)), taught...)
			}
			u.Groups = append(u.Groups, m)
		}
	}
	return len(u.Groups)
}

// containsGroup reports whether list names the group name (by ClassKey).
func containsGroup(list []string, name string) bool {
	k := groupKey(name)
	for _, g := range list {
		if groupKey(g) == k {
			return true
		}
	}
	return false
}

// teacherChanges plans the groups of a matched teacher and adds the changes of what they
// teach and mentor; it returns the teaching rows added and removed.
func (pl *planner) teacherChanges(u *PlannedUser, r *Record, i int) (joined, left int) {
	if !pl.groupsOn {
		return 0, 0
	}
	pl.teacherGroups(u, r, i)
	current := pl.st.teaching.of(i)
	joined, left = pl.groupChange(u, "teaches", current, false, u.Groups)
	if u.MentorSet {
		pl.groupChange(u, "mentorOf", current, true, u.MentorOf)
	}
	return joined, left
}
