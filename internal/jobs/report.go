package jobs

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/sheet"
)

// Lang is the language a report is written in: the admin's language in the app.
type Lang string

// The report languages: Dutch first, English complete.
const (
	LangNL Lang = "nl"
	LangEN Lang = "en"
)

// ReportLang is the language a report download asks for: ?lang=en or ?lang=nl (the app sends
// its own), else the browser's first Accept-Language; Dutch when neither says English.
func ReportLang(r *http.Request) Lang {
	switch strings.ToLower(r.URL.Query().Get("lang")) {
	case "en":
		return LangEN
	case "nl":
		return LangNL
	}
	if al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))); strings.HasPrefix(al, "en") {
		return LangEN
	}
	return LangNL
}

// reportWords are the words of a report in one language.
type reportWords struct {
	en bool
	// line, outcome and reason head the report's first and last two columns; the columns of
	// the users between them are the file's fields, named by their labels (see reportFields).
	lineHead, outcomeHead, reasonHead string
	outcome                           map[importer.Outcome]string
	warning                           string
	total                             string
	// values translates the stored words of a change (a status) into this language.
	values map[string]string
}

var words = map[Lang]*reportWords{
	LangNL: {
		lineHead: "Regel", outcomeHead: "Uitkomst", reasonHead: "Wijzigingen of reden",
		outcome: map[importer.Outcome]string{
			importer.OutcomeNew: "nieuw", importer.OutcomeUpdated: "bijgewerkt", importer.OutcomeArchived: "gearchiveerd",
			importer.OutcomeUnchanged: "ongewijzigd", importer.OutcomeSkipped: "overgeslagen", importer.OutcomeRefused: "geweigerd",
		},
		warning: "waarschuwing", total: "totaal",
		values: map[string]string{},
	},
	LangEN: {
		en:       true,
		lineHead: "Line", outcomeHead: "Outcome", reasonHead: "Changes or reason",
		outcome: map[importer.Outcome]string{
			importer.OutcomeNew: "new", importer.OutcomeUpdated: "updated", importer.OutcomeArchived: "archived",
			importer.OutcomeUnchanged: "unchanged", importer.OutcomeSkipped: "skipped", importer.OutcomeRefused: "refused",
		},
		warning: "warning", total: "total",
		values: map[string]string{"actief": "active", "gearchiveerd": "archived"},
	},
}

func wordsFor(lang Lang) *reportWords {
	if w, ok := words[lang]; ok {
		return w
	}
	return words[LangNL]
}

// WriteReportCSV writes a job's result as a CSV for Excel (UTF-8 with BOM, semicolons) in the
// admin's language: one line per user with what happened and why, then the warnings, then the
// totals. Every cell a spreadsheet would run as a formula is neutralised.
func (s *Service) WriteReportCSV(ctx context.Context, job *ent.ImportJob, w io.Writer, lang Lang) error {
	plan, err := s.Plan(ctx, job)
	if err != nil {
		return err
	}
	report, err := Report(job)
	if err != nil {
		return err
	}
	cw := sheet.NewWriter(w)
	origins, err := s.Origins(ctx, job)
	if err != nil {
		return err
	}
	tx := wordsFor(lang)
	t := table{tx: tx, fields: reportFields(KindOf(job), plan), write: cw.Write, origins: origins}
	t.header()
	t.users(plan, report)
	var warnings []importer.Problem
	var counts *importer.Counts
	var created int
	switch {
	case report != nil:
		warnings, counts, created = report.Warnings, &report.Counts, len(report.GroupsCreated)
	case plan != nil:
		warnings, counts, created = plan.Warnings, &plan.Counts, len(plan.GroupsToCreate)
	}
	for _, p := range warnings {
		if p.Code == importer.CodeKeptDamaged && plan != nil {
			continue // the user's own line says which value was kept
		}
		t.row(t.line(p.Line), nil, tx.warning, t.problem(p))
	}
	if counts != nil {
		t.row("", nil, tx.total, tx.counts(*counts, created))
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write report of job %d: %w", job.ID, err)
	}
	return nil
}

