package jobs_test

import (
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobs"
	"github.com/numo/accounts/internal/rosterset"
)

// TestOrigins: a canonical line maps to the set's file and line, taken from the parse (a value
// over two lines does not shift the rows after it), and the lines a message names are mapped.
func TestOrigins(t *testing.T) {
	f, err := importer.Parse([]byte("Leerlingnummer;Roepnaam;Achternaam;Klas\n1;An;\"Veld\nhuis\";1A\n2;Bo;Kooi;1A\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := jobs.NewOrigins(f, []rosterset.Origin{{File: "users.csv", Line: 7}, {File: "users.csv", Line: 3}})
	for _, tc := range []struct {
		line, want int
		file       string
		ok         bool
	}{
		{0, 0, "", false}, {1, 1, "", false}, {2, 7, "users.csv", true}, {3, 3, "", false}, {4, 3, "users.csv", true}, {9, 9, "", false},
	} {
		file, got, ok := o.Map(tc.line)
		if got != tc.want || file != tc.file || ok != tc.ok {
			t.Errorf("Map(%d) = %q %d %v, want %q %d %v", tc.line, file, got, ok, tc.file, tc.want, tc.ok)
		}
	}
	p, file := o.Problem(importer.Problem{Line: 4, NL: "Leerling 2 staat ook op regel 2.", EN: "Pupil 2 also appears on line 2; Line 1 is the header."})
	if file != "users.csv" || p.Line != 3 || p.NL != "Leerling 2 staat ook op regel 7 van users.csv." ||
		p.EN != "Pupil 2 also appears on line 7 of users.csv; Line 1 is the header." {
		t.Errorf("Problem: %q %+v", file, p)
	}
	var none *jobs.Origins
	if q, f := none.Problem(importer.Problem{Line: 4, NL: "regel 4"}); q.Line != 4 || f != "" || q.NL != "regel 4" {
		t.Errorf("nil origins changed %+v", q)
	}
}
