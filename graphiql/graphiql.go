// Package graphiql serves GraphiQL, the GraphQL explorer, at /graphiql for the API's
// integrators and admins, from the binary itself: no CDN, which many schools' networks and the
// page's Content-Security-Policy would refuse.
//
// `npm ci && npm run build` in this directory copies the browser builds of graphiql and React
// from the npm registry's packages into vendor/ (`make build` does it); vendor/.gitkeep is
// committed so that the embed compiles before, and a binary built without them says so at
// /graphiql. The page and its start script (static/) are ours.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"

	"github.com/numo/accounts/internal/auth"
)

//go:embed all:vendor
var vendor embed.FS

//go:embed static
var static embed.FS

// CSP is the page's Content-Security-Policy: scripts and styles from this server alone
// (GraphiQL sets style attributes, and its fonts are data: URLs), requests to /query only.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; " +
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var page = template.Must(template.ParseFS(static, "static/index.html"))

// file is one of GraphiQL's files, held in memory.
type file struct {
	data        []byte
	etag        string
	contentType string
}

// Explorer serves the page and its files.
type Explorer struct {
	files map[string]file
	built bool
}

// New reads the embedded files once.
func New() *Explorer {
	e := &Explorer{files: map[string]file{}}
	add := func(fsys fs.FS, dir string) {
		entries, _ := fs.ReadDir(fsys, dir)
		for _, d := range entries {
			if b, err := fs.ReadFile(fsys, path.Join(dir, d.Name())); err == nil && !d.IsDir() && d.Name() != ".gitkeep" && d.Name() != "index.html" {
				sum := sha256.Sum256(b)
				e.files[d.Name()] = file{data: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: mime.TypeByExtension(path.Ext(d.Name()))}
			}
		}
	}
	add(vendor, "vendor")
	add(static, "static")
	_, e.built = e.files["graphiql.min.js"]
	return e
}

// Built reports whether the binary holds GraphiQL's files (npm run build ran before go build).
func (e *Explorer) Built() bool { return e.built }

// Page answers GET /graphiql. Admin accounts (by their session) and API tokens get it, and so
// does a browser that is not signed in: an integrator pastes an API token into GraphiQL's
// Headers tab; the page holds no data, and /query decides what each request may read
// (introspection included: only admins and tokens when NUMO_INTROSPECTION=false). A signed-in
// teacher or pupil, or an admin who has yet to replace a one-time password, gets 403: the API
// gives them little beyond what the app shows, and the explorer is for administering
// integrations.
func (e *Explorer) Page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := auth.FromContext(r.Context())
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", CSP)
		if v != nil && !v.IsToken() && !v.IsAdminAccount() {
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(forbidden)) //nolint:errcheck // the client went away
			return
		}
		var buf bytes.Buffer
		if err := page.Execute(&buf, struct{ SignedIn, Built bool }{v != nil && !v.IsToken(), e.built}); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	})
}

const forbidden = `<!doctype html><html lang="nl"><meta charset="utf-8"><title>GraphiQL</title>
<body><h1>GraphiQL</h1><p>GraphiQL is er voor beheerders en voor koppelingen met een API-sleutel.
Log in als beheerder, of open deze pagina zonder in te loggen en plak een API-sleutel in het tabblad Headers.</p>
<p lang="en">GraphiQL is for admins and for integrations with an API token. Sign in as an admin, or open this
page without signing in and paste an API token into the Headers tab.</p></body></html>`

// Files answers GET /graphiql/{file}: GraphiQL's and React's builds and the page's script and
// style, to anyone (they are public library code), revalidated by ETag.
func (e *Explorer) Files() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := e.files[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("ETag", f.etag)
		http.ServeContent(w, r, r.PathValue("file"), time.Time{}, bytes.NewReader(f.data))
	})
}
