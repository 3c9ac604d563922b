package oneroster

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/store"
)

// Path is where a school's OneRoster export is downloaded (Handler serves it).
func Path(schoolID int) string { return fmt.Sprintf("/api/schools/%d/oneroster.zip", schoolID) }

// errUnknownSchool answers a download of a school that does not exist or that the viewer may
// not export: both look the same from outside.
var errUnknownSchool = apperr.New(apperr.CodeNotFound,
	"Onbekende school, of u mag het rooster ervan niet downloaden (alleen de beheerders van de school en API-sleutels met READ_ROSTERS).",
	"Unknown school, or you may not download its roster (only the school's admins and API tokens with READ_ROSTERS may).", nil)

// errBusy answers a download while the school's previous one still streams, or while the
// process streams MaxExports already.
var errBusy = apperr.New(apperr.CodeBusy,
	"Er loopt al een export van het rooster (van deze school, of te veel tegelijk). Wacht tot die klaar is en probeer het over een minuut opnieuw.",
	"A roster export is running already (of this school, or too many at once). Wait until it is done and try again in a minute.", nil)

// MayExport reports whether the viewer may export the school's roster: an admin account of
// the school that has chosen its own password, or an API token of the school with the
// READ_ROSTERS scope (a token that may only run imports does not read rosters out).
func MayExport(v *auth.Viewer, schoolID int) bool {
	if v == nil || v.SchoolID != schoolID {
		return false
	}
	if v.IsToken() {
		return v.Has(auth.ScopeReadRosters)
	}
	return v.IsAdminAccount()
}

// Handler serves GET /api/schools/{id}/oneroster.zip[?archived=true]: the school's roster as
// a OneRoster 1.2 zip, streamed, for the viewer in the request context when MayExport. Anyone
// else gets 404, as for a school that does not exist. One export per school and MaxExports in
// all stream at once (503 BUSY with Retry-After otherwise). Every export writes an audit event
// with its counts (no names).
func Handler(db *store.DB, log *slog.Logger) http.Handler {
	client := db.Client
	exports := newSlots(MaxExports)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		v := auth.FromContext(r.Context())
		if err != nil || !MayExport(v, id) {
			apperr.Write(w, http.StatusNotFound, errUnknownSchool)
			return
		}
		school, err := client.School.Get(auth.System(r.Context()), id)
		if err != nil {
			apperr.Write(w, http.StatusNotFound, errUnknownSchool)
			return
		}
		release, ok := exports.acquire(id)
		if !ok {
			w.Header().Set("Retry-After", "60")
			apperr.Write(w, http.StatusServiceUnavailable, errBusy)
			return
		}
		defer release()
		now := time.Now()
		h := w.Header()
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, FileName(school.Brin, now)))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		opts := Options{Now: now, IncludeArchived: r.URL.Query().Get("archived") == "true"}
		sum, err := Export(r.Context(), db, id, w, opts)
		Audit(context.WithoutCancel(r.Context()), client, id, sum, opts, err) // also when the client went away
		if err != nil && r.Context().Err() == nil {
			// The status is sent; the client gets a zip without its end and cannot open it.
			log.Error("oneroster export", "school", id, "err", err)
		}
	})
}

// FileName is the download's name: oneroster-<brin>-<date>.zip.
func FileName(brin string, now time.Time) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, brin)
	return fmt.Sprintf("oneroster-%s-%s.zip", safe, now.Format(DateFormat))
}

// Audit records an export in the audit log for the viewer in ctx: its counts, never a name.
func Audit(ctx context.Context, client *ent.Client, schoolID int, sum Summary, opts Options, err error) {
	detail := fmt.Sprintf("rooster geëxporteerd als OneRoster 1.2: %d gebruikers (%d leerlingen, %d docenten, %d beheerders), %d groepen, %d inschrijvingen",
		sum.Users(), sum.Pupils, sum.Teachers, sum.Admins, sum.Classes, sum.Enrollments)
	if opts.IncludeArchived {
		detail += ", gearchiveerde accounts inbegrepen"
	}
	if err != nil {
		detail += "; afgebroken"
	}
	audit.Record(ctx, client, schoolID, "roster_exported", detail)
}

// WriteTo is Export for a caller that already has the zip's destination and wants the counts
// only, e.g. the CLI: it records the audit event too.
func WriteTo(ctx context.Context, db *store.DB, schoolID int, w io.Writer, opts Options) (Summary, error) {
	sum, err := Export(ctx, db, schoolID, w, opts)
	Audit(ctx, db.Client, schoolID, sum, opts, err)
	return sum, err
}
