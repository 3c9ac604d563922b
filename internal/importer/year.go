package importer

import (
	"slices"
	"strconv"
	"strings"
)

// Years run from groep 1 in primary school to the sixth year of vwo; 1..8 covers both.
const (
	minYear = 1
	maxYear = 8
)

// yearWords may precede a year number in a year cell or a class name.
var yearWords = []string{"jaargroep", "leerjaar", "groep", "klas", "jaar", "year", "grade"}

// ParseYear reads the years of a pupil: from yearCell when it is not empty ("3",
// "1/2", "1-2", "groep 5"), otherwise from the leading number of className ("2B",
// "H3a", "groep 7a"). Years are sorted, distinct and within 1..8.
func ParseYear(yearCell, className string) (years []int, ok bool) {
	if c := strings.TrimSpace(yearCell); c != "" {
		if ys, ok := parseYearCell(c); ok {
			return ys, true
		}
		if y, ok := YearFromStudieCode(c); ok {
			return []int{y}, true
		}
		return nil, false
	}
	return yearsFromClass(className)
}

// parseYearCell reads "3", "3e", "1/2", "1-2", "6-8", "1 en 2" or "groep 5".
func parseYearCell(c string) ([]int, bool) {
	s := stripYearWord(strings.ToLower(c))
	var nums []int
	ranged := false
	for i := 0; i < len(s); {
		switch ch := s[i]; {
		case isDigit(ch):
			n, j, ok := yearAt(s, i)
			if !ok {
				return nil, false
			}
			nums = append(nums, n)
			i = j
			for _, suf := range []string{"ste", "de", "e"} { // ordinals: "1ste", "2de", "3e"
				if strings.HasPrefix(s[i:], suf) {
					i += len(suf)
					break
				}
			}
		case ch == '-':
			ranged = true
			i++
		case ch == '/' || ch == ',' || ch == '&' || ch == '+' || ch == ' ':
			i++
		case strings.HasPrefix(s[i:], "en "):
			i += len("en ")
		default:
			return nil, false
		}
	}
	if len(nums) == 0 {
		return nil, false
	}
	if ranged && len(nums) == 2 && nums[1] > nums[0] {
		// "6-8" is a combined group 6, 7 and 8
		lo, hi := nums[0], nums[1]
		nums = nums[:0]
		for y := lo; y <= hi; y++ {
			nums = append(nums, y)
		}
	}
	slices.Sort(nums)
	return slices.Compact(nums), true
}

// yearsFromClass reads the leading year of a class name: "2B", "H3a", "hv1a",
// "4havo", "groep 7a", "1/2b". At most four letters may precede the number so
// that names such as "Tijgers 2" are not read as a year.
func yearsFromClass(class string) ([]int, bool) {
	s := strings.TrimSpace(stripYearWord(strings.ToLower(strings.TrimSpace(class))))
	i := 0
	for i < len(s) && 'a' <= s[i] && s[i] <= 'z' {
		i++
	}
	if i > 4 {
		return nil, false
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '-' || s[i] == '.') && i > 0 {
		i++
	}
	y, j, ok := yearAt(s, i)
	if !ok {
		return nil, false
	}
	years := []int{y}
	// combined groups are written "1/2a" or "groep 7/8"
	if j+1 < len(s) && s[j] == '/' && isDigit(s[j+1]) {
		y2, _, ok := yearAt(s, j+1)
		if !ok {
			return nil, false
		}
		years = append(years, y2)
		slices.Sort(years)
		years = slices.Compact(years)
	}
	return years, true
}

// YearFromStudieCode reads the year out of a Magister study code or a level
// with a year number: "HV1" -> 1, "4 havo" -> 4, "groep 5" -> 5.
func YearFromStudieCode(code string) (int, bool) {
	_, digits, ok := parseLevel(code)
	if !ok || digits == "" {
		return 0, false
	}
	return yearNumber(digits)
}

// yearAt reads the run of digits of s that starts at i as a year (see yearNumber); end is
// where the run stops.
func yearAt(s string, i int) (year, end int, ok bool) {
	end = i
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	year, ok = yearNumber(s[i:end])
	return year, end, ok
}

// yearNumber parses a run of digits as a year within 1..8.
func yearNumber(digits string) (int, bool) {
	if digits == "" || len(digits) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < minYear || n > maxYear {
		return 0, false
	}
	return n, true
}

// stripYearWord removes one leading word such as "groep" or "leerjaar".
func stripYearWord(s string) string {
	for _, w := range yearWords {
		if rest, ok := strings.CutPrefix(s, w); ok {
			if rest == "" || rest[0] == ' ' || isDigit(rest[0]) {
				return strings.TrimLeft(rest, " ")
			}
		}
	}
	return s
}
