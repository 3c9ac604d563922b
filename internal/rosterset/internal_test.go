package rosterset

import (
	"fmt"
	"testing"
)

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

// TestPupilList: a grouped warning names each pupil's row (the file once per run of it), at
// most maxNamedPupils of them, and a lone pupil at the warning's own row by key alone.
func TestPupilList(t *testing.T) {
	pupils := func(n int, file string) []*person {
		out := make([]*person, n)
		for i := range out {
			out[i] = &person{u: &user{where: where{file: file, line: i + 2}, key: fmt.Sprint(500101 + i)}}
		}
		return out
	}
	twelve := pupils(12, "Student.csv")
	mixed := append(pupils(1, "Student.csv"), pupils(2, "users.csv")...)
	for _, c := range []struct {
		name   string
		ps     []*person
		at     where
		nl, en string
	}{
		{"alone at its row", twelve[:1], where{"Student.csv", 2}, "500101", "500101"},
		{"alone elsewhere", twelve[:1], where{"StudentEnrollment.csv", 9}, "500101 (Student.csv regel 2)", "500101 (Student.csv line 2)"},
		{"two files", mixed, where{}, "500101 (Student.csv regel 2), 500101 (users.csv regel 2), 500102 (regel 3)",
			"500101 (Student.csv line 2), 500101 (users.csv line 2), 500102 (line 3)"},
		{"more than ten", twelve, where{}, "500101 (Student.csv regel 2), 500102 (regel 3), 500103 (regel 4), 500104 (regel 5), 500105 (regel 6), 500106 (regel 7), 500107 (regel 8), 500108 (regel 9), 500109 (regel 10), 500110 (regel 11), … en nog 2",
			"500101 (Student.csv line 2), 500102 (line 3), 500103 (line 4), 500104 (line 5), 500105 (line 6), 500106 (line 7), 500107 (line 8), 500108 (line 9), 500109 (line 10), 500110 (line 11), … and 2 more"},
	} {
		nl, en := pupilList(c.ps, c.at)
		if nl != c.nl || en != c.en {
			t.Errorf("%s:\n got %q\n     %q\nwant %q\n     %q", c.name, nl, en, c.nl, c.en)
		}
	}
}
