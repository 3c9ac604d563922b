package graph_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/numo/accounts/internal/testdb"
)

// TestOnerosterExportURL tries School.onerosterExportUrl as every role of the authorization
// world and downloads what it names: only the school's admin and its READ_ROSTERS token get a
// URL, and the zip from it; everyone else reads null (when they see the school at all) and
// gets 404 from the download itself.
func TestOnerosterExportURL(t *testing.T) {
	for _, kind := range testdb.Kinds {
		t.Run(kind, func(t *testing.T) {
			w := buildWorld(t, kind)
			path := "/api/schools/" + strconv.Itoa(w.ids["schoolA"]) + "/oneroster.zip"
			for _, role := range roles {
				r := w.do(t, w.callers[role], `{ schools(first: 10) { edges { node { brin onerosterExportUrl } } } }`, nil)
				var url any
				if s, ok := r.Data["schools"].(map[string]any); ok {
					for _, e := range s["edges"].([]any) {
						n := e.(map[string]any)["node"].(map[string]any)
						if n["brin"] == "01AA" {
							url = n["onerosterExportUrl"]
						}
					}
				}
				allowed := slices.Contains(rosterRead, role)
				if allowed && url != path || !allowed && url != nil || internal(r) {
					t.Errorf("%s: onerosterExportUrl %v, want allowed=%v (errors %v)", role, url, allowed, r.Errors)
				}
				req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
				w.callers[role].header(req.Header)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := map[bool]int{true: 200, false: 404}[allowed]
				if resp.StatusCode != want {
					t.Errorf("%s: download %d, want %d: %.200s", role, resp.StatusCode, want, body)
					continue
				}
				if allowed {
					if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
						t.Errorf("%s: not a zip: %v", role, err)
					}
				}
			}
		})
	}
}
