// Package letters renders login letters: a PDF to print and hand out (two A5 letters on each
// A4 sheet, with a cut line, every class from a new sheet) and a CSV for a mail merge. It only
// renders what it is given: making and keeping the codes is package startcode's.
package letters

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the Dutch day, also on a host without zoneinfo

	"github.com/numo/accounts/internal/sheet"
)

// Letter is one account's login letter.
type Letter struct {
	AccountID int    `json:"id"`
	FirstName string `json:"firstName"`
	Infix     string `json:"infix"`
	LastName  string `json:"lastName"`
	SortName  string `json:"sortName"`
	Email     string `json:"email"`
	Class     string `json:"class"`
	Username  string `json:"username"`
	Code      string `json:"code"`
}

// Name is the person's name as a letter says it: roepnaam, tussenvoegsel, achternaam.
func (l Letter) Name() string {
	return strings.Join(strings.Fields(l.FirstName+" "+l.Infix+" "+l.LastName), " ")
}

// Batch is the letters of one generation, with what every letter says alike.
type Batch struct {
	School string `json:"school"`
	// BRIN is the school's code, for the sign-in link of an installation with several schools.
	BRIN string `json:"brin"`
	// ValidUntil is when the codes stop working.
	ValidUntil time.Time `json:"validUntil"`
	Letters    []Letter  `json:"letters"`
}

// Sort puts the letters in the order they are handed out: by class (as a roster lists
// classes, "2a" before "10a"), then as the class list (sort name, then id).
func (b *Batch) Sort() {
	slices.SortStableFunc(b.Letters, func(x, y Letter) int {
		return cmp.Or(naturalCompare(strings.ToLower(x.Class), strings.ToLower(y.Class)),
			strings.Compare(x.SortName, y.SortName), cmp.Compare(x.AccountID, y.AccountID))
	})
}

// Classes splits the sorted letters by class.
func (b *Batch) Classes() [][]Letter {
	var out [][]Letter
	for i, l := range b.Letters {
		if i == 0 || l.Class != b.Letters[i-1].Class {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

// naturalCompare compares with runs of digits as numbers: "2a" < "10a".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// CSVHeader is the CSV's header row, in Dutch: the fields a mail merge uses.
var CSVHeader = []string{"Klas", "Roepnaam", "Tussenvoegsel", "Achternaam", "Naam", "E-mailadres", "Gebruikersnaam",
	"Startcode", "Geldig tot en met", "Inloggen op", "School"}

// WriteCSV writes the letters for a mail merge: UTF-8 with a byte order mark and semicolons
// (what Excel with Dutch settings opens as columns), one row per letter in handing-out order.
// A cell a spreadsheet would run as a formula gets a leading apostrophe.
func WriteCSV(w io.Writer, b *Batch, signInURL string) error {
	cw := sheet.NewWriter(w)
	cw.Write(CSVHeader...)
	until := DutchDate(b.ValidUntil)
	for _, l := range b.Letters {
		cw.Write(l.Class, l.FirstName, l.Infix, l.LastName, l.Name(), l.Email, l.Username, l.Code, until, signInURL, b.School)
	}
	return cw.Flush()
}

var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
	"september", "oktober", "november", "december"}

// dutch is the zone a school's days are counted in.
var dutch = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
}()

// DutchDate writes t's Dutch day as a letter says it: "21 september 2026".
func DutchDate(t time.Time) string {
	d := t.In(dutch)
	return fmt.Sprintf("%d %s %d", d.Day(), dutchMonths[d.Month()-1], d.Year())
}
