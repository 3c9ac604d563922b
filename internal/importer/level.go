package importer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Level is a canonical Dutch school type or combined class type.
type Level string

// The canonical levels, from primary school to pre-university.
const (
	LevelPO         Level = "po"           // primary school (basisonderwijs)
	LevelPRO        Level = "pro"          // praktijkonderwijs
	LevelVMBOB      Level = "vmbo-b"       // vmbo basisberoepsgerichte leerweg
	LevelVMBOK      Level = "vmbo-k"       // vmbo kaderberoepsgerichte leerweg
	LevelVMBOGT     Level = "vmbo-gt"      // vmbo gemengde/theoretische leerweg (mavo)
	LevelHAVO       Level = "havo"         // havo
	LevelVWO        Level = "vwo"          // vwo, atheneum and gymnasium
	LevelVMBOBK     Level = "vmbo-b/k"     // combined basis/kader class
	LevelVMBOKGT    Level = "vmbo-k/gt"    // combined kader/mavo class
	LevelVMBOGTHAVO Level = "vmbo-gt/havo" // combined mavo/havo class
	LevelHAVOVWO    Level = "havo/vwo"     // combined havo/vwo class
)

var levels = []Level{
	LevelPO, LevelPRO, LevelVMBOB, LevelVMBOK, LevelVMBOGT, LevelHAVO, LevelVWO,
	LevelVMBOBK, LevelVMBOKGT, LevelVMBOGTHAVO, LevelHAVOVWO,
}

// Levels lists every canonical Level from primary school upwards, combinations last.
func Levels() []Level { return append([]Level(nil), levels...) }

// How schools write levels. Pupil administrations export a pupil's level as a free text the
// school set up itself, so the same level comes in many spellings. What is recognised, and
// where each spelling comes from (2026-12); TestExportSpellings holds every one of them:
//
//	Magister, column "Studie" (the school's own study names, usually year + type or a code),
//	as seen in the exports behind issue 12 (Magister's own documentation is not public):
//	  "1 mavo/havo", "havo 4", "vwo 5 gymnasium", "4 havo", "BB 3", "KB 4", "GT 2",
//	  "basisberoepsgerichte leerweg", "kaderberoepsgerichte leerweg", "gemengde leerweg",
//	  "theoretische leerweg", and codes with the year: "HV1", "MH1", "BK1", "H4", "V5",
//	  "A5" (atheneum), "G6" (gymnasium), "AG2" (atheneum/gymnasium), "M2", "T1", "B2", "K3";
//	  two-letter codes: "KT" (kader/tl), "TH" (tl/havo, read like "MH"), "GT", "HA" (havo),
//	  "AT" (atheneum), "GY" (gymnasium), "VW" (vwo).
//	Somtoday, column "Opleiding" (the opleiding's name, often with the year), as in those
//	  exports: "HAVO 4", "Atheneum 5", "Gymnasium 1", "VMBO GL/TL 3", "VMBO basis 2",
//	  "VMBO kader 3", "Praktijkonderwijs", "Tweetalig VWO 1", "tto havo".
//	Brugklassen (combined first years), as words and as codes: "Brugklas mavo/havo 1",
//	  "HAVO/VWO 2", "brugklas vmbo-b/k", "Brugjaar havo/vwo", "mavo/havo 1", "MH1", "HV2",
//	  "BK1"; "brugklas mavo/havo" and "brugklas havo/vwo" also in public school software, and
//	  "mavo-havo" dakpanklassen in Onderwijsblad (onderwijsblad.nl, "Brugklas mavo-havo keert terug").
//	Other school software and forms in public repositories (found with the search tool):
//	  "VMBO BL/KL", "VMBO GL/TL", "Vmbo-bb", "Vmbo-kb", "Vmbo-gl", "Vmbo-tl", "Tl-Havo",
//	  "Havo/vwo", "TTO havo", "TTO vwo", "TTO gymnasium", "VMBO Basis", "VMBO Kader", "VMBO TL",
//	  "VMBO basisberoepsgericht", "VMBO kaderberoepsgericht", "VMBO_BB_KB", "VMBO_GL_TL",
//	  "VMBO Basis Kader", "VMBO Gemengd Theoretisch", "VMBO Theoretisch & Gemengd",
//	  "Praktijk Onderwijs", "vmbo basis-kaderberoeps", "Vmbo theoretische-gemengde leerweg".
//	CBS (cbs.nl, "Onderwijsniveaus"): "Vmbo-b", "Vmbo-k", "Vmbo-gt", "Pro", "Havo", "Vwo",
//	  Numo's canonical levels.
//
// What is deliberately not guessed: "vmbo" alone (which leerweg?), "ISK" (internationale
// schakelklas), "technasium", "lyceum", "vso", a lone letter ("h", "g"), three-way
// brugklassen ("mavo/havo/vwo": no Numo level) and values with two numbers ("1HV2"). Those,
// and every other value Numo does not know, are listed for the admin to map.

