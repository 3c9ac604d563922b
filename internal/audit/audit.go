// Package audit writes the audit log: who did what, when and from where, and about whom.
//
// An event names its actor (the viewer in the context: account or token, display name,
// address) and, when it is about one account, that account as its subject. The columns let
// the erasure of an account (internal/retention) find every event by or about it exactly;
// the detail text is for people and may name the subject as "account N (username)".
package audit

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
)

// SystemActor is the actor of an event without a viewer: the product's own work.
const SystemActor = "systeem"

// Event is one audit event to write.
type Event struct {
	// SchoolID is the school the event belongs to; 0 means none.
	SchoolID int
	// Action is what happened, e.g. login, login_failed, password_reset.
	Action string
	// Detail says more, in Dutch, for the school's admins.
	Detail string
	// Subject is the account the event is about (0: none), e.g. the account of a failed login
	// or of a password reset. The actor is not repeated here.
	Subject int
	// RemoteAddr is the address the request came from, for an event written without the
	// viewer of the request (a failed login); the viewer's address is used otherwise.
	RemoteAddr string
}

// Record writes one audit event for the viewer in ctx (or the system when there is none).
// schoolID 0 means the event belongs to no school. A failure is logged, never returned: the
// audit log must not make the action itself fail after the fact.
func Record(ctx context.Context, c *ent.Client, schoolID int, action, detail string) {
	Write(ctx, c, Event{SchoolID: schoolID, Action: action, Detail: detail})
}

// RecordAbout is Record for an event about one account (its subject); see Event.Subject.
func RecordAbout(ctx context.Context, c *ent.Client, schoolID, subject int, action, detail string) {
	Write(ctx, c, Event{SchoolID: schoolID, Action: action, Detail: detail, Subject: subject})
}

// Write writes the event for the viewer in ctx (or the system when there is none). A failure
// is logged, never returned (see Record).
func Write(ctx context.Context, c *ent.Client, e Event) {
	create := c.AuditEvent.Create().SetAction(e.Action).SetDetail(e.Detail).SetRemoteAddr(e.RemoteAddr)
	if e.SchoolID != 0 {
		create.SetSchoolID(e.SchoolID)
	}
	if e.Subject != 0 {
		create.SetSubjectAccountID(e.Subject)
	}
	actor := SystemActor
	if v := auth.FromContext(ctx); v != nil {
		actor = v.Name
		if v.RemoteAddr != "" {
			create.SetRemoteAddr(v.RemoteAddr)
		}
		if v.AccountID != 0 {
			create.SetActorAccountID(v.AccountID)
		}
		if v.TokenID != 0 {
			create.SetActorTokenID(v.TokenID)
		}
	}
	create.SetActor(actor)
	if err := create.Exec(auth.System(ctx)); err != nil {
		slog.Error("audit log", "action", e.Action, "err", fmt.Errorf("record: %w", err))
	}
}
