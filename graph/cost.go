package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/webhook"
)

// What one GraphQL operation may ask. SECURITY.md and README describe these numbers.
const (
	// DefaultComplexityLimit is the cost one operation may have unless configured otherwise.
	DefaultComplexityLimit = 500_000
	// DefaultMaxDepth is how deeply fields may nest in one operation (introspection aside,
	// which validation bounds on its own).
	DefaultMaxDepth = 12
	// MaxPageSize is the largest first or last a connection field accepts.
	MaxPageSize = 1000
	// MaxQueryTokens bounds the size of one GraphQL document in lexical tokens (names,
	// punctuation, values): the app's largest operation has a few hundred.
	MaxQueryTokens = 10_000
	// MaxRepeatedFields bounds the fields of one document that share their response name with
	// another field of their selection set (fragments expanded). Validation compares those
	// pairwise, so without a bound four thousand "__typename" cost seconds before anything
	// else could refuse them.
	MaxRepeatedFields = 100
)

// Weights of expensive fields: what a field costs besides the 1 every field costs. The unit
// is one field of one row in an answer; an operation may cost DefaultComplexityLimit.
const (
	// weightWholeImport reads or writes a whole import (planning it, parsing its file,
	// committing or undoing it) or a pupil's whole import history: at most four per operation.
	weightWholeImport = 100_000
	// weightPasswordHash computes an argon2id password hash (64 MiB of memory).
	weightPasswordHash = 50_000
	// weightStoredPlan decodes an import's stored plan (a row per pupil).
	weightStoredPlan = 20_000
	// weightFileList is a list as long as the file can be (a problem or user per row).
	weightFileList = 5_000
	// weightJobData decodes a job's stored mapping (columns and level values).
	weightJobData = 1_000
	// weightGroupList is one user's list of group names in a preview: at most
	// importer.MaxGroupsPerCell groups taught and as many mentored, already decoded with the plan.
	weightGroupList = 2 * importer.MaxGroupsPerCell
	// weightReportCounts reads the counts of a job's stored report (the history asks them per
	// row): a scan of the report, without building its lists.
	weightReportCounts = 20
)

// fieldWeights holds every expensive field as "Type.field". A test fails when one of them is
// no longer in the schema, so the table cannot silently rot.
var fieldWeights = map[string]int{
	"Query.undoPreview":            weightWholeImport,
	"Mutation.upload":              weightWholeImport,
	"Mutation.setMapping":          weightWholeImport,
	"Mutation.preview":             weightWholeImport,
	"Mutation.commit":              weightWholeImport,
	"Mutation.undoImport":          weightWholeImport,
	"Mutation.erasePupil":          weightWholeImport,
	"Mutation.changePassword":      weightPasswordHash,
	"Mutation.resetPassword":       weightPasswordHash,
	"ImportJob.preview":            weightStoredPlan,
	"ImportJob.report":             weightFileList,
	"ImportPreview.users":          weightFileList,
	"ImportPreview.refused":        weightFileList,
	"ImportPreview.warnings":       weightFileList,
	"ImportReport.refused":         weightFileList,
	"ImportReport.warnings":        weightFileList,
	"ImportJob.columns":            weightJobData,
	"ImportJob.levelValues":        weightJobData,
	"ImportJob.unknownLevelsTotal": weightJobData,
	"ImportJob.kept":               weightReportCounts,
	"ImportJob.damaged":            weightReportCounts,
	"ImportJob.otherLevels":        weightJobData,
	"ImportJob.mappingProblems":    weightJobData,

	// A row of the file can hold several damaged values (issue 12).
	"ImportPreview.damagedValues": weightFileList,
	"ImportReport.damagedValues":  weightFileList,

	// Lesgroepen and teachers (issue 14): the groups of a file can be hundreds, and a user's
	// list is priced per user of a page.
	"ImportPreview.groupsToCreate": weightFileList,
	"ImportReport.groupsCreated":   weightFileList,
	"PreviewUser.groups":           weightGroupList,
	"PreviewUser.mentorOf":         weightGroupList,

	// Login letters: up to startcode.MaxAccounts light argon2id hashes and as many rows written.
	"Mutation.generateStartCodes": weightWholeImport,

	// A roster set (issue 15): the set is read whole and becomes two jobs.
	"Mutation.uploadRosterSet": 2 * weightWholeImport,

	// A page of the roster change log: up to MaxPageSize changes, each with an account's or
	// class's whole state (not a Relay connection: the feed has no last/before, only after).
	"Query.rosterChanges": 10 * MaxPageSize,
	// A test event is one outbound POST that may wait for its timeout (10 s).
	"Mutation.sendTestWebhook": weightJobData,

	// Work on the roster from a class page (issue 17): a roster change writes and plans the
	// file it amounts to (an archive: every other active pupil of the school).
	"Mutation.planRosterChange": weightWholeImport,

	// Corrections in the preview (issue 17): a correction plans the whole import again; the
	// job's corrections are one decoded blob of at most jobs.MaxCorrectionsPerJob cells.
	"Mutation.correctRow":        weightWholeImport,
	"ImportJob.corrections":      weightJobData,
	"ImportPreview.classSummary": weightJobData,
}

