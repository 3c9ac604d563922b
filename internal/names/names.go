// Package names folds names for comparison, the way a school means them: class "2 hv" and
// "2HV " are one class.
package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ClassKey folds a class name for comparison: NFC, lower case, no surrounding spaces and every
// run of inner white space as one space.
func ClassKey(name string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(norm.NFC.String(name), unicode.IsSpace), " "))
}

// SortKey is the key a roster sorts by: last name, then first name, compared the way a Dutch
// reader does — without regard to case or accents (Çelik between Bakker and Dijk, Böhm before
// Brouwer). The infix (tussenvoegsel) is not part of it: "van Dijk" sorts under D.
func SortKey(lastName, firstName string) string {
	return fold(lastName) + "\x1f" + fold(firstName)
}

// letters that do not decompose into a base letter and a mark.
var special = strings.NewReplacer("ı", "i", "ł", "l", "ø", "o", "æ", "ae", "œ", "oe", "ß", "ss", "đ", "d", "ð", "d", "þ", "th", "’", "'")

func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(special.Replace(strings.ToLower(s))) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
