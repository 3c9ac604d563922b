package retention

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/ent/account"
	"github.com/numo/accounts/ent/auditevent"
	"github.com/numo/accounts/ent/class"
	"github.com/numo/accounts/ent/session"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
	"github.com/numo/accounts/internal/jobfile"
	"github.com/numo/accounts/internal/store"
)

// ExportPath is where the export of an account is downloaded (ExportHandler serves it).
func ExportPath(accountID int) string { return fmt.Sprintf("/api/accounts/%d/export.json", accountID) }

// AccountExport is everything Numo stores about one account: the AVG right of access.
type AccountExport struct {
	ExportedAt time.Time `json:"exportedAt"`
	// About says in Dutch what the export holds and what Numo never stores.
	About   string        `json:"about"`
	Account exportAccount `json:"account"`
	School  exportSchool  `json:"school"`
	// Class is the account's class, null when it has none.
	Class *exportClass `json:"class"`
	// TeachingClasses are the classes and lesgroepen a teacher teaches; mentor marks the
	// stamklas they are the mentor of.
	TeachingClasses []exportClass `json:"teachingClasses"`
	// Groups are a pupil's lesgroepen (besides the stamklas, Class).
	Groups []exportClass `json:"groups"`
	// Changes is the account's history in the school's imports (and their undos), with its
	// data before each change, while those imports keep their row data.
	Changes []exportChange `json:"changes"`
	// ImportRows are the account's rows in the plans of imports that still keep row data.
	ImportRows []exportRow `json:"importRows"`
	// Sessions are the account's browser logins.
	Sessions []exportSession `json:"sessions"`
	// AuditEvents are what the account did, and what was done about it, as the audit log
	// records it.
	AuditEvents []exportAudit `json:"auditEvents"`
}

type exportAccount struct {
	ID                 int        `json:"id"`
	Role               string     `json:"role"`
	ExternalKey        *string    `json:"externalKey"`
	FirstName          string     `json:"firstName"`
	Infix              string     `json:"infix"`
	LastName           string     `json:"lastName"`
	Email              string     `json:"email"`
	Username           string     `json:"username"`
	EckID              string     `json:"eckId"`
	Level              string     `json:"level"`
	Year               *int       `json:"year"`
	Status             string     `json:"status"`
	ArchivedAt         *time.Time `json:"archivedAt"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
	HasPassword        bool       `json:"hasPassword"` // the password itself is stored only as a one-way hash
	MustChangePassword bool       `json:"mustChangePassword"`
	FailedLogins       int        `json:"failedLogins"`
	LockedUntil        *time.Time `json:"lockedUntil"`
}

type exportSchool struct {
	ID                    int    `json:"id"`
	Name                  string `json:"name"`
	Brin                  string `json:"brin"`
	ArchivedRetentionDays int    `json:"archivedRetentionDays"`
	JobDataRetentionDays  int    `json:"jobDataRetentionDays"`
	AuditRetentionDays    int    `json:"auditRetentionDays"`
}

type exportClass struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Year  *int   `json:"year"`
	Level string `json:"level"`
	// Kind is STAMKLAS or LESGROEP; Subject the lesgroep's subject where known.
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	// Mentor is set on a teacher's class they are the mentor of.
	Mentor bool `json:"mentor,omitempty"`
}

// exportClassOf is how the export shows a class.
func exportClassOf(cl *ent.Class) exportClass {
	return exportClass{ID: cl.ID, Name: cl.Name, Year: cl.Year, Level: cl.Level, Kind: string(cl.Kind), Subject: cl.Subject}
}

type exportChange struct {
	JobID       int             `json:"jobId"`
	FileName    string          `json:"fileName"`
	Kind        string          `json:"kind"`
	CommittedAt *time.Time      `json:"committedAt"`
	Action      string          `json:"action"`
	Before      json.RawMessage `json:"before"`
}

type exportRow struct {
	JobID    int             `json:"jobId"`
	FileName string          `json:"fileName"`
	Row      json.RawMessage `json:"row"`
}

type exportSession struct {
	CreatedAt  time.Time `json:"createdAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
	RemoteAddr string    `json:"remoteAddr"`
	UserAgent  string    `json:"userAgent"`
}

type exportAudit struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	Detail     string    `json:"detail"`
	RemoteAddr string    `json:"remoteAddr"`
	// About marks an event about the account that it did not do itself (a failed login, a
	// password reset by an admin).
	About bool `json:"about,omitempty"`
}