// listSize says how often a field other than a connection repeats its selection: as often as
// an argument says. The cost of its selection is multiplied by that.
type listSize struct {
	// arg names the argument: an Int, or a list whose length counts (count).
	arg   string
	count bool
	// def is the size when the argument is absent; max the largest size.
	def, max int
	// refuse: a size over max is a PAGE_SIZE refusal; else it is clamped, as the resolver does.
	refuse bool
}

var listSizes = map[string]listSize{
	// nodes(ids:) answers one node per id.
	"Query.nodes": {arg: "ids", count: true, max: MaxPageSize, refuse: true},
	// A page of preview users: limit as usersPage clamps it.
	"ImportPreview.users": {arg: "limit", def: 50, max: maxPage},
	// A class's mentors: at most maxMentors (no argument). The loader reads a page of classes'
	// mentors in two statements, so the rows are all there is to pay.
	"Class.mentors": {def: maxMentors, max: maxMentors},
	// Webhooks (internal/webhook): a school's at most MaxPerSchool, a token's at most
	// MaxPerToken, a page of the delivery log at most MaxDeliveriesPage (more is PAGE_SIZE).
	"Query.webhooks":             {def: webhook.MaxPerSchool, max: webhook.MaxPerSchool},
	"ApiToken.webhooks":          {def: webhook.MaxPerToken, max: webhook.MaxPerToken},
	"WebhookEndpoint.deliveries": {arg: "first", def: webhook.MaxDeliveriesPage, max: webhook.MaxDeliveriesPage, refuse: true},
}

// FieldWeights is a copy of the weights of expensive fields, by "Type.field".
func FieldWeights() map[string]int {
	return maps.Clone(fieldWeights)
}

// Price is what one operation costs.
type Price struct {
	// Cost is the operation's cost: 1 per field, plus the weight of expensive fields, with the
	// rows of a connection multiplied by its page size.
	Cost int
	// Depth is how deeply the operation's fields nest (introspection fields not counted).
	Depth int
	// Introspection is true when the operation asks __schema or __type.
	Introspection bool
}

// PriceOperation prices op, a validated operation of doc, with its variables. It walks the
// operation once and prices each fragment once (memoised), so that fragments spreading
// fragments cost microseconds however many times they expand. The error is a PAGE_SIZE
// refusal: a connection that fetches rows without first or last, or with more than MaxPageSize
// (the price is then computed with MaxPageSize).
func PriceOperation(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (Price, *gqlerror.Error) {
	w := pricer{vars: vars, doc: doc, frags: map[string]*price{}}
	p := w.selectionSet(op.SelectionSet)
	return Price{Cost: p.cost, Depth: p.depth, Introspection: p.introspection}, w.err
}

// price is what a selection set costs.
type price struct {
	// cost is counted once.
	cost int
	// rows is the cost of the edges and nodes of a connection type: the connection field
	// multiplies it by its page size.
	rows  int
	depth int
	// introspection: __schema or __type is asked.
	introspection bool
}

func (p *price) add(q price) {
	p.cost = satAdd(p.cost, q.cost)
	p.rows = satAdd(p.rows, q.rows)
	p.depth = max(p.depth, q.depth)
	p.introspection = p.introspection || q.introspection
}

type pricer struct {
	vars  map[string]any
	doc   *ast.QueryDocument
	frags map[string]*price
	err   *gqlerror.Error
}

func (w *pricer) selectionSet(set ast.SelectionSet) price {
	var p price
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			child := w.selectionSet(s.SelectionSet)
			cost := w.field(s, child)
			if s.ObjectDefinition != nil && isConnection(s.ObjectDefinition.Name) && (s.Name == "edges" || s.Name == "nodes") {
				p.rows = satAdd(p.rows, cost)
			} else {
				p.cost = satAdd(p.cost, cost)
			}
			if s.Name == "__schema" || s.Name == "__type" {
				// Validation's MaxIntrospectionDepth bounds introspection's nesting.
				p.introspection = true
				p.depth = max(p.depth, 1)
			} else {
				p.depth = max(p.depth, 1+child.depth)
			}
			p.introspection = p.introspection || child.introspection
		case *ast.InlineFragment:
			p.add(w.selectionSet(s.SelectionSet))
		case *ast.FragmentSpread:
			p.add(w.fragment(s.Name))
		}
	}
	return p
}

