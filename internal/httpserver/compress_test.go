package httpserver_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/zstd"

	"github.com/numo/accounts/frontend"
	"github.com/numo/accounts/internal/httpserver"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPrecompressedAssets: a file with .br and .gz siblings from the build goes out as the
// variant the request's Accept-Encoding prefers (brotli first), with Vary, the original's
// Content-Type and an ETag per variant; conditional requests, HEAD and ranges still work (a
// range gets the plain file); the siblings are not files of their own.
func TestPrecompressedAssets(t *testing.T) {
	js := []byte(strings.Repeat("console.log('numo');\n", 100))
	h := httpserver.New(httpserver.Options{
		GraphQL: http.NotFoundHandler(),
		SPA: fstest.MapFS{
			"index.html":                {Data: []byte("<!doctype html><title>Numo</title>")},
			"assets/index-3f9a1c.js":    {Data: js},
			"assets/index-3f9a1c.js.br": {Data: []byte("brotli bytes")},
			"assets/index-3f9a1c.js.gz": {Data: gz(t, js)},
			"favicon.svg":               {Data: []byte("<svg/>")},
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	const asset = "/assets/index-3f9a1c.js"
	etags := map[string]string{}
	for _, c := range []struct {
		name, method, path, accept, rng string
		status                          int
		encoding, body                  string // body "": none; "gzip": the gzip of js; "js": js
	}{
		{"no Accept-Encoding", "GET", asset, "", "", 200, "", "js"},
		{"identity", "GET", asset, "identity", "", 200, "", "js"},
		{"gzip", "GET", asset, "gzip", "", 200, "gzip", "gzip"},
		{"a browser", "GET", asset, "gzip, deflate, br, zstd", "", 200, "br", "brotli bytes"},
		{"br refused", "GET", asset, "br;q=0, gzip;q=0.8", "", 200, "gzip", "gzip"},
		{"everything refused", "GET", asset, "gzip;q=0, br;q=0", "", 200, "", "js"},
		{"wildcard", "GET", asset, "*", "", 200, "br", "brotli bytes"},
		{"HEAD", "HEAD", asset, "br", "", 200, "br", ""},
		{"range", "GET", asset, "gzip, br", "bytes=0-6", 206, "", "console"},
		{"file without variants", "GET", "/favicon.svg", "gzip, br", "", 200, "", "<svg/>"},
		{"a sibling asked for itself", "GET", asset + ".br", "br", "", 404, "", "not found"},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		if c.rng != "" {
			req.Header.Set("Range", c.rng)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		body := rec.Body.Bytes()
		switch {
		case res.StatusCode != c.status || res.Header.Get("Content-Encoding") != c.encoding:
			t.Errorf("%s: %d %q, want %d %q", c.name, res.StatusCode, res.Header.Get("Content-Encoding"), c.status, c.encoding)
		case c.body == "gzip" && gunzip(t, body) != string(js),
			c.body == "js" && !bytes.Equal(body, js),
			c.body != "gzip" && c.body != "js" && !strings.Contains(string(body), c.body):
			t.Errorf("%s: body %.40q, want %q", c.name, body, c.body)
		case c.method == "HEAD" && (len(body) != 0 || res.Header.Get("Content-Length") != "12"):
			t.Errorf("%s: body %d bytes, Content-Length %q", c.name, len(body), res.Header.Get("Content-Length"))
		}
		if c.status == 404 {
			continue
		}
		vary := strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding")
		if want := c.path == asset; vary != want {
			t.Errorf("%s: Vary %q, want Accept-Encoding: %v", c.name, res.Header.Values("Vary"), want)
		}
		if c.path == asset && (res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
			res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("ETag") == "") {
			t.Errorf("%s: headers %v", c.name, res.Header)
		}
		etags[c.encoding] = res.Header.Get("ETag")
	}
	if len(etags) != 3 || etags[""] == etags["br"] || etags["br"] == etags["gzip"] {
		t.Errorf("ETags per encoding: %v; want three different ones", etags)
	}
	// A revalidation with the variant's ETag is answered 304 without a body.
	req := httptest.NewRequest("GET", asset, nil)
	req.Header.Set("Accept-Encoding", "br")
	req.Header.Set("If-None-Match", etags["br"])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d with %d bytes", rec.Code, rec.Body.Len())
	}
}

// TestCompressedAPI: GraphQL and API answers are compressed on the fly (zstd or gzip, as the
// client asks) with Vary; tiny answers and answers that carry a Content-Encoding already are
// left alone; a websocket on /query still works.
// compressBig is the large answer the server of TestCompressedAPI sends.
var compressBig = `{"data":{"classes":[` + strings.Repeat(`{"name":"3HV1","pupils":30},`, 200) + `{}]}}`

// compressServer serves compressBig over /query (HTTP and websocket), a tiny answer at
// /api/small and an answer compressed by its handler at /api/zipped.
func compressServer(t *testing.T) *httptest.Server {
	t.Helper()
	big := compressBig
	h := httpserver.New(httpserver.Options{
		GraphQL: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Upgrade") != "" {
				c, err := websocket.Accept(w, r, nil)
				if err != nil {
					return
				}
				defer c.CloseNow()
				c.Write(r.Context(), websocket.MessageText, []byte(big))
				c.Close(websocket.StatusNormalClosure, "")
				return
			}
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, big)
		}),
		Routes: map[string]http.Handler{
			"GET /api/small": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"ok":true}`)
			}),
			"GET /api/zipped": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/csv")
				w.Header().Set("Content-Encoding", "gzip")
				w.Write(gz(t, []byte(big)))
			}),
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// decoded is body decoded from encoding ("" for none).
func decoded(t *testing.T, encoding string, body []byte) string {
	t.Helper()
	switch encoding {
	case "gzip":
		return gunzip(t, body)
	case "zstd":
		d, _ := zstd.NewReader(nil)
		out, err := d.DecodeAll(body, nil)
		if err != nil {
			t.Fatalf("not zstd: %v", err)
		}
		return string(out)
	}
	return string(body)
}

func TestCompressedAPI(t *testing.T) {
	big := compressBig
	srv := compressServer(t)
	for _, c := range []struct {
		name, method, path, accept, encoding string
	}{
		{"GraphQL, gzip", "POST", "/query", "gzip", "gzip"},
		{"GraphQL, a browser", "POST", "/query", "gzip, deflate, br, zstd", "zstd"},
		{"GraphQL, brotli only", "POST", "/query", "br", ""},
		{"GraphQL, nothing accepted", "POST", "/query", "", ""},
		{"a tiny answer", "GET", "/api/small", "gzip, zstd", ""},
		{"compressed already", "GET", "/api/zipped", "gzip, zstd", "gzip"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(`{"query":"{ x }"}`))
		req.Header.Set("Accept-Encoding", c.accept) // set by hand: the transport then does not decompress
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := res.Header.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", c.name, got, c.encoding)
			continue
		}
		plain := decoded(t, c.encoding, body)
		if c.path != "/api/small" && plain != big {
			t.Errorf("%s: body %.60q (%d bytes)", c.name, plain, len(body))
		}
		if c.path == "/query" && c.encoding != "" && (len(body) > len(big)/4 || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding")) {
			t.Errorf("%s: %d of %d bytes, Vary %q", c.name, len(body), len(big), res.Header.Values("Vary"))
		}
	}
}

// TestWebsocketPassesCompression checks that a websocket upgrade asking for compressed
// answers goes past the compression untouched.
func TestWebsocketPassesCompression(t *testing.T) {
	big := compressBig
	srv := compressServer(t)
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/query",
		&websocket.DialOptions{HTTPHeader: http.Header{"Accept-Encoding": {"gzip, zstd"}}})
	if err != nil {
		t.Fatalf("websocket through the compression: %v", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	if _, msg, err := conn.Read(ctx); err != nil || string(msg) != big {
		t.Errorf("websocket message: %v, %d bytes", err, len(msg))
	}
}

// TestFirstLoadSize measures the app's first load as built into the binary (frontend/dist):
// index.html and the scripts and styles it names, as a browser that accepts brotli and gzip
// receives them, must stay under 350 KB. It skips when the app is not built.
func TestFirstLoadSize(t *testing.T) {
	dist := frontend.Dist()
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		t.Skip("the app is not built (cd frontend && npm run build)")
	}
	h := httpserver.New(httpserver.Options{GraphQL: http.NotFoundHandler(), SPA: dist, Logger: slog.New(slog.DiscardHandler)})
	paths := []string{"/"}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllSubmatch(index, -1) {
		paths = append(paths, string(m[1]))
	}
	if len(paths) < 3 {
		t.Fatalf("index.html names %v; want its script and styles", paths[1:])
	}
	const limit = 350 * 1000
	for _, accept := range []string{"gzip, deflate, br, zstd", "gzip", ""} {
		total := 0
		for _, p := range paths {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Accept-Encoding", accept)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("%s: %d", p, rec.Code)
			}
			total += rec.Body.Len()
		}
		t.Logf("first load (%d files) with Accept-Encoding %q: %d bytes", len(paths), accept, total)
		if accept != "" && total >= limit {
			t.Errorf("first load with Accept-Encoding %q: %d bytes; want under %d", accept, total, limit)
		}
	}
}
