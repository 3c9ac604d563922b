package httpserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// The app's files are compressed when it is built (frontend/vite.config.ts writes x.js.br and
// x.js.gz beside x.js): a request for x.js gets the smallest variant its Accept-Encoding
// allows, with Vary: Accept-Encoding, the original's Content-Type and an ETag of the variant.
// A Range request gets the plain file, whose byte offsets are what a client that resumes a
// download means.

// notApp are the path prefixes that are never a route of the app: the SPA's catch-all answers
// them 404 instead of index.html with 200, so a probe, a scraper or a mistyped API address
// gets an honest answer (/metrics is served only when the operator turned it on, /debug/ only
// on NUMO_DEBUG_PPROF's own address, /api/ has its JSON 404 in httpserver.go). A path with a
// file extension that is not a file of the app is 404 too (spaHandler).
var notApp = []string{"/metrics", "/debug/", "/query/", "/graphiql/", "/healthz/", "/readyz/", "/.well-known/"}

// isNotApp reports whether the cleaned path p (with its leading slash) is under notApp; the
// entries without a trailing slash match the exact path and anything below it.
func isNotApp(p string) bool {
	for _, prefix := range notApp {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, strings.TrimSuffix(prefix, "/")+"/") {
			return true
		}
	}
	return false
}

// encodings are the precompressed variants, best first: the file suffix and its coding.
var encodings = []struct{ suffix, coding string }{{".br", "br"}, {".gz", "gzip"}}

// asset is one file of the app with its precompressed variants.
type asset struct {
	contentType string
	plain       variant
	compressed  map[string]variant // by coding
}

// variant is one representation of an asset, held in memory (the app is embedded anyway).
type variant struct {
	data []byte
	etag string
}

// assets reads every file of the app once; *.br and *.gz siblings become variants of their
// file, not files of their own.
func assets(dist fs.FS) map[string]*asset {
	all := map[string][]byte{}
	fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error { //nolint:errcheck // an unreadable file is not served
		if err == nil && !d.IsDir() {
			if b, err := fs.ReadFile(dist, p); err == nil {
				all[p] = b
			}
		}
		return nil
	})
	out := map[string]*asset{}
	for p, b := range all {
		if sibling(p, all) {
			continue
		}
		a := &asset{contentType: mime.TypeByExtension(path.Ext(p)), plain: newVariant(b, ""), compressed: map[string]variant{}}
		if a.contentType == "" {
			a.contentType = http.DetectContentType(b)
		}
		for _, e := range encodings {
			if c, ok := all[p+e.suffix]; ok {
				a.compressed[e.coding] = newVariant(c, "-"+e.coding)
			}
		}
		out[p] = a
	}
	return out
}

// sibling reports whether p is a precompressed variant of another file.
func sibling(p string, all map[string][]byte) bool {
	for _, e := range encodings {
		if base, ok := strings.CutSuffix(p, e.suffix); ok {
			if _, ok := all[base]; ok {
				return true
			}
		}
	}
	return false
}

func newVariant(b []byte, suffix string) variant {
	sum := sha256.Sum256(b)
	return variant{data: b, etag: `"` + hex.EncodeToString(sum[:12]) + suffix + `"`}
}

// serve answers a GET or HEAD of the asset (conditional and range requests included).
func (a *asset) serve(w http.ResponseWriter, r *http.Request, name string) {
	h := w.Header()
	v := a.plain
	if len(a.compressed) > 0 {
		h.Add("Vary", "Accept-Encoding")
		if r.Header.Get("Range") == "" {
			if coding, ok := negotiate(r.Header.Get("Accept-Encoding"), a.compressed); ok {
				v = a.compressed[coding]
				h.Set("Content-Encoding", coding)
				// ServeContent leaves the length out under a Content-Encoding; the
				// variant is whole (ranges get the plain file), so its length is known.
				h.Set("Content-Length", strconv.Itoa(len(v.data)))
			}
		}
	}
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", v.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(v.data))
}

// negotiate picks the first of encodings that the Accept-Encoding header accepts (q > 0,
// by name or by "*") and that the asset has.
func negotiate(header string, have map[string]variant) (string, bool) {
	if header == "" {
		return "", false
	}
	accepted := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
		}
		accepted[strings.ToLower(strings.TrimSpace(name))] = q > 0
	}
	for _, e := range encodings {
		ok, named := accepted[e.coding]
		if !named {
			ok = accepted["*"]
		}
		if _, have := have[e.coding]; ok && have {
			return e.coding, true
		}
	}
	return "", false
}
