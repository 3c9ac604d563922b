package importer

import "strings"

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

// levelWords are spellings (after NormalizeHeader, without a year number) that
// name a level on their own.
var levelWords = map[string]Level{
	"po": LevelPO, "basisonderwijs": LevelPO, "basisschool": LevelPO, "bao": LevelPO,
	"groep": LevelPO, "jaargroep": LevelPO, "primaironderwijs": LevelPO,

	"pro": LevelPRO, "pr": LevelPRO, "praktijkonderwijs": LevelPRO,

	"basis": LevelVMBOB, "bb": LevelVMBOB, "bbl": LevelVMBOB, "basisberoeps": LevelVMBOB,
	"basisberoepsgerichteleerweg": LevelVMBOB,

	"kader": LevelVMBOK, "kb": LevelVMBOK, "kbl": LevelVMBOK, "kaderberoeps": LevelVMBOK,
	"kaderberoepsgerichteleerweg": LevelVMBOK,

	"mavo": LevelVMBOGT, "tl": LevelVMBOGT, "gl": LevelVMBOGT, "gltl": LevelVMBOGT, "gt": LevelVMBOGT,
	"theoretischeleerweg": LevelVMBOGT, "gemengdeleerweg": LevelVMBOGT,

	"bk": LevelVMBOBK, "bbkb": LevelVMBOBK, "basiskader": LevelVMBOBK, "bkl": LevelVMBOBK,

	"kgt": LevelVMBOKGT, "kadermavo": LevelVMBOKGT, "ktl": LevelVMBOKGT, "kbtl": LevelVMBOKGT,
	"kbgt": LevelVMBOKGT, "kadertl": LevelVMBOKGT, "kbgl": LevelVMBOKGT,

	"mavohavo": LevelVMBOGTHAVO, "tlhavo": LevelVMBOGTHAVO, "gthavo": LevelVMBOGTHAVO,
	"mh": LevelVMBOGTHAVO,

	"havo": LevelHAVO,

	"hv": LevelHAVOVWO, "havovwo": LevelHAVOVWO, "havoatheneum": LevelHAVOVWO,

	"vwo": LevelVWO, "vwoplus": LevelVWO, "atheneum": LevelVWO, "gymnasium": LevelVWO, "ath": LevelVWO, "gym": LevelVWO,
}

// vmboParts are what may follow "vmbo" in spellings like "vmbo-kb" or "vmbo-gl/tl".
var vmboParts = map[string]Level{
	"b": LevelVMBOB, "k": LevelVMBOK, "g": LevelVMBOGT, "t": LevelVMBOGT, "bk": LevelVMBOBK,
	"kt": LevelVMBOKGT,
}

// studieCodes are Magister study-code letters that only count as a level when a
// year digit goes with them ("H4", "V5", "BB2"): a lone "h" or "g" is too vague.
var studieCodes = map[string]Level{
	"h": LevelHAVO, "v": LevelVWO, "a": LevelVWO, "g": LevelVWO, "ag": LevelVWO, "at": LevelVWO,
	"b": LevelVMBOB, "k": LevelVMBOK, "m": LevelVMBOGT, "t": LevelVMBOGT,
}

// levelPrefixes are qualifiers that do not change the level: "tto vwo" is vwo.
var levelPrefixes = []string{"tweetalig", "tto"}

// splitLevel splits a normalised value into its letters and its year digits,
// which may come before ("4havo") or after ("HV1") the letters but not both.
func splitLevel(n string) (letters, digits string) {
	i := 0
	for i < len(n) && isDigit(n[i]) {
		i++
	}
	j := len(n)
	for j > i && isDigit(n[j-1]) {
		j--
	}
	if i > 0 && j < len(n) {
		return n, ""
	}
	return n[i:j], n[:i] + n[j:]
}

// NormalizeLevel maps how a school writes a level (case, spaces and punctuation
// do not matter) to its canonical Level; ok is false when it is not recognised.
func NormalizeLevel(raw string) (Level, bool) {
	letters, digits := splitLevel(NormalizeHeader(raw))
	return levelFromLetters(letters, digits != "")
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
