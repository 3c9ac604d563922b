package rosterset_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/rosterset"
)

// rawZip builds a zip from entry names and contents.
func rawZip(t testing.TB, entries map[string][]byte) rosterset.Input {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range entries {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return rosterset.Input{Name: "set.zip", Data: buf.Bytes()}
}

// TestOpenZipLimits refuses zips that are damaged, too large, inflate like a bomb or try to
// escape their folder, and ignores what is not a CSV of the set.
func TestOpenZipLimits(t *testing.T) {
	many := map[string][]byte{}
	for i := range rosterset.MaxZipEntries + 1 {
		many[fmt.Sprintf("f%d.csv", i)] = []byte("a\n")
	}
	cases := []struct {
		name     string
		in       rosterset.Input
		code     string
		contains string
	}{
		{"not a zip", rosterset.Input{Name: "set.zip", Data: []byte("PK\x03\x04 this is no zip")}, rosterset.CodeBadZip, "geen leesbaar zip-bestand"},
		{"too many entries", rawZip(t, many), rosterset.CodeTooLarge, "te groot"},
		{"path traversal", rawZip(t, map[string][]byte{"../users.csv": []byte("sourcedId\n")}), rosterset.CodeBadZip, "onveilige bestandsnaam"},
		{"absolute path", rawZip(t, map[string][]byte{"/etc/users.csv": []byte("sourcedId\n")}), rosterset.CodeBadZip, "onveilige bestandsnaam"},
		{"zip bomb", rawZip(t, map[string][]byte{"users.csv": bytes.Repeat([]byte{'0'}, 20<<20)}), rosterset.CodeTooLarge, "uitpakken"},
		{"only other files", rawZip(t, map[string][]byte{"readme.txt": []byte("hallo"), "__MACOSX/._users.csv": []byte("x")}), rosterset.CodeUnknownFormat, "herkent hier geen set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rosterset.Open([]rosterset.Input{c.in}, "")
			se := setError(t, err, c.code)
			if !strings.Contains(se.Message, c.contains) {
				t.Errorf("message %q lacks %q", se.Message, c.contains)
			}
		})
	}
}

// FuzzOpenZip feeds Open arbitrary zips: it must answer a Set or a *SetError, never panic.
// The seeds are the valid sets; CI runs only the seeds (go test without -fuzz).
func FuzzOpenZip(f *testing.F) {
	for _, dir := range []string{"oneroster12", "oneroster11", "sds1", "sds21", "damaged/oneroster12-dangling"} {
		f.Add(zipOf(f, "set.zip", dirInputs(f, dir)).Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := rosterset.Open([]rosterset.Input{{Name: "set.zip", Data: data}}, "")
		var se *rosterset.SetError
		switch {
		case err != nil && !errors.As(err, &se):
			t.Fatalf("error %v (%T) is not a *SetError", err, err)
		case err == nil && (s == nil || len(s.PupilOrigins) != bytes.Count(s.Pupils, []byte("\n"))-1):
			t.Fatalf("set without matching origins: %+v", s)
		}
	})
}
