package apperr_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// root is the repository's root, seen from this package's directory.
const root = "../.."

// stringConsts returns the string constants of a Go file whose names start with prefix.
func stringConsts(t *testing.T, path, prefix string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, prefix) || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out[v] = n.Name
				}
			}
		}
	}
	return out
}

// docTable returns the first column of the table under heading in docs/errors.md, without
// backquotes.
func docTable(t *testing.T, heading string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("docs/errors.md has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	out := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		if out[m[1]] {
			t.Errorf("docs/errors.md lists %s twice", m[1])
		}
		out[m[1]] = true
	}
	return out
}

func compare(t *testing.T, what string, declared map[string]string, listed map[string]bool) {
	t.Helper()
	for _, code := range slices.Sorted(maps.Keys(declared)) {
		if !listed[code] {
			t.Errorf("%s %s (%s) is declared but not listed in docs/errors.md", what, code, declared[code])
		}
	}
	for _, code := range slices.Sorted(maps.Keys(listed)) {
		if _, ok := declared[code]; !ok {
			t.Errorf("docs/errors.md lists %s %s, which is not declared", what, code)
		}
	}
}

// TestDocListsEveryCode keeps docs/errors.md and the declared codes in step: every Code
// constant of apperr is a row of the Codes table and every row is such a constant; likewise
// the importer's problem codes (and apperr's Problem constants) and the Problem codes table.
func TestDocListsEveryCode(t *testing.T) {
	codes := stringConsts(t, "apperr.go", "Code")
	if len(codes) < 20 {
		t.Fatalf("found only %d codes in apperr.go", len(codes))
	}
	compare(t, "code", codes, docTable(t, "Codes"))

	problems := stringConsts(t, filepath.Join(root, "internal", "importer", "problem.go"), "Code")
	maps.Copy(problems, stringConsts(t, "apperr.go", "Problem"))
	if len(problems) < 20 {
		t.Fatalf("found only %d problem codes", len(problems))
	}
	compare(t, "problem code", problems, docTable(t, "Problem codes"))
}

// screamingCase is what an extensions.code looks like.
var screamingCase = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{3,}$`)

// TestCodesDeclaredOnlyInApperr walks the hand-written Go and refuses a code written as a
// literal outside this package: a Code… constant with a literal value, a "code": "…" map
// entry, or apperr.New with a literal code. Generated code (ent/, graph/generated.go,
// graph/model) and tests are left out.
func TestCodesDeclaredOnlyInApperr(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "ent", "frontend", "node_modules", ".git", filepath.Join("graph", "model"), filepath.Join("internal", "apperr"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "generated.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil // another engineer's file in the middle of an edit; the build catches it
		}
		literal := func(e ast.Expr) (string, bool) {
			lit, ok := e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return "", false
			}
			v, _ := strconv.Unquote(lit.Value)
			return v, screamingCase.MatchString(v)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) && strings.HasPrefix(name.Name, "Code") {
						if v, ok := literal(n.Values[i]); ok {
							t.Errorf("%s: %s = %q: declare the code in apperr", fset.Position(name.Pos()), name.Name, v)
						}
					}
				}
			case *ast.KeyValueExpr:
				if k, _ := n.Key.(*ast.BasicLit); k != nil && k.Value == `"code"` {
					if v, ok := literal(n.Value); ok {
						t.Errorf("%s: \"code\": %q: use the apperr constant", fset.Position(n.Pos()), v)
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "New" && len(n.Args) == 4 {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" {
						if v, ok := literal(n.Args[0]); ok {
							t.Errorf("%s: apperr.New(%q, …): use the apperr constant", fset.Position(n.Pos()), v)
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
