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
