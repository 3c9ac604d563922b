package startcode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/letterbatch"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/letters"
)

// Download formats: the file names of GET /api/letters/{file}?handle=….
const (
	FilePDF = "inlogbrieven.pdf"
	FileCSV = "inlogbrieven.csv"
)

// DownloadPath is where the letters of a handle are downloaded in a format. The handle travels
// in the query, which the access log leaves out (it logs the path only): it opens the codes.
func DownloadPath(handle, file string) string { return "/api/letters/" + file + "?handle=" + handle }

// DownloadHandler serves GET /api/letters/{file}?handle=…: the PDF or the CSV of a
// generation, each once, within DownloadValid, only to the admin account that made it (a
// session, not an API token). Anything else — an unknown, used or expired handle, another
// account — is the same 404 LETTERS_GONE. publicURL is where the letters say pupils sign in;
// "" means the address the admin's browser used.
func DownloadHandler(c *ent.Client, publicURL string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := auth.FromContext(r.Context())
		if v == nil {
			apperr.Write(w, http.StatusUnauthorized, auth.ErrUnauthenticated)
			return
		}
		file := r.PathValue("file")
		if v.IsToken() || v.Role != auth.RoleAdmin || (file != FilePDF && file != FileCSV) {
			apperr.Write(w, http.StatusNotFound, apperr.ErrLettersGone)
			return
		}
		batch, err := take(r.Context(), c, r.URL.Query().Get("handle"), file, v, time.Now())
		if err != nil {
			if _, coded := err.(interface{ Code() string }); !coded {
				log.Error("letters download", "err", err) // never the handle: it opens the codes
				apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
				return
			}
			apperr.Write(w, http.StatusNotFound, err)
			return
		}
		var body bytes.Buffer
		opt := letters.Options{SignInURL: signInURL(publicURL, r), ShowSchoolCode: severalSchools(r.Context(), c)}
		ctype := "application/pdf"
		if file == FilePDF {
			err = letters.WritePDF(&body, batch, opt)
		} else {
			ctype = "text/csv; charset=utf-8"
			err = letters.WriteCSV(&body, batch, opt.SignInURL)
		}
		if err != nil {
			log.Error("letters download", "format", file, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		audit.Record(r.Context(), c, v.SchoolID, "start_codes_downloaded", fmt.Sprintf("%s: %d inlogbrieven", file, len(batch.Letters)))
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(body.Bytes()) //nolint:errcheck // the client went away
	})
}

// take claims the format of the handle's letters for the viewer, once, and opens them. The row
// goes when both formats were taken.
func take(ctx context.Context, c *ent.Client, handle, file string, v *auth.Viewer, now time.Time) (*letters.Batch, error) {
	sys := auth.System(ctx)
	purgeExpired(sys, c, now) // letters nobody took in time go with every generation and download
	b, err := c.LetterBatch.Query().Where(letterbatch.HandleHash(HandleHash(handle))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.ErrLettersGone
	} else if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	if b.SchoolID != v.SchoolID || b.CreatedByID != v.AccountID || !now.Before(b.ExpiresAt) {
		return nil, apperr.ErrLettersGone
	}
	u := c.LetterBatch.Update().Where(letterbatch.ID(b.ID), letterbatch.ExpiresAtGT(now))
	if file == FilePDF {
		u.Where(letterbatch.PdfTakenAtIsNil()).SetPdfTakenAt(now)
	} else {
		u.Where(letterbatch.CsvTakenAtIsNil()).SetCsvTakenAt(now)
	}
	n, err := u.Save(sys)
	if err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	if n == 0 {
		return nil, apperr.ErrLettersGone // taken already, by a request a moment earlier
	}
	c.LetterBatch.Delete().Where(letterbatch.ID(b.ID), letterbatch.PdfTakenAtNotNil(), letterbatch.CsvTakenAtNotNil()).Exec(sys) //nolint:errcheck // expiry purges it otherwise
	plain, err := Open(handle, b.Sealed)
	if err != nil {
		return nil, apperr.ErrLettersGone
	}
	var batch letters.Batch
	if err := json.Unmarshal(plain, &batch); err != nil {
		return nil, fmt.Errorf("letters: %w", err)
	}
	batch.Sort()
	return &batch, nil
}

// signInURL is where the letters say to sign in: the configured public address, else the
// address of this request as the browser saw it.
func signInURL(publicURL string, r *http.Request) string {
	if publicURL != "" {
		return strings.TrimRight(publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// severalSchools reports whether pupils must name their school when they sign in.
func severalSchools(ctx context.Context, c *ent.Client) bool {
	n, err := c.School.Query().Limit(2).Count(auth.System(ctx))
	return err == nil && n > 1
}
