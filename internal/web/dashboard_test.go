package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// TestDashboard renders the home page with an overdue, an at-risk and a
// comfortable ticket: the countdown lists them by deadline with their
// highlight, the timeline marks each, the matrix links to the filtered
// list, and the health section shows for admins only.
func TestDashboard(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			ctx := context.Background()
			admin := e.admin.Principal()
			v, err := e.server.Registry.CreateVendor(ctx, admin, registry.Vendor{Name: "Visa", Tier: registry.Tier1})
			if err != nil {
				t.Fatal(err)
			}
			create := func(topic string, sev registry.Severity, sla int, createdAgo time.Duration) ticket.Ticket {
				t.Helper()
				e.server.Tickets.Now = func() time.Time { return time.Now().Add(-createdAgo) }
				defer func() { e.server.Tickets.Now = nil }()
				tk, err := e.server.Tickets.Create(ctx, auth.System(e.tenant.ID), ticket.Draft{VendorID: v.ID, Topic: topic,
					Severity: sev, SLADays: sla})
				if err != nil {
					t.Fatal(err)
				}
				return tk
			}
			late := create("Late change", registry.SeverityCritical, 5, 8*24*time.Hour)
			soon := create("Soon change", registry.SeverityHigh, 2, 0)
			later := create("Later change", registry.SeverityLow, 40, 0)

			s := e.signInAs(e.admin.Email, e.password)
			res := s.get(t, "/")
			wantStatus(t, res, http.StatusOK)
			body := string(res.Body)
			for _, want := range []string{`id="sla-countdown"`, `<svg class="timeline"`, `id="ticket-matrix"`, `id="health"`,
				`href="/jobs"`, `href="/settings/jira#tracker-links"`, `id="health-mailboxes"`, `id="registry"`,
				`href="/tickets?severity=critical&amp;status=open"`, "3 days overdue", "in 2 days", "in 40 days",
				`<div class="n">1</div><div class="l">Past their deadline`, `<div class="n">1</div><div class="l">At risk`} {
				if !strings.Contains(body, want) {
					t.Errorf("dashboard lacks %s", want)
				}
			}
			rows := regexp.MustCompile(`<tr class="(row-breached|row-at-risk|)">\s*<td class="key"><a href="/tickets/(VS-\d+)"`).FindAllStringSubmatch(body, -1)
			var got []string
			for _, r := range rows {
				got = append(got, r[2]+":"+r[1])
			}
			want := []string{late.Key() + ":row-breached", soon.Key() + ":row-at-risk", later.Key() + ":"}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("countdown rows %v, want %v", got, want)
			}
			if n := strings.Count(body, `<circle class="mark`); n != 3 {
				t.Errorf("%d timeline marks, want 3", n)
			}

			viewer := e.signIn(auth.RoleViewer)
			vb := string(viewer.get(t, "/").Body)
			if strings.Contains(vb, `id="health"`) || !strings.Contains(vb, `id="sla-countdown"`) {
				t.Errorf("viewer's dashboard: health shown or countdown missing")
			}
		})
	}
}