const exportAbout = "Alle gegevens die Numo over dit account bewaart. Numo bewaart nooit geboortedatum, geslacht, adres of opmerkingen, " +
	"ook niet als het importbestand ze bevat. Wijzigingen en importregels blijven bewaard zolang de import zijn rijgegevens houdt " +
	"(zie school.jobDataRetentionDays); een gearchiveerd account wordt na school.archivedRetentionDays dagen verwijderd; " +
	"een gebeurtenis in het auditlog na school.auditRetentionDays dagen."

// Export returns everything stored about one account. The viewer in ctx must be an admin
// account of the account's school or the account itself; for anyone else the account is not
// found. The download is recorded in the audit log.
func Export(ctx context.Context, db *store.DB, accountID int, now time.Time) (*AccountExport, error) {
	c := db.Client
	sys := auth.System(ctx)
	a, err := c.Account.Query().Where(account.ID(accountID)).WithClass().WithSchool().
		WithTeachings(func(q *ent.TeachingQuery) { q.WithClass() }).WithGroups(func(q *ent.ClassQuery) { q.Order(class.ByName(), class.ByID()) }).Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("account", "account", accountID)
	} else if err != nil {
		return nil, fmt.Errorf("export account %d: %w", accountID, err)
	}
	v := auth.FromContext(ctx)
	if v == nil || v.SchoolID != a.SchoolID || (v.AccountID != a.ID && !isAdminAccount(v)) {
		return nil, apperr.NotFound("account", "account", accountID)
	}
	s := a.Edges.School
	exp := &AccountExport{
		ExportedAt: now, About: exportAbout,
		Account: exportAccount{ID: a.ID, Role: string(a.Role), ExternalKey: a.ExternalKey, FirstName: a.FirstName, Infix: a.Infix,
			LastName: a.LastName, Email: a.Email, Username: a.Username, EckID: a.EckID, Level: a.Level, Year: a.Year,
			Status: string(a.Status), ArchivedAt: a.ArchivedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
			HasPassword: a.PasswordHash != "", MustChangePassword: a.MustChangePassword, FailedLogins: a.FailedLogins, LockedUntil: a.LockedUntil},
		School: exportSchool{ID: s.ID, Name: s.Name, Brin: s.Brin, ArchivedRetentionDays: s.ArchivedRetentionDays, JobDataRetentionDays: s.JobDataRetentionDays,
			AuditRetentionDays: s.AuditRetentionDays},
		TeachingClasses: []exportClass{}, Groups: []exportClass{}, Changes: []exportChange{}, ImportRows: []exportRow{}, Sessions: []exportSession{}, AuditEvents: []exportAudit{},
	}
	if cl := a.Edges.Class; cl != nil {
		x := exportClassOf(cl)
		exp.Class = &x
	}
	exportGroups(a, exp)
	if err := exportHistory(sys, c, db.Dialect, a, exp); err != nil {
		return nil, fmt.Errorf("export account %d: %w", accountID, err)
	}
	sessions, err := c.Session.Query().Where(session.AccountID(a.ID)).Order(session.ByCreatedAt()).All(sys)
	if err != nil {
		return nil, fmt.Errorf("export account %d: sessions: %w", accountID, err)
	}
	for _, se := range sessions {
		exp.Sessions = append(exp.Sessions, exportSession{CreatedAt: se.CreatedAt, ExpiresAt: se.ExpiresAt, RemoteAddr: se.RemoteAddr, UserAgent: se.UserAgent})
	}
	events, err := c.AuditEvent.Query().Where(auditevent.Or(auditevent.ActorAccountID(a.ID), auditevent.SubjectAccountID(a.ID))).
		Order(auditevent.ByAt(), auditevent.ByID()).All(sys)
	if err != nil {
		return nil, fmt.Errorf("export account %d: audit events: %w", accountID, err)
	}
	for _, e := range events {
		x := exportAudit{At: e.At, Action: e.Action, Detail: e.Detail}
		// The address of an event someone else did about the account (an admin resetting its
		// password) is that person's, not the account's.
		if e.ActorAccountID != nil && *e.ActorAccountID == a.ID {
			x.RemoteAddr = e.RemoteAddr
		} else {
			x.About = true
		}
		exp.AuditEvents = append(exp.AuditEvents, x)
	}
	audit.RecordAbout(ctx, c, a.SchoolID, a.ID, "account_exported", fmt.Sprintf("alle gegevens van account %d gedownload", a.ID))
	return exp, nil
}

