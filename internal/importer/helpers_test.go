package importer_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/testimport"
)

// sys is the context of test set-up: the product's own work, allowed everything.
var sys = testimport.Sys

// fixtureDir holds the invented exports described in its README.md.
const fixtureDir = "../../testdata/import"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

func mustParse(t testing.TB, data []byte) *importer.File {
	t.Helper()
	f, err := importer.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// build parses data, maps it with the proposed mapping and builds the records.
func build(t testing.TB, data []byte) *importer.Result {
	t.Helper()
	f := mustParse(t, data)
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: importer.MappingFromMatches(importer.ProposeMapping(f.Columns))})
	if err != nil {
		t.Fatalf("BuildRecords: %v", err)
	}
	return res
}

// codeLine is a problem reduced to what tests compare.
type codeLine struct {
	Line int
	Code string
}

func codeLines(ps []importer.Problem) []codeLine {
	out := make([]codeLine, len(ps))
	for i, p := range ps {
		out[i] = codeLine{p.Line, p.Code}
	}
	return out
}
