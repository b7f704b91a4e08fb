package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// ticketWorld is a tenant's registry for tickets: a Payments team, a vendor,
// an application without a tracker (Payments') and one with a tracker.
type ticketWorld struct {
	pay           auth.Team
	visa          registry.Vendor
	portal, gwApp registry.Application
	rule          registry.Rule
	tenantID      string
	tickets       *ticket.Service
	registry      *registry.Service
	sys           auth.Principal
	ownerPassword string
	ownerEmail    string
	stranger      string // an owner API key (keys have no team)
	viewer, cm    string // API keys
	cm2           string // a second change manager's key
	ownerWithTeam *session
}

// newTicketWorld builds the registry of the env's tenant and the keys and
// sessions of every role; the owner signs in as a user of the Payments team.
func newTicketWorld(t *testing.T, e *env) *ticketWorld {
	t.Helper()
	ctx := context.Background()
	w := &ticketWorld{tenantID: e.tenant.ID, tickets: e.server.Tickets, registry: e.server.Registry, sys: auth.System(e.tenant.ID)}
	w.pay = e.team(e.tenant, "Payments")
	admin := e.admin.Principal()
	var err error
	if w.visa, err = w.registry.CreateVendor(ctx, admin, registry.Vendor{Name: "Visa", Tier: registry.Tier1}); err != nil {
		t.Fatal(err)
	}
	if w.portal, err = w.registry.CreateApplication(ctx, admin, registry.Application{Name: "Merchant portal",
		Description: "Merchants' web portal", OwnerTeamID: w.pay.ID}); err != nil {
		t.Fatal(err)
	}
	if w.gwApp, err = w.registry.CreateApplication(ctx, admin, registry.Application{Name: "Card gateway", Description: "Gateway",
		OwnerTeamID: w.pay.ID, CreatesTrackerIssue: true, TrackerProjectKey: "PAY", TrackerIssueType: "Task"}); err != nil {
		t.Fatal(err)
	}
	if w.rule, err = w.registry.CreateRule(ctx, admin, registry.Rule{Name: "Visa endpoints", Text: "Visa endpoint changes are critical.",
		Severity: registry.SeverityCritical}); err != nil {
		t.Fatal(err)
	}
	w.viewer, w.cm, w.cm2 = e.newKey(e.tenant, auth.RoleViewer), e.newKey(e.tenant, auth.RoleChangeManager), e.newKey(e.tenant, auth.RoleChangeManager)
	w.stranger = e.newKey(e.tenant, auth.RoleOwner)
	w.ownerEmail, w.ownerPassword = "owner@acme.test", "correct horse battery staple"
	if _, _, err := e.auth.CreateUser(ctx, w.sys, auth.NewUser{Email: w.ownerEmail, Role: auth.RoleOwner,
		TeamIDs: []string{w.pay.ID}, Password: w.ownerPassword}); err != nil {
		t.Fatal(err)
	}
	w.ownerWithTeam = e.signInAs(w.ownerEmail, w.ownerPassword)
	return w
}

// create makes a ticket as the triage worker would; apps picks the affected
// applications.
func (w *ticketWorld) create(t *testing.T, topic string, apps ...registry.Application) ticket.Ticket {
	t.Helper()
	d := ticket.Draft{VendorID: w.visa.ID, Topic: topic, Summary: "Visa moves its authorization endpoint.",
		Severity: registry.SeverityCritical, SLADays: 14, OwnerTeamID: w.pay.ID, AlertChannel: "#payments",
		MatchedRuleIDs: []string{w.rule.ID}, Reasoning: "The Visa endpoints rule matched.",
		Decision: json.RawMessage(`{"vendor":"Visa","severity":"critical"}`)}
	for _, a := range apps {
		d.ApplicationIDs = append(d.ApplicationIDs, a.ID)
	}
	tk, err := w.tickets.Create(context.Background(), w.sys, d)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// api sends a JSON request with the session's cookie, as a browser script
// would: how an owner with a team (API keys carry none) calls the API.
func (s *session) api(t *testing.T, method, path string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// ticketWallFixture creates a ticket in the key's tenant and returns its
// key, which names no ticket of the first tenant.
func ticketWallFixture(e *env, key string) string {
	e.t.Helper()
	p, err := e.auth.AuthenticateAPIKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	vendorID := created(e, key, "/api/v1/vendors", map[string]any{"name": "Wall ticket vendor", "tier": "tier_1"})
	appID := created(e, key, "/api/v1/applications", map[string]any{"name": "Wall ticket app", "description": "Behind the wall."})
	tk, err := e.server.Tickets.Create(context.Background(), auth.System(p.TenantID), ticket.Draft{VendorID: vendorID,
		Topic: "Walled change", Severity: registry.SeverityHigh, SLADays: 30, ApplicationIDs: []string{appID}})
	if err != nil {
		e.t.Fatal(err)
	}
	return tk.Key()
}

// ticketRequest asks for a plain transition to a state.
func ticketRequest(to string) ticket.Request { return ticket.Request{To: ticket.Status(to)} }
