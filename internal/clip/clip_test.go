package clip_test

import (
	"testing"
	"unicode/utf8"

	"github.com/numo/accounts/internal/clip"
)

// TestClip: the result is valid UTF-8 of at most n bytes, cut at a character boundary, and
// Marked ends a cut text with "…".
func TestClip(t *testing.T) {
	for _, c := range []struct {
		s         string
		n         int
		str, mark string
	}{
		{"Mozilla", 20, "Mozilla", "Mozilla"},
		{"Mozilla", 7, "Mozilla", "Mozilla"},
		{"Mozilla/5.0", 7, "Mozilla", "Mozi…"},
		{"Zoë Jansen", 3, "Zo", "…"}, // ë is two bytes: not cut in half
		{"Zoë Jansen", 4, "Zoë", "Z…"},
		{"a\xff\xfeb", 10, "ab", "ab"}, // invalid bytes dropped
		{"€€€", 5, "€", "…"},           // € and … are three bytes each
		{"abc", 0, "", ""},
	} {
		if got := clip.String(c.s, c.n); got != c.str || !utf8.ValidString(got) || len(got) > c.n {
			t.Errorf("String(%q, %d) = %q, want %q", c.s, c.n, got, c.str)
		}
		if got := clip.Marked(c.s, c.n); got != c.mark || !utf8.ValidString(got) || len(got) > max(c.n, 0) {
			t.Errorf("Marked(%q, %d) = %q, want %q", c.s, c.n, got, c.mark)
		}
	}
}
