package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func TestRegistryApplicationsAndRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		visa, mc := f.vendor(t, f.a, "Visa", registry.Tier1), f.vendor(t, f.a, "Mastercard", registry.Tier1)
		payments := f.team(t, f.a, "Payments")
		pay, err := f.svc.CreateApplication(ctx, f.a, registry.Application{Name: "PaymentService",
			Description: "Calls the Visa authorization v2 endpoint on every transaction.", OwnerTeamID: payments.ID,
			IsCritical: true, VendorIDs: []string{visa.ID, mc.ID, visa.ID}, CreatesTrackerIssue: true,
			TrackerProjectKey: "PAY", TrackerIssueType: "Task", TrackerLabels: []string{"vendor-change", "payments"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Application(ctx, f.a, pay.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sorted(visa.ID, mc.ID), got.VendorIDs); diff != "" {
			t.Errorf("vendor ids (-want +got):\n%s", diff)
		}
		got.VendorIDs = pay.VendorIDs
		if diff := cmp.Diff(pay, got); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}
		billing, err := f.svc.CreateApplication(ctx, f.a, registry.Application{Name: "Billing",
			Description: "Monthly invoices, emailed through Mailchimp.", VendorIDs: []string{mc.ID}})
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := f.svc.ListApplications(ctx, f.a, registry.ApplicationFilter{VendorID: visa.ID})
		if err != nil || len(list) != 1 || list[0].ID != pay.ID {
			t.Fatalf("apps of Visa = %+v, %v", list, err)
		}
		list, _, err = f.svc.ListApplications(ctx, f.a, registry.ApplicationFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("all apps = %+v, %v", list, err)
		}
		if diff := cmp.Diff([][]string{{mc.ID}, sorted(visa.ID, mc.ID)}, [][]string{list[0].VendorIDs, list[1].VendorIDs}); diff != "" {
			t.Errorf("listed vendor ids (-want +got):\n%s", diff)
		}
		if list, _, _ := f.svc.ListApplications(ctx, f.a, registry.ApplicationFilter{Query: "invoices"}); len(list) != 1 || list[0].ID != billing.ID {
			t.Errorf("search description = %+v", list)
		}
		upd, err := f.svc.UpdateApplication(ctx, f.a, pay.ID, func(a *registry.Application) { a.VendorIDs = []string{mc.ID}; a.OwnerTeamID = "" })
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Application(ctx, f.a, pay.ID); !cmp.Equal(got.VendorIDs, []string{mc.ID}) || got.OwnerTeamID != "" || !cmp.Equal(got, upd) {
			t.Errorf("after relinking = %+v, returned %+v", got, upd)
		}

		sla := 14
		rule, err := f.svc.CreateRule(ctx, f.a, registry.Rule{Name: "Visa authorization", Text: "Any Visa change to authorization endpoints is critical.",
			VendorID: visa.ID, Severity: registry.SeverityCritical, SLADays: &sla, OwnerTeamID: payments.ID, AlertChannel: "#payments-changes"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.svc.Rule(ctx, f.a, rule.ID); err != nil || !cmp.Equal(got, rule) {
			t.Fatalf("rule read back = %+v, %v; want %+v", got, err, rule)
		}
		cleared, err := f.svc.UpdateRule(ctx, f.a, rule.ID, func(r *registry.Rule) { r.SLADays = nil; r.VendorID = "" })
		if err != nil || cleared.SLADays != nil || cleared.VendorID != "" {
			t.Fatalf("clear sla and vendor = %+v, %v", cleared, err)
		}
		if got, _ := f.svc.Rule(ctx, f.a, rule.ID); got.SLADays != nil || got.VendorID != "" {
			t.Errorf("stored after clearing = %+v", got)
		}
		if list, _, _ := f.svc.ListRules(ctx, f.a, registry.RuleFilter{Severity: registry.SeverityLow}); len(list) != 0 {
			t.Errorf("low rules = %+v", list)
		}
		if list, _, _ := f.svc.ListRules(ctx, f.a, registry.RuleFilter{Query: "AUTHORIZATION"}); len(list) != 1 {
			t.Errorf("search rules = %+v", list)
		}
		if diff := cmp.Diff([]string{"rule.create", "rule.update"}, f.actions(t, f.a, rule.ID)); diff != "" {
			t.Errorf("rule audit (-want +got):\n%s", diff)
		}
	})
}

func TestRegistryTenantWalls(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		visaA := f.vendor(t, f.a, "Visa", registry.Tier1)
		teamA := f.team(t, f.a, "Payments")
		appA, err := f.svc.CreateApplication(ctx, f.a, registry.Application{Name: "Pay", Description: "Pays.", VendorIDs: []string{visaA.ID}})
		if err != nil {
			t.Fatal(err)
		}
		ruleA, err := f.svc.CreateRule(ctx, f.a, registry.Rule{Name: "R", Text: "T", Severity: registry.SeverityLow})
		if err != nil {
			t.Fatal(err)
		}

		// Tenant B can neither read nor change tenant A's rows.
		_, err = f.svc.Vendor(ctx, f.b, visaA.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.UpdateVendor(ctx, f.b, visaA.ID, func(v *registry.Vendor) { v.Name = "Hijacked" })
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.DeactivateApplication(ctx, f.b, appA.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Rule(ctx, f.b, ruleA.ID)
		wantCode(t, err, apperr.NotFound)
		for _, id := range []string{"", "not-a-uuid", "'; DROP TABLE vendors; --"} {
			_, err = f.svc.Vendor(ctx, f.a, id)
			wantCode(t, err, apperr.NotFound)
		}
		if list, _, _ := f.svc.ListVendors(ctx, f.b, registry.VendorFilter{IncludeInactive: true}); len(list) != 0 {
			t.Errorf("tenant B lists %+v", list)
		}
		if list, _, _ := f.svc.ListApplications(ctx, f.b, registry.ApplicationFilter{VendorID: visaA.ID}); len(list) != 0 {
			t.Errorf("tenant B lists apps of A's vendor: %+v", list)
		}

		// Tenant B cannot link to tenant A's vendors or teams, through the
		// service or directly through the store.
		_, err = f.svc.CreateApplication(ctx, f.b, registry.Application{Name: "X", Description: "X", VendorIDs: []string{visaA.ID}, OwnerTeamID: teamA.ID})
		wantField(t, err, "vendor_ids")
		wantField(t, err, "owner_team_id")
		_, err = f.svc.CreateRule(ctx, f.b, registry.Rule{Name: "X", Text: "X", Severity: registry.SeverityLow, VendorID: visaA.ID})
		wantField(t, err, "vendor_id")

		appB := registry.Application{ID: "app-b", TenantID: f.b.TenantID, Name: "Sneaky", Description: "X",
			VendorIDs: []string{visaA.ID}, IsActive: true, CreatedAt: db.Now(), UpdatedAt: db.Now()}
		err = db.CreateApplication(ctx, appB, audit.Record(f.b, "application.create", "application", appB.ID, nil, appB))
		wantField(t, err, "vendor_ids")
		if _, err := db.Application(ctx, f.b.TenantID, appB.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a refused application was stored: err = %v", err)
		}
		appB.VendorIDs, appB.OwnerTeamID = nil, teamA.ID
		err = db.CreateApplication(ctx, appB, audit.Record(f.b, "application.create", "application", appB.ID, nil, appB))
		wantField(t, err, "owner_team_id")
		ruleB := registry.Rule{ID: "rule-b", TenantID: f.b.TenantID, Name: "Sneaky", Text: "X", Severity: registry.SeverityLow,
			VendorID: visaA.ID, IsActive: true, CreatedAt: db.Now(), UpdatedAt: db.Now()}
		err = db.CreateRule(ctx, ruleB, audit.Record(f.b, "rule.create", "rule", ruleB.ID, nil, ruleB))
		wantField(t, err, "vendor_id")
		hijack := visaA
		hijack.TenantID, hijack.Name = f.b.TenantID, "Hijacked"
		err = db.UpdateVendor(ctx, hijack, audit.Record(f.b, "vendor.update", "vendor", hijack.ID, nil, hijack))
		wantCode(t, err, apperr.NotFound)
		if got, _ := f.svc.Vendor(ctx, f.a, visaA.ID); got.Name != "Visa" {
			t.Errorf("tenant A's vendor changed to %q", got.Name)
		}
	})
}

func TestRegistrySnapshotAndCounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newRegFixture(t, db)
		visa, old := f.vendor(t, f.a, "Visa", registry.Tier1), f.vendor(t, f.a, "Oldco", registry.Tier3)
		f.vendor(t, f.b, "Other tenant", registry.Tier1)
		app, err := f.svc.CreateApplication(ctx, f.a, registry.Application{Name: "Pay", Description: "Pays.", VendorIDs: []string{visa.ID, old.ID}})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := f.svc.CreateApplication(ctx, f.a, registry.Application{Name: "Gone", Description: "Retired."})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []registry.Rule{
			{Name: "Any vendor", Text: "Anything breaking is high.", Severity: registry.SeverityHigh},
			{Name: "Visa", Text: "Visa is critical.", Severity: registry.SeverityCritical, VendorID: visa.ID},
			{Name: "Oldco", Text: "Oldco is low.", Severity: registry.SeverityLow, VendorID: old.ID},
		} {
			if _, err := f.svc.CreateRule(ctx, f.a, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.DeactivateVendor(ctx, f.a, old.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DeactivateApplication(ctx, f.a, gone.ID); err != nil {
			t.Fatal(err)
		}
		snap, err := f.svc.ActiveRegistry(ctx, f.a)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, v := range snap.Vendors {
			names = append(names, v.Name)
		}
		for _, a := range snap.Applications {
			names = append(names, a.Name)
			if a.ID == app.ID && !cmp.Equal(a.VendorIDs, []string{visa.ID}) {
				t.Errorf("snapshot links Pay to %v, want only the active Visa", a.VendorIDs)
			}
		}
		for _, r := range snap.Rules {
			names = append(names, r.Name)
		}
		if diff := cmp.Diff([]string{"Visa", "Pay", "Any vendor", "Visa"}, names); diff != "" {
			t.Errorf("snapshot (-want +got):\n%s", diff)
		}
		c, err := f.svc.Counts(ctx, f.a)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(registry.Counts{Vendors: 1, Applications: 1, Rules: 3}, c); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}
