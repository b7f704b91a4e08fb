package web_test

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/web"
)

// withNotify adds the notification system and the dashboard to d, and the
// notification jobs to every new ticket and breach.
func withNotify(e *env, d web.Deps) web.Deps {
	settings := &setting.Service{Store: e.db}
	d.Notify = &dispatch.Service{Store: e.db, Settings: settings, Trackers: d.Trackers, DeliverJob: jobs.NotifyDeliver,
		PlanJob: jobs.NotifyPlan, BaseURL: d.BaseURL}
	d.Tickets.DefaultFollowUps = append(d.Tickets.DefaultFollowUps, d.Notify.FollowUp)
	d.Tickets.TransitionJobs = d.Notify.TransitionJobs
	d.Trackers.Alerter = d.Notify
	d.Inbox.UnknownVendorJobs = func(em inbox.Email) []inbox.Job {
		if j := d.Notify.UnknownVendorJob(em.TenantID, notify.EmailFacts{ID: em.ID, From: em.From.String(),
			Subject: em.Subject, ReceivedAt: em.ReceivedAt}); j != nil {
			return []inbox.Job{j}
		}
		return nil
	}
	e.auth.ProvisionJobs = func(u auth.User) []auth.Job {
		if j := d.Notify.ProvisionedJob(u); j != nil {
			return []auth.Job{j}
		}
		return nil
	}
	d.Dashboard = &dashboard.Service{Store: e.db, Location: func(ctx context.Context, tenantID string) (*time.Location, error) {
		st, err := settings.Get(ctx, tenantID)
		return st.Location(), err
	}}
	return d
}

// notificationWallFixture returns the id of a failed notification log
// entry in the tenant of key: a test sent through an unreachable SMTP relay.
func notificationWallFixture(e *env, key string) string {
	e.t.Helper()
	p, err := e.auth.AuthenticateAPIKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UTC()
	entry := dispatch.LogEntry{ID: auth.NewID(), TenantID: p.TenantID, Kind: notify.KindTest, Subject: auth.NewID(),
		Channel: notify.ChannelEmail, Target: "wall@b.test", DedupKey: "wall/" + auth.NewID(), Status: dispatch.Failed,
		Snapshot: notify.NewTestSnapshot("", "", now), CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.PlanNotifications(context.Background(), []dispatch.LogEntry{entry}, func(dispatch.LogEntry) dispatch.Job { return nil }); err != nil {
		e.t.Fatal(err)
	}
	return entry.ID
}
