package jobs

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/importblob"
	"github.com/numo/accounts/internal/importer"
	"github.com/numo/accounts/internal/sheet"
)

// refusedReasonHead heads the last column of the refused rows download.
var refusedReasonHead = map[Lang]string{LangNL: "Reden van weigering", LangEN: "Reason refused"}

// WriteRefusedCSV writes the rows the job's last preview refuses, to fix them at the source:
// the file's own header and cells as uploaded (a file in Windows-1252 comes out in UTF-8), with
// a last column saying why in the admin's language. UTF-8 with BOM and semicolons, so that Excel
// opens it as it is; a cell a spreadsheet would run as a formula gets a leading apostrophe.
// It writes nothing and answers false when the job has no preview or no file any more.
func (s *Service) WriteRefusedCSV(ctx context.Context, job *ent.ImportJob, w io.Writer, lang Lang) (bool, error) {
	plan, err := s.Plan(ctx, job)
	if err != nil || plan == nil {
		return false, err
	}
	content, err := s.blob(ctx, job.ID, importblob.KindFILE)
	if err != nil || content == nil {
		return false, err
	}
	f, err := importer.Parse(content)
	if err != nil {
		return false, fmt.Errorf("refused rows of job %d: %w", job.ID, err)
	}
	reasons := map[int][]string{}
	for _, p := range plan.Refused {
		if p.Line <= 0 {
			continue
		}
		msg := p.NL
		if lang == LangEN {
			msg = p.EN
		}
		if !strings.Contains(strings.Join(reasons[p.Line], "\n"), msg) {
			reasons[p.Line] = append(reasons[p.Line], msg)
		}
	}
	cw := sheet.NewWriter(w)
	head := make([]string, 0, len(f.Columns)+1)
	for _, c := range f.Columns {
		head = append(head, c.Header)
	}
	cw.Write(append(head, refusedReasonHead[lang])...)
	for _, r := range f.Rows {
		why, ok := reasons[r.Line]
		if !ok {
			continue
		}
		cells := make([]string, 0, max(len(r.Cells), len(f.Columns))+1)
		cells = append(cells, r.Cells...)
		for len(cells) < len(f.Columns) {
			cells = append(cells, "")
		}
		cw.Write(append(cells, strings.Join(why, "; "))...)
	}
	if err := cw.Flush(); err != nil {
		return false, fmt.Errorf("write refused rows of job %d: %w", job.ID, err)
	}
	return true, nil
}

// RefusedHandler serves GET /api/import-jobs/{id}/refused.csv: the refused rows of a job's
// last preview (WriteRefusedCSV), for the school's admins only; anyone else, a job without a
// preview and a job whose file is no longer kept get 404.
func (s *Service) RefusedHandler() http.Handler {
	return s.download(download{log: "refused rows download", admin: true, write: s.WriteRefusedCSV,
		prefix: map[Lang]string{LangNL: "geweigerde-regels", LangEN: "refused-rows"}})
}
