package httpserver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/numo/accounts/internal/httpserver"
)

// TestCORS asks, as browsers do, whether a page of another origin may call the API with
// credentials: only an exactly listed origin (scheme included) may, it is answered with its
// own name and never "*", and without --cors-origins no origin may.
func TestCORS(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"data":{}}`)) })
	for _, c := range []struct {
		name    string
		allowed []string
		origin  string
		want    string
	}{
		{"none configured", nil, "https://evil.example", ""},
		{"none configured, even the server's look-alike", nil, "https://numo.example.nl", ""},
		{"listed", []string{"https://app.school.nl"}, "https://app.school.nl", "https://app.school.nl"},
		{"listed host over http", []string{"https://app.school.nl"}, "http://app.school.nl", ""},
		{"listed with default port", []string{"https://app.school.nl"}, "https://app.school.nl:443", "https://app.school.nl:443"},
		{"another origin", []string{"https://app.school.nl"}, "https://evil.example", ""},
		{"a longer host", []string{"https://app.school.nl"}, "https://app.school.nl.evil.example", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(httpserver.New(httpserver.Options{GraphQL: api, AllowedOrigins: c.allowed}))
			defer srv.Close()
			pre, _ := http.NewRequest(http.MethodOptions, srv.URL+"/query", nil)
			pre.Header.Set("Origin", c.origin)
			pre.Header.Set("Access-Control-Request-Method", http.MethodPost)
			pre.Header.Set("Access-Control-Request-Headers", "content-type")
			get, _ := http.NewRequest(http.MethodGet, srv.URL+"/query?query=%7B__typename%7D", nil)
			get.Header.Set("Origin", c.origin)
			for _, req := range []*http.Request{pre, get} {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				got := resp.Header.Get("Access-Control-Allow-Origin")
				if got != c.want {
					t.Fatalf("%s: Access-Control-Allow-Origin %q, want %q", req.Method, got, c.want)
				}
				if got != "" && resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
					t.Fatalf("%s: an allowed origin without credentials", req.Method)
				}
			}
		})
	}
}
