package oneroster_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"testing"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/oneroster"
	"github.com/numo/accounts/internal/store"
)

var sys = auth.System(context.Background())

// exportTime is the time of the tests' exports: in school year 2026-2027.
var exportTime = time.Date(2026, time.December, 7, 12, 0, 0, 0, time.UTC)

// scene is the small school the tests export: two stamklassen, three lesgroepen (two with a
// subject), pupils with tussenvoegsels and diacritics, a mentor who also teaches a lesgroep,
// a second teacher, the admin, an archived pupil and a pupil of another school.
type scene struct {
	school, other       *ent.School
	admin, mentor, wisk *ent.Account
	archived            *ent.Account
	labels              map[int]string // every id the export names, by a readable label
}

type seedPupil struct {
	key, first, infix, last, email, eck, class string
	year                                       int
	level                                      string
	groups                                     []string
}

var seedPupils = []seedPupil{
	{"100101", "Sanne", "de", "Vries", "sanne@leerling.demo.invalid", "https://ketenid.nl/201703/abc123", "1A", 1, "havo/vwo", []string{"1a.en1", "1-2.lo1"}},
	{"100102", "Zoë", "van", "Dijk", "", "", "1A", 1, "havo/vwo", []string{"1a.en1"}},
	{"100103", "Mehmet", "", "Yılmaz", "", "", "1A", 1, "havo/vwo", nil},
	{"100201", "Noor", "van der", "Berg", "", "", "2B", 2, "vmbo-gt", []string{"2b.wi1", "1-2.lo1"}},
	{"100202", "Émilie", "", "Dubois, \"Mimi\"", "", "", "2B", 2, "vmbo-gt", []string{"2b.wi1"}},
	{"100203", "Isa", "d’", "Ancona", "", "", "2B", 2, "vmbo-gt", nil},
}

// seed creates the scene.
func seed(t testing.TB, db *store.DB) *scene {
	t.Helper()
	c := db.Client
	s := &scene{labels: map[int]string{}}
	s.school = c.School.Create().SetName("Het Talent, locatie Zuid").SetBrin("99OR").SaveX(sys)
	s.other = c.School.Create().SetName("Andere school").SetBrin("98OR").SaveX(sys)
	s.labels[s.school.ID] = "99OR"
	classes := map[string]*ent.Class{}
	for _, cl := range []struct {
		name, level, subject string
		year                 int
		kind                 class.Kind
	}{
		{"1A", "havo/vwo", "", 1, class.KindSTAMKLAS}, {"2B", "vmbo-gt", "", 2, class.KindSTAMKLAS},
		{"1a.en1", "", "Engels", 1, class.KindLESGROEP}, {"2b.wi1", "", "wiskunde B", 2, class.KindLESGROEP},
		{"1-2.lo1", "", "", 0, class.KindLESGROEP},
	} {
		create := c.Class.Create().SetSchoolID(s.school.ID).SetName(cl.name).SetKind(cl.kind).SetSubject(cl.subject).SetLevel(cl.level)
		if cl.year > 0 {
			create.SetYear(cl.year)
		}
		classes[cl.name] = create.SaveX(sys)
		s.labels[classes[cl.name].ID] = cl.name
	}
	for _, p := range seedPupils {
		a := c.Account.Create().SetSchoolID(s.school.ID).SetRole(account.RolePUPIL).SetExternalKey(p.key).SetFirstName(p.first).
			SetInfix(p.infix).SetLastName(p.last).SetEmail(p.email).SetEckID(p.eck).SetUsername("ll" + p.key).SetYear(p.year).
			SetLevel(p.level).SetClassID(classes[p.class].ID).SetPasswordHash("$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$SECRETHASH").SaveX(sys)
		s.labels[a.ID] = p.key
		for _, g := range p.groups {
			c.Membership.Create().SetGroupID(classes[g].ID).SetAccountID(a.ID).ExecX(sys)
		}
	}
	s.archived = c.Account.Create().SetSchoolID(s.school.ID).SetRole(account.RolePUPIL).SetExternalKey("100999").SetFirstName("Oud").
		SetLastName("Leerling").SetYear(2).SetLevel("vmbo-gt").SetClassID(classes["2B"].ID).SetStatus(account.StatusARCHIVED).
		SetArchivedAt(exportTime.AddDate(0, -2, 0)).SaveX(sys)
	s.labels[s.archived.ID] = "100999"
	s.mentor = c.Account.Create().SetSchoolID(s.school.ID).SetRole(account.RoleTEACHER).SetExternalKey("KRJ").SetFirstName("Joost").
		SetInfix("van 't").SetLastName("Kramer").SetEmail("j.kramer@demo.numo.invalid").SetUsername("jkramer").SaveX(sys)
	s.wisk = c.Account.Create().SetSchoolID(s.school.ID).SetRole(account.RoleTEACHER).SetExternalKey("BÖH").SetFirstName("Mila").
		SetLastName("Böhm").SetUsername("mbohm").SaveX(sys)
	s.admin = c.Account.Create().SetSchoolID(s.school.ID).SetRole(account.RoleADMIN).SetFirstName("Beheer").SetLastName("Der").
		SetUsername("beheer").SaveX(sys)
	for _, a := range []*ent.Account{s.mentor, s.wisk, s.admin} {
		s.labels[a.ID] = a.Username
	}
	c.Teaching.Create().SetClassID(classes["1A"].ID).SetAccountID(s.mentor.ID).SetMentor(true).ExecX(sys)
	c.Teaching.Create().SetClassID(classes["1a.en1"].ID).SetAccountID(s.mentor.ID).ExecX(sys)
	c.Teaching.Create().SetClassID(classes["2b.wi1"].ID).SetAccountID(s.wisk.ID).ExecX(sys)
	c.Teaching.Create().SetClassID(classes["1-2.lo1"].ID).SetAccountID(s.wisk.ID).ExecX(sys)
	// Another school's pupil and class: never in this school's export.
	oc := c.Class.Create().SetSchoolID(s.other.ID).SetName("1A").SaveX(sys)
	c.Account.Create().SetSchoolID(s.other.ID).SetRole(account.RolePUPIL).SetExternalKey("100101").SetFirstName("Vreemd").
		SetLastName("Anders").SetClassID(oc.ID).SaveX(sys)
	return s
}

// export exports the scene's school and returns the zip.
func export(t testing.TB, db *store.DB, schoolID int, opts oneroster.Options) ([]byte, oneroster.Summary) {
	t.Helper()
	var buf bytes.Buffer
	if opts.Now.IsZero() {
		opts.Now = exportTime
	}
	sum, err := oneroster.Export(context.Background(), db, schoolID, &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

// set is an unzipped export: each file's raw bytes and parsed rows (header first).
type set struct {
	order []string
	raw   map[string][]byte
	rows  map[string][][]string
}

func unzip(t testing.TB, data []byte) *set {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	s := &set{raw: map[string][]byte{}, rows: map[string][][]string{}}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		s.order = append(s.order, f.Name)
		s.raw[f.Name], s.rows[f.Name] = b, rows
	}
	return s
}

// records is a data file's rows as maps by header.
func (s *set) records(name string) []map[string]string {
	rows := s.rows[name]
	if len(rows) == 0 {
		return nil
	}
	out := make([]map[string]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// timeParse reads a date of the binding's format.
func timeParse(s string) (time.Time, error) { return time.Parse(oneroster.DateFormat, s) }
