package importer

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/names"
	"github.com/numo/accounts/internal/store"
)

// benchGroupPupils and benchGroupsEach size BenchmarkPlanGroups100k: a board of 100,000 pupils
// in 8 lesgroepen each, 800,000 memberships.
const (
	benchGroupPupils = 100_000
	benchGroupsEach  = 8
	benchStamklassen = 3_600
)

var benchSubjects = [benchGroupsEach]string{"ne", "en", "wi", "bi", "gs", "ak", "lo", "du"}

// benchGroups returns the stamklas and lesgroepen of pupil i; with moved, one group differs
// from the stored one for every tenth pupil.
func benchGroups(i int, moved bool) (string, []string) {
	c := i % benchStamklassen
	year, letter := 1+c%6, 'A'+rune(c/6%26)
	stamklas := fmt.Sprintf("%d%c%03d", year, letter, c/6)
	gs := make([]string, benchGroupsEach)
	for s := range gs {
		n := (i / 7) % 4
		if moved && s == 0 && i%10 == 0 {
			n = (n + 1) % 4
		}
		gs[s] = fmt.Sprintf("%d%c.%s%d", year, letter, benchSubjects[s], n)
	}
	return stamklas, gs
}

// benchGroupState is a school holding every benchmark pupil with its stored groups.
func benchGroupState(tb testing.TB) *State {
	tb.Helper()
	st := &State{SchoolID: 1, Threshold: 10, classes: map[string]stateClass{}, byKey: map[string]int{}, byNumeric: map[string]int{}}
	classByID := map[int]stateClass{}
	classID := func(name string, kind class.Kind) int {
		if c, ok := st.classes[names.ClassKey(name)]; ok {
			return c.id
		}
		sc := st.addClass(len(st.classList)+1, name, names.ClassKey(name), kind)
		classByID[sc.id] = sc
		return sc.id
	}
	links := make([]link, 0, benchGroupPupils*benchGroupsEach)
	now := time.Now()
	for i := range benchGroupPupils {
		stamklas, gs := benchGroups(i, false)
		r := store.AccountRow{ID: i + 1, Key: fmt.Sprintf("%06d", 100000+i), HasKey: true, Role: string(account.RolePUPIL),
			Status: string(account.StatusACTIVE), FirstName: "Noor", LastName: fmt.Sprintf("Bakker%d", i), Year: 1 + i%benchStamklassen%6,
			ClassID: classID(stamklas, class.KindSTAMKLAS), UpdatedAt: now}
		st.add(&r, classByID)
		for _, g := range gs {
			classID(g, class.KindLESGROEP)
			links = append(links, link{int32(i), st.classes[names.ClassKey(g)].ix})
		}
	}
	st.members = buildSets(links, len(st.accounts))
	return st
}

// benchGroupInput is the file of the benchmark: every pupil, a tenth of them in one other group.
func benchGroupInput() PlanInput {
	res := &Result{Kind: KindPupils, Records: make([]Record, benchGroupPupils)}
	keys := make(map[string]bool, benchGroupPupils)
	for i := range res.Records {
		stamklas, gs := benchGroups(i, true)
		key := fmt.Sprintf("%06d", 100000+i)
		res.Records[i] = Record{Line: i + 2, Key: key, FirstName: "Noor", LastName: fmt.Sprintf("Bakker%d", i), Class: stamklas,
			Year: 1 + i%benchStamklassen%6, Groups: gs}
		keys[key] = true
	}
	m := Mapping{0: FieldKey, 1: FieldFirstName, 2: FieldLastName, 3: FieldClass, 4: FieldGroups}
	return PlanInput{Result: res, Mapping: m, FileKeys: keys, RefusedRows: map[int]Person{}, Headers: map[Field]string{}, Kind: KindPupils}
}

// BenchmarkPlanGroups100k plans the file against the state with the lesgroepen column mapped
// (groups) and, for comparison, without it (no-groups: the pupil plan as before issue 14).
func BenchmarkPlanGroups100k(b *testing.B) {
	st := benchGroupState(b)
	in := benchGroupInput()
	b.Run("groups", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := MakePlan(in, st, Actions{Add: true, Update: true, Archive: true})
			if p.Counts.Updated != benchGroupPupils/10 || p.Counts.GroupsJoined != benchGroupPupils/10 || p.Counts.GroupsLeft != benchGroupPupils/10 {
				b.Fatalf("counts %+v", p.Counts)
			}
		}
	})
	without := in
	without.Mapping = Mapping{0: FieldKey, 1: FieldFirstName, 2: FieldLastName, 3: FieldClass}
	b.Run("no-groups", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if p := MakePlan(without, st, Actions{Add: true, Update: true, Archive: true}); p.Counts.Unchanged != benchGroupPupils {
				b.Fatalf("counts %+v", p.Counts)
			}
		}
	})
}

// BenchmarkGroupSets100k measures building the compact membership sets of LoadState.
func BenchmarkGroupSets100k(b *testing.B) {
	links := make([]link, 0, benchGroupPupils*benchGroupsEach)
	for i := range benchGroupPupils {
		for s := range benchGroupsEach {
			links = append(links, link{int32(i), int32((i*7 + s*13) % 5000)})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		g := buildSets(links, benchGroupPupils)
		if len(g.items) != len(links) {
			b.Fatal("lost links")
		}
	}
}

// BenchmarkBuildRecordsGroups100k reads 100,000 pupil rows with 8 lesgroepen in one cell each.
func BenchmarkBuildRecordsGroups100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Stamnr;Roepnaam;Achternaam;Klas;Lesgroepen\r\n")
	for i := range benchGroupPupils {
		stamklas, gs := benchGroups(i, true)
		fmt.Fprintf(&sb, "%06d;Noor;Bakker%d;%s;\"%s\"\r\n", 100000+i, i, stamklas, strings.Join(gs, ", "))
	}
	f, err := Parse([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	in := Input{File: f, Mapping: MappingFromMatches(ProposeMapping(f.Columns))}
	b.ReportAllocs()
	for b.Loop() {
		res, err := BuildRecords(in)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Records) != benchGroupPupils || len(res.Records[0].Groups) != benchGroupsEach {
			b.Fatalf("got %d records, refused %v", len(res.Records), res.Refused[:min(1, len(res.Refused))])
		}
	}
}
