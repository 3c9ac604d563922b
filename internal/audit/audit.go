// Package audit writes the audit log: who did what, when and from where.
package audit

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/auth"
)

// Record writes one audit event for the viewer in ctx (or the system when there is none).
// schoolID 0 means the event belongs to no school. A failure is logged, never returned: the
// audit log must not make the action itself fail after the fact.
func Record(ctx context.Context, c *ent.Client, schoolID int, action, detail string) {
	create := c.AuditEvent.Create().SetAction(action).SetDetail(detail)
	if schoolID != 0 {
		create.SetSchoolID(schoolID)
	}
	actor := "systeem"
	if v := auth.FromContext(ctx); v != nil {
		actor = v.Name
		create.SetRemoteAddr(v.RemoteAddr)
		if v.AccountID != 0 {
			create.SetActorAccountID(v.AccountID)
		}
		if v.TokenID != 0 {
			create.SetActorTokenID(v.TokenID)
		}
	}
	create.SetActor(actor)
	if err := create.Exec(auth.System(ctx)); err != nil {
		slog.Error("audit log", "action", action, "err", fmt.Errorf("record: %w", err))
	}
}
