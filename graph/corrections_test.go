package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/testdb"
)

const correctRowMutation = `mutation($job: ID!, $line: Int!, $values: [CellCorrectionInput!]!) {
  correctRow(jobId: $job, line: $line, values: $values) {
    line accepted outcome reasons { code column }
    preview { counts { added refused } }
  } }`

type rowCheck struct {
	CorrectRow struct {
		Line     int
		Accepted bool
		Outcome  *string
		Reasons  []struct{ Code, Column string }
		Preview  struct{ Counts struct{ Added, Refused int } }
	}
}

type cell struct {
	Column int    `json:"column"`
	Value  string `json:"value"`
}

func (a *api) correct(job string, line int, values ...cell) (rowCheck, error) {
	var r rowCheck
	if values == nil {
		values = []cell{}
	}
	err := a.c.Post(correctRowMutation, &r, client.Var("job", job), client.Var("line", line), client.Var("values", values))
	return r, err
}

// download GETs path from a real HTTP server of the app, as the API token, and returns the
// status and body.
func (a *api) download(srv *httptest.Server, path, token string) (int, string) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	status, _, b := fetch(a.t, req)
	return status, string(b)
}

// TestCorrections drives issue 17's "fix it here instead of in Excel" on both databases over
// real HTTP: a Windows-1252 export with refused rows, its refused rows downloaded in the file's
// own columns, one row corrected in the preview (accepted at once), one still refused, the
// limits, the class summary, the corrections as part of the plan hash (a correction changed
// behind the preview's back makes the commit stale), the commit, the audit event without the
// values, and the undo.
func TestCorrections(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "17CO")
		srv := httptest.NewServer(a.app.Handler())
		defer srv.Close()
		job := a.mustUpload(s.ID, "corrections/refused_win1252.csv").Upload.ID
		p, err := a.preview(job, "ADD", "UPDATE")
		if err != nil || p.Preview.Counts.Refused != 2 || p.Preview.Counts.Added != 2 {
			t.Fatalf("preview %+v %v", p.Preview.Counts, err)
		}
		checkRefusedDownload(t, a, srv, job, []string{"3002;Zoë;;;1A;havo;1;zoe.aerts@leerling.example.nl;", "3003;François;;Brückner;1A;havo;1;francois@school;"})
		checkCorrectionLimits(t, a, job)
		r, err := a.correct(job, 3, cell{3, " Ærts "})
		if err != nil || !r.CorrectRow.Accepted || r.CorrectRow.Outcome == nil || *r.CorrectRow.Outcome != "NEW" ||
			r.CorrectRow.Preview.Counts.Refused != 1 || r.CorrectRow.Preview.Counts.Added != 3 {
			t.Fatalf("correct line 3: %+v %v", r, err)
		}
		r, err = a.correct(job, 4, cell{7, "francois@school.nl"}, cell{7, "nog-steeds-fout"})
		if err != nil || r.CorrectRow.Accepted || len(r.CorrectRow.Reasons) == 0 || r.CorrectRow.Reasons[0].Column != "E-mail" {
			t.Fatalf("correct line 4: %+v %v", r, err)
		}
		checkRefusedDownload(t, a, srv, job, []string{"3003;François;;Brückner;1A;havo;1;francois@school;"})
		checkSummaryAndCorrections(t, a, job)
		checkStaleCorrections(t, a, job)
		a.commitAndFollow(job)
		checkCorrectedImport(t, a, s.ID, job)
	})
}

func checkRefusedDownload(t *testing.T, a *api, srv *httptest.Server, job string, rows []string) {
	t.Helper()
	path := "/api/import-jobs/" + job + "/refused.csv"
	if code, _ := a.download(srv, path, ""); code != http.StatusNotFound {
		t.Fatalf("anonymous download: %d", code)
	}
	code, body := a.download(srv, path, a.token)
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	if code != http.StatusOK || len(lines) != len(rows)+1 ||
		lines[0] != "\ufeffStamnr;Roepnaam;Tussenv;Achternaam;Klas;Studie;Leerjaar;E-mail;Reden van weigering" {
		t.Fatalf("refused rows %d:\n%s", code, body)
	}
	for i, want := range rows {
		if !strings.HasPrefix(lines[i+1], want) || len(lines[i+1]) == len(want) {
			t.Errorf("refused row %d = %q, want %q and a reason", i, lines[i+1], want)
		}
	}
	if _, en := a.download(srv, path+"?lang=en", a.token); !strings.Contains(strings.SplitN(en, "\r\n", 2)[0], ";Reason refused") {
		t.Errorf("English download header: %q", strings.SplitN(en, "\r\n", 2)[0])
	}
}

