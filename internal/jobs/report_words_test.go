package jobs

import (
	"net/http/httptest"
	"testing"

	"github.com/numo/accounts/internal/importer"
)

// TestReportDetailLanguage: a user's changes read in the admin's language throughout: field
// names and stored words such as a status (issue 12: the Dutch report wrote
// "lastName: Haile → Haile-Öztürk; class: 1E → 2E" beside "status: actief → gearchiveerd").
func TestReportDetailLanguage(t *testing.T) {
	u := importer.PlannedUser{Outcome: importer.OutcomeUpdated, Changes: []importer.Change{
		{Field: "lastName", Before: "Haile", After: "Haile-Öztürk"}, {Field: "class", Before: "1E", After: "2E"},
		{Field: "status", Before: "gearchiveerd", After: "actief"}, {Field: "eckId", Before: "", After: "https://ketenid.nl/201703/abc"},
	}}
	kept := []importer.DamagedValue{{Line: 2, Field: importer.FieldFirstName, Stored: "Ayşe", File: "Ay?e", Kept: true}}
	for _, tc := range []struct {
		lang Lang
		want string
	}{
		{LangNL, `achternaam: Haile → Haile-Öztürk; klas: 1E → 2E; status: gearchiveerd → actief; ECK iD:  → https://ketenid.nl/201703/abc; ` +
			`roepnaam: "Ayşe" behouden (het bestand heeft "Ay?e": letters verloren bij het opslaan)`},
		{LangEN, `last name: Haile → Haile-Öztürk; class: 1E → 2E; status: archived → active; ECK iD:  → https://ketenid.nl/201703/abc; ` +
			`first name: "Ayşe" kept (the file has "Ay?e": letters lost in a save)`},
	} {
		if got := wordsFor(tc.lang).detail(u, kept); got != tc.want {
			t.Errorf("%s detail\n got %s\nwant %s", tc.lang, got, tc.want)
		}
	}
}

func TestReportLang(t *testing.T) {
	for _, tc := range []struct {
		url, accept string
		want        Lang
	}{
		{"/r.csv", "", LangNL},
		{"/r.csv?lang=en", "", LangEN},
		{"/r.csv?lang=nl", "en-GB,en", LangNL},
		{"/r.csv", "en-US,en;q=0.9", LangEN},
		{"/r.csv", "nl-NL,nl;q=0.9,en;q=0.8", LangNL},
		{"/r.csv?lang=fr", "", LangNL},
	} {
		r := httptest.NewRequest("GET", tc.url, nil)
		if tc.accept != "" {
			r.Header.Set("Accept-Language", tc.accept)
		}
		if got := ReportLang(r); got != tc.want {
			t.Errorf("ReportLang(%s, %q) = %s, want %s", tc.url, tc.accept, got, tc.want)
		}
	}
}

// TestReportColumnLanguage: a problem about a column without a header names it "kolom N" in
// the Dutch report and "column N" in the English one; a header is written as the file has it.
func TestReportColumnLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang   Lang
		column string
		want   string
	}{
		{LangNL, "kolom 3", "kolom 3: ongeldig"},
		{LangEN, "kolom 3", "column 3: invalid"},
		{LangEN, "kolom 12", "column 12: invalid"},
		{LangEN, "Klas", "Klas: invalid"},
		{LangEN, "kolom B", "kolom B: invalid"}, // a header that only starts like the fallback
		{LangEN, "", "invalid"},
	} {
		p := importer.Problem{Line: 4, Column: tc.column, NL: "ongeldig", EN: "invalid"}
		if got := wordsFor(tc.lang).problem(p); got != tc.want {
			t.Errorf("%s problem in %q = %q, want %q", tc.lang, tc.column, got, tc.want)
		}
	}
}
