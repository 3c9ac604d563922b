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

func TestClassNameAndPart(t *testing.T) {
	for _, c := range []struct {
		name, part string
		class      bool
	}{
		{"H4a", "", true},
		{"1A", "", true},
		{"4hv2", "", true},
		{"V5b", "", true},
		{"h4a.ne1", "h4a", false},
		{"4H-wiB1", "4H", false},
		{"1A-en", "1A", false},
		{"1a_fa1", "1a", false},
		{"2-lo1", "2", false}, // "2" has no letter: no class
		{"ne", "", false},     // no digit
		{"Mentor", "", false}, // too long and no digit
		{"4H-", "", false},    // nothing after the separator
		{"-en", "", false},    // nothing before it
		{"Klas 1A", "Klas", false},
	} {
		if got := isClassName(c.name); got != c.class {
			t.Errorf("isClassName(%q) = %v, want %v", c.name, got, c.class)
		}
		if got := classPart(c.name); got != c.part {
			t.Errorf("classPart(%q) = %q, want %q", c.name, got, c.part)
		}
	}
}
