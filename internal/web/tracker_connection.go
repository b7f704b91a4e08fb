package web

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// trackerBody is the tenant's tracker connection as clients send it, of
// any kind, with its write-only token.
type trackerBody struct {
	Name     string       `json:"name,omitempty" maxLength:"100" doc:"How people tell the tenant's connections apart; unique in the tenant. Left out, a new connection is named after its tracker and a saved one keeps its name."`
	Kind     tracker.Kind `json:"kind" enum:"jira_cloud,jira_server,github,gitlab,gitea" doc:"jira_cloud (email + API token), jira_server (Server/Data Center, personal access token), github (github.com or a GitHub Enterprise Server root; personal access token or App installation token), gitlab (gitlab.com or self-managed; personal, project or group access token with the api scope), gitea (Gitea or Forgejo root; access token with write:issue and read:user)."`
	BaseURL  string       `json:"base_url" maxLength:"500" doc:"The tracker's root: https://acme.atlassian.net, https://github.com, https://gitlab.com, https://gitea.example.com."`
	Username string       `json:"username,omitempty" maxLength:"254" doc:"The Jira Cloud account's email; ignored for the other kinds."`
	Token    string       `json:"token,omitempty" writeOnly:"true" maxLength:"4096" doc:"Write-only: the token, stored encrypted and never returned. Leave out to keep the stored one (required again when base_url's host or kind change)."`
	Enabled  *bool        `json:"enabled,omitempty" doc:"Whether issues are created and synced; saving turns the connection on unless false."`
	// ClearToken removes the stored token, which leaving token out cannot
	// say.
	ClearToken bool `json:"clear_token,omitempty" doc:"Remove the stored token; only with enabled false (a connection that is on needs it). token, when also sent, wins."`
	// Read-only fields are accepted so a client may send back what it read.
	ID             *string `json:"id,omitempty" doc:"Ignored: returned by GET."`
	Configured     *bool   `json:"configured,omitempty" doc:"Ignored: returned by GET."`
	Provider       *string `json:"provider,omitempty" doc:"Ignored: returned by GET."`
	TokenSet       *bool   `json:"token_set,omitempty" doc:"Ignored: returned by GET."`
	DisabledReason *string `json:"disabled_reason,omitempty" doc:"Ignored: returned by GET."`
	DisabledAt     *string `json:"disabled_at,omitempty" doc:"Ignored: returned by GET."`
	CreatedAt      *string `json:"created_at,omitempty" doc:"Ignored: returned by GET."`
	UpdatedAt      *string `json:"updated_at,omitempty" doc:"Ignored: returned by GET."`
	UpdatedBy      *string `json:"updated_by,omitempty" doc:"Ignored: returned by GET."`
}

type trackerPutIn struct {
	Body strictBody[trackerBody]
}

type trackerOut struct {
	Body link.Connection
}

