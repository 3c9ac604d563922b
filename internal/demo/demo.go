// Package demo creates the demo school that a fresh Numo accounts shows on its first start, so
// that the first screen is not empty. All people in it are invented.
package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
)

// BRIN is the BRIN code of the demo school.
const BRIN = "99XX"

type pupil struct{ key, first, infix, last string }

var classes = []struct {
	name   string
	year   int
	level  string
	pupils []pupil
}{
	{"1A", 1, "havo/vwo", []pupil{
		{"100101", "Sanne", "de", "Vries"}, {"100102", "Daan", "", "Bakker"}, {"100103", "Zoë", "van", "Dijk"},
		{"100104", "Mehmet", "", "Yılmaz"}, {"100105", "Noor", "van der", "Berg"},
	}},
	{"1B", 1, "vmbo-gt", []pupil{
		{"100201", "Lieke", "", "Jansen"}, {"100202", "Bram", "de", "Jong"}, {"100203", "Fatima", "", "El Amrani"},
		{"100204", "Jesse", "van 't", "Hof"}, {"100205", "Émilie", "", "Dubois"},
	}},
	{"2HV", 2, "havo/vwo", []pupil{
		{"090301", "Thijs", "", "Smit"}, {"090302", "Julia", "", "Meijer"}, {"090303", "Sem", "de", "Boer"},
		{"090304", "Anouk", "", "Mulder"}, {"090305", "Luuk", "van den", "Broek"},
	}},
	{"3H", 3, "havo", []pupil{
		{"080401", "Eva", "", "Visser"}, {"080402", "Milan", "", "Çelik"}, {"080403", "Tess", "", "Peters"},
		{"080404", "Ruben", "", "Hendriks"}, {"080405", "Isa", "d’", "Ancona"},
	}},
	{"4V", 4, "vwo", []pupil{
		{"070501", "Lotte", "", "Dekker"}, {"070502", "Finn", "", "Brouwer"}, {"070503", "Sara", "de", "Graaf"},
		{"070504", "Jasper", "", "Vos"}, {"070505", "Mila", "", "Böhm"},
	}},
}

// groups are the demo's lesgroepen (cluster groups besides the stamklas), with their members
// by pupil number.
var groups = []struct {
	name, subject string
	members       []string
}{
	{"brug.en1", "en", []string{"100101", "100103", "100202", "100204", "100205"}},
	{"hv2.wi1", "wi", []string{"090301", "090302", "090304"}},
	{"vwo4.ne1", "ne", []string{"070501", "070503", "070504", "080402"}},
}

// SeedIfEmpty creates the demo school when the database holds no school at all. It reports
// whether it did.
func SeedIfEmpty(ctx context.Context, client *ent.Client) (bool, error) {
	n, err := client.School.Query().Count(ctx)
	if err != nil {
		return false, fmt.Errorf("count schools: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return false, fmt.Errorf("seed demo school: %w", err)
	}
	if err := seed(ctx, tx.Client()); err != nil {
		tx.Rollback()
		return false, fmt.Errorf("seed demo school: %w", err)
	}
	return true, tx.Commit()
}

func seed(ctx context.Context, c *ent.Client) error {
	school, err := c.School.Create().SetName("Demoschool Het Talent").SetBrin(BRIN).Save(ctx)
	if err != nil {
		return err
	}
	teacher, err := c.Account.Create().SetSchoolID(school.ID).SetRole(account.RoleTEACHER).
		SetFirstName("Marieke").SetInfix("van").SetLastName("Leeuwen").
		SetEmail("m.vanleeuwen@demo.numo.invalid").SetUsername("mvanleeuwen").Save(ctx)
	if err != nil {
		return err
	}
	if _, err := c.Account.Create().SetSchoolID(school.ID).SetRole(account.RoleADMIN).
		SetFirstName("Peter").SetLastName("Beheer").SetEmail("beheer@demo.numo.invalid").
		SetUsername("beheer").Save(ctx); err != nil {
		return err
	}
	for _, cl := range classes {
		class, err := c.Class.Create().SetSchoolID(school.ID).SetName(cl.name).SetYear(cl.year).SetLevel(cl.level).
			AddTeachers(teacher).Save(ctx)
		if err != nil {
			return err
		}
		builders := make([]*ent.AccountCreate, 0, len(cl.pupils))
		for _, p := range cl.pupils {
			builders = append(builders, c.Account.Create().SetSchoolID(school.ID).SetRole(account.RolePUPIL).
				SetExternalKey(p.key).SetFirstName(p.first).SetInfix(p.infix).SetLastName(p.last).
				SetLevel(cl.level).SetYear(cl.year).SetClassID(class.ID).
				SetUsername(strings.ToLower(p.first)+p.key))
		}
		if _, err := c.Account.CreateBulk(builders...).Save(ctx); err != nil {
			return err
		}
	}
	return seedGroups(ctx, c, school.ID)
}

// seedGroups adds the lesgroepen and a teacher who teaches one of them (vwo4.ne1) and mentors
// one stamklas (3H): signed in as them, Numo shows exactly those pupils.
func seedGroups(ctx context.Context, c *ent.Client, schoolID int) error {
	teacher, err := c.Account.Create().SetSchoolID(schoolID).SetRole(account.RoleTEACHER).SetExternalKey("KRJ").
		SetFirstName("Joost").SetLastName("Kramer").SetEmail("j.kramer@demo.numo.invalid").SetUsername("jkramer").Save(ctx)
	if err != nil {
		return err
	}
	for _, g := range groups {
		members, err := c.Account.Query().Where(account.SchoolID(schoolID), account.ExternalKeyIn(g.members...)).IDs(ctx)
		if err != nil {
			return err
		}
		grp, err := c.Class.Create().SetSchoolID(schoolID).SetName(g.name).SetKind(class.KindLESGROEP).SetSubject(g.subject).
			AddMemberIDs(members...).Save(ctx)
		if err != nil {
			return err
		}
		if g.name == "vwo4.ne1" {
			if err := c.Teaching.Create().SetClassID(grp.ID).SetAccountID(teacher.ID).Exec(ctx); err != nil {
				return err
			}
		}
	}
	mentored, err := c.Class.Query().Where(class.SchoolID(schoolID), class.Name("3H")).OnlyID(ctx)
	if err != nil {
		return err
	}
	return c.Teaching.Create().SetClassID(mentored).SetAccountID(teacher.ID).SetMentor(true).Exec(ctx)
}
