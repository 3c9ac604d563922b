// Package rostercsv serves a class's roster as a CSV download for a spreadsheet: the active
// pupils of a stamklas or the active members of a lesgroep, with their name parts, student
// number, e-mail, stamklas, level and year. The school's admins download any class of their
// school, a teacher the classes and lesgroepen they teach or mentor; for anyone else the class
// does not exist (404).
package rostercsv

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/teaching"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/sheet"
)

// Path is where a class's roster CSV is downloaded (Handler serves it).
func Path(classID int) string { return fmt.Sprintf("/api/classes/%d/roster.csv", classID) }

// errUnknownClass answers a download of a class that does not exist or that the viewer may not
// download: both look the same from outside.
var errUnknownClass = apperr.New(apperr.CodeNotFound,
	"Onbekende klas, of u mag de leerlingenlijst ervan niet downloaden (alleen de beheerders van de school en de docenten van de klas).",
	"Unknown class, or you may not download its list of pupils (only the school's admins and the class's teachers may).", nil)

// May reports whether the viewer may download the roster of the class c: an account or read
// token that reads the whole school, or a teacher who teaches or mentors the class.
func May(ctx context.Context, client *ent.Client, v *auth.Viewer, c *ent.Class) (bool, error) {
	switch {
	case v == nil || v.SchoolID != c.SchoolID || v.MustChangePassword:
		return false, nil
	case v.CanReadSchool(c.SchoolID):
		return true, nil
	case v.IsToken() || v.Role != auth.RoleTeacher || v.AccountID == 0:
		return false, nil
	}
	return client.Teaching.Query().Where(teaching.ClassID(c.ID), teaching.AccountID(v.AccountID)).Exist(auth.System(ctx))
}

// Lang is the language of the CSV's header row.
type Lang string

// The header languages; Dutch unless asked otherwise.
const (
	LangNL Lang = "nl"
	LangEN Lang = "en"
)

// headers are the CSV's columns by language.
var headers = map[Lang][]string{
	LangNL: {"Leerlingnummer", "Roepnaam", "Tussenvoegsel", "Achternaam", "E-mail", "Klas", "Niveau", "Leerjaar"},
	LangEN: {"Student number", "First name", "Infix", "Last name", "E-mail", "Class", "Level", "Year"},
}

// langOf is the ?lang= of the request (nl or en), else Dutch.
func langOf(r *http.Request) Lang {
	if strings.EqualFold(r.URL.Query().Get("lang"), "en") {
		return LangEN
	}
	return LangNL
}

// Handler serves GET /api/classes/{id}/roster.csv[?lang=en]: UTF-8 with a byte order mark,
// separated by semicolons (what a Dutch spreadsheet opens), one row per active pupil ordered by
// name. Every download writes an audit event with the class and the count, no names.
func Handler(client *ent.Client, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		v := auth.FromContext(r.Context())
		if err != nil || v == nil {
			apperr.Write(w, http.StatusNotFound, errUnknownClass)
			return
		}
		sys := auth.System(r.Context())
		c, err := client.Class.Get(sys, id)
		if ent.IsNotFound(err) {
			apperr.Write(w, http.StatusNotFound, errUnknownClass)
			return
		} else if err != nil {
			log.Error("roster csv", "class", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		if ok, err := May(r.Context(), client, v, c); err != nil || !ok {
			if err != nil {
				log.Error("roster csv", "class", id, "err", err)
			}
			apperr.Write(w, http.StatusNotFound, errUnknownClass)
			return
		}
		var buf bytes.Buffer
		n, err := Write(sys, client, c, langOf(r), &buf)
		if err != nil {
			log.Error("roster csv", "class", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		audit.Record(r.Context(), client, c.SchoolID, "roster_csv_downloaded", fmt.Sprintf("class %d (%s): %d pupils", c.ID, c.Name, n))
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, FileName(c.Name, true), FileName(c.Name, false)))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	})
}

// FileName is the download's name, klas-<name>.csv: ASCII only (others become _) when ascii,
// else percent-encoded UTF-8 for filename*.
func FileName(name string, ascii bool) string {
	var b strings.Builder
	for _, r := range "klas-" + name + ".csv" {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_':
			b.WriteRune(r)
		case ascii:
			b.WriteByte('_')
		default:
			for _, c := range []byte(string(r)) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
	}
	return b.String()
}

// Write writes the class's active pupils (a stamklas) or members (a lesgroep) as the CSV, and
// returns how many.
func Write(ctx context.Context, client *ent.Client, c *ent.Class, lang Lang, out *bytes.Buffer) (int, error) {
	q := client.Account.Query().Where(account.StatusEQ(account.StatusACTIVE), account.SchoolID(c.SchoolID))
	if c.Kind == class.KindLESGROEP {
		q = q.Where(account.HasGroupsWith(class.ID(c.ID)))
	} else {
		q = q.Where(account.ClassID(c.ID))
	}
	pupils, err := q.WithClass().Order(account.ByLastName(), account.ByFirstName(), account.ByID()).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("roster csv of class %d: %w", c.ID, err)
	}
	w := sheet.NewWriter(out)
	w.Write(headers[lang]...)
	for _, p := range pupils {
		key, className, year := "", "", ""
		if p.ExternalKey != nil {
			key = *p.ExternalKey
		}
		if p.Edges.Class != nil {
			className = p.Edges.Class.Name
		}
		if p.Year != nil {
			year = strconv.Itoa(*p.Year)
		}
		w.Write(key, p.FirstName, p.Infix, p.LastName, p.Email, className, p.Level, year)
	}
	return len(pupils), w.Flush()
}
