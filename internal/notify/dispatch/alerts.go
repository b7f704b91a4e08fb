package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The notification system tells admins about refused tracker issues and a
// disabled tracker connection.
var _ link.AdminAlerter = (*Service)(nil)

// AlertAdmins plans a tracker alert to the tenant's admins (a Slack DM and
// an email each). The alert is keyed by what it is about, its text and the
// day, so the same failure reported twice (a job retried after the outcome
// was committed) alerts once, while a failure that comes back another day
// alerts again.
func (s *Service) AlertAdmins(ctx context.Context, tenantID string, a link.Alert) error {
	about := a.LinkID
	if about == "" {
		about = "connection"
	}
	sum := sha256.Sum256([]byte(a.Subject + "\n" + a.Message))
	day := s.now().Format("2006-01-02")
	subject := strings.Join([]string{"tracker", a.Kind, about, hex.EncodeToString(sum[:6]), day}, ":")
	ev := notify.Event{Kind: notify.KindTrackerAlert, Subject: subject}
	where := "/settings/jira"
	if a.TicketID != "" {
		where = "/settings/jira#tracker-links"
	}
	snap := notify.NewAlertSnapshot(notify.AlertFacts{Kind: a.Kind, Subject: a.Subject, Message: a.Message, Urgent: a.Urgent},
		s.link(where), s.now())
	if _, err := s.PlanEvent(ctx, tenantID, ev, &snap); err != nil {
		return fmt.Errorf("alert admins of tenant %s about %s: %w", tenantID, a.Kind, err)
	}
	return nil
}

// UnknownVendorJob is the job, committed with an email's unknown status,
// that tells the triage channel (or the admins) about it; keyed by the
// email, so it alerts once.
// The time it was received is written in the tenant's zone when the
// deliveries are planned.
func (s *Service) UnknownVendorJob(tenantID string, f notify.EmailFacts) Job {
	if s.PlanJob == nil {
		return nil
	}
	snap := notify.NewEmailSnapshot(f, nil, s.link("/emails/"+f.ID), s.now())
	return s.PlanJob(tenantID, notify.Event{Kind: notify.KindUnknownVendor, Subject: f.ID}, &snap)
}

// ProvisionedJob is the job, committed with an account created at its
// first single sign-on, that tells the admins to set its role; keyed by
// the user, so it alerts once.
func (s *Service) ProvisionedJob(u auth.User) Job {
	if s.PlanJob == nil {
		return nil
	}
	snap := notify.NewUserSnapshot(notify.UserFacts{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role.Label()},
		s.link("/users/"+u.ID), s.now())
	return s.PlanJob(u.TenantID, notify.Event{Kind: notify.KindUserProvisioned, Subject: u.ID}, &snap)
}

// link is a page under the base URL.
func (s *Service) link(path string) string {
	if s.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(s.BaseURL, "/") + path
}
