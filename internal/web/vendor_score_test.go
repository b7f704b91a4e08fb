package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/vendorview"
)

// TestVendorPage shows everything VendorSync knows about one vendor: its
// tickets, its open price exceptions by severity, its event feed's last
// seven days and its tracker issues, beside the score — which is "no data"
// while no signal about it counts, never 0 or 100.
func TestVendorPage(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			contractID, _ := reconciledContract(e, e.key)
			var c struct {
				VendorID string `json:"vendor_id"`
			}
			e.do(http.MethodGet, "/api/v1/contracts/"+contractID, e.key, nil).JSON(t, &c)
			vendor := c.VendorID
			// Two tickets, one breached; each with a tracker issue pending.
			app := created(e, e.key, "/api/v1/applications", map[string]any{"name": "Billing", "description": "Bills.",
				"creates_tracker_issue": true, "tracker_project_key": "BILL", "tracker_issue_type": "Task"})
			for i, topic := range []string{"API v1 sunset", "TLS 1.0 removal"} {
				tk, err := e.server.Tickets.Create(context.Background(), auth.System(e.tenant.ID), ticket.Draft{VendorID: vendor,
					Topic: topic, Severity: registry.SeverityHigh, SLADays: 30, ApplicationIDs: []string{app}})
				if err != nil {
					t.Fatal(err)
				}
				if i == 1 {
					if _, moved, err := e.server.Tickets.Breach(context.Background(), e.tenant.ID, tk.Number, tk.DueAt.Add(time.Hour)); err != nil || !moved {
						t.Fatalf("breach: %v %v", moved, err)
					}
				}
			}
			// Three events, none normalized yet.
			wantStatus(t, e.do(http.MethodPut, "/api/v1/ingest/vendors/"+vendor, e.key, map[string]any{"vendor_key": "pricey"}), http.StatusOK)
			res := e.do(http.MethodPost, "/api/v1/ingest/vendors/"+vendor+"/keys", e.key, map[string]any{"name": "push"})
			var k struct {
				Key string `json:"key"`
			}
			res.JSON(t, &k)
			for i := range 3 {
				wantStatus(t, e.do(http.MethodPost, "/api/v1/ingest/events", k.Key, envelopeJSON("pricey", fmt.Sprint("ev-", i), `{"a":1}`)), http.StatusAccepted)
			}

			res = e.do(http.MethodGet, "/api/v1/vendors/"+vendor+"/overview", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var o vendorview.VendorOverview
			res.JSON(t, &o)
			if o.Tickets.Unfinished != 2 || o.Tickets.Breached != 1 || len(o.Tickets.Recent) != 2 {
				t.Errorf("tickets: %+v", o.Tickets)
			}
			if o.Exceptions.Open < 1 || len(o.Exceptions.BySeverity) != 3 || o.Exceptions.BySeverity[0].State != "high" {
				t.Errorf("exceptions: %+v", o.Exceptions)
			}
			if o.Ingest.Accepted != 3 || o.Ingest.Days != 7 || o.Ingest.Waiting+o.Ingest.Normalized+o.Ingest.Quarantined+o.Ingest.Failed != 3 {
				t.Errorf("ingest: %+v", o.Ingest)
			}
			var links int
			for _, s := range o.Trackers.ByState {
				links += s.N
			}
			if links != 2 || len(o.Trackers.Recent) != 2 {
				t.Errorf("trackers: %+v", o.Trackers)
			}

			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/vendors/"+vendor+"/score")
			wantStatus(t, page, http.StatusOK)
			body := string(page.Body)
			for _, want := range []string{`id="vendor-tickets"`, "TLS 1.0 removal", "1 breached", `id="vendor-exceptions"`,
				"/contracts/exceptions?vendor_id=" + vendor + "&amp;status=open", `id="vendor-ingest"`, `id="vendor-trackers"`, "pending: 2",
				"No data: no signal about this vendor counts"} {
				if !strings.Contains(body, want) {
					t.Errorf("vendor page lacks %q", want)
				}
			}
			if strings.Contains(body, `id="vendor-score">0.0<`) || strings.Contains(body, `id="vendor-score">100.0<`) {
				t.Error("a vendor without signals shows a number")
			}
			// Another tenant's vendor is not found, in the API and the page.
			_, keyB := e.newTenant("other")
			wantProblem(t, e.do(http.MethodGet, "/api/v1/vendors/"+vendor+"/overview", keyB, nil), http.StatusNotFound)
		})
	}
}