// levelWords are spellings (after levelTokens, the words joined, without the year number and
// the levelNoise words) that name a level on their own.
var levelWords = map[string]Level{
	"po": LevelPO, "basisonderwijs": LevelPO, "basisschool": LevelPO, "bao": LevelPO,
	"groep": LevelPO, "jaargroep": LevelPO, "primaironderwijs": LevelPO,

	"pro": LevelPRO, "pr": LevelPRO, "praktijkonderwijs": LevelPRO,

	"basis": LevelVMBOB, "bb": LevelVMBOB, "bbl": LevelVMBOB, "basisberoeps": LevelVMBOB,
	"basisberoepsgerichteleerweg": LevelVMBOB, "basisberoepsgericht": LevelVMBOB,
	"basisberoepsgerichte": LevelVMBOB,

	"kader": LevelVMBOK, "kb": LevelVMBOK, "kbl": LevelVMBOK, "kaderberoeps": LevelVMBOK,
	"kaderberoepsgerichteleerweg": LevelVMBOK, "kaderberoepsgericht": LevelVMBOK,
	"kaderberoepsgerichte": LevelVMBOK,

	"mavo": LevelVMBOGT, "tl": LevelVMBOGT, "gl": LevelVMBOGT, "gltl": LevelVMBOGT, "gt": LevelVMBOGT,
	"theoretischeleerweg": LevelVMBOGT, "gemengdeleerweg": LevelVMBOGT, "theoretisch": LevelVMBOGT,
	"theoretische": LevelVMBOGT, "gemengd": LevelVMBOGT, "gemengde": LevelVMBOGT,
	"gemengdtheoretisch": LevelVMBOGT, "theoretischgemengd": LevelVMBOGT,
	"gemengdetheoretischeleerweg": LevelVMBOGT, "theoretischegemengdeleerweg": LevelVMBOGT,
	"gemengdeentheoretischeleerweg": LevelVMBOGT, "tlgl": LevelVMBOGT,

	"bk": LevelVMBOBK, "bbkb": LevelVMBOBK, "basiskader": LevelVMBOBK, "bkl": LevelVMBOBK,
	"bblkbl": LevelVMBOBK, "basiskaderberoeps": LevelVMBOBK, "basiskaderberoepsgericht": LevelVMBOBK,

	"kgt": LevelVMBOKGT, "kadermavo": LevelVMBOKGT, "ktl": LevelVMBOKGT, "kbtl": LevelVMBOKGT,
	"kbgt": LevelVMBOKGT, "kadertl": LevelVMBOKGT, "kbgl": LevelVMBOKGT, "kt": LevelVMBOKGT,
	"kbgltl": LevelVMBOKGT,

	"mavohavo": LevelVMBOGTHAVO, "tlhavo": LevelVMBOGTHAVO, "gthavo": LevelVMBOGTHAVO,
	"mh": LevelVMBOGTHAVO, "th": LevelVMBOGTHAVO,

	"havo": LevelHAVO, "ha": LevelHAVO,

	"hv": LevelHAVOVWO, "havovwo": LevelHAVOVWO, "havoatheneum": LevelHAVOVWO,

	"vwo": LevelVWO, "vwoplus": LevelVWO, "atheneum": LevelVWO, "gymnasium": LevelVWO, "ath": LevelVWO,
	"gym": LevelVWO, "at": LevelVWO, "gy": LevelVWO, "vw": LevelVWO,
}

