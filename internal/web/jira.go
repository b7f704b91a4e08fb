package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// jiraBody is the Jira connection as clients send it, with its write-only
// token.
type jiraBody struct {
	BaseURL string      `json:"base_url" maxLength:"500" doc:"The site root, e.g. https://acme.atlassian.net or https://jira.example.com/jira."`
	Flavor  jira.Flavor `json:"flavor" enum:"cloud,server" doc:"cloud: Jira Cloud (REST v3, email + API token); server: Server/Data Center (REST v2, personal access token)."`
	Email   string      `json:"email,omitempty" maxLength:"254" doc:"The Jira Cloud account's email; ignored for server."`
	Token   string      `json:"token,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: the API token (cloud) or personal access token (server), stored encrypted and never returned. Leave out to keep the stored one (required again when base_url's host or flavor change)."`
	Enabled *bool       `json:"enabled,omitempty" doc:"Whether issues are created and synced; saving turns the connection on unless false."`
	// ClearToken removes the stored token, which leaving token out cannot
	// say.
	ClearToken bool `json:"clear_token,omitempty" doc:"Remove the stored token; only with enabled false. token, when also sent, wins."`
	// Read-only fields are accepted so a client may send back what it read.
	Configured     *bool   `json:"configured,omitempty" doc:"Ignored: returned by GET."`
	Provider       *string `json:"provider,omitempty" doc:"Ignored: returned by GET."`
	TokenSet       *bool   `json:"token_set,omitempty" doc:"Ignored: returned by GET."`
	DisabledReason *string `json:"disabled_reason,omitempty" doc:"Ignored: returned by GET."`
	DisabledAt     *string `json:"disabled_at,omitempty" doc:"Ignored: returned by GET."`
	CreatedAt      *string `json:"created_at,omitempty" doc:"Ignored: returned by GET."`
	UpdatedAt      *string `json:"updated_at,omitempty" doc:"Ignored: returned by GET."`
	UpdatedBy      *string `json:"updated_by,omitempty" doc:"Ignored: returned by GET."`
}

type jiraPutIn struct {
	Body strictBody[jiraBody]
}

// JiraConnection is the tenant's tracker connection as the Jira settings
// API has always shown it: the connection's kind as a Jira flavor and its
// username as the Cloud account's email. The token is never part of it.
type JiraConnection struct {
	// Configured is false when the tenant never saved a connection.
	Configured bool        `json:"configured"`
	Provider   string      `json:"provider" enum:"jira"`
	BaseURL    string      `json:"base_url"`
	Flavor     jira.Flavor `json:"flavor" enum:"cloud,server"`
	// Email is the Jira Cloud account (basic auth with the API token).
	Email string `json:"email,omitempty"`
	link.ConnectionState
}

// jiraConnection shows c as a Jira connection; one never saved shows as
// Jira Cloud, the form's default.
func jiraConnection(c link.Connection) JiraConnection {
	flavor, ok := jira.FlavorOf(c.Kind)
	if !ok {
		flavor = jira.Cloud
	}
	return JiraConnection{Configured: c.Configured, Provider: jira.Provider, BaseURL: c.BaseURL, Flavor: flavor,
		Email: c.Username, ConnectionState: c.ConnectionState}
}

// saveJira saves a Jira connection as the tenant's tracker connection: the
// flavor picks the kind, the email is the username. Field errors are named
// as the Jira form and body name them.
func saveJira(ctx context.Context, svc *link.Service, p auth.Principal, flavor jira.Flavor, in link.Input) (link.Connection, error) {
	in.Kind = jira.Flavor(strings.TrimSpace(string(flavor))).Kind()
	c, err := svc.SaveConnection(ctx, p, in)
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return c, err
	}
	var v apperr.Validation
	for _, f := range fields {
		switch f.Field {
		case "username":
			f.Field = "email"
		case "kind":
			f.Field, f.Message = "flavor", fmt.Sprintf("must be %q or %q", jira.Cloud, jira.Server)
		}
		v.Add(f.Field, "%s", f.Message)
	}
	return c, v.Err()
}

type jiraOut struct {
	Body JiraConnection
}

type jiraTestOut struct {
	Body link.TestResult
}

