package rosterset_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/numo/accounts/internal/rosterset"
)

// testdata is the folder of the sets, relative to this package.
const testdata = "../../testdata/rosterset"

// dirInputs reads every file of a set folder as a separate upload, as the app sends them.
func dirInputs(t testing.TB, dir string) []rosterset.Input {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(testdata, dir))
	if err != nil {
		t.Fatal(err)
	}
	var in []rosterset.Input
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(testdata, dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, rosterset.Input{Name: e.Name(), Data: b})
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Name < in[j].Name })
	return in
}

// upload is one way to upload a set: file by file, or as one zip.
type upload struct {
	name string
	in   []rosterset.Input
}

// uploads are the set in the folder dir uploaded file by file and as the zip zipName.
func uploads(t testing.TB, dir, zipName string) []upload {
	files := dirInputs(t, dir)
	return []upload{{"files", files}, {"zip", []rosterset.Input{zipOf(t, zipName, files)}}}
}

// zipOf packs uploads into one zip under a folder, as "compress the export folder" does.
func zipOf(t testing.TB, name string, in []rosterset.Input) rosterset.Input {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range in {
		w, err := zw.Create("export/" + f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return rosterset.Input{Name: name, Data: buf.Bytes()}
}

// replaceIn is a copy of the uploads in whose file name the first old is replaced by new; the
// test fails when that file lacks old.
func replaceIn(t testing.TB, in []rosterset.Input, name, old, new string) []rosterset.Input {
	t.Helper()
	out := slices.Clone(in)
	for i := range out {
		if out[i].Name == name {
			if !bytes.Contains(out[i].Data, []byte(old)) {
				t.Fatalf("%s lacks %q", name, old)
			}
			out[i].Data = bytes.Replace(out[i].Data, []byte(old), []byte(new), 1)
		}
	}
	return out
}

// without is a copy of the uploads without the file name.
func without(in []rosterset.Input, name string) []rosterset.Input {
	return slices.DeleteFunc(slices.Clone(in), func(i rosterset.Input) bool { return i.Name == name })
}

// setError asserts err is a *SetError with the code.
func setError(t *testing.T, err error, code string) *rosterset.SetError {
	t.Helper()
	var se *rosterset.SetError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want *SetError %s", err, err, code)
	}
	if se.Code != code {
		t.Fatalf("code = %s, want %s (%s)", se.Code, code, se.MessageEn)
	}
	if se.Message == "" || se.MessageEn == "" {
		t.Errorf("%s: message missing: nl %q en %q", code, se.Message, se.MessageEn)
	}
	return se
}
