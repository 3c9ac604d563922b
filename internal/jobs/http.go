package jobs

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/auth"
)

// ReportHandler serves GET /api/import-jobs/{id}/report.csv: a job's result as a CSV download.
func (s *Service) ReportHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			apperr.Write(w, http.StatusNotFound, errUnknownReport)
			return
		}
		job, err := s.Job(r.Context(), id) // only the school's admins see its jobs
		var coded *apperr.Error
		if errors.As(err, &coded) || errors.Is(err, auth.ErrUnauthenticated) {
			// Not found, not signed in, not allowed: all look the same from outside.
			apperr.Write(w, http.StatusNotFound, errUnknownReport)
			return
		} else if err != nil {
			s.log.Error("report download", "job", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		var buf bytes.Buffer
		lang := ReportLang(r)
		if err := s.WriteReportCSV(r.Context(), job, &buf, lang); err != nil {
			s.log.Error("report download", "job", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		name := strings.TrimSuffix(job.FileName, ".csv")
		prefix := "importverslag"
		if lang == LangEN {
			prefix = "import-report"
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-%s.csv"`, prefix, job.ID, sanitize(name)))
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
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
