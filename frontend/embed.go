// Package frontend embeds the built single-page app.
//
// `npm run build` in this directory writes dist/; dist/.gitkeep is committed (and copied
// from public/ by every build), so the embed compiles before the first build too.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app with dist/ stripped, so index.html is at its root.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path; "dist" is a constant valid one.
		panic(err)
	}
	return sub
}
