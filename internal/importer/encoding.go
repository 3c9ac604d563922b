package importer

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encodings reported in File.Encoding.
const (
	EncodingUTF8        = "utf-8"        // UTF-8 (or plain ASCII) without a byte order mark
	EncodingUTF8BOM     = "utf-8-bom"    // UTF-8 with a byte order mark, as Excel's "CSV UTF-8" writes
	EncodingUTF16LE     = "utf-16le"     // UTF-16 little endian, as Excel's "Unicode text" writes
	EncodingUTF16BE     = "utf-16be"     // UTF-16 big endian
	EncodingWindows1252 = "windows-1252" // what Dutch Excel writes for "CSV (gescheiden door lijstscheidingstekens)"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	magicZip   = []byte("PK\x03\x04")
	magicZip2  = []byte("PK\x05\x06")                                   // empty zip archive
	magicOLE   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // xls and other Office 97 files
)

// cp1252 maps every byte to its Windows-1252 character; the five undefined
// bytes decode to U+FFFD.
var cp1252 = func() (t [256]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	return t
}()

const (
	// binarySample is how much decoded text is inspected for control characters.
	binarySample = 64 << 10
	// minBinaryControls is how many control characters it takes, besides being
	// over 2% of the text, to call a file binary; a stray one is a row problem.
	minBinaryControls = 4
)

// decode turns the raw upload into valid UTF-8 text and names the encoding it found.
func decode(data []byte) (text, encoding string) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return decodeUTF8(data[len(bomUTF8):]), EncodingUTF8BOM
	case bytes.HasPrefix(data, bomUTF16LE):
		return decodeUTF16(data[2:], false), EncodingUTF16LE
	case bytes.HasPrefix(data, bomUTF16BE):
		return decodeUTF16(data[2:], true), EncodingUTF16BE
	}
	if le, ok := sniffUTF16(data); ok {
		if le {
			return decodeUTF16(data, false), EncodingUTF16LE
		}
		return decodeUTF16(data, true), EncodingUTF16BE
	}
	if utf8.Valid(data) {
		return string(data), EncodingUTF8
	}
	return decodeUTF8(data), EncodingWindows1252
}

// decodeUTF8 keeps valid UTF-8 sequences and reads every invalid byte as
// Windows-1252. A pure Windows-1252 file decodes exactly; a UTF-8 file into which
// someone pasted Windows-1252 rows keeps both halves readable.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			j := i + 1
			for j < len(b) && b[j] < utf8.RuneSelf {
				j++
			}
			sb.Write(b[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			sb.WriteRune(cp1252[b[i]])
			i++
			continue
		}
		sb.Write(b[i : i+size])
		i += size
	}
	return sb.String()
}

// decodeUTF16 decodes UTF-16 without a BOM; broken surrogates and an odd last byte become U+FFFD.
func decodeUTF16(b []byte, bigEndian bool) string {
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	var sb strings.Builder
	sb.Grow(len(b)/2 + len(b)/8)
	for i := 0; i+1 < len(b); i += 2 {
		r := unit(i)
		if utf16.IsSurrogate(r) {
			if i+3 < len(b) {
				if d := utf16.DecodeRune(r, unit(i+2)); d != utf8.RuneError {
					sb.WriteRune(d)
					i += 2
					continue
				}
			}
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	}
	if len(b)%2 == 1 {
		sb.WriteRune(utf8.RuneError)
	}
	return sb.String()
}

// sniffUTF16 recognises UTF-16 without a BOM by its zero bytes: Latin text has
// a zero in every other byte. le reports little endian.
func sniffUTF16(data []byte) (le, ok bool) {
	n := min(len(data), 1024) &^ 1
	if n < 4 {
		return false, false
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			zeroEven++
		}
		if data[i+1] == 0 {
			zeroOdd++
		}
	}
	pairs := n / 2
	switch {
	case zeroOdd*10 >= pairs*7 && zeroEven*20 <= pairs:
		return true, true
	case zeroEven*10 >= pairs*7 && zeroOdd*20 <= pairs:
		return false, true
	}
	return false, false
}

// checkMagic refuses spreadsheet workbooks by their first bytes.
func checkMagic(data []byte) *FileError {
	if bytes.HasPrefix(data, magicZip) || bytes.HasPrefix(data, magicZip2) || bytes.HasPrefix(data, magicOLE) {
		return errExcelWorkbook()
	}
	return nil
}

// checkText refuses decoded text that is not a CSV: web pages, Excel's XML
// format, PDF and binary data.
func checkText(text string) *FileError {
	head := strings.ToLower(strings.TrimLeft(text[:min(len(text), 1024)], " \t\r\n\ufeff"))
	switch {
	case strings.HasPrefix(head, "<?xml") && strings.Contains(head, "urn:schemas-microsoft-com:office:spreadsheet"),
		strings.HasPrefix(head, "<?mso-application"):
		return errExcelWorkbook()
	case strings.HasPrefix(head, "<!doctype html"), strings.HasPrefix(head, "<html"),
		strings.HasPrefix(head, "<table"), strings.HasPrefix(head, "<?xml") && strings.Contains(head, "<html"):
		return &FileError{
			Code: CodeHTML,
			NL:   "Dit is een webpagina (HTML), geen CSV-bestand. Open het in Excel en sla het op als CSV (gescheiden door lijstscheidingstekens).",
			EN:   "This is a web page (HTML), not a CSV file. Open it in Excel and save it as CSV (comma delimited).",
		}
	case strings.HasPrefix(head, "%pdf-"):
		return errBinary()
	}
	sample := text[:min(len(text), binarySample)]
	var runes, controls int
	for _, r := range sample {
		runes++
		switch {
		case r == 0:
			return errBinary()
		case r == '\t' || r == '\n' || r == '\r' || r == '\f':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			controls++
		}
	}
	// Text exports carry at most a stray control character; binary data is full of them.
	if controls >= minBinaryControls && controls*50 > runes {
		return errBinary()
	}
	return nil
}

func errExcelWorkbook() *FileError {
	return &FileError{
		Code: CodeExcelWorkbook,
		NL:   "Dit is een Excel-werkmap. Sla het op als CSV (gescheiden door lijstscheidingstekens).",
		EN:   "This is an Excel workbook. Save it as CSV (comma delimited).",
	}
}

func errBinary() *FileError {
	return &FileError{
		Code: CodeBinary,
		NL:   "Dit is geen tekstbestand, dus geen CSV. Exporteer de leerlingenlijst als CSV (gescheiden door lijstscheidingstekens) en kies dat bestand.",
		EN:   "This is not a text file, so not a CSV. Export the pupil list as CSV (comma delimited) and choose that file.",
	}
}