// exportGroups adds the classes a teacher teaches (with the mentor flag) and a pupil's
// lesgroepen, by name; only classes of the account's own school (the import never links
// others, and the export must not show another school's data if anything ever did).
func exportGroups(a *ent.Account, exp *AccountExport) {
	for _, t := range a.Edges.Teachings {
		if cl := t.Edges.Class; cl != nil && cl.SchoolID == a.SchoolID {
			x := exportClassOf(cl)
			x.Mentor = t.Mentor
			exp.TeachingClasses = append(exp.TeachingClasses, x)
		}
	}
	slices.SortFunc(exp.TeachingClasses, func(x, y exportClass) int { return cmp.Or(strings.Compare(x.Name, y.Name), x.ID-y.ID) })
	for _, cl := range a.Edges.Groups {
		if cl.SchoolID == a.SchoolID {
			exp.Groups = append(exp.Groups, exportClassOf(cl))
		}
	}
}

// exportHistory adds the account's change records and its rows in stored plans.
func exportHistory(ctx context.Context, q store.Querier, d string, a *ent.Account, exp *AccountExport) error {
	err := store.EachAccountChange(ctx, q, d, a.ID, func(c *store.AccountChange) {
		before := json.RawMessage("null")
		if len(c.Before) > 0 {
			before = json.RawMessage(c.Before)
		}
		exp.Changes = append(exp.Changes, exportChange{JobID: c.JobID, FileName: c.FileName, Kind: c.Kind, CommittedAt: c.CommittedAt,
			Action: c.Action, Before: before})
	})
	if err != nil {
		return fmt.Errorf("change records: %w", err)
	}
	plans, err := store.SchoolPlans(ctx, q, d, a.SchoolID)
	if err != nil {
		return fmt.Errorf("stored plans: %w", err)
	}
	w := newWho()
	key := ""
	if a.ExternalKey != nil {
		key = *a.ExternalKey
	}
	w.add(a.ID, key)
	for _, b := range plans {
		data, err := store.BlobData(ctx, q, d, b.BlobID)
		if err != nil {
			return fmt.Errorf("plan of job %d: %w", b.JobID, err)
		}
		plan, err := jobfile.DecodePlan(data)
		if err != nil {
			return fmt.Errorf("plan of job %d: %w", b.JobID, err)
		}
		rows, err := rowsOf(plan, w)
		if err != nil {
			return fmt.Errorf("plan of job %d: %w", b.JobID, err)
		}
		for _, r := range rows {
			exp.ImportRows = append(exp.ImportRows, exportRow{JobID: b.JobID, FileName: b.FileName, Row: r})
		}
	}
	return nil
}

// isAdminAccount reports whether the viewer is a signed-in admin account (not an API token:
// a pupil's personal data leaves Numo only by a person's hand).
func isAdminAccount(v *auth.Viewer) bool { return v.IsAdminAccount() }

// errUnknownAccount answers the download of an account's export that does not exist or that
// the viewer may not see (ExportHandler).
var errUnknownAccount = apperr.New(apperr.CodeNotFound, "onbekend account", "unknown account", nil)

// ExportHandler serves GET /api/accounts/{id}/export.json: everything stored about one
// account as a JSON download, for an admin of its school or the account itself (the viewer in
// the request context). Anyone else gets 404, as for an account that does not exist.
func ExportHandler(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil {
			apperr.Write(w, http.StatusNotFound, errUnknownAccount)
			return
		}
		body, err := exportJSON(r.Context(), db, id)
		var coded interface{ Code() string }
		if errors.As(err, &coded) {
			// Not found, not signed in, not allowed: all look the same from outside.
			apperr.Write(w, http.StatusNotFound, errUnknownAccount)
			return
		} else if err != nil {
			slog.Error("account export", "account", id, "err", err)
			apperr.Write(w, http.StatusInternalServerError, apperr.ErrInternal)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="numo-account-%d.json"`, id))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(append(body, '\n')) //nolint:errcheck // the client went away
	})
}

// exportJSON is the account's export as the indented JSON the download serves.
func exportJSON(ctx context.Context, db *store.DB, id int) ([]byte, error) {
	exp, err := Export(ctx, db, id, time.Now())
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(exp, "", "  ")
}
