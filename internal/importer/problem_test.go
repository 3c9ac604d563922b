package importer_test

import (
	"errors"
	"testing"

	"github.com/numo/accounts/internal/importer"
)

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    importer.Problem
		want string
	}{
		{importer.Problem{Line: 12, Column: "Achternaam", NL: "Achternaam is leeg."}, "regel 12, kolom Achternaam: Achternaam is leeg."},
		{importer.Problem{Line: 4, NL: "Deze regel heeft 9 kolommen."}, "regel 4: Deze regel heeft 9 kolommen."},
		{importer.Problem{Column: "Klas", NL: "Klas is verplicht."}, "kolom Klas: Klas is verplicht."},
		{importer.Problem{NL: "Iets."}, "Iets."},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestFileError(t *testing.T) {
	err := error(&importer.FileError{Code: "unclosed_quote", Line: 3, NL: "Aanhalingsteken niet gesloten."})
	if got, want := err.Error(), "regel 3: Aanhalingsteken niet gesloten."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&importer.FileError{Code: "empty", NL: "Het bestand is leeg."}).Error(), "Het bestand is leeg."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wrapped := errors.Join(errors.New("upload 7"), err)
	if !errors.Is(wrapped, importer.ErrFileRejected) {
		t.Error("a wrapped FileError is not ErrFileRejected")
	}
}