// fragment prices a named fragment once per operation: its price does not depend on where
// it is spread, as variables are the operation's.
func (w *pricer) fragment(name string) price {
	return fragmentOnce(w.doc, w.frags, name, w.selectionSet)
}

// fragmentOnce is the walk of a named fragment of doc, walked once: done holds the results by
// name, and nil while the fragment is being walked. A cycle (validation refuses those) or an
// unknown fragment counts as zero, which ends the walk.
func fragmentOnce[T any](doc *ast.QueryDocument, done map[string]*T, name string, walk func(ast.SelectionSet) T) T {
	var zero T
	if r, ok := done[name]; ok {
		if r == nil {
			return zero
		}
		return *r
	}
	def := doc.Fragments.ForName(name)
	if def == nil {
		return zero
	}
	done[name] = nil
	r := walk(def.SelectionSet)
	done[name] = &r
	return r
}

// field is the cost of one field given the price of its selection.
func (w *pricer) field(f *ast.Field, child price) int {
	key := ""
	if f.ObjectDefinition != nil {
		key = f.ObjectDefinition.Name + "." + f.Name
	}
	base := 1 + fieldWeights[key]
	if f.Definition != nil && isConnection(f.Definition.Type.Name()) && f.Definition.Arguments.ForName("first") != nil {
		n, given := w.pageSize(f, key)
		if child.rows > 0 && !given && w.err == nil {
			w.err = pageSizeError(key, "", 0)
		}
		return satAdd(satAdd(base, child.cost), satMul(n, child.rows))
	}
	if ls, ok := listSizes[key]; ok {
		return satAdd(base, satMul(w.listSize(f, key, ls), satAdd(child.cost, child.rows)))
	}
	return satAdd(base, satAdd(child.cost, child.rows))
}

// pageSize is the larger of first and last, and whether either is given; a value out of
// 0..MaxPageSize is a PAGE_SIZE refusal.
func (w *pricer) pageSize(f *ast.Field, key string) (n int, given bool) {
	for _, arg := range []string{"first", "last"} {
		v := argValue(f, arg, w.vars)
		if v == nil {
			continue
		}
		given = true
		m, ok := toInt(v)
		if !ok || m < 0 || m > MaxPageSize {
			if w.err == nil {
				w.err = pageSizeError(key, arg, m)
			}
			m = MaxPageSize
		}
		n = max(n, int(m))
	}
	return n, given
}

// listSize is how often f repeats its selection.
func (w *pricer) listSize(f *ast.Field, key string, ls listSize) int {
	v := argValue(f, ls.arg, w.vars)
	var n int64
	switch {
	case v == nil:
		n = int64(ls.def)
	case ls.count:
		n = int64(listLen(v))
	default:
		var ok bool
		if n, ok = toInt(v); !ok {
			n = int64(ls.def)
		}
	}
	if n > int64(ls.max) {
		if ls.refuse && w.err == nil {
			w.err = pageSizeError(key, ls.arg, n)
		}
		n = int64(ls.max)
	}
	return int(max(n, 1))
}

func pageSizeError(field, arg string, n int64) *gqlerror.Error {
	e := pageSizeRefusal(field, arg, n)
	return refusal(e.Code(), e.Error(), e.Extensions()["messageEn"].(string), e.Extensions())
}

// pageSizeRefusal refuses a missing (arg "") or too large page size of field.
func pageSizeRefusal(field, arg string, n int64) *apperr.Error {
	ext := map[string]any{"field": field, "max": MaxPageSize}
	if arg == "" {
		return apperr.New(apperr.CodePageSize,
			fmt.Sprintf("Geef first of last mee aan %s: een lijst wordt per pagina van hoogstens %d opgevraagd.", field, MaxPageSize),
			fmt.Sprintf("Pass first or last to %s: a list is fetched in pages of at most %d.", field, MaxPageSize), ext)
	}
	return apperr.New(apperr.CodePageSize,
		fmt.Sprintf("%s van %s is %d; dat moet tussen 0 en %d liggen.", arg, field, n, MaxPageSize),
		fmt.Sprintf("%s of %s is %d; it must be between 0 and %d.", arg, field, n, MaxPageSize), ext)
}

// isConnection reports whether a type is a Relay connection (entgql names them so).
func isConnection(typeName string) bool { return strings.HasSuffix(typeName, "Connection") }

