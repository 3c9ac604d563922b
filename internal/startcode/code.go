// Package startcode owns the start codes of login letters: how a code looks and is made, how
// it is stored (an argon2id hash only), until when it works, which username an account without
// one gets (a per-school pattern), and the generation for an import, a class or a selection
// with its sealed, single-use download (the codes in clear exist only inside that download).
package startcode

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the Dutch day a code expires at, also on a host without zoneinfo

	"golang.org/x/crypto/argon2"

	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/letters"
)

// Alphabet is the characters of a start code: upper-case letters and digits a pupil cannot
// confuse when copying from paper. No 0, O, 1, I or l at all; of the look-alike pairs B/8,
// S/5 and Z/2 only 5 and 2 remain. 28 characters.
const Alphabet = "ACDEFGHJKLMNPQRTUVWXY2345679"

// Groups and GroupLen shape a code: three groups of four, e.g. "KM7P-4RTA-WX3C".
// 28^12 ≈ 2^57.7 possibilities: out of reach online (sign-in is throttled), and out of reach
// offline too because the stored hash is argon2id.
const (
	Groups   = 3
	GroupLen = 4
	// Length is the number of code characters, without the dashes.
	Length = Groups * GroupLen
)

// New returns a fresh start code from crypto/rand, formatted with dashes.
func New() string {
	const limit = 256 - 256%len(Alphabet) // rejection sampling keeps every character equally likely
	b := make([]byte, 0, Length)
	buf := make([]byte, 32)
	for len(b) < Length {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("startcode: crypto/rand: %v", err)) // never on Linux; a code from a weak source is worse
		}
		for _, c := range buf {
			if int(c) < limit && len(b) < Length {
				b = append(b, Alphabet[int(c)%len(Alphabet)])
			}
		}
	}
	return format(string(b))
}

func format(raw string) string {
	var sb strings.Builder
	for i := 0; i < len(raw); i += GroupLen {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(raw[i:min(i+GroupLen, len(raw))])
	}
	return sb.String()
}

// Normalize reads a code as a pupil types it: any case, with or without dashes or spaces. It
// returns the code in its canonical form ("KM7P-4RTA-WX3C") and whether it can be a start code
// at all (a password usually cannot: then no hash is spent on it).
func Normalize(typed string) (string, bool) {
	var raw strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(Alphabet, byte(r)) >= 0:
			raw.WriteRune(r)
		default:
			return "", false
		}
	}
	if raw.Len() != Length {
		return "", false
	}
	return format(raw.String()), true
}

// argon2id parameters of a start code: lighter than a password's (auth.HashPassword, 64 MiB,
// 3 passes) because an admin makes up to MaxAccounts at once, and enough because the code is
// random (2^57.7), expires within 90 days and is replaced by the pupil's password.
const (
	hashTime    = 1
	hashMemory  = 8 * 1024
	hashThreads = 1
	hashKeyLen  = 32
)

// Hash returns the argon2id hash of a code (canonical form) in the PHC string format that
// auth.CheckPassword reads.
func Hash(code string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash start code: %w", err)
	}
	key := argon2.IDKey([]byte(code), salt, hashTime, hashMemory, hashThreads, hashKeyLen)
	return auth.FormatArgon2id(salt, key, hashMemory, hashTime, hashThreads), nil
}

// Check reports whether typed is the code of hash, in constant time. A typed value that
// cannot be a code is false without hashing.
func Check(hash, typed string) bool {
	code, ok := Normalize(typed)
	if !ok || hash == "" {
		return false
	}
	ok, err := auth.CheckPassword(hash, code)
	return err == nil && ok
}

// Dutch is the time zone a school's days are counted in.
var Dutch = mustZone("Europe/Amsterdam")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}

// MinValidDays and MaxValidDays bound a school's start_code_valid_days.
const (
	MinValidDays     = 1
	MaxValidDays     = 90
	DefaultValidDays = 14
)

// ExpiresAt is until when a code made at now works when codes are valid for days: the end of
// the Dutch day days later (a letter says "geldig tot en met 21 september"; the code works the
// whole of that day).
func ExpiresAt(now time.Time, days int) time.Time {
	d := now.In(Dutch)
	end := time.Date(d.Year(), d.Month(), d.Day()+days, 23, 59, 59, 0, Dutch)
	return end
}

// Expired reports whether a code that expires at exp no longer works at now.
func Expired(exp *time.Time, now time.Time) bool { return exp == nil || !now.Before(*exp) }

// DutchDate writes t's Dutch day as a letter says it: "21 september 2026".
func DutchDate(t time.Time) string { return letters.DutchDate(t) }