// vmboParts are what may follow "vmbo" in spellings like "vmbo-kb", "VMBO BL/KL" or
// "vmbo-gl/tl" (besides the vmbo levelWords).
var vmboParts = map[string]Level{
	"b": LevelVMBOB, "bl": LevelVMBOB, "k": LevelVMBOK, "kl": LevelVMBOK, "g": LevelVMBOGT,
	"t": LevelVMBOGT, "bk": LevelVMBOBK, "blkl": LevelVMBOBK, "kt": LevelVMBOKGT,
}

// studieCodes are Magister study-code letters that only count as a level when a
// year digit goes with them ("H4", "V5", "BB2"): a lone "h" or "g" is too vague.
var studieCodes = map[string]Level{
	"h": LevelHAVO, "v": LevelVWO, "a": LevelVWO, "g": LevelVWO, "ag": LevelVWO,
	"b": LevelVMBOB, "k": LevelVMBOK, "m": LevelVMBOGT, "t": LevelVMBOGT,
}

// levelNoise are words that do not change the level: "Brugklas mavo/havo 1" is mavo/havo,
// "Tweetalig VWO" and "tto havo" are vwo and havo, "BB lwoo" is basis.
var levelNoise = map[string]bool{
	"brugklas": true, "brugjaar": true, "brugperiode": true, "klas": true, "leerjaar": true,
	"jaar": true, "tweetalig": true, "tto": true, "lwoo": true,
}

// levelPrefixes are qualifiers written against the level: "ttovwo" is vwo.
var levelPrefixes = []string{"tweetalig", "tto"}

// levelTokens splits a value into its words (lowercase letters without accents) and its
// numbers: "Brugklas mavo/havo 1" is brugklas, mavo, havo and 1; "HV1" is hv and 1.
func levelTokens(raw string) (words, numbers []string) {
	s := raw
	if !isASCII(s) {
		s = norm.NFD.String(s)
	}
	var cur strings.Builder
	digit := false
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if digit {
			numbers = append(numbers, cur.String())
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent left by NFD: "ë" becomes "e"
		case unicode.IsDigit(r):
			if !digit {
				flush()
			}
			digit = true
			cur.WriteRune(r)
		case unicode.IsLetter(r):
			if digit {
				flush()
			}
			digit = false
			cur.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return words, numbers
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// parseLevel reads a level value: its level and its year number ("" when it has none). A
// value with two numbers ("1HV2") or words that name no level is not recognised.
func parseLevel(raw string) (l Level, year string, ok bool) {
	words, numbers := levelTokens(raw)
	if len(numbers) > 1 {
		return "", "", false
	}
	if len(numbers) == 1 {
		year = numbers[0]
	}
	kept := words[:0:0]
	for _, w := range words {
		if !levelNoise[w] {
			kept = append(kept, w)
		}
	}
	if l, ok := levelFromLetters(strings.Join(kept, ""), year != ""); ok {
		return l, year, true
	}
	// "vwo 5 gymnasium", "gymnasium/atheneum": words that each name the same level
	if len(kept) < 2 {
		return "", "", false
	}
	for _, w := range kept {
		lw, ok := levelWords[w]
		if !ok || (l != "" && lw != l) {
			return "", "", false
		}
		l = lw
	}
	return l, year, true
}

// NormalizeLevel maps how a school writes a level (case, spaces, punctuation, a year number
// and words such as "brugklas" or "tweetalig" do not matter) to its canonical Level; ok is
// false when it is not recognised.
func NormalizeLevel(raw string) (Level, bool) {
	l, _, ok := parseLevel(raw)
	return l, ok
}

func levelFromLetters(letters string, withYear bool) (Level, bool) {
	for _, p := range levelPrefixes {
		if rest, ok := strings.CutPrefix(letters, p); ok && rest != "" {
			letters = rest
			break
		}
	}
	if letters == "" {
		return "", false
	}
	if l, ok := levelWords[letters]; ok {
		return l, true
	}
	if rest, ok := strings.CutPrefix(letters, "vmbo"); ok {
		if l, ok := levelWords[rest]; ok && strings.HasPrefix(string(l), "vmbo") {
			return l, true
		}
		if l, ok := vmboParts[rest]; ok {
			return l, true
		}
		return "", false
	}
	if withYear {
		if l, ok := studieCodes[letters]; ok {
			return l, true
		}
	}
	return "", false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
