package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/99designs/gqlgen/client"

	"github.com/numo/accounts/internal/testdb"
)

// rawUpload posts a file under any name (one a file system would not allow) as a GraphQL
// multipart upload, the way a hostile client can.
func (a *api) rawUpload(schoolID int, name string, content []byte) gqlResult {
	a.t.Helper()
	ops := fmt.Sprintf(`{"query":"mutation($f: Upload!) { upload(schoolId: %d, file: $f) { id fileName levelValues { value } } }","variables":{"f":null}}`, schoolID)
	var r gqlResult
	a.serveJSON(uploadForm("/query", ops, `{"0":["variables.f"]}`, formFile{name, content}), &r)
	return r
}

// TestUploadLimits reproduces issue 10.12 and 10.15 on both databases: a header of a million
// columns, level mappings of megabytes stored with the school and copied into every later job,
// and a file name cut in the middle of a character (INTERNAL on PostgreSQL, broken UTF-8 on
// SQLite).
func TestUploadLimits(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, kind string) {
		a, school := newAPI(t, kind, "07LM")
		good := []byte("Stamnr;Roepnaam;Achternaam;Klas;Niveau\r\n1;Anouk;Veldhuis;1A;havo\r\n2;Bram;Kooistra;1A;Atheneum-plus\r\n")

		t.Run("a file name cut at a character boundary", func(t *testing.T) { checkFileNameCut(t, a, school.ID, good) })

		t.Run("invalid UTF-8 leaves the name", func(t *testing.T) { checkFileNameInvalidUTF8(t, a, school.ID, good) })

		t.Run("a header of a million columns is refused", func(t *testing.T) { checkTooManyHeaderColumns(t, a, school.ID, good) })

		t.Run("a data row of too many cells is refused too", func(t *testing.T) { checkTooManyRowCells(t, a, school.ID, good) })

		t.Run("level mappings are bounded", func(t *testing.T) { checkLevelMappingsBounded(t, a, school.ID, good) })

		t.Run("a level column of many distinct values lists the most frequent only", func(t *testing.T) { checkManyLevelValues(t, a, school.ID, good) })
	})
}

// checkFileNameCut checks that a file name too long is cut at a character boundary.
func checkFileNameCut(t *testing.T, a *api, schoolID int, good []byte) {
	name := strings.Repeat("a", 254) + "é.csv"
	r := a.rawUpload(schoolID, name, good)
	if len(r.Errors) > 0 {
		t.Fatalf("upload refused: %v", r.Errors)
	}
	got := r.Data["upload"].(map[string]any)["fileName"].(string)
	if !utf8.ValidString(got) || len(got) > 255 || !strings.HasPrefix(got, strings.Repeat("a", 200)) {
		t.Fatalf("stored file name %q (%d bytes, valid UTF-8 %v)", got, len(got), utf8.ValidString(got))
	}
}

// checkFileNameInvalidUTF8 checks that invalid UTF-8 is left out of a file name.
func checkFileNameInvalidUTF8(t *testing.T, a *api, schoolID int, good []byte) {
	r := a.rawUpload(schoolID, "lijst\xff\xfe.csv", good)
	if len(r.Errors) > 0 {
		t.Fatalf("upload refused: %v", r.Errors)
	}
	if got := r.Data["upload"].(map[string]any)["fileName"]; got != "lijst.csv" {
		t.Fatalf("file name %q, want lijst.csv", got)
	}
}

// checkTooManyHeaderColumns checks that a header of a million columns is refused.
func checkTooManyHeaderColumns(t *testing.T, a *api, schoolID int, good []byte) {
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas")
	for range 1_000_000 {
		b.WriteString(";x")
	}
	b.WriteString("\r\n1;Anouk;Veldhuis;1A\r\n")
	r := a.rawUpload(schoolID, "breed.csv", []byte(b.String()))
	if r.code() != "FILE_REJECTED" || r.Errors[0].Extensions["reason"] != "too_many_columns" {
		t.Fatalf("want FILE_REJECTED too_many_columns, got %+v", r.Errors)
	}
	if !strings.Contains(r.Errors[0].Message, "meer dan 250 kolommen") {
		t.Errorf("message does not say the limit: %q", r.Errors[0].Message)
	}
}

// checkTooManyRowCells checks that a data row of too many cells is refused.
func checkTooManyRowCells(t *testing.T, a *api, schoolID int, good []byte) {
	data := "Stamnr;Roepnaam;Achternaam;Klas\r\n1;Anouk;Veldhuis;1A" + strings.Repeat(";y", 400) + "\r\n"
	r := a.rawUpload(schoolID, "rij.csv", []byte(data))
	if r.code() != "FILE_REJECTED" || r.Errors[0].Extensions["line"] != float64(2) {
		t.Fatalf("want FILE_REJECTED on line 2, got %+v", r.Errors)
	}
}

// checkLevelMappingsBounded checks that level mappings of megabytes or hundreds of values are refused.
func checkLevelMappingsBounded(t *testing.T, a *api, schoolID int, good []byte) {
	r := a.rawUpload(schoolID, "niveaus.csv", good)
	job := r.Data["upload"].(map[string]any)["id"]
	cols := `[{column: 0, field: "key"}, {column: 1, field: "firstName"}, {column: 2, field: "lastName"}, {column: 3, field: "class"}, {column: 4, field: "level"}]`
	setMapping := `mutation($job: ID!, $levels: [LevelMappingInput!]) { setMapping(jobId: $job, columns: ` + cols + `, levels: $levels) { id } }`
	huge := []map[string]any{{"value": strings.Repeat("Atheneum", 655_360), "level": "vwo"}} // 5 MiB
	var resp map[string]any
	err := a.c.Post(setMapping, &resp, client.Var("job", job), client.Var("levels", huge))
	if e := errorOf(t, err); e.Extensions["code"] != "MAPPING_INVALID" {
		t.Fatalf("a 5 MiB level value: %+v", e)
	}
	many := make([]map[string]any, 501)
	for i := range many {
		many[i] = map[string]any{"value": fmt.Sprintf("niveau-%d", i), "level": "havo"}
	}
	err = a.c.Post(setMapping, &resp, client.Var("job", job), client.Var("levels", many))
	if e := errorOf(t, err); e.Extensions["code"] != "MAPPING_INVALID" {
		t.Fatalf("501 level values: %+v", e)
	}
	ok := []map[string]any{{"value": "Atheneum-plus", "level": "vwo"}}
	if err := a.c.Post(setMapping, &resp, client.Var("job", job), client.Var("levels", ok)); err != nil {
		t.Fatalf("a normal level mapping: %v", err)
	}
}

// checkManyLevelValues checks that a level column of many distinct values lists the most frequent only.
func checkManyLevelValues(t *testing.T, a *api, schoolID int, good []byte) {
	var b strings.Builder
	b.WriteString("Stamnr;Roepnaam;Achternaam;Klas;Niveau\r\n")
	for i := range 600 {
		fmt.Fprintf(&b, "%d;Anouk;Veldhuis;1A;waarde %d\r\n", i+10, i%300)
	}
	r := a.rawUpload(schoolID, "veel.csv", []byte(b.String()))
	if len(r.Errors) > 0 {
		t.Fatalf("upload: %v", r.Errors)
	}
	values := r.Data["upload"].(map[string]any)["levelValues"].([]any)
	if len(values) == 0 || len(values) > 200 {
		t.Fatalf("%d level values listed, want 1..200", len(values))
	}
}
