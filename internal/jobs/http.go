package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// ReportHandler serves GET /api/import-jobs/{id}/report.csv: a job's result as a CSV download.
func (s *Service) ReportHandler() http.Handler {
	return s.download(download{log: "report download",
		write: func(ctx context.Context, job *ent.ImportJob, w io.Writer, lang Lang) (bool, error) {
			return true, s.WriteReportCSV(ctx, job, w, lang)
		},
		prefix: map[Lang]string{LangNL: "importverslag", LangEN: "import-report"}})
}

// download is one CSV download of a job.
type download struct {
	log   string // what the log calls it
	admin bool   // for the admins of the job's school only (else for whoever sees the job)
	// write writes the file in the language asked for; false when there is none (404).
	write func(ctx context.Context, job *ent.ImportJob, w io.Writer, lang Lang) (bool, error)
	// prefix starts the file name by language: <prefix>-<job id>-<uploaded file's name>.csv.
	prefix map[Lang]string
}

// download serves d for the job {id} in the viewer's language (ReportLang). A job that does
// not exist or that the viewer may not download gets 404: all look the same from outside.
func (s *Service) download(d download) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			apperr.Write(w, http.StatusNotFound, errUnknownReport)
			return
		}
		job, err := s.Job(r.Context(), id) // only the school's admins see its jobs
		if err == nil && d.admin {
			err = auth.RequireAdmin(r.Context(), job.SchoolID)
		}
		var coded *apperr.Error
		if errors.As(err, &coded) || errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, auth.ErrForbidden) {
			apperr.Write(w, http.StatusNotFound, errUnknownReport)
			return
		}
		var buf bytes.Buffer
		lang := ReportLang(r)
		ok := false
		if err == nil {
			ok, err = d.write(r.Context(), job, &buf, lang)
		}
		if err != nil {
			s.log.Error(d.log, "job", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		} else if !ok {
			apperr.Write(w, http.StatusNotFound, errUnknownReport)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-%s.csv"`,
			d.prefix[lang], job.ID, sanitize(strings.TrimSuffix(job.FileName, ".csv"))))
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	})
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}