// table writes the report's lines: the line number, a user's fields, the outcome and the details.
type table struct {
	tx     *reportWords
	fields []importer.Field // the user columns, in order
	write  func(...string)
	// origins map a roster set's canonical lines to its files' lines (nil for a file).
	origins *Origins
}

// line is a line of the file, for a roster set the set's file and its line ("users.csv:17").
func (t *table) line(n int) string {
	if f, l, ok := t.origins.Map(n); ok {
		return fmt.Sprintf("%s:%d", f, l)
	}
	return line(n)
}

// problem is a problem's text, the lines it names mapped for a roster set.
func (t *table) problem(p importer.Problem) string {
	mapped, _ := t.origins.Problem(p)
	return t.tx.problem(mapped)
}

// reportFields are the user columns of a report: a pupil's number, names and class, and
// their lesgroepen when the file had them; a teacher's code, names, the classes they mentor
// and the groups they teach.
func reportFields(k importer.Kind, plan *importer.Plan) []importer.Field {
	if k == importer.KindTeachers {
		return []importer.Field{importer.FieldKey, importer.FieldFirstName, importer.FieldInfix, importer.FieldLastName,
			importer.FieldMentorOf, importer.FieldTeaches}
	}
	f := []importer.Field{importer.FieldKey, importer.FieldFirstName, importer.FieldInfix, importer.FieldLastName, importer.FieldClass}
	if plan != nil && slices.ContainsFunc(plan.Users, func(u importer.PlannedUser) bool { return u.GroupsSet }) {
		f = append(f, importer.FieldGroups)
	}
	return f
}

func (t *table) header() {
	kind := importer.KindPupils
	if slices.Contains(t.fields, importer.FieldTeaches) {
		kind = importer.KindTeachers
	}
	cells := []string{t.tx.lineHead}
	for _, f := range t.fields {
		fi, _ := f.InfoFor(kind)
		cells = append(cells, fi.LabelNL)
		if t.tx.en {
			cells[len(cells)-1] = fi.LabelEN
		}
	}
	t.write(append(cells, t.tx.outcomeHead, t.tx.reasonHead)...)
}

// row writes one line: its number, the user's cells (nil: empty ones), the outcome and the detail.
func (t *table) row(lineNo string, user []string, outcome, detail string) {
	cells := make([]string, 0, len(t.fields)+3)
	cells = append(cells, lineNo)
	cells = append(cells, user...)
	for len(cells) < 1+len(t.fields) {
		cells = append(cells, "")
	}
	t.write(append(cells, outcome, detail)...)
}

// cells are the user columns of a planned user.
func (t *table) cells(u *importer.PlannedUser) []string {
	out := make([]string, len(t.fields))
	for i, f := range t.fields {
		switch f {
		case importer.FieldKey:
			out[i] = u.Key
		case importer.FieldFirstName:
			out[i] = u.FirstName
		case importer.FieldInfix:
			out[i] = u.Infix
		case importer.FieldLastName:
			out[i] = u.LastName
		case importer.FieldClass:
			out[i] = u.Class
		case importer.FieldGroups, importer.FieldTeaches:
			out[i] = joinNames(u.Groups)
		case importer.FieldMentorOf:
			out[i] = joinNames(u.MentorOf)
		}
	}
	return out
}

