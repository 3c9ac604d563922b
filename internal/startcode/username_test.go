package startcode_test

import (
	"testing"

	"github.com/numo/accounts/internal/startcode"
)

func TestBase(t *testing.T) {
	tests := []struct {
		pattern string
		p       startcode.Person
		want    string
	}{
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Jan", LastName: "Jansen"}, "jan.jansen"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Anne-Fleur", Infix: "van den", LastName: "Berg"}, "anne-fleur.vandenberg"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Zoë", Infix: "d'", LastName: "Ançay"}, "zoe.dancay"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Jürgen", LastName: "Groß"}, "jurgen.gross"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Ĳsbrand", LastName: "Øster"}, "ijsbrand.oster"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Mehmet Ali", LastName: "Çelik"}, "mehmetali.celik"},
		{"{voorletter}{achternaam}", startcode.Person{FirstName: "Sanne", Infix: "de", LastName: "Vries"}, "sdevries"},
		{"{email}", startcode.Person{FirstName: "Sanne", LastName: "Vries", Email: "S.deVries@leerling.school.nl"}, "s.devries"},
		{"{email}", startcode.Person{FirstName: "Sanne", Infix: "de", LastName: "Vries"}, "sanne.devries"}, // no address: the default
		{"ll{leerlingnummer}", startcode.Person{FirstName: "Sanne", LastName: "Vries", Key: "123456"}, "ll123456"},
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "李", LastName: "王"}, "leerling"}, // nothing left: a fallback
		{"{nope}", startcode.Person{FirstName: "Jan", LastName: "Jansen"}, "jan.jansen"},         // a bad pattern: the default
		{"{roepnaam}.{achternaam}", startcode.Person{FirstName: "Maximiliaan-Alexander-Frederik", LastName: "Wolfeschlegelsteinhausenbergerdorff"},
			"maximiliaan-alexander-frederik.wolfeschlegelsteinhausenberge"},
	}
	for _, tt := range tests {
		if got := startcode.Base(tt.pattern, tt.p); got != tt.want {
			t.Errorf("Base(%q, %+v) = %q, want %q", tt.pattern, tt.p, got, tt.want)
		}
		if len(startcode.Base(tt.pattern, tt.p)) > startcode.MaxBaseLen {
			t.Errorf("Base(%q, %+v) is longer than %d", tt.pattern, tt.p, startcode.MaxBaseLen)
		}
	}
}

func TestCheckPattern(t *testing.T) {
	tests := []struct {
		pattern string
		ok      bool
	}{
		{"{roepnaam}.{achternaam}", true},
		{"{email}", true},
		{"{voorletter}{achternaam}", true},
		{"ll{leerlingnummer}", true},
		{"", false},
		{"vast", false},                    // no placeholder: everyone the same name
		{"{roepnaam} {achternaam}", false}, // a space
		{"{Roepnaam}", false},              // placeholders are lower case
		{"{roepnaam", false},
		{"{roepnaam}@school", false},
	}
	for _, tt := range tests {
		if err := startcode.CheckPattern(tt.pattern); (err == nil) != tt.ok {
			t.Errorf("CheckPattern(%q) = %v, want ok=%v", tt.pattern, err, tt.ok)
		}
	}
}

func TestNamerCollisions(t *testing.T) {
	n := startcode.NewNamer(startcode.DefaultPattern, []string{"Jan.Jansen", "jan.jansen2", "beheer"})
	jan := startcode.Person{FirstName: "Jan", LastName: "Jansen"}
	want := []string{"jan.jansen3", "jan.jansen4"}
	for _, w := range want {
		if got := n.Next(jan); got != w {
			t.Errorf("Next = %q, want %q (taken compared without case)", got, w)
		}
	}
	if got := n.Next(startcode.Person{FirstName: "Jan", Infix: "van", LastName: "Jansen"}); got != "jan.vanjansen" {
		t.Errorf("Next = %q, want jan.vanjansen", got)
	}
	// Accents fold onto the same name: Jân Jänsen collides with Jan Jansen.
	if got := n.Next(startcode.Person{FirstName: "Jân", LastName: "Jänsen"}); got != "jan.jansen5" {
		t.Errorf("Next = %q, want jan.jansen5", got)
	}
}