// argValue is the value of a field's argument with the operation's variables, nil when absent
// or null.
func argValue(f *ast.Field, name string, vars map[string]any) any {
	a := f.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return nil
	}
	v, err := a.Value.Value(vars)
	if err != nil {
		return nil
	}
	return v
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, false
		}
		return int64(v), true
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case *int:
		if v == nil {
			return 0, false
		}
		return int64(*v), true
	}
	return 0, false
}

func listLen(v any) int {
	if v == nil {
		return 0
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
		return rv.Len()
	}
	return 1
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// refusal is a client-safe GraphQL error with a code, a Dutch message and messageEn.
func refusal(code, nl, en string, ext map[string]any) *gqlerror.Error {
	return gqlError(apperr.New(code, nl, en, ext))
}

// operationCost is the one extension that bounds what an operation may ask, in two steps.
//
// Before validation (MutateOperationParameters) it bounds the document itself: at most
// MaxQueryTokens tokens, at most MaxRepeatedFields repeated fields (see boundDocument), and
// an expansion (every fragment inlined, measured once each) of at most the complexity limit,
// since every field costs at least 1. Validation is then cheap: gqlparser's overlapping-fields
// rule is quadratic in same-named fields. Documents in the query cache passed this step
// already and skip it.
//
// After validation (MutateOperationContext) it prices the operation with the schema's types
// and the variables (PriceOperation) and refuses PAGE_SIZE, DEPTH_LIMIT_EXCEEDED,
// COMPLEXITY_LIMIT_EXCEEDED, and INTROSPECTION_DISABLED when introspection is off for the
// viewer; then it charges an API token's operation to its rate limit (RATE_LIMITED): all
// before any resolver runs.
type operationCost struct {
	extensionBase
	limit    int
	maxDepth int
	// validated is gqlgen's query cache: documents in it were parsed, bounded and validated.
	validated graphql.Cache[*ast.QueryDocument]
	// rate charges an API token's operation, priced and within the limits, to its rate
	// limit (ratelimit.go).
	rate tokenLimit
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*operationCost)(nil)

// ExtensionName names the extension for gqlgen.
func (*operationCost) ExtensionName() string { return "OperationCost" }

// MutateOperationParameters bounds the document before gqlgen parses and validates it.
func (c *operationCost) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if c.validated != nil {
		if _, ok := c.validated.Get(ctx, params.Query); ok {
			return nil
		}
	}
	return CheckDocument(params.Query, c.limit)
}

// CheckDocument bounds a GraphQL document before it is validated: at most MaxQueryTokens
// tokens, at most MaxRepeatedFields repeated fields, and no more fields with its fragments
// expanded than limit. A syntax error is left for the parser to report (nil).
func CheckDocument(query string, limit int) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, MaxQueryTokens)
	if err != nil {
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && strings.Contains(gerr.Message, "token limit") {
			return refusal(apperr.CodeQueryTooLarge,
				fmt.Sprintf("Deze vraag is te groot: hoogstens %d woorden en tekens.", MaxQueryTokens),
				fmt.Sprintf("This query is too large: at most %d tokens.", MaxQueryTokens),
				map[string]any{"limit": MaxQueryTokens})
		}
		return nil // gqlgen reports the syntax error itself
	}
	return boundDocument(doc, limit)
}

// MutateOperationContext prices the validated operation.
func (c *operationCost) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	p, pageErr := PriceOperation(oc.Doc, oc.Operation, oc.Variables)
	if p.Introspection && oc.DisableIntrospection {
		return refusal(apperr.CodeIntrospectionDisabled,
			"Introspectie (__schema, __type) staat uit op deze server.",
			"Introspection (__schema, __type) is disabled on this server.", nil)
	}
	if p.Depth > c.maxDepth {
		return refusal(apperr.CodeDepth,
			fmt.Sprintf("Deze vraag is te diep genest: %d niveaus, hoogstens %d.", p.Depth, c.maxDepth),
			fmt.Sprintf("This query nests too deeply: %d levels, at most %d.", p.Depth, c.maxDepth),
			map[string]any{"depth": p.Depth, "limit": c.maxDepth})
	}
	if pageErr != nil {
		return pageErr
	}
	if p.Cost > c.limit {
		return complexityError(p.Cost, c.limit)
	}
	return c.rate.charge(ctx, p.Cost)
}

func complexityError(cost, limit int) *gqlerror.Error {
	return refusal(apperr.CodeComplexity,
		fmt.Sprintf("Deze vraag vraagt te veel tegelijk: kosten %d, hoogstens %d. Vraag minder velden of kleinere pagina's.", cost, limit),
		fmt.Sprintf("This query asks too much at once: cost %d, at most %d. Ask fewer fields or smaller pages.", cost, limit),
		map[string]any{"cost": cost, "limit": limit})
}

