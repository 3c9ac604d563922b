package importer_test

import (
	"testing"

	"github.com/numo/accounts/internal/importer"
)

// TestPrimaryFileLevel checks that a primary school's file without a level column gives every
// pupil the level po (primary.go has the rule), and that a secondary school's file without a
// level column does not.
func TestPrimaryFileLevel(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want importer.Level
	}{
		{"a Jaargroep column (pipe_mixed_eol.csv)", readFixture(t, "pipe_mixed_eol.csv"), importer.LevelPO},
		{"class names 1a to 8b, no year column (primary_klassen.csv)", readFixture(t, "primary_klassen.csv"), importer.LevelPO},
		{"a Groep column", []byte("Leerlingnummer;Voornaam;Achternaam;Groep\n1;Anna;Bos;3a\n2;Bas;Bos;4\n"), importer.LevelPO},
		{"class names groep N", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;groep 3\n2;Bas;Bos;Groep 4/5\n"), importer.LevelPO},
		{"class names gr. N", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;gr. 3a\n2;Bas;Bos;gr. 4\n"), importer.LevelPO},
		{"a Leerjaar column up to 8", []byte("Leerlingnummer;Voornaam;Achternaam;Klas;Leerjaar\n1;Anna;Bos;A;1\n2;Bas;Bos;H;8\n"), importer.LevelPO},
		{"a secondary school's classes 1a to 6b", []byte("Leerlingnummer;Voornaam;Achternaam;Klas\n1;Anna;Bos;1a\n2;Bas;Bos;6b\n3;Cas;Bos;H4a\n"), ""},
		{"a secondary school's Leerjaar 1 to 6", []byte("Leerlingnummer;Voornaam;Achternaam;Klas;Leerjaar\n1;Anna;Bos;1A;1\n2;Bas;Bos;6V;6\n"), ""},
		{"a level column decides, even in year 8", []byte("Leerlingnummer;Voornaam;Achternaam;Groep;Niveau\n1;Anna;Bos;8a;havo\n"), importer.LevelHAVO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := build(t, tt.data)
			if len(res.Records) == 0 {
				t.Fatalf("no records; refused %v", res.Refused)
			}
			for _, r := range res.Records {
				if r.Level != tt.want {
					t.Errorf("line %d (class %q, years %v): level %q, want %q", r.Line, r.Class, r.Years, r.Level, tt.want)
				}
			}
			if len(res.UnknownLevels) != 0 {
				t.Errorf("unknown levels %v", res.UnknownLevels)
			}
		})
	}
}