type jiraLinksIn struct {
	PageQuery
	SyncStatus []string `query:"sync_status" enum:"pending,created,failed,orphan" doc:"Only links in these states (repeat or comma-separate); failed and orphan by default."`
}

type jiraLinkOut struct {
	Body link.Link
}

// ticketSyncBody is a ticket's links after an on-demand sync.
type ticketSyncBody struct {
	Links  []link.Link     `json:"links" nullable:"false"`
	Result link.SyncResult `json:"result"`
}

type ticketSyncOut struct {
	Body ticketSyncBody
}

// trackers returns the tracker links service, or Unavailable without one.
func (s *Server) trackers() (*link.Service, error) {
	if s.Trackers == nil {
		return nil, apperr.E(apperr.Unavailable, "tracker integration is not configured on this server")
	}
	return s.Trackers, nil
}

func (s *Server) apiGetJira(ctx context.Context, _ *struct{}) (*jiraOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	c, err := svc.Connection(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &jiraOut{Body: jiraConnection(c)}, nil
}

func (s *Server) apiPutJira(ctx context.Context, in *jiraPutIn) (*jiraOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	c, err := saveJira(ctx, svc, principal(ctx), b.Flavor, link.Input{BaseURL: b.BaseURL, Username: b.Email, Token: b.Token, Enabled: b.Enabled,
		ClearToken: b.ClearToken})
	if err != nil {
		return nil, err
	}
	return &jiraOut{Body: jiraConnection(c)}, nil
}

func (s *Server) apiTestJira(ctx context.Context, _ *struct{}) (*jiraTestOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	res, err := svc.TestConnection(ctx, principal(ctx), "")
	if err != nil {
		return nil, err
	}
	return &jiraTestOut{Body: res}, nil
}

func (s *Server) apiListJiraLinks(ctx context.Context, in *jiraLinksIn) (*PageOut[link.Link], error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	f := link.Filter{Cursor: in.Cursor, Limit: in.Limit}
	for _, st := range in.SyncStatus {
		f.Statuses = append(f.Statuses, link.SyncStatus(st))
	}
	out, next, err := svc.Links(ctx, principal(ctx), f)
	if err != nil {
		return nil, err
	}
	return pageOf(out, next), nil
}

func (s *Server) apiRetryJiraLink(ctx context.Context, in *IDPath) (*jiraLinkOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	l, err := svc.Retry(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &jiraLinkOut{Body: l}, nil
}

func (s *Server) apiSyncTicket(ctx context.Context, in *NumberPath) (*ticketSyncOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	n, err := ticket.ParseKey(in.Number)
	if err != nil {
		return nil, err
	}
	links, res, err := svc.SyncTicket(ctx, principal(ctx), n)
	if err != nil {
		return nil, err
	}
	return &ticketSyncOut{Body: ticketSyncBody{Links: links, Result: res}}, nil
}

// Operations of the Jira API; routes.go registers them with their method, path and permission.
var (
	docGetJira = huma.Operation{Summary: "Get the Jira connection",
		Description: "Base URL, flavor, account and whether a token is stored (token_set); the token is never returned. " +
			"enabled turns false by itself when Jira rejects the credentials, with disabled_reason."}
	docPutJira = huma.Operation{Summary: "Save the Jira connection",
		Description: "The token is write-only and stored encrypted. Saving switches the connection on (unless enabled is false) " +
			"and enqueues the creation of every issue still pending.", SkipValidateBody: true}
	docTestJira = huma.Operation{Summary: "Test the Jira connection",
		Description: "Calls Jira's /myself with the stored connection. A failing Jira answers 200 with ok=false and the failure kind; " +
			"409 when no connection is saved."}
	docListJiraLinks = huma.Operation{Summary: "List tracker links",
		Description: "Links by state, oldest first: failed (Jira refused the issue: fix the configuration, then retry) and " +
			"orphan (Jira stayed unavailable; retried every 15 minutes) by default."}
	docRetryJiraLink = huma.Operation{Summary: "Retry a tracker link",
		Description: "Puts a link without an issue back to pending and enqueues its creation. 409 when its issue exists."}
	docSyncTicket = ticketDoc("Sync a ticket's tracker issues now",
		"Reads the status of the ticket's issues from Jira, moves the ticket where they say, enqueues the creation of "+
			"pending and orphan links, and answers with the links. 409 when Jira is not connected.", http.StatusOK)
)
