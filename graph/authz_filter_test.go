package graph_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/apitoken"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/importjob"
	"github.com/numo/accounts/ent/school"
	"github.com/numo/accounts/graph"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

// probesPerRequest is how many aliased probes one request carries.
const probesPerRequest = 60

// filterTarget is a row a probe points at.
type filterTarget struct {
	name  string
	typ   string // GraphQL object type
	id    int
	email string // probed with emailHasPrefix as in the attack
}

// filterEdge is an edge predicate of a where input: hasXWith, its bare hasX (may be empty), and
// the where input type of the rows it leads to.
type filterEdge struct{ with, bare, target string }

// probeShape is a where input with a hole for the innermost where input, of type inner.
type probeShape struct {
	desc  string
	inner string
	fill  func(hole string) string
}

// probeEntry is one way to reach a field that takes a where input.
type probeEntry struct {
	desc   string
	field  *ast.FieldDefinition
	arg    string   // the where argument
	where  string   // its type
	parent string   // the object type holding the field ("" for Query)
	via    []string // data path from the root to the object holding the probes
	// wrap turns the probe selections into the whole operation.
	wrap func(sel string) string
}

// probe is a pair of filters that must answer the same, or (sanity) a pair that may differ.
type probe struct {
	desc       string
	lhs, rhs   string
	mustEqual  bool
	lhsA, rhsA string // aliases
}

type prober struct {
	t       *testing.T
	w       *world
	schema  *ast.Schema
	targets []filterTarget
	// visible[role][type] holds the ids the role reads with nodes(ids:).
	visible map[string]map[string]map[int]bool
	all     map[string][]int
}

// TestFiltersSeeOnlyWhatTheViewerReads: a filter can point at any row, and
// `schools(where: {hasAccountsWith: {id: …, emailHasPrefix: …}}) { totalCount }` answers whether
// the school has such an account, one character at a time. This test generates such probes from
// the schema — every field that takes a where input (at the root, through node(id:) where entgql
// loads it with its parent, and through viewer where a resolver loads it on its own), every
// edge predicate of every where input reachable from it (two levels deep, inside not/and/or,
// and with emailHasPrefix as in the attack), bare hasX: true/false — as every role, and requires
// the answer about a row the role cannot read with node(id:) to be the answer about a row that
// does not exist. A new edge in a where input is probed without anyone adding a case.
func TestFiltersSeeOnlyWhatTheViewerReads(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		w := buildWorld(t, kind)
		p := &prober{t: t, w: w, schema: graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()}
		p.targets = filterWorld(t, w)
		p.readDirectly()
		entries := p.entries()
		if len(entries) == 0 {
			t.Fatal("no field takes a where input: the schema was not read")
		}
		var pairs, failed, differed, sanity int
		for _, role := range roles {
			for _, e := range entries {
				probes := p.probes(role, e)
				if probes == nil {
					continue
				}
				pairs += len(probes)
				f, d, s := p.run(role, e, probes)
				failed += f
				differed += d
				sanity += s
			}
		}
		t.Logf("%d where fields reached %d ways; %d probe pairs, %d answered differently about a row the role cannot read",
			len(p.whereFields()), len(entries), pairs, failed)
		// The filters must still filter: the admin's probes about rows it reads tell them apart.
		t.Logf("admin sanity: %d of %d probes about rows it reads answered differently from a missing row", differed, sanity)
		if differed == 0 {
			t.Errorf("%d of %d probes about rows the admin reads answered differently from a missing row: the probes do not reach the data", differed, sanity)
		}
	})
}

