package registry_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// fixture is the service on a real SQLite store with one tenant, one vendor
// and one team to refer to.
type fixture struct {
	svc    *registry.Service
	p      auth.Principal
	vendor registry.Vendor
	team   auth.Team
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, sqlstore.SQLite)
	b, err := (&auth.Service{Store: db, Keys: db.Keys}).CreateTenant(ctx, "acme", "Acme", "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{svc: &registry.Service{Store: db}, p: b.Admin.Principal()}
	f.team = auth.Team{ID: ident.New(), TenantID: f.p.TenantID, Name: "Payments", IsActive: true}
	if err := db.CreateTeam(ctx, f.team, audit.Record(f.p, "team.create", "team", f.team.ID, nil, f.team)); err != nil {
		t.Fatal(err)
	}
	if f.vendor, err = f.svc.CreateVendor(ctx, f.p, registry.Vendor{Name: "Visa", Tier: registry.Tier1}); err != nil {
		t.Fatal(err)
	}
	return f
}

// fieldsOf lists the fields err complains about, sorted; nil when err is nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

var long = strings.Repeat("x", 201)

func TestVendorValidation(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		in   registry.Vendor
		want []string
	}{
		{"valid", registry.Vendor{Name: "Stripe", Tier: registry.Tier1, EmailDomains: []string{"stripe.com"}}, nil},
		{"empty", registry.Vendor{}, []string{"name", "tier"}},
		{"blank name", registry.Vendor{Name: "   ", Tier: registry.Tier2}, []string{"name"}},
		{"long name", registry.Vendor{Name: long, Tier: registry.Tier2}, []string{"name"}},
		{"multi-line name", registry.Vendor{Name: "A\nB", Tier: registry.Tier2}, []string{"name"}},
		{"bad tier", registry.Vendor{Name: "A", Tier: "tier_9"}, []string{"tier"}},
		{"address, not domain", registry.Vendor{Name: "A", Tier: registry.Tier3, EmailDomains: []string{"noreply@visa.com"}}, []string{"email_domains"}},
		{"single label", registry.Vendor{Name: "A", Tier: registry.Tier3, EmailDomains: []string{"localhost"}}, []string{"email_domains"}},
		{"spaces in domain", registry.Vendor{Name: "A", Tier: registry.Tier3, EmailDomains: []string{"visa .com"}}, []string{"email_domains"}},
		{"numeric tld", registry.Vendor{Name: "A", Tier: registry.Tier3, EmailDomains: []string{"10.0.0.1"}}, []string{"email_domains"}},
		{"bad website", registry.Vendor{Name: "A", Tier: registry.Tier3, Website: "ftp://x.com"}, []string{"website"}},
		{"long notes", registry.Vendor{Name: "A", Tier: registry.Tier3, Notes: strings.Repeat("n", registry.MaxNotes+1)}, []string{"notes"}},
		{"too many aliases", registry.Vendor{Name: "A", Tier: registry.Tier3, Aliases: numbered("alias", registry.MaxListItems+1)}, []string{"aliases"}},
		{"everything wrong", registry.Vendor{Name: long, Tier: "x", EmailDomains: []string{"not a domain"}, Website: "http://"},
			[]string{"email_domains", "name", "tier", "website"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateVendor(context.Background(), f.p, tc.in)
			if diff := cmp.Diff(tc.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strings.Repeat("i", i+1)
	}
	return out
}

func TestVendorNormalization(t *testing.T) {
	f := newFixture(t)
	v, err := f.svc.CreateVendor(context.Background(), f.p, registry.Vendor{Name: "  Stripe  ", Tier: registry.Tier1,
		EmailDomains: []string{" Stripe.COM ", "@stripe.com", "mail.stripe.com.", ""}, Aliases: []string{"Stripe Inc", "STRIPE INC", " "},
		Website: "stripe.com"})
	if err != nil {
		t.Fatal(err)
	}
	got := []any{v.Name, v.EmailDomains, v.Aliases, v.Website}
	want := []any{"Stripe", []string{"stripe.com", "mail.stripe.com"}, []string{"Stripe Inc"}, "https://stripe.com"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestApplicationValidation(t *testing.T) {
	f := newFixture(t)
	ok := func(mod func(*registry.Application)) registry.Application {
		a := registry.Application{Name: "Pay", Description: "Calls Visa.", VendorIDs: []string{f.vendor.ID}, OwnerTeamID: f.team.ID}
		mod(&a)
		return a
	}
	for _, tc := range []struct {
		name string
		in   registry.Application
		want []string
	}{
		{"valid", ok(func(*registry.Application) {}), nil},
		{"valid tracker", ok(func(a *registry.Application) {
			a.CreatesTrackerIssue, a.TrackerProjectKey, a.TrackerIssueType = true, "PAY", "Task"
		}), nil},
		{"missing name and description", registry.Application{}, []string{"description", "name"}},
		{"long description", ok(func(a *registry.Application) { a.Description = strings.Repeat("d", registry.MaxDescription+1) }), []string{"description"}},
		{"unknown vendor", ok(func(a *registry.Application) { a.VendorIDs = []string{f.vendor.ID, "nope"} }), []string{"vendor_ids"}},
		{"unknown team", ok(func(a *registry.Application) { a.OwnerTeamID = "nope" }), []string{"owner_team_id"}},
		{"tracker without routing", ok(func(a *registry.Application) { a.CreatesTrackerIssue = true }),
			[]string{"tracker_issue_type", "tracker_project_key"}},
		{"project key with spaces", ok(func(a *registry.Application) { a.TrackerProjectKey = "PAY ME" }), []string{"tracker_project_key"}},
		{"long label", ok(func(a *registry.Application) { a.TrackerLabels = []string{long} }), []string{"tracker_labels"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil { // valid cases are stored: give each its own name
				tc.in.Name = tc.name
			}
			_, err := f.svc.CreateApplication(context.Background(), f.p, tc.in)
			if diff := cmp.Diff(tc.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleValidation(t *testing.T) {
	f := newFixture(t)
	days := func(n int) *int { return &n }
	for _, tc := range []struct {
		name string
		in   registry.Rule
		want []string
	}{
		{"valid", registry.Rule{Name: "valid", Text: "Visa changes are critical.", Severity: registry.SeverityCritical,
			VendorID: f.vendor.ID, OwnerTeamID: f.team.ID, SLADays: days(14), AlertChannel: "#payments"}, nil},
		{"valid without vendor", registry.Rule{Name: "valid2", Text: "Anything is low.", Severity: registry.SeverityLow}, nil},
		{"empty", registry.Rule{}, []string{"name", "severity", "text"}},
		{"bad severity", registry.Rule{Name: "r", Text: "t", Severity: "urgent"}, []string{"severity"}},
		{"sla zero", registry.Rule{Name: "r", Text: "t", Severity: registry.SeverityLow, SLADays: days(0)}, []string{"sla_days"}},
		{"sla too long", registry.Rule{Name: "r", Text: "t", Severity: registry.SeverityLow, SLADays: days(3651)}, []string{"sla_days"}},
		{"unknown refs", registry.Rule{Name: "r", Text: "t", Severity: registry.SeverityLow, VendorID: "x", OwnerTeamID: "y"},
			[]string{"owner_team_id", "vendor_id"}},
		{"long text", registry.Rule{Name: "r", Text: strings.Repeat("t", registry.MaxRuleText+1), Severity: registry.SeverityLow}, []string{"text"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateRule(context.Background(), f.p, tc.in)
			if diff := cmp.Diff(tc.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListFilterValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _, err := f.svc.ListVendors(ctx, f.p, registry.VendorFilter{Tier: "tier_0"})
	if diff := cmp.Diff([]string{"tier"}, fieldsOf(t, err)); diff != "" {
		t.Errorf("vendor tier filter (-want +got):\n%s", diff)
	}
	_, _, err = f.svc.ListRules(ctx, f.p, registry.RuleFilter{Severity: "bad", Query: long})
	if diff := cmp.Diff([]string{"q", "severity"}, fieldsOf(t, err)); diff != "" {
		t.Errorf("rule filter (-want +got):\n%s", diff)
	}
}

func TestTierAndSeverity(t *testing.T) {
	got := []int{registry.Tier1.DefaultSLADays(), registry.Tier2.DefaultSLADays(), registry.Tier3.DefaultSLADays()}
	if diff := cmp.Diff([]int{14, 30, 60}, got); diff != "" {
		t.Errorf("default SLA (-want +got):\n%s", diff)
	}
	for i := 1; i < len(registry.Severities); i++ {
		if registry.Severities[i-1].Rank() <= registry.Severities[i].Rank() {
			t.Errorf("%s should outrank %s", registry.Severities[i-1], registry.Severities[i])
		}
	}
}

func TestServiceChecksPermissions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	viewer := f.p
	viewer.Role = auth.RoleViewer
	owner := f.p
	owner.Role = auth.RoleOwner
	for _, p := range []auth.Principal{viewer, owner} {
		_, err := f.svc.CreateVendor(ctx, p, registry.Vendor{Name: "X", Tier: registry.Tier1})
		wantForbidden(t, err)
		_, err = f.svc.DeactivateVendor(ctx, p, f.vendor.ID)
		wantForbidden(t, err)
		_, err = f.svc.CreateApplication(ctx, p, registry.Application{Name: "X", Description: "X"})
		wantForbidden(t, err)
		_, err = f.svc.CreateRule(ctx, p, registry.Rule{Name: "X", Text: "X", Severity: registry.SeverityLow})
		wantForbidden(t, err)
		if _, err := f.svc.Vendor(ctx, p, f.vendor.ID); err != nil {
			t.Errorf("%s cannot read: %v", p.Role, err)
		}
	}
	changeManager := f.p
	changeManager.Role = auth.RoleChangeManager
	if _, err := f.svc.CreateRule(ctx, changeManager, registry.Rule{Name: "X", Text: "X", Severity: registry.SeverityLow}); err != nil {
		t.Errorf("change manager cannot create a rule: %v", err)
	}
}

func wantForbidden(t *testing.T, err error) {
	t.Helper()
	if !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("err = %v, want forbidden", err)
	}
}