func checkCorrectionLimits(t *testing.T, a *api, job string) {
	t.Helper()
	for name, try := range map[string]func() error{
		"unknown line":   func() error { _, err := a.correct(job, 99, cell{3, "x"}); return err },
		"unknown column": func() error { _, err := a.correct(job, 3, cell{8, "x"}); return err },
		"too long":       func() error { _, err := a.correct(job, 3, cell{3, strings.Repeat("a", 201)}); return err },
		"line break":     func() error { _, err := a.correct(job, 3, cell{3, "a\nb"}); return err },
		"none":           func() error { _, err := a.correct(job, 3); return err },
	} {
		if e := errorOf(t, try()); e.Extensions["code"] != "INVALID_INPUT" || e.Extensions["messageEn"] == "" {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func checkSummaryAndCorrections(t *testing.T, a *api, job string) {
	t.Helper()
	var r struct {
		Node struct {
			RefusedRowsURL string
			Corrections    []struct {
				Line                      int
				Column, Before, After, By string
			}
			Preview struct {
				ClassSummary struct {
					Moves []struct {
						From  *string
						To    string
						Count int
					}
					MovesTotal, WithoutEmail int
					EmptyClasses, NewClasses []string
				}
			}
		}
	}
	a.c.MustPost(`query($job: ID!) { node(id: $job) { ... on ImportJob { refusedRowsUrl corrections { line column before after by }
	  preview { classSummary { moves { from to count } movesTotal withoutEmail emptyClasses newClasses } } } } }`, &r, client.Var("job", job))
	n := r.Node
	if n.RefusedRowsURL != "/api/import-jobs/"+job+"/refused.csv" || len(n.Corrections) != 2 ||
		n.Corrections[0].Line != 3 || n.Corrections[0].Column != "Achternaam" || n.Corrections[0].Before != "" || n.Corrections[0].After != "Ærts" ||
		n.Corrections[1].Line != 4 || n.Corrections[1].Before != "francois@school" || n.Corrections[1].After != "nog-steeds-fout" || n.Corrections[0].By == "" {
		t.Fatalf("job after corrections: %+v", n)
	}
	cs := n.Preview.ClassSummary
	if cs.MovesTotal != 2 || len(cs.Moves) != 2 || cs.Moves[0].From != nil || cs.Moves[0].To != "1A" || cs.Moves[0].Count != 2 ||
		cs.Moves[1].To != "1B" || cs.Moves[1].Count != 1 || cs.WithoutEmail != 1 || strings.Join(cs.NewClasses, ",") != "1A,1B" || len(cs.EmptyClasses) != 0 {
		t.Fatalf("class summary %+v", cs)
	}
}

// checkStaleCorrections changes the stored corrections behind the preview's back: the commit
// is refused as stale (the plan hash holds the corrections), and a preview makes it whole again.
func checkStaleCorrections(t *testing.T, a *api, job string) {
	t.Helper()
	sys := auth.System(context.Background())
	db := a.app.DB().Client
	b := db.ImportBlob.Query().Where(importblob.KindEQ(importblob.KindCORRECTIONS)).OnlyX(sys)
	var c map[string][]map[string]any
	if err := json.Unmarshal(b.Data, &c); err != nil {
		t.Fatal(err)
	}
	c["cells"][1]["after"] = "ook-fout"
	changed, _ := json.Marshal(c)
	db.ImportBlob.UpdateOne(b).SetData(changed).ExecX(sys)
	if e := errorOf(t, a.commit(job, nil)); e.Extensions["code"] != "STALE_PREVIEW" {
		t.Fatalf("commit with changed corrections: %+v", e)
	}
	db.ImportBlob.UpdateOne(b).SetData(b.Data).ExecX(sys)
}

// checkCorrectedImport checks the committed import: the corrected pupil exists, the audit log
// says a row was corrected in the app without its values, and the import can be undone.
func checkCorrectedImport(t *testing.T, a *api, schoolID int, job string) {
	t.Helper()
	sys := auth.System(context.Background())
	db := a.app.DB().Client
	if n := db.Account.Query().Where(account.ExternalKey("3002"), account.LastName("Ærts"), account.FirstName("Zoë")).CountX(sys); n != 1 {
		t.Fatalf("corrected pupil: %d", n)
	}
	ev := db.AuditEvent.Query().Where(auditevent.Action("import_correction"), auditevent.SchoolID(schoolID)).AllX(sys)
	if len(ev) != 2 || !strings.Contains(ev[0].Detail, "regel 3") || !strings.Contains(ev[0].Detail, "Achternaam") || strings.Contains(ev[0].Detail, "Ærts") {
		t.Fatalf("audit events %+v", ev)
	}
	var r struct {
		Node struct{ Corrections []struct{ Line int } }
	}
	a.c.MustPost(`query($job: ID!) { node(id: $job) { ... on ImportJob { corrections { line } } } }`, &r, client.Var("job", job))
	if len(r.Node.Corrections) != 2 {
		t.Fatalf("corrections after the commit: %+v", r)
	}
	var u struct{ UndoImport struct{ Status string } }
	if err := a.c.Post(`mutation($job: ID!) { undoImport(jobId: $job) { status } }`, &u, client.Var("job", job)); err != nil || u.UndoImport.Status != "COMMITTED" {
		t.Fatalf("undo: %+v %v", u, err)
	}
	if n := db.Account.Query().Where(account.ExternalKey("3002"), account.StatusEQ(account.StatusACTIVE)).CountX(sys); n != 0 {
		t.Fatalf("undo left the corrected pupil active")
	}
}

// TestCorrectionsTeachers corrects a refused row of a teacher export: the same checks, accepted
// as a new teacher.
func TestCorrectionsTeachers(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, s := newAPI(t, kind, "17DO")
		job := a.mustUpload(s.ID, "corrections/teachers_refused.csv").Upload.ID
		if p, err := a.preview(job, "ADD"); err != nil || p.Preview.Counts.Refused != 1 || p.Preview.Counts.Added != 1 {
			t.Fatalf("preview %+v %v", p.Preview.Counts, err)
		}
		r, err := a.correct(job, 3, cell{2, "Doğan"})
		if err != nil || !r.CorrectRow.Accepted || r.CorrectRow.Preview.Counts.Added != 2 || r.CorrectRow.Preview.Counts.Refused != 0 {
			t.Fatalf("correct teacher line 3: %+v %v", r, err)
		}
		a.commitAndFollow(job)
		sys := auth.System(context.Background())
		if n := a.app.DB().Client.Account.Query().Where(account.LastName("Doğan"), account.RoleEQ(account.RoleTEACHER)).CountX(sys); n != 1 {
			t.Fatalf("corrected teacher: %d", n)
		}
	})
}