func (s *Server) apiGetTracker(ctx context.Context, _ *struct{}) (*trackerOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	c, err := svc.Connection(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return &trackerOut{Body: c}, nil
}

func (s *Server) apiPutTracker(ctx context.Context, in *trackerPutIn) (*trackerOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	b := in.Body.Value
	c, err := svc.SaveConnection(ctx, principal(ctx), b.input(""))
	if err != nil {
		return nil, err
	}
	return &trackerOut{Body: c}, nil
}

type trackerIDPutIn struct {
	IDPath
	Body strictBody[trackerBody]
}

type trackerCreatedOut struct {
	Location string `header:"Location"`
	Body     link.Connection
}

func (b trackerBody) input(id string) link.Input {
	return link.Input{ID: id, Name: b.Name, Kind: b.Kind, BaseURL: b.BaseURL, Username: b.Username, Token: b.Token,
		Enabled: b.Enabled, ClearToken: b.ClearToken}
}

func (s *Server) apiListTrackers(ctx context.Context, _ *struct{}) (*PageOut[link.Connection], error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	cs, err := svc.Connections(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return pageOf(cs, ""), nil
}

func (s *Server) apiCreateTracker(ctx context.Context, in *trackerPutIn) (*trackerCreatedOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	c, err := svc.AddConnection(ctx, principal(ctx), in.Body.Value.input(""))
	if err != nil {
		return nil, err
	}
	return &trackerCreatedOut{Location: "/api/v1/tracker/connections/" + c.ID, Body: c}, nil
}

func (s *Server) apiGetTrackerByID(ctx context.Context, in *IDPath) (*trackerOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	c, err := svc.ConnectionByID(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &trackerOut{Body: c}, nil
}

func (s *Server) apiPutTrackerByID(ctx context.Context, in *trackerIDPutIn) (*trackerOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	if in.ID == "" {
		return nil, apperr.E(apperr.NotFound, "tracker connection not found")
	}
	c, err := svc.SaveConnection(ctx, principal(ctx), in.Body.Value.input(in.ID))
	if err != nil {
		return nil, err
	}
	return &trackerOut{Body: c}, nil
}

func (s *Server) apiTestTrackerByID(ctx context.Context, in *IDPath) (*jiraTestOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	if _, err := svc.ConnectionByID(ctx, principal(ctx), in.ID); err != nil {
		return nil, err
	}
	res, err := svc.TestConnection(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &jiraTestOut{Body: res}, nil
}

// Operations of the tracker connection API; routes.go registers them.
var (
	docListTrackers = huma.Operation{Summary: "List tracker connections",
		Description: "The tenant's issue-tracker connections, oldest first: id, name, kind, base URL, account and whether a " +
			"token is stored; tokens are never returned. Applications route to one by tracker_connection_id."}
	docCreateTracker = huma.Operation{Summary: "Add a tracker connection", DefaultStatus: 201,
		Description: "Adds a connection of any kind beside the tenant's others, with a new id. The token is write-only and " +
			"stored encrypted.", SkipValidateBody: true}
	docGetTrackerByID = huma.Operation{Summary: "Get a tracker connection"}
	docPutTrackerByID = huma.Operation{Summary: "Save a tracker connection",
		Description: "Changes one connection; a token left out keeps the stored one (required again when the host or kind " +
			"change). Saving switches it on (unless enabled is false) and enqueues the creation of every issue still pending.",
		SkipValidateBody: true}
	docTestTrackerByID = huma.Operation{Summary: "Test a tracker connection",
		Description: "Reads the account, the token's scopes and those it lacks (GitHub classic tokens, GitLab) and the " +
			"rate-limit budget left (GitHub, GitLab). A failing tracker answers 200 with ok=false and the failure kind."}
	docGetTracker = huma.Operation{Summary: "Get the first tracker connection",
		Description: "The tenant's first issue tracker connection, whatever its kind (Jira Cloud or Server, GitHub, GitLab, Gitea): base URL, " +
			"account and whether a token is stored (token_set); the token is never returned. enabled turns false by itself " +
			"when the tracker rejects the credentials, with disabled_reason."}
	docPutTracker = huma.Operation{Summary: "Save the first tracker connection",
		Description: "Connects the tenant to a tracker of any kind in place of its first connection (adding it when there is none); issues already created " +
			"stay where they are. The token is write-only and stored encrypted. Saving switches the connection on (unless " +
			"enabled is false) and enqueues the creation of every issue still pending.", SkipValidateBody: true}
	docTestTracker = huma.Operation{Summary: "Test the tracker connection",
		Description: "Reads the account with the stored connection, the token's scopes and those it lacks (GitHub classic " +
			"tokens, GitLab) and the rate-limit budget left (GitHub, GitLab). A failing tracker answers 200 with ok=false and " +
			"the failure kind; 409 when no connection is saved."}
)

// trackerKind is one choice of the connection form, with what an admin
// needs to know to fill it in.
type trackerKind struct {
	Kind  tracker.Kind
	Label string
	Help  string
}

// kindHelp is the form's text per kind; kinds the program does not
// register are not offered.
var kindHelp = map[tracker.Kind]trackerKind{
	"jira_cloud": {Label: "Jira Cloud", Help: "Base URL https://acme.atlassian.net; the account's email and an API token. " +
		"The account needs Browse Projects, Create Issues and Add Comments. Applications name a project key and issue type."},
	"jira_server": {Label: "Jira Server / Data Center", Help: "Your server's address with its context path; a personal access token. " +
		"Applications name a project key and issue type."},
	"github": {Label: "GitHub", Help: "https://github.com, or your GitHub Enterprise Server's address; a fine-grained token with " +
		"Issues: read and write on the repositories (a classic token: the repo scope), or an App installation token. " +
		"Applications name owner/repo."},
	"gitlab": {Label: "GitLab", Help: "https://gitlab.com or your self-managed GitLab's address; a personal, project or group " +
		"access token with the api scope and at least the Planner or Reporter role. Applications name the project path, group/project."},
	"gitea": {Label: "Gitea / Forgejo", Help: "Your Gitea's address; an access token with write:issue and read:user. " +
		"Applications name owner/repo. Gitea refuses to deliver webhooks to private or loopback addresses unless " +
		"[security] ALLOWED_HOST_LIST in its app.ini allows VendorSync's host."},
}

// trackerKinds lists the registered kinds for the form, in registration
// order.
func (s *Server) trackerKinds() []trackerKind {
	if s.Trackers == nil {
		return nil
	}
	var out []trackerKind
	for _, k := range s.Trackers.Providers.Kinds() {
		tk, ok := kindHelp[k]
		if !ok {
			tk.Label = string(k)
		}
		tk.Kind = k
		out = append(out, tk)
	}
	return out
}

// saveTracker saves a connection of any kind from the settings form,
// naming the username field as the form does (email).
func saveTracker(ctx context.Context, svc *link.Service, p auth.Principal, in link.Input, add bool) (link.Connection, error) {
	save := svc.SaveConnection
	if add {
		save = svc.AddConnection
	}
	c, err := save(ctx, p, in)
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return c, err
	}
	var v apperr.Validation
	for _, f := range fields {
		if f.Field == "username" {
			f.Field = "email"
		}
		v.Add(f.Field, "%s", f.Message)
	}
	return c, v.Err()
}
