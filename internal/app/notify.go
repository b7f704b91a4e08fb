package app

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/ticket/deadline"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// notifications is the notification system with what feeds it.
type notifications struct {
	Dispatch  *dispatch.Service
	Monitor   *deadline.Monitor
	Dashboard *dashboard.Service
}

// newNotifications builds the notification system, the deadline monitor
// and the dashboard, and hooks notifications into every cause: new tickets
// and breaches (their jobs commit with the ticket), tracker alerts, emails
// from unknown vendors and vendor emails attached to a ticket as thread
// updates (committed with the email) and accounts created at their first
// SSO sign-in (committed with the account).
func newNotifications(e *env, settings *setting.Service, tickets *ticket.Service, trackers *link.Service,
	inboxSvc *inbox.Service, baseURL string, out httpx.Telemetry) notifications {
	d := &dispatch.Service{Store: e.db, Settings: settings, Trackers: trackers, DeliverJob: jobs.NotifyDeliver,
		PlanJob: jobs.NotifyPlan, BaseURL: baseURL, Logger: e.log.With("component", "notify"), Telemetry: out}
	tickets.DefaultFollowUps = append(tickets.DefaultFollowUps, d.FollowUp)
	tickets.TransitionJobs = d.TransitionJobs
	trackers.Alerter = d
	inboxSvc.UnknownVendorJobs = func(em inbox.Email) []inbox.Job {
		if j := d.UnknownVendorJob(em.TenantID, notify.EmailFacts{ID: em.ID, From: em.From.String(),
			Subject: em.Subject, ReceivedAt: em.ReceivedAt}); j != nil {
			return []inbox.Job{j}
		}
		return nil
	}
	inboxSvc.ThreadUpdateJobs = func(em inbox.Email, reply string) []inbox.Job {
		if j := d.ThreadUpdateJob(em.TenantID, em.TicketID, notify.EmailFacts{ID: em.ID, From: em.From.String(),
			Subject: em.Subject, ReceivedAt: em.ReceivedAt, Excerpt: reply}); j != nil {
			return []inbox.Job{j}
		}
		return nil
	}
	e.auth.ProvisionJobs = func(u auth.User) []auth.Job {
		if j := d.ProvisionedJob(u); j != nil {
			return []auth.Job{j}
		}
		return nil
	}
	location := func(ctx context.Context, tenantID string) (*time.Location, error) {
		st, err := settings.Get(ctx, tenantID)
		return st.Location(), err
	}
	return notifications{
		Dispatch: d,
		Monitor: &deadline.Monitor{Store: e.db, Tickets: tickets, Settings: settings, Notify: d,
			Logger: e.log.With("component", "deadline")},
		Dashboard: &dashboard.Service{Store: e.db, Location: location},
	}
}