// filterWorld adds the rows a filter could point at from outside what a role reads: school B's
// class, pupil, import job, token and audit event, an undo job of school A, e-mail addresses.
func filterWorld(t *testing.T, w *world) []filterTarget {
	t.Helper()
	sys := auth.System(context.Background())
	c := w.app.DB().Client
	schoolB := c.School.Query().Where(school.Brin("02BB")).OnlyX(sys)
	user := func(name string) int { return c.Account.Query().Where(account.Username(name)).OnlyIDX(sys) }
	classB := c.Class.Create().SetSchoolID(schoolB.ID).SetName("B1").SaveX(sys)
	pupilB := c.Account.Create().SetSchoolID(schoolB.ID).SetClassID(classB.ID).SetRole(account.RolePUPIL).
		SetFirstName("Ander").SetLastName("Kind").SetUsername("anderkind").SetExternalKey("anderkind").
		SetEmail("anderkind@school-b.invalid").SaveX(sys)
	c.Account.UpdateOneID(w.ids["target"]).SetEmail("doelwit@school-a.invalid").ExecX(sys)
	c.Account.UpdateOneID(user("admin")).SetEmail("beheer@school-a.invalid").ExecX(sys)
	jobB := c.ImportJob.Create().SetSchoolID(schoolB.ID).SetStartedByID(user("adminOther")).
		SetFileName("b.csv").SetFileSize(1).SetSha256("y").SaveX(sys)
	undo := c.ImportJob.Create().SetSchoolID(w.ids["schoolA"]).SetStartedByID(user("admin")).
		SetKind(importjob.KindUNDO).SetUndoOfID(w.ids["job"]).SetStatus(importjob.StatusCOMMITTED).
		SetFileName("a.csv").SetFileSize(1).SetSha256("z").SaveX(sys)
	tokenB := c.APIToken.Create().SetSchoolID(schoolB.ID).SetName("b").SetPrefix("numo_b").
		SetTokenHash("probe-token-b").SetScopes([]string{string(auth.ScopeReadRosters)}).SaveX(sys)
	eventA := c.AuditEvent.Create().SetSchoolID(w.ids["schoolA"]).SetAction("probe").SaveX(sys)
	eventB := c.AuditEvent.Create().SetSchoolID(schoolB.ID).SetAction("probe").SaveX(sys)
	return []filterTarget{
		{"schoolA", "School", w.ids["schoolA"], ""},
		{"schoolB", "School", schoolB.ID, ""},
		{"classA1", "Class", w.ids["classA1"], ""},
		{"classA2", "Class", w.ids["classA2"], ""},
		{"classB1", "Class", classB.ID, ""},
		{"target", "Account", w.ids["target"], "doelwit@school-a.invalid"},
		{"admin", "Account", user("admin"), "beheer@school-a.invalid"},
		{"teacherOther", "Account", w.ids["teacherOther"], ""},
		{"pupil", "Account", user("pupil"), ""},
		{"adminOther", "Account", user("adminOther"), ""},
		{"pupilB", "Account", pupilB.ID, "anderkind@school-b.invalid"},
		{"job", "ImportJob", w.ids["job"], ""},
		{"uploaded", "ImportJob", w.ids["uploaded"], ""},
		{"undo", "ImportJob", undo.ID, ""},
		{"jobB", "ImportJob", jobB.ID, ""},
		{"spareToken", "ApiToken", w.ids["spareToken"], ""},
		{"tokenB", "ApiToken", tokenB.ID, ""},
		{"eventA", "AuditEvent", eventA.ID, ""},
		{"eventB", "AuditEvent", eventB.ID, ""},
	}
}

