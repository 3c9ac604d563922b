package httpserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/httpserver"
	"github.com/numo/accounts/internal/testapp"
	"github.com/numo/accounts/internal/testdb"
)

// rawPost sends a POST of a 1 GiB body over a bare connection: prefix, then 'a' after 'a',
// with a Content-Length or streamed in chunks. It writes while it reads the answer, as a
// client that does not wait would, and returns the answer as soon as it arrives.
func rawPost(t *testing.T, srv *httptest.Server, path, contentType, prefix string, streamed bool) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute)) // a guard against hanging, not a measurement
	const gib = 1 << 30
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n", path, srv.Listener.Addr(), contentType)
	if streamed {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", gib)
	}
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		copy(chunk, prefix)
		for sent := 0; sent < gib; sent += len(chunk) {
			var err error
			if streamed {
				_, err = fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk)
			} else {
				_, err = conn.Write(chunk)
			}
			if err != nil {
				return // the server closed the connection: it will not read more
			}
			chunk = bytes.Repeat([]byte("a"), 32<<10)
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return resp
}

// countingServer serves h and counts the body bytes any handler read from each request.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var read atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &read}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &read
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// numo is the real server, as `numo serve` builds it.
func numo(t *testing.T) http.Handler {
	t.Helper()
	return testapp.New(t, nil, []string{"--db", testdb.URL(t, "sqlite"), "--demo=false"}, nil).Handler()
}

// TestBodyLimits sends an anonymous 1 GiB body to every kind of route, streamed (chunked,
// no Content-Length) and with its Content-Length, and expects the server to have read no more
// than the route's limit (plus 64 KiB of slack): nothing is buffered. A Content-Length over
// the limit is refused with 413 TOO_LARGE before a byte is read; a streamed body that a
// handler reads ends in 413 TOO_LARGE at the limit.
func TestBodyLimits(t *testing.T) {
	srv, read := countingServer(t, numo(t))
	for _, c := range []struct {
		name, path, contentType, prefix string
		limit                           int64
		// reads: the handler reads a streamed body, so it must end in 413.
		reads bool
	}{
		{"JSON query", "/query", "application/json", `{"query":"`, httpserver.DefaultMaxBodyBytes, true},
		{"multipart upload", "/query", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"", 20<<20 + httpserver.UploadEnvelopeBytes, true},
		// The login handler reads at most 4 KiB itself and answers 400 past that.
		{"login", "/api/login", "application/json", `{"school":"`, httpserver.MaxLoginBodyBytes, false},
		{"logout", "/api/logout", "application/json", `{"x":"`, httpserver.MaxLoginBodyBytes, false},
		{"unknown API route", "/api/nothing", "application/json", `{"x":"`, httpserver.DefaultMaxBodyBytes, false},
		{"the app", "/", "text/plain", "", httpserver.DefaultMaxBodyBytes, false},
	} {
		for _, streamed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s streamed=%v", c.name, streamed), func(t *testing.T) {
				read.Store(0)
				resp := rawPost(t, srv, c.path, c.contentType, c.prefix, streamed)
				defer resp.Body.Close()
				if got := read.Load(); got > c.limit+64<<10 || (!streamed && got != 0) {
					t.Fatalf("the server read %d bytes of the body, limit %d", got, c.limit)
				}
				if streamed && !c.reads {
					return // answered without reading all of it, which is as good
				}
				var r struct {
					Errors []struct {
						Message    string
						Extensions map[string]any
					}
				}
				if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge ||
					len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != apperr.CodeTooLarge || r.Errors[0].Extensions["messageEn"] == nil {
					t.Fatalf("answered %d %+v (%v)", resp.StatusCode, r, err)
				}
			})
		}
	}
}

// TestBodiesUnderTheLimitPass: a body under its route's limit reaches the handler whole,
// an upload may be larger than a JSON body, and a 20 KiB login is refused.
func TestBodiesUnderTheLimitPass(t *testing.T) {
	srv := httptest.NewServer(numo(t))
	t.Cleanup(srv.Close)

	// 900 KiB of JSON: the GraphQL server answers it (a refusal of its own, not 413).
	q := `{"query":"{ viewer { role } }","extensions":{"pad":"` + strings.Repeat("x", 900<<10) + `"}}`
	resp, err := http.Post(srv.URL+"/query", "application/json", strings.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		t.Fatalf("900 KiB of JSON refused as too large")
	}

	// A 3 MiB upload passes the body limit (the upload itself needs a signed-in admin).
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", `{"query":"mutation($f: Upload!) { upload(schoolId: 1, file: $f) { id } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", "leerlingen.csv")
	fw.Write(bytes.Repeat([]byte("a;b;c\n"), 3<<20/6))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/query", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Requested-With", "numo")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusRequestEntityTooLarge {
		t.Fatalf("a 3 MiB upload refused as too large")
	}

	// 20 KiB to the login is more than any sign-in needs.
	login := `{"school":"01AA","username":"a","password":"` + strings.Repeat("p", 20<<10) + `"}`
	resp, err = http.Post(srv.URL+"/api/login", "application/json", strings.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 20 KiB login answered %d", resp.StatusCode)
	}
}
