package startcode_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/numo/accounts/internal/startcode"
)

func TestAlphabet(t *testing.T) {
	if got := len(startcode.Alphabet); got != 28 {
		t.Fatalf("alphabet has %d characters, want 28", got)
	}
	for _, c := range "0O1lIBSZ8o" {
		if strings.ContainsRune(startcode.Alphabet, c) {
			t.Errorf("alphabet holds the ambiguous %q", c)
		}
	}
	seen := map[rune]bool{}
	for _, c := range startcode.Alphabet {
		if seen[c] {
			t.Errorf("alphabet holds %q twice", c)
		}
		seen[c] = true
	}
}

func TestNewCodes(t *testing.T) {
	shape := regexp.MustCompile(`^[` + startcode.Alphabet + `]{4}-[` + startcode.Alphabet + `]{4}-[` + startcode.Alphabet + `]{4}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		c := startcode.New()
		if !shape.MatchString(c) {
			t.Fatalf("code %q is not three groups of four from the alphabet", c)
		}
		if seen[c] {
			t.Fatalf("code %q came twice in 2000", c)
		}
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			counts[r]++
		}
	}
	// 24,000 characters over 28: about 857 each; a biased modulo would show far outside this.
	for _, r := range startcode.Alphabet {
		if n := counts[r]; n < 650 || n > 1070 {
			t.Errorf("character %q came %d times in 24,000, want about 857", r, n)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		typed string
		want  string
		ok    bool
	}{
		{"KM7P-4RTA-WX3C", "KM7P-4RTA-WX3C", true},
		{"km7p4rtawx3c", "KM7P-4RTA-WX3C", true},
		{" km7p 4rta wx3c ", "KM7P-4RTA-WX3C", true},
		{"KM7P-4RTA-WX3", "", false},   // too short
		{"KM7P-4RTA-WX3CC", "", false}, // too long
		{"KM0P-4RTA-WX3C", "", false},  // 0 is not in the alphabet
		{"wachtwoord-123", "", false},  // a password
		{"KM7P-4RTA-WX3Ç", "", false},  // not ASCII
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := startcode.Normalize(tt.typed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.typed, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHashAndCheck(t *testing.T) {
	code := startcode.New()
	hash, err := startcode.Hash(code)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, code) || !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("hash %q is not an argon2id hash without the code", hash)
	}
	tests := []struct {
		typed string
		want  bool
	}{
		{code, true},
		{strings.ToLower(strings.ReplaceAll(code, "-", "")), true},
		{startcode.New(), false},
		{"", false},
		{code + "A", false},
	}
	for _, tt := range tests {
		if got := startcode.Check(hash, tt.typed); got != tt.want {
			t.Errorf("Check(%q) = %v, want %v", tt.typed, got, tt.want)
		}
	}
	if startcode.Check("", code) {
		t.Error("an empty hash accepts a code")
	}
}

func TestExpiry(t *testing.T) {
	// 7 September 2026, 10:00 in Amsterdam (summer time, UTC+2).
	now := time.Date(2026, 9, 7, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		days     int
		want     string
		wantDate string
	}{
		{1, "2026-09-08T23:59:59+02:00", "8 september 2026"},
		{14, "2026-09-21T23:59:59+02:00", "21 september 2026"},
		{90, "2026-12-06T23:59:59+01:00", "6 december 2026"}, // winter time by then
	}
	for _, tt := range tests {
		exp := startcode.ExpiresAt(now, tt.days)
		if got := exp.Format(time.RFC3339); got != tt.want {
			t.Errorf("ExpiresAt(+%d) = %s, want %s", tt.days, got, tt.want)
		}
		if got := startcode.DutchDate(exp); got != tt.wantDate {
			t.Errorf("DutchDate = %q, want %q", got, tt.wantDate)
		}
		if startcode.Expired(&exp, exp.Add(-time.Second)) || !startcode.Expired(&exp, exp) {
			t.Errorf("+%d: a code works until, not at, its expiry", tt.days)
		}
	}
	// Late in the evening in Amsterdam is already the next day in UTC terms for some zones: the
	// Dutch day counts.
	late := time.Date(2026, 9, 7, 22, 30, 0, 0, time.UTC) // 00:30 on 8 September in Amsterdam
	if got := startcode.DutchDate(startcode.ExpiresAt(late, 1)); got != "9 september 2026" {
		t.Errorf("a code made at 00:30 Dutch time on 8 September, valid 1 day: until %q, want 9 september 2026", got)
	}
	if !startcode.Expired(nil, now) {
		t.Error("a code without an expiry works")
	}
}

func TestSeal(t *testing.T) {
	h := startcode.NewHandle()
	sealed, err := startcode.Seal(h, []byte("KM7P-4RTA-WX3C"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "KM7P") {
		t.Fatal("sealed letters hold the code in clear")
	}
	plain, err := startcode.Open(h, sealed)
	if err != nil || string(plain) != "KM7P-4RTA-WX3C" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := startcode.Open(startcode.NewHandle(), sealed); err == nil {
		t.Error("another handle opens the letters")
	}
	if startcode.HandleHash(h) == h || len(startcode.HandleHash(h)) != 64 {
		t.Error("the handle hash is not a SHA-256 of the handle")
	}
}
