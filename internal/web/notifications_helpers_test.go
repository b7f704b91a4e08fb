package web_test

import (
	"context"
	"time"

	"github.com/vendorsync/vendorsync/internal/dashboard"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/web"
)

// withNotify adds the notification system and the dashboard to d.
func withNotify(e *env, d web.Deps) web.Deps {
	settings := &setting.Service{Store: e.db}
	d.Notify = &dispatch.Service{Store: e.db, Settings: settings, Trackers: d.Trackers,
		Notices: dispatch.Notices{BaseURL: d.BaseURL}}
	d.Dashboard = &dashboard.Service{Store: e.db, Location: settings.Location}
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
	entry := dispatch.LogEntry{ID: ident.New(), TenantID: p.TenantID, Kind: notify.KindTest, Subject: ident.New(),
		Channel: notify.ChannelEmail, Target: "wall@b.test", DedupKey: "wall/" + ident.New(), Status: dispatch.Failed,
		Snapshot: notify.NewTestSnapshot("", "", now), CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.PlanNotifications(context.Background(), []dispatch.LogEntry{entry}, func(dispatch.LogEntry) jobargs.Args { return nil }); err != nil {
		e.t.Fatal(err)
	}
	return entry.ID
}