// joinNames writes group names sorted and joined by ", ", as a change of groups does.
func joinNames(names []string) string {
	s := slices.Clone(names)
	slices.SortFunc(s, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return strings.Join(s, ", ")
}

// users writes a line per planned user, or per refusal when the plan is gone.
func (t *table) users(plan *importer.Plan, report *importer.Report) {
	switch {
	case plan != nil:
		kept := map[int][]importer.DamagedValue{}
		for _, d := range plan.Damaged {
			if d.Kept {
				kept[d.Line] = append(kept[d.Line], d)
			}
		}
		for i := range plan.Users {
			u := &plan.Users[i]
			var k []importer.DamagedValue
			if u.Line != 0 {
				k = kept[u.Line]
			}
			t.row(t.line(u.Line), t.cells(u), t.tx.outcome[u.Outcome], t.tx.detail(*u, k))
		}
	case report != nil:
		for _, p := range report.Refused {
			t.row(t.line(p.Line), nil, t.tx.outcome[importer.OutcomeRefused], t.problem(p))
		}
	}
}

func line(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// detail says what changes for u, which damaged values of its row were kept, and why it was refused.
func (tx *reportWords) detail(u importer.PlannedUser, kept []importer.DamagedValue) string {
	var parts []string
	for _, c := range u.Changes {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", tx.field(c.Field), tx.value(c.Before), tx.value(c.After)))
	}
	for _, d := range kept {
		if tx.en {
			parts = append(parts, fmt.Sprintf("%s: %q kept (the file has %q: letters lost in a save)", tx.field(string(d.Field)), d.Stored, d.File))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %q behouden (het bestand heeft %q: letters verloren bij het opslaan)", tx.field(string(d.Field)), d.Stored, d.File))
		}
	}
	for _, r := range u.Reasons {
		parts = append(parts, tx.problem(r))
	}
	return strings.Join(parts, "; ")
}

// field names a changed field in running text: "achternaam", "last name", "ECK iD".
func (tx *reportWords) field(name string) string {
	label := name
	switch fi, ok := importer.Field(name).Info(); {
	case ok && tx.en:
		label = fi.LabelEN
	case ok:
		label = fi.LabelNL
	case name == "status":
		label = "Status"
	}
	// Lower case in a sentence, except an abbreviation (ECK iD).
	if r, n := utf8.DecodeRuneInString(label); n > 0 && len(label) > n {
		if next, _ := utf8.DecodeRuneInString(label[n:]); !unicode.IsUpper(next) {
			label = string(unicode.ToLower(r)) + label[n:]
		}
	}
	return label
}

// value is a stored change value in the report's language (a status; names stay as written).
func (tx *reportWords) value(v string) string {
	if t, ok := tx.values[v]; ok {
		return t
	}
	return v
}

func (tx *reportWords) problem(p importer.Problem) string {
	msg := p.NL
	if tx.en && p.EN != "" {
		msg = p.EN
	}
	if p.Column != "" {
		return tx.column(p.Column) + ": " + msg
	}
	return msg
}

// column is a problem's column in the report's language: the importer names a column without
// a header "kolom N" (importer.columnName), which reads "column N" in English.
func (tx *reportWords) column(c string) string {
	if n, ok := strings.CutPrefix(c, "kolom "); ok && tx.en {
		if _, err := strconv.Atoi(n); err == nil {
			return "column " + n
		}
	}
	return c
}

// counts is the totals line: "1 toegevoegd, 1 bijgewerkt, ..., 5 waarden behouden (bestand
// beschadigd)", with the group links added and removed and the groups created (created) when
// there are any.
func (tx *reportWords) counts(c importer.Counts, created int) string {
	type n struct {
		v      int
		nl, en string
		always bool
	}
	var parts []string
	for _, x := range []n{
		{c.Added, "toegevoegd", "added", true}, {c.Updated, "bijgewerkt", "updated", true}, {c.Archived, "gearchiveerd", "archived", true},
		{c.Refused, "geweigerd", "refused", true}, {c.Unchanged, "ongewijzigd", "unchanged", false}, {c.Skipped, "overgeslagen", "skipped", false},
		{c.Kept, "waarden behouden (bestand beschadigd)", "values kept (file damaged)", false},
		{c.Damaged, "namen met verloren letters ingelezen", "names with lost letters imported", false},
		{c.GroupsJoined, "groepskoppelingen toegevoegd", "group links added", false},
		{c.GroupsLeft, "groepskoppelingen verwijderd", "group links removed", false},
		{created, "lesgroepen aangemaakt", "teaching groups created", false},
	} {
		if x.v == 0 && !x.always {
			continue
		}
		w := x.nl
		if tx.en {
			w = x.en
		}
		parts = append(parts, fmt.Sprintf("%d %s", x.v, w))
	}
	return strings.Join(parts, ", ")
}
