package rosterset

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
)

// Limits on what Open reads. A OneRoster set of a school board with 100,000 pupils and eight
// lesgroepen each has about 900,000 enrolment rows (~100 MB); the limits leave room for that
// and refuse anything larger or a zip that inflates out of all proportion (a zip bomb).
const (
	MaxZipEntries   = 64        // entries in one zip, folders included
	MaxTotalSize    = 256 << 20 // bytes of all files of the set together, uncompressed
	MaxInflateRatio = 200       // uncompressed / compressed size of one zip entry; CSV compresses ~5-20x
)

// file is one CSV of the set.
type file struct {
	name string // as uploaded, without folders: "users.csv"
	key  string // lower case name, the lookup key
	data []byte
}

// unpack turns the uploads into the set's CSV files keyed by lower-case base name. Zips are
// read with limits; files other than .csv (a readme, macOS metadata) are ignored.
func unpack(inputs []Input) (map[string]*file, error) {
	files := map[string]*file{}
	total := 0
	add := func(name string, data []byte) error {
		base := path.Base(strings.ReplaceAll(name, `\`, "/"))
		if !strings.EqualFold(path.Ext(base), ".csv") || strings.HasPrefix(base, ".") {
			return nil
		}
		key := strings.ToLower(base)
		if _, dup := files[key]; dup {
			return fileError(CodeDuplicateFile, base, 0,
				fmt.Sprintf("Het bestand %s zit twee keer in de upload. Kies elk bestand één keer.", base),
				fmt.Sprintf("The file %s is in the upload twice. Choose each file once.", base))
		}
		total += len(data)
		if total > MaxTotalSize {
			return errTooLarge()
		}
		files[key] = &file{name: base, key: key, data: data}
		return nil
	}
	for _, in := range inputs {
		if isZip(in) {
			if err := unzip(in, &total, add); err != nil {
				return nil, err
			}
			continue
		}
		if err := add(in.Name, in.Data); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func isZip(in Input) bool {
	return strings.EqualFold(path.Ext(in.Name), ".zip") || bytes.HasPrefix(in.Data, []byte("PK\x03\x04"))
}

// unzip reads the CSV entries of one zip and hands them to add.
func unzip(in Input, total *int, add func(string, []byte) error) error {
	zr, err := zip.NewReader(bytes.NewReader(in.Data), int64(len(in.Data)))
	if err != nil {
		return fileError(CodeBadZip, in.Name, 0,
			fmt.Sprintf("%s is geen leesbaar zip-bestand. Maak de zip opnieuw of kies de losse CSV-bestanden.", in.Name),
			fmt.Sprintf("%s is not a readable zip file. Create the zip again or choose the separate CSV files.", in.Name))
	}
	if len(zr.File) > MaxZipEntries {
		return errTooLarge()
	}
	for _, zf := range zr.File {
		if err := checkEntryName(in.Name, zf.Name); err != nil {
			return err
		}
		if zf.FileInfo().IsDir() || !strings.EqualFold(path.Ext(zf.Name), ".csv") ||
			strings.HasPrefix(zf.Name, "__MACOSX/") || strings.HasPrefix(path.Base(zf.Name), ".") {
			continue
		}
		data, err := readEntry(in.Name, zf, MaxTotalSize-*total)
		if err != nil {
			return err
		}
		if err := add(zf.Name, data); err != nil {
			return err
		}
	}
	return nil
}

// checkEntryName refuses absolute paths and ".." (path traversal): Numo never writes entries
// to disk, but a zip that tries is not a roster export.
func checkEntryName(zipName, name string) error {
	clean := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(clean, "/") || strings.Contains(clean, ":") || strings.Contains(clean, "\x00") ||
		slicesContains(strings.Split(clean, "/"), "..") {
		return fileError(CodeBadZip, zipName, 0,
			fmt.Sprintf("De zip %s bevat een onveilige bestandsnaam (%q). Maak de zip opnieuw van de map met de CSV-bestanden.", zipName, name),
			fmt.Sprintf("The zip %s holds an unsafe file name (%q). Create the zip again from the folder with the CSV files.", zipName, name))
	}
	return nil
}

func slicesContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// readEntry inflates one entry, reading at most room bytes whatever the header claims, and
// refuses an entry that inflates more than MaxInflateRatio times its compressed size.
func readEntry(zipName string, zf *zip.File, room int) ([]byte, error) {
	limit := int64(room)
	if byRatio := int64(zf.CompressedSize64)*MaxInflateRatio + 4096; byRatio < limit {
		limit = byRatio
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, badEntry(zipName, zf.Name)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil { // zip.ErrChecksum, ErrFormat, ErrAlgorithm, a truncated stream
		return nil, badEntry(zipName, zf.Name)
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge()
	}
	return data, nil
}

func badEntry(zipName, name string) error {
	return fileError(CodeBadZip, zipName, 0,
		fmt.Sprintf("Het bestand %s in de zip %s is beschadigd. Maak de zip opnieuw.", name, zipName),
		fmt.Sprintf("The file %s in the zip %s is damaged. Create the zip again.", name, zipName))
}

func errTooLarge() error {
	return &SetError{Code: CodeTooLarge,
		Message: fmt.Sprintf("De set is te groot: samen hoogstens %d MB uitgepakt, %d bestanden in een zip, en een zip mag niet meer dan %d keer zo groot uitpakken. Splits de set per school.",
			MaxTotalSize>>20, MaxZipEntries, MaxInflateRatio),
		MessageEn: fmt.Sprintf("The set is too large: at most %d MB unpacked in all, %d files in a zip, and a zip may not unpack to more than %d times its size. Split the set by school.",
			MaxTotalSize>>20, MaxZipEntries, MaxInflateRatio)}
}