// shape is what a selection set looks like with its fragments expanded.
type shape struct {
	// fields is how many fields the expansion has.
	fields int
	// nested counts the repeated fields (see boundDocument) below this level.
	nested int
	// names counts the fields per response name at this level.
	names map[string]int
}

// repeated counts the fields of this level that share their response name with another.
func (s shape) repeated() int {
	n := 0
	for _, c := range s.names {
		if c > 1 {
			n = satAdd(n, c)
		}
	}
	return n
}

// boundDocument refuses, before validation, a document that expands to more fields than the
// complexity limit, or that has more than MaxRepeatedFields repeated fields: fields that share
// their response name with another field of their selection set (fragments included).
// Validation compares such fields pairwise, and the fields below them pairwise again, so
// they are what makes it slow; the app repeats a field only where a fragment and its
// parent both ask an id. Fragments are measured once each, and the whole document counts,
// unused fragments too, as validation walks all of it.
func boundDocument(doc *ast.QueryDocument, limit int) *gqlerror.Error {
	b := bounder{doc: doc, frags: map[string]*shape{}}
	fields, repeated := 0, 0
	for _, op := range doc.Operations {
		s := b.selectionSet(op.SelectionSet)
		fields = satAdd(fields, s.fields)
		repeated = satAdd(repeated, satAdd(s.nested, s.repeated()))
	}
	for _, f := range doc.Fragments {
		s := b.fragment(f.Name)
		repeated = satAdd(repeated, satAdd(s.nested, s.repeated()))
	}
	if repeated > MaxRepeatedFields {
		return refusal(apperr.CodeQueryTooLarge,
			fmt.Sprintf("Deze vraag herhaalt te veel velden: %d, hoogstens %d. Geef herhaalde velden elk een eigen alias.", repeated, MaxRepeatedFields),
			fmt.Sprintf("This query repeats too many fields: %d, at most %d. Give repeated fields an alias each.", repeated, MaxRepeatedFields),
			map[string]any{"repeated": repeated, "limit": MaxRepeatedFields})
	}
	if fields > limit {
		return complexityError(fields, limit)
	}
	return nil
}

type bounder struct {
	doc   *ast.QueryDocument
	frags map[string]*shape
}

// selectionSet measures a selection set with its fragments expanded.
func (b *bounder) selectionSet(set ast.SelectionSet) shape {
	s := shape{names: map[string]int{}}
	b.collect(set, &s)
	return s
}

// collect adds the fields of set to s: its own and those of its inline fragments and spread
// fragments, which share its level.
func (b *bounder) collect(set ast.SelectionSet, s *shape) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			name := sel.Alias
			if name == "" {
				name = sel.Name
			}
			s.names[name] = satAdd(s.names[name], 1)
			s.fields = satAdd(s.fields, 1)
			if len(sel.SelectionSet) > 0 {
				c := b.selectionSet(sel.SelectionSet)
				s.fields = satAdd(s.fields, c.fields)
				s.nested = satAdd(s.nested, satAdd(c.nested, c.repeated()))
			}
		case *ast.InlineFragment:
			b.collect(sel.SelectionSet, s)
		case *ast.FragmentSpread:
			f := b.fragment(sel.Name)
			s.fields = satAdd(s.fields, f.fields)
			s.nested = satAdd(s.nested, f.nested)
			for name, n := range f.names {
				s.names[name] = satAdd(s.names[name], n)
			}
		}
	}
}

// fragment measures a named fragment once.
func (b *bounder) fragment(name string) shape {
	return fragmentOnce(b.doc, b.frags, name, b.selectionSet)
}

// pageSizeGuard refuses, where rows are fetched, a page larger than MaxPageSize and a
// nodes(ids:) list longer than that: the rule operationCost enforces before execution, kept
// in the resolver path too in case an operation ever reaches a resolver unpriced.
func pageSizeGuard(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(fc.Args) == 0 {
		return next(ctx)
	}
	field := fc.Object + "." + fc.Field.Name
	for _, arg := range [...]string{"first", "last"} {
		if n, ok := fc.Args[arg].(*int); ok && n != nil && (*n < 0 || *n > MaxPageSize) {
			return nil, pageSizeRefusal(field, arg, int64(*n))
		}
	}
	if ids, ok := fc.Args["ids"].([]int); ok && len(ids) > MaxPageSize {
		return nil, pageSizeRefusal(field, "ids", int64(len(ids)))
	}
	return next(ctx)
}
