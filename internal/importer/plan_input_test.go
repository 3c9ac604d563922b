package importer_test

import (
	"testing"

	"github.com/numo/accounts/internal/importer"
)

// TestRefusedRowKeepsValues: a refused row stands in the plan input with every text value the
// file writes for it (key, names, class, e-mail, username, ECK iD), so that the preview shows
// whose row it is.
func TestRefusedRowKeepsValues(t *testing.T) {
	data := []byte("Stamnr;Roepnaam;Achternaam;Klas;E-mail;Gebruikersnaam;ECK iD\r\n" +
		"9001;Piet;;1A;piet@example.org;piet01;https://ketenid.nl/201703/0123456789abcdef\r\n" +
		"9002;Anna;Jansen;1A;anna@example.org;anna01;https://ketenid.nl/201703/fedcba9876543210\r\n")
	p, err := importer.Prepare(data, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := importer.Person{Key: "9001", FirstName: "Piet", Class: "1A", Email: "piet@example.org",
		Username: "piet01", EckID: "https://ketenid.nl/201703/0123456789abcdef"}
	if got, ok := p.Input.RefusedRows[2]; !ok || got != want {
		t.Errorf("refused row 2 = %+v (%v), want %+v", got, ok, want)
	}
}
