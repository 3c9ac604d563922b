package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/clip"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/jobfile"
)

// Upload reads a file for a school and creates its job with the detected format and a
// proposed mapping. A refused file creates nothing.
func (s *Service) Upload(ctx context.Context, schoolID int, fileName string, data []byte) (*ent.ImportJob, error) {
	school, err := s.adminSchool(ctx, schoolID, "upload")
	if err != nil {
		return nil, err
	}
	user := ctx
	ctx = auth.System(ctx)
	f, err := importer.Parse(data)
	var fe *importer.FileError
	if errors.As(err, &fe) {
		return nil, apperr.New(apperr.CodeFileRejected, fe.NL, fe.EN, map[string]any{"line": fe.Line, "reason": fe.Code})
	} else if err != nil {
		return nil, fmt.Errorf("upload: parse: %w", err)
	}
	m := Propose(school, f, DetectKind(school, f.Columns))
	tx, err := s.db.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	create, err := jobCreate(tx, schoolID, fileName, data, f, m)
	if err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	job, err := saveJob(ctx, tx, create, data, "upload")
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	job = job.Unwrap()
	audit.Record(user, s.db.Client, schoolID, "import_uploaded", fmt.Sprintf("job %d: %s, %d rows%s", job.ID, job.FileName, job.RowCount, kindNote(m.kind())))
	s.log.Info("import uploaded", "job", job.ID, "school", schoolID, "rows", len(f.Rows), "encoding", f.Encoding, "kind", m.kind())
	return job, nil
}

// jobCreate is the creation of a job for a parsed file under its proposed mapping, to save in tx
// (the job's file blob is the caller's: putBlob).
// adminSchool reads the school an upload is for, as the viewer (another school is not found,
// as if it did not exist), and refuses a viewer who is not one of its admins; op prefixes
// other errors.
func (s *Service) adminSchool(ctx context.Context, schoolID int, op string) (*ent.School, error) {
	school, err := s.db.Client.School.Get(ctx, schoolID)
	if ent.IsNotFound(err) {
		return nil, errNotFound("school", schoolID)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := auth.RequireAdmin(ctx, schoolID); err != nil {
		return nil, err
	}
	return school, nil
}

// saveJob saves the job create makes and keeps its file data (KindFILE) in tx; op prefixes
// the errors.
func saveJob(ctx context.Context, tx *ent.Tx, create *ent.ImportJobCreate, data []byte, op string) (*ent.ImportJob, error) {
	job, err := create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: save job: %w", op, err)
	}
	if err := putBlob(ctx, tx.Client(), job.ID, importblob.KindFILE, data); err != nil {
		return nil, fmt.Errorf("%s: save file: %w", op, err)
	}
	return job, nil
}

func jobCreate(tx *ent.Tx, schoolID int, fileName string, data []byte, f *importer.File, m *MappingState) (*ent.ImportJobCreate, error) {
	raw, err := (*jobfile.Mapping)(m).Encode()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return tx.ImportJob.Create().SetSchoolID(schoolID).SetFileName(cleanName(fileName)).
		SetFileSize(int64(len(data))).SetSha256(hex.EncodeToString(sum[:])).SetEncoding(f.Encoding).
		SetDelimiter(string(f.Delimiter)).SetHeaderLine(f.HeaderLine).SetRowCount(len(f.Rows)).
		SetMapping(raw).SetFileKind(FileKind(m.kind())).SetPhase(string(PhaseUploaded)), nil
}

// unknownLevels lists the file's level values that are not recognised by themselves (the
// most frequent MaxUnknownLevels) and says how many there are.
func unknownLevels(f *importer.File, m importer.Mapping, k importer.Kind) (list []importer.UnknownValue, total int) {
	if k == importer.KindTeachers {
		return nil, 0 // a teacher has no level
	}
	res, err := importer.BuildRecords(importer.Input{File: f, Mapping: m, Kind: k})
	if err != nil {
		return nil, 0 // the mapping is not valid yet; setMapping computes them
	}
	// A level column with hundreds of distinct values is the wrong column: the most frequent
	// ones are enough to see that, and the job row stays small.
	u := res.UnknownLevels
	if len(u) > MaxUnknownLevels {
		u = slices.Clone(u)
		slices.SortStableFunc(u, func(a, b importer.UnknownValue) int { return b.Count - a.Count })
		u = u[:MaxUnknownLevels]
	}
	for i := range u {
		u[i].Value = clip.Marked(u[i].Value, maxLevelValue)
	}
	return u, len(res.UnknownLevels)
}

// maxFileName is the longest file name kept, in bytes (what file systems allow).
const maxFileName = 255

// cleanName keeps the last path element of an uploaded file's name, valid UTF-8 without
// control characters, at most maxFileName bytes cut at a character boundary.
func cleanName(n string) string {
	n = n[strings.LastIndexAny(n, `/\`)+1:]
	n = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(n, ""))
	n = clip.Marked(strings.TrimSpace(n), maxFileName)
	if n == "" {
		n = "upload.csv"
	}
	return n
}
