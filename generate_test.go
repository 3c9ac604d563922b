package accounts_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent runs `go generate ./...` on a copy of the module and fails when
// that changes or adds any file: generated code must be regenerated and committed with the
// schema change that causes it.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates all code: skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	before := map[string][]byte{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch p {
			case ".git", "bin", "frontend", "testdata", ".ci", "scripts":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, p), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		// Every file goes along (a package's //go:embed files must be there for it to
		// compile, e.g. the letters' fonts); only the code and schema files are compared.
		if strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".graphql") ||
			p == "go.mod" || p == "go.sum" || p == "gqlgen.yml" {
			before[p] = b
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy module: %v", err)
	}
	// The copy has no frontend/: give the embed package an empty dist so it still compiles.
	os.MkdirAll(filepath.Join(dir, "frontend", "dist"), 0o755)
	os.WriteFile(filepath.Join(dir, "frontend", "dist", ".gitkeep"), nil, 0o644)
	if b, err := os.ReadFile("frontend/embed.go"); err == nil {
		os.WriteFile(filepath.Join(dir, "frontend", "embed.go"), b, 0o644)
		before["frontend/embed.go"] = b
	}

	cmd := exec.Command("go", "generate", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go generate ./...: %v\n%s", err, out)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if !strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, ".graphql") && rel != "go.mod" && rel != "go.sum" {
			return nil
		}
		after, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		old, ok := before[rel]
		switch {
		case !ok:
			t.Errorf("go generate ./... creates %s, which is not committed", rel)
		case !bytes.Equal(old, after):
			t.Errorf("go generate ./... changes %s: run it and commit the result", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
