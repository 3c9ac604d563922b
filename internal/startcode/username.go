package startcode

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/numo/accounts/internal/apperr"
)

// DefaultPattern is the username pattern of a school that chose none: "jan.vandenberg".
const DefaultPattern = "{roepnaam}.{achternaam}"

// The placeholders of a username pattern. The Dutch words are the ones a school admin uses.
const (
	// PartEmail is the local part of the e-mail address (before the @); without an address
	// the username falls back to DefaultPattern.
	PartEmail = "{email}"
	// PartFirstName is the roepnaam.
	PartFirstName = "{roepnaam}"
	// PartInitial is the roepnaam's first letter.
	PartInitial = "{voorletter}"
	// PartLastName is the last name with its tussenvoegsel in front ("van den Berg" →
	// "vandenberg"), as the name reads.
	PartLastName = "{achternaam}"
	// PartKey is the leerlingnummer (external key).
	PartKey = "{leerlingnummer}"
)

var parts = []string{PartEmail, PartFirstName, PartInitial, PartLastName, PartKey}

// MaxBaseLen bounds the part of a username made from the pattern; a digit may follow it.
const MaxBaseLen = 60

// Person is what a username is made from.
type Person struct {
	FirstName, Infix, LastName, Email, Key string
}

// CheckPattern reports whether a pattern can make usernames: at least one placeholder, only
// known placeholders, and besides them only a-z, 0-9, dot, dash and underscore.
func CheckPattern(p string) error {
	rest, found := p, false
	for rest != "" {
		if rest[0] == '{' {
			end := strings.IndexByte(rest, '}')
			if end < 0 || !isPart(rest[:end+1]) {
				return badPattern(p, fmt.Sprintf("onbekend stuk %q", firstPart(rest)), fmt.Sprintf("unknown placeholder %q", firstPart(rest)))
			}
			found, rest = true, rest[end+1:]
			continue
		}
		if !literal(rune(rest[0])) {
			return badPattern(p, fmt.Sprintf("het teken %q mag niet in een gebruikersnaam", rest[0]),
				fmt.Sprintf("the character %q cannot be part of a username", rest[0]))
		}
		rest = rest[1:]
	}
	if !found || len(p) > 100 {
		return badPattern(p, "gebruik minstens één stuk zoals {roepnaam}, hoogstens 100 tekens",
			"use at least one placeholder such as {roepnaam}, at most 100 characters")
	}
	return nil
}

func firstPart(s string) string {
	if end := strings.IndexByte(s, '}'); end >= 0 {
		return s[:end+1]
	}
	return s
}

func isPart(s string) bool {
	for _, p := range parts {
		if p == s {
			return true
		}
	}
	return false
}

func literal(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
}

func badPattern(p, nl, en string) error {
	return apperr.New(apperr.CodeInvalidInput,
		fmt.Sprintf("Het patroon voor gebruikersnamen %q klopt niet: %s. Gebruik bijvoorbeeld {roepnaam}.{achternaam} of {email}.", p, nl),
		fmt.Sprintf("The username pattern %q is not valid: %s. Use for example {roepnaam}.{achternaam} or {email}.", p, en),
		map[string]any{"field": "usernamePattern"})
}

// Base is the username the pattern makes for a person, before it is made unique: lower case,
// accents folded (é → e, ß → ss), spaces and other characters left out. A pattern that makes
// nothing for this person (an {email} pattern without an address) falls back to
// DefaultPattern, and that failing, "leerling".
func Base(pattern string, p Person) string {
	if CheckPattern(pattern) != nil {
		pattern = DefaultPattern
	}
	if strings.Contains(pattern, PartEmail) && localPart(p.Email) == "" {
		pattern = DefaultPattern
	}
	r := strings.NewReplacer(
		PartEmail, clean(localPart(p.Email)),
		PartFirstName, clean(p.FirstName),
		PartInitial, initial(clean(p.FirstName)),
		PartLastName, clean(p.Infix+p.LastName),
		PartKey, clean(p.Key))
	s := strings.Trim(r.Replace(pattern), ".-_")
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	if len(s) > MaxBaseLen {
		s = strings.TrimRight(s[:MaxBaseLen], ".-_")
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }) {
		return "leerling"
	}
	return s
}

func localPart(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return ""
	}
	return strings.TrimSpace(email[:at])
}

func initial(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}

// special are letters that do not decompose into a base letter and a mark.
var special = strings.NewReplacer("ı", "i", "ł", "l", "ø", "o", "æ", "ae", "œ", "oe", "ß", "ss", "đ", "d", "ð", "d", "þ", "th", "ĳ", "ij")

// clean folds a name part for a username: lower case, accents off, only a-z, 0-9 and the dot,
// dash and underscore of an e-mail address's local part.
func clean(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(special.Replace(strings.ToLower(strings.TrimSpace(s)))) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case literal(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Namer hands out unique usernames within one school: the base, else the base with 2, 3, …
// appended. Taken holds every username of the school in lower case (usernames are compared
// without regard to case at sign-in).
type Namer struct {
	Pattern string
	taken   map[string]bool
}

// NewNamer starts a Namer with the school's usernames in use.
func NewNamer(pattern string, taken []string) *Namer {
	n := &Namer{Pattern: pattern, taken: make(map[string]bool, len(taken))}
	for _, t := range taken {
		n.taken[strings.ToLower(t)] = true
	}
	return n
}

// Next returns a username for p that no account of the school has, and counts it as taken.
func (n *Namer) Next(p Person) string {
	base := Base(n.Pattern, p)
	name := base
	for i := 2; n.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.taken[name] = true
	return name
}
