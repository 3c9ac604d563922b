// Package clip cuts text to fit a column or a message without breaking UTF-8: one
// implementation for the request text (User-Agent, file and column names, sample values,
// failure messages) that every package stores.
package clip

import (
	"strings"
	"unicode/utf8"
)

// String returns s as valid UTF-8 (invalid bytes dropped: a header may carry any bytes, which
// PostgreSQL refuses) of at most n bytes, cut at a character boundary.
func String(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	return s[:boundary(s, max(n, 0))]
}

// Marked is String that ends a cut text with "…" (within the n bytes), so that the reader
// sees it was cut.
func Marked(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	const mark = "…"
	if n < len(mark) {
		return s[:boundary(s, max(n, 0))]
	}
	return s[:boundary(s, n-len(mark))] + mark
}

// boundary is the largest character boundary of s at or before n (n < len(s)).
func boundary(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
