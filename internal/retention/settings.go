package retention

import (
	"context"
	"fmt"
	"strings"

	"github.com/numo/accounts/ent"
	"github.com/numo/accounts/internal/apperr"
	"github.com/numo/accounts/internal/audit"
	"github.com/numo/accounts/internal/auth"
)

// Settings are a school's import and retention settings; a nil field stays as it is.
type Settings struct {
	// ArchiveThreshold is the percentage of active pupils an import may archive without a
	// typed confirmation (0–100).
	ArchiveThreshold *int
	// ArchivedRetentionDays is how long an archived account is kept (30–3650 days).
	ArchivedRetentionDays *int
	// JobDataRetentionDays is how long an import keeps its row data after the commit (1–365 days).
	JobDataRetentionDays *int
	// AuditRetentionDays is how long an audit event is kept (30–3650 days).
	AuditRetentionDays *int
}

// settingRange is a setting's allowed values, as the schema enforces them too.
type settingRange struct {
	field, nl, en string
	min, max      int
}

var (
	thresholdRange = settingRange{"archiveThreshold", "De archiveergrens", "The archive threshold", 0, 100}
	archivedRange  = settingRange{"archivedRetentionDays", "De bewaartermijn van gearchiveerde accounts", "The retention of archived accounts", 30, 3650}
	jobDataRange   = settingRange{"jobDataRetentionDays", "De bewaartermijn van importgegevens", "The retention of import data", 1, 365}
	auditRange     = settingRange{"auditRetentionDays", "De bewaartermijn van het auditlog", "The retention of the audit log", 30, 3650}
)

func (r settingRange) check(v *int) error {
	if v == nil || (*v >= r.min && *v <= r.max) {
		return nil
	}
	return apperr.New(apperr.CodeInvalidInput,
		fmt.Sprintf("%s moet tussen %d en %d liggen.", r.nl, r.min, r.max),
		fmt.Sprintf("%s must be between %d and %d.", r.en, r.min, r.max),
		map[string]any{"field": r.field, "min": r.min, "max": r.max})
}

// UpdateSettings changes a school's settings. The viewer in ctx must administer the school
// (an admin account, or a token of the school that runs imports); for a viewer of another
// school the school is not found. A shorter retention term applies at the next purge. The
// change is recorded in the audit log.
func UpdateSettings(ctx context.Context, c *ent.Client, schoolID int, s Settings) (*ent.School, error) {
	v := auth.FromContext(ctx)
	switch {
	case v == nil:
		return nil, auth.ErrUnauthenticated
	case v.SchoolID != schoolID:
		return nil, apperr.NotFound("school", "school", schoolID)
	}
	if err := auth.RequireAdmin(ctx, schoolID); err != nil {
		return nil, err
	}
	for _, check := range []struct {
		r settingRange
		v *int
	}{{thresholdRange, s.ArchiveThreshold}, {archivedRange, s.ArchivedRetentionDays}, {jobDataRange, s.JobDataRetentionDays}, {auditRange, s.AuditRetentionDays}} {
		if err := check.r.check(check.v); err != nil {
			return nil, err
		}
	}
	sys := auth.System(ctx)
	u := c.School.UpdateOneID(schoolID)
	var changed []string
	// Each setting given is set and named in the audit event, in this order.
	for _, f := range []struct {
		value *int
		set   func(int) *ent.SchoolUpdateOne
		audit string
	}{
		{s.ArchiveThreshold, u.SetArchiveThreshold, "archiveergrens %d %%"},
		{s.ArchivedRetentionDays, u.SetArchivedRetentionDays, "gearchiveerde accounts %d dagen bewaren"},
		{s.JobDataRetentionDays, u.SetJobDataRetentionDays, "importgegevens %d dagen bewaren"},
		{s.AuditRetentionDays, u.SetAuditRetentionDays, "auditlog %d dagen bewaren"},
	} {
		if f.value != nil {
			f.set(*f.value)
			changed = append(changed, fmt.Sprintf(f.audit, *f.value))
		}
	}
	school, err := u.Save(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("school", "school", schoolID)
	} else if err != nil {
		return nil, fmt.Errorf("update settings of school %d: %w", schoolID, err)
	}
	if len(changed) > 0 {
		audit.Record(ctx, c, schoolID, "school_settings_changed", strings.Join(changed, ", "))
	}
	return school, nil
}