// readDirectly finds, for every role, which rows of every type it reads with nodes(ids:): the
// oracle every filter must agree with.
func (p *prober) readDirectly() {
	sys := auth.System(context.Background())
	c := p.w.app.DB().Client
	lists := map[string]func() []int{
		"School":     func() []int { return c.School.Query().IDsX(sys) },
		"Class":      func() []int { return c.Class.Query().IDsX(sys) },
		"Account":    func() []int { return c.Account.Query().IDsX(sys) },
		"ImportJob":  func() []int { return c.ImportJob.Query().IDsX(sys) },
		"ApiToken":   func() []int { return c.APIToken.Query().IDsX(sys) },
		"AuditEvent": func() []int { return c.AuditEvent.Query().IDsX(sys) },
	}
	p.all = map[string][]int{}
	for _, where := range p.whereTypes() {
		typ := p.entity(where)
		list, ok := lists[typ]
		if !ok {
			p.t.Fatalf("%s filters %s rows, which this test cannot list: add %s to readDirectly and a target to filterWorld", where, typ, typ)
		}
		ids := list()
		sort.Ints(ids)
		p.all[typ] = ids
		if !slices.ContainsFunc(p.targets, func(t filterTarget) bool { return t.typ == typ }) {
			p.t.Fatalf("no target of type %s: add one to filterWorld", typ)
		}
	}
	p.visible = map[string]map[string]map[int]bool{}
	for _, role := range roles {
		p.visible[role] = map[string]map[int]bool{}
		for typ, ids := range p.all {
			seen := map[int]bool{}
			r := p.w.do(p.t, p.w.callers[role], `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
			nodes, _ := r.Data["nodes"].([]any)
			for _, n := range nodes {
				if m, ok := n.(map[string]any); ok {
					id, _ := strconv.Atoi(fmt.Sprint(m["id"]))
					seen[id] = true
				}
			}
			p.visible[role][typ] = seen
		}
	}
}

// whereFields lists every field of every object type that takes a where input.
func (p *prober) whereFields() []probeEntry {
	var out []probeEntry
	names := make([]string, 0, len(p.schema.Types))
	for name := range p.schema.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		def := p.schema.Types[name]
		if def.Kind != ast.Object || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			for _, a := range f.Arguments {
				if p.isWhere(a.Type.Name()) {
					parent := name
					if name == "Query" {
						parent = ""
					}
					out = append(out, probeEntry{field: f, arg: a.Name, where: a.Type.Name(), parent: parent, desc: name + "." + f.Name})
				}
			}
		}
	}
	return out
}

func (p *prober) isWhere(typ string) bool {
	def := p.schema.Types[typ]
	return def != nil && def.Kind == ast.InputObject && strings.HasSuffix(typ, "WhereInput")
}

// whereTypes lists every where input type of the schema.
func (p *prober) whereTypes() []string {
	var out []string
	for name := range p.schema.Types {
		if p.isWhere(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// entity is the object type a where input filters.
func (p *prober) entity(where string) string {
	typ := strings.TrimSuffix(where, "WhereInput")
	if def := p.schema.Types[typ]; def == nil || def.Kind != ast.Object {
		p.t.Fatalf("where input %s filters no object type", where)
	}
	return typ
}

// edges lists the edge predicates of a where input.
func (p *prober) edges(where string) []filterEdge {
	var out []filterEdge
	def := p.schema.Types[where]
	for _, f := range def.Fields {
		if !strings.HasPrefix(f.Name, "has") || !strings.HasSuffix(f.Name, "With") || f.Type.Elem == nil || !p.isWhere(f.Type.Name()) {
			continue
		}
		e := filterEdge{with: f.Name, target: f.Type.Name()}
		if b := def.Fields.ForName(strings.TrimSuffix(f.Name, "With")); b != nil && b.Type.Name() == "Boolean" {
			e.bare = b.Name
		}
		out = append(out, e)
	}
	if len(out) == 0 && slices.ContainsFunc(def.Fields, func(f *ast.FieldDefinition) bool { return strings.HasPrefix(f.Name, "has") }) {
		p.t.Fatalf("%s has has… fields this test does not recognise as edges", where)
	}
	return out
}

// entries lists every way a probe reaches a field with a where input: root fields directly,
// fields of other types through node(id:) (entgql loads them with the parent) and through the
// argument-free root fields such as viewer (their resolvers load them on their own).
func (p *prober) entries() []probeEntry {
	var out []probeEntry
	for _, e := range p.whereFields() {
		if e.parent == "" {
			e.wrap = func(sel string) string { return "{ " + sel + " }" }
			out = append(out, e)
			continue
		}
		if !slices.Contains(p.schema.Types[e.parent].Interfaces, "Node") {
			p.t.Errorf("%s cannot be reached through node(id:): extend entries", e.desc)
			continue
		}
		viaNode := e
		viaNode.desc = "node(" + e.parent + ")." + e.field.Name
		viaNode.via = []string{"n"}
		out = append(out, viaNode) // wrap is set per role: the parent row differs
		for _, root := range p.schema.Query.Fields {
			rt := p.schema.Types[root.Type.Name()]
			if len(root.Arguments) > 0 || rt == nil || rt.Kind != ast.Object || strings.HasPrefix(root.Name, "__") {
				continue
			}
			for _, g := range rt.Fields {
				if g.Type.Name() == e.parent && len(g.Arguments) == 0 {
					viaRoot := e
					viaRoot.desc = root.Name + "." + g.Name + "." + e.field.Name
					viaRoot.via = []string{root.Name, g.Name}
					r, gn := root.Name, g.Name
					viaRoot.wrap = func(sel string) string { return "{ " + r + " { " + gn + " { " + sel + " } } }" }
					out = append(out, viaRoot)
				}
			}
		}
	}
	return out
}

// shapes lists the filters of a where input with a hole: the row itself, every edge, inside
// not/and/or, and every edge of every edge (also inside not).
func (p *prober) shapes(where string) []probeShape {
	out := []probeShape{{desc: "id", inner: where, fill: func(h string) string { return h }}}
	for _, e := range p.edges(where) {
		one := func(h string) string { return fmt.Sprintf("{%s: [%s]}", e.with, h) }
		out = append(out,
			probeShape{e.with, e.target, one},
			probeShape{"not." + e.with, e.target, func(h string) string { return "{not: " + one(h) + "}" }},
			probeShape{"and." + e.with, e.target, func(h string) string { return "{and: [" + one(h) + ", {idNotIn: [\"0\"]}]}" }},
			probeShape{"or." + e.with, e.target, func(h string) string { return "{or: [" + one(h) + ", {id: \"0\"}]}" }},
		)
		for _, f := range p.edges(e.target) {
			out = append(out,
				probeShape{e.with + "." + f.with, f.target, func(h string) string { return one(fmt.Sprintf("{%s: [%s]}", f.with, h)) }},
				probeShape{e.with + ".not." + f.with, f.target, func(h string) string { return one(fmt.Sprintf("{not: {%s: [%s]}}", f.with, h)) }},
			)
		}
	}
	return out
}

// idIn is a filter matching exactly the rows of typ the role reads (and a missing one, so
// that it is never empty).
func (p *prober) idIn(role, typ string) string {
	ids := []string{`"` + strconv.Itoa(missing(p.all[typ])) + `"`}
	for _, id := range p.all[typ] {
		if p.visible[role][typ][id] {
			ids = append(ids, `"`+strconv.Itoa(id)+`"`)
		}
	}
	return "{idIn: [" + strings.Join(ids, ", ") + "]}"
}

// missing is an id no row of the type has.
func missing(ids []int) int {
	if len(ids) == 0 {
		return 1 << 20
	}
	return ids[len(ids)-1] + 1<<20
}

// probes generates the probe pairs of one entry for one role; nil when the role reads no row
// that holds the field.
func (p *prober) probes(role string, e probeEntry) []probe {
	if p.wrap(role, e) == nil {
		return nil
	}
	var out []probe
	for _, s := range p.shapes(e.where) {
		typ := p.entity(s.inner)
		none := missing(p.all[typ])
		for _, tg := range p.targets {
			if tg.typ != typ {
				continue
			}
			visible := p.visible[role][typ][tg.id]
			if visible && role != "admin" {
				continue
			}
			holes := [][2]string{{fmt.Sprintf(`{id: "%d"}`, tg.id), fmt.Sprintf(`{id: "%d"}`, none)}}
			if tg.email != "" {
				prefix := tg.email[:3]
				holes = append(holes, [2]string{
					fmt.Sprintf(`{id: "%d", emailHasPrefix: %q}`, tg.id, prefix),
					fmt.Sprintf(`{id: "%d", emailHasPrefix: %q}`, none, prefix)})
			}
			for _, h := range holes {
				out = append(out, probe{
					desc: fmt.Sprintf("%s(where: %s) with %s=%s", e.desc, s.fill(h[0]), tg.name, h[0]),
					lhs:  s.fill(h[0]), rhs: s.fill(h[1]), mustEqual: !visible})
			}
		}
	}
	// Bare hasX: true/false must count only the neighbours the role reads.
	for _, e1 := range p.edges(e.where) {
		if e1.bare != "" {
			in := p.idIn(role, p.entity(e1.target))
			out = append(out,
				probe{desc: e.desc + " " + e1.bare + ": true", lhs: fmt.Sprintf("{%s: true}", e1.bare), rhs: fmt.Sprintf("{%s: [%s]}", e1.with, in), mustEqual: true},
				probe{desc: e.desc + " " + e1.bare + ": false", lhs: fmt.Sprintf("{%s: false}", e1.bare), rhs: fmt.Sprintf("{not: {%s: [%s]}}", e1.with, in), mustEqual: true},
			)
		}
		for _, e2 := range p.edges(e1.target) {
			if e2.bare == "" {
				continue
			}
			in := p.idIn(role, p.entity(e2.target))
			out = append(out, probe{desc: e.desc + " " + e1.with + "." + e2.bare + ": true",
				lhs: fmt.Sprintf("{%s: [{%s: true}]}", e1.with, e2.bare), rhs: fmt.Sprintf("{%s: [{%s: [%s]}]}", e1.with, e2.with, in), mustEqual: true})
		}
	}
	return out
}

// wrap returns how the role's probes of the entry become an operation; nil when the role reads
// no row that holds the field.
func (p *prober) wrap(role string, e probeEntry) func(sel string) string {
	if e.parent == "" || e.via[0] != "n" {
		return e.wrap
	}
	parent := p.parentFor(role, e.parent)
	if parent == 0 {
		return nil
	}
	return func(sel string) string {
		return fmt.Sprintf(`{ n: node(id: "%d") { ... on %s { %s } } }`, parent, e.parent, sel)
	}
}

// parentFor picks a row of typ the role reads, preferring the targets (which have neighbours).
func (p *prober) parentFor(role, typ string) int {
	for _, name := range []string{"teacherOther", "classA2", "schoolA"} {
		for _, tg := range p.targets {
			if tg.name == name && tg.typ == typ && p.visible[role][typ][tg.id] {
				return tg.id
			}
		}
	}
	for _, id := range p.all[typ] {
		if p.visible[role][typ][id] {
			return id
		}
	}
	return 0
}

// run sends the probes in batches and reports how many required pairs answered differently,
// and of the admin's sanity pairs how many differed out of how many.
func (p *prober) run(role string, e probeEntry, probes []probe) (failed, differed, sanity int) {
	t := p.t
	args := ""
	if e.field.Arguments.ForName("first") != nil {
		args = "first: 1, "
	}
	for start := 0; start < len(probes); start += probesPerRequest {
		batch := probes[start:min(start+probesPerRequest, len(probes))]
		var sel strings.Builder
		for i := range batch {
			batch[i].lhsA, batch[i].rhsA = fmt.Sprintf("l%d", i), fmt.Sprintf("r%d", i)
			fmt.Fprintf(&sel, "%s: %s(%s%s: %s) { totalCount } ", batch[i].lhsA, e.field.Name, args, e.arg, batch[i].lhs)
			fmt.Fprintf(&sel, "%s: %s(%s%s: %s) { totalCount } ", batch[i].rhsA, e.field.Name, args, e.arg, batch[i].rhs)
		}
		r := p.w.do(t, p.w.callers[role], p.wrap(role, e)(sel.String()), nil)
		for _, er := range r.Errors {
			switch er.Extensions["code"] {
			case "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND":
			default:
				t.Errorf("%s as %s: %s (%v)", e.desc, role, er.Message, er.Extensions)
				return
			}
		}
		var holder any = r.Data
		for _, step := range e.via {
			m, _ := holder.(map[string]any)
			holder = m[step]
		}
		answer := func(alias string) string {
			m, _ := holder.(map[string]any)
			c, _ := m[alias].(map[string]any)
			return fmt.Sprint(c["totalCount"])
		}
		for _, pr := range batch {
			l, r := answer(pr.lhsA), answer(pr.rhsA)
			switch {
			case pr.mustEqual && l != r:
				failed++
				t.Errorf("%s as %s: %s answers %s, but %s about a row that does not exist", e.desc, role, pr.desc, l, r)
			case !pr.mustEqual:
				sanity++
				if l != r {
					differed++
				}
			}
		}
	}
	return failed, differed, sanity
}

// TestNoOrderingByEdges guards ordering: every value of every order field enum of the schema
// must be a column of the entity itself. An order field on an edge (a count of neighbours, or
// a neighbour's field) would sort by rows the viewer may not read: give it a visibility-aware
// order before adding it here.
func TestNoOrderingByEdges(t *testing.T) {
	columns := map[string][]string{
		"Account": account.Columns, "ApiToken": apitoken.Columns, "AuditEvent": auditevent.Columns,
		"Class": class.Columns, "ImportJob": importjob.Columns, "School": school.Columns,
	}
	s := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	seen := 0
	for name, def := range s.Types {
		typ, ok := strings.CutSuffix(name, "OrderField")
		if !ok || def.Kind != ast.Enum {
			continue
		}
		cols, ok := columns[typ]
		if !ok {
			t.Errorf("%s orders %s, which this test does not know: add its columns", name, typ)
			continue
		}
		for _, v := range def.EnumValues {
			seen++
			if !slices.Contains(cols, strings.ToLower(v.Name)) {
				t.Errorf("%s.%s is not a column of %s: ordering by an edge must respect visibility", name, v.Name, typ)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no order field found in the schema")
	}
}
