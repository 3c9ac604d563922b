package rosterset

import "testing"

func TestStripInfix(t *testing.T) {
	for _, c := range []struct{ family, infix, want string }{
		{"van der Meer", "van der", "Meer"},
		{"Van der Meer", "van der", "Meer"},
		{"d' Ancona", "d'", "Ancona"},
		{"d'Ancona", "d'", "Ancona"},
		{"Vandermeer", "van", "Vandermeer"}, // no space: not an infix
		{"de Groot", "", "de Groot"},        // no infix given: familyName whole
		{"van", "van", "van"},               // nothing would be left
	} {
		if got := stripInfix(c.family, c.infix); got != c.want {
			t.Errorf("stripInfix(%q, %q) = %q, want %q", c.family, c.infix, got, c.want)
		}
	}
}

func TestEckFromUserIDs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"{ECK:https://ketenid.nl/201703/abc}", "https://ketenid.nl/201703/abc"},
		{"{LDAP:cn=bak},{ eckId : https://ketenid.nl/x }", "https://ketenid.nl/x"},
		{"{LDAP:cn=bak}", ""},
		{"", ""},
		{"ECK", ""},
	} {
		if got := eckFromUserIDs(c.in); got != c.want {
			t.Errorf("eckFromUserIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
