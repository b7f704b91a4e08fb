package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// wantBody fails unless the page has every one of parts.
func wantBody(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(string(r.Body), p) {
			t.Errorf("page does not contain %q:\n%s", p, r.Body)
		}
	}
}

// followed returns the page a post/redirect/get answer points to.
func followed(t *testing.T, s *session, r response) response {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	return s.get(t, r.Header.Get("Location"))
}

func TestVendorPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	admin := e.signInAs(e.admin.Email, e.password)
	wantBody(t, admin.get(t, "/vendors"), "No vendors yet", `href="/vendors/new"`)
	wantBody(t, admin.get(t, "/vendors/new"), `name="email_domains"`, "Tier 1 · mission-critical")

	bad := admin.post(t, "/vendors", url.Values{"name": {""}, "tier": {"tier_1"}, "email_domains": {"visa.com\nops@visa.com"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantBody(t, bad, "is required", "ops@visa.com", "not a domain")

	res := admin.post(t, "/vendors", url.Values{"name": {"Visa"}, "tier": {"tier_1"}, "email_domains": {"visa.com\nVisaEmail.com"},
		"aliases": {"VisaNet, Visa Inc."}})
	page := followed(t, admin, res)
	wantBody(t, page, "Vendor Visa created.", "visaemail.com", "VisaNet\nVisa Inc.")
	id := strings.TrimPrefix(res.Header.Get("Location"), "/vendors/")

	dup := admin.post(t, "/vendors", url.Values{"name": {"VISA"}, "tier": {"tier_2"}})
	wantStatus(t, dup, http.StatusConflict)
	wantBody(t, dup, "already exists", `value="VISA"`)

	wantBody(t, followed(t, admin, admin.post(t, "/vendors/"+id, url.Values{"name": {"Visa"}, "tier": {"tier_2"},
		"email_domains": {"visa.com\nvisaemail.com"}, "aliases": {"VisaNet"}})), "Saved vendor Visa.", "Tier 2")
	wantBody(t, admin.get(t, "/vendors?q=visanet"), `href="/vendors/`+id+`"`)
	wantBody(t, followed(t, admin, admin.post(t, "/vendors/"+id+"/active", url.Values{"active": {"0"}})), "is deactivated", "Reactivate vendor")
	if list := admin.get(t, "/vendors"); strings.Contains(string(list.Body), `href="/vendors/`+id+`"`) {
		t.Error("a deactivated vendor is listed by default")
	}
	wantBody(t, admin.get(t, "/vendors?inactive=1"), `href="/vendors/`+id+`"`, "inactive")
	wantBody(t, followed(t, admin, admin.post(t, "/vendors/"+id+"/active", url.Values{"active": {"1"}})), "is active again")

	viewer := e.signIn(auth.RoleViewer)
	view := viewer.get(t, "/vendors/"+id)
	wantStatus(t, view, http.StatusOK)
	wantBody(t, view, "visaemail.com")
	if strings.Contains(string(view.Body), `name="name"`) || strings.Contains(string(viewer.get(t, "/vendors").Body), "New vendor") {
		t.Error("a viewer is offered the vendor form")
	}
	wantStatus(t, viewer.post(t, "/vendors/"+id, url.Values{"name": {"X"}, "tier": {"tier_1"}}), http.StatusForbidden)
}

func TestApplicationAndRulePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	ctx := context.Background()
	svc := &registry.Service{Store: e.db}
	sys := auth.System(e.tenant.ID)
	visa, err := svc.CreateVendor(ctx, sys, registry.Vendor{Name: "Visa", Tier: registry.Tier1})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := svc.CreateVendor(ctx, sys, registry.Vendor{Name: "Mastercard", Tier: registry.Tier1})
	if err != nil {
		t.Fatal(err)
	}
	payments := e.team(e.tenant, "Payments")
	admin := e.signInAs(e.admin.Email, e.password)
	wantBody(t, admin.get(t, "/applications/new"), `value="`+visa.ID+`"`, `value="`+payments.ID+`"`, "Tracker routing")

	bad := admin.post(t, "/applications", url.Values{"name": {"Pay"}, "description": {"Calls Visa."}, "creates_tracker_issue": {"on"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantBody(t, bad, "is required when the application creates tracker issues", "Calls Visa.")

	form := url.Values{"name": {"PaymentService"}, "description": {"Calls the Visa authorization v2 endpoint."},
		"owner_team_id": {payments.ID}, "vendor_ids": {visa.ID, mc.ID}, "is_critical": {"on"}, "creates_tracker_issue": {"on"},
		"tracker_project_key": {"PAY"}, "tracker_issue_type": {"Task"}, "tracker_labels": {"vendor-change, payments"}}
	res := admin.post(t, "/applications", form)
	wantBody(t, followed(t, admin, res), "Application PaymentService created.", "Mastercard", "Payments", "vendor-change, payments")
	list := admin.get(t, "/applications?vendor_id="+visa.ID)
	wantBody(t, list, "PaymentService", "<code>PAY</code>", "critical")

	wantStatus(t, admin.post(t, "/rules", url.Values{"name": {"R"}, "text": {"T"}, "severity": {"high"}, "sla_days": {"two weeks"}}),
		http.StatusUnprocessableEntity)
	res = admin.post(t, "/rules", url.Values{"name": {"Card authorization"}, "text": {"Any Visa change to authorization endpoints is critical."},
		"severity": {"critical"}, "sla_days": {"14"}, "vendor_id": {visa.ID}, "owner_team_id": {payments.ID}, "alert_channel": {"#payments-changes"}})
	wantBody(t, followed(t, admin, res), "Rule Card authorization created.", `value="14"`)
	wantBody(t, admin.get(t, "/rules?severity=critical"), "Card authorization", "14 days", "Visa", "#payments-changes")
	wantBody(t, admin.get(t, "/vendors/"+visa.ID), "PaymentService", "Card authorization")
	wantBody(t, admin.get(t, "/"), `href="/vendors"`, "Active vendors", `<div class="n">2</div>`, "Active rules")
}

func TestRegistryListPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	svc := &registry.Service{Store: e.db}
	for i := range 51 {
		if _, err := svc.CreateVendor(context.Background(), auth.System(e.tenant.ID),
			registry.Vendor{Name: fmt.Sprintf("Vendor %02d", i), Tier: registry.Tier3}); err != nil {
			t.Fatal(err)
		}
	}
	admin := e.signInAs(e.admin.Email, e.password)
	first := admin.get(t, "/vendors?q=vendor")
	wantBody(t, first, "Vendor 49", "Next page")
	if strings.Contains(string(first.Body), "Vendor 50") {
		t.Error("the first page holds more than 50 vendors")
	}
	const pager = `<nav class="pager"><a class="button" href="`
	i := strings.Index(string(first.Body), pager)
	if i < 0 {
		t.Fatal("no next-page link")
	}
	href := strings.SplitN(string(first.Body)[i+len(pager):], `"`, 2)[0]
	next := admin.get(t, strings.ReplaceAll(href, "&amp;", "&"))
	wantBody(t, next, "Vendor 50")
	if strings.Contains(string(next.Body), "Next page") || strings.Contains(string(next.Body), "Vendor 49") {
		t.Error("the second page repeats vendors or offers another page")
	}
}
