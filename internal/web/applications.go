package web

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// applicationListIn filters the application list.
type applicationListIn struct {
	PageQuery
	Q               string `query:"q" maxLength:"200" doc:"Matches the name or description, case-insensitively."`
	VendorID        string `query:"vendor_id" doc:"Only applications that integrate with this vendor."`
	OwnerTeamID     string `query:"owner_team_id" doc:"Only applications this team owns."`
	IncludeInactive bool   `query:"include_inactive" doc:"Include deactivated applications."`
}

// applicationBody is an application as created by clients.
type applicationBody struct {
	Name                   string   `json:"name" maxLength:"200" doc:"Unique in the tenant, ignoring case."`
	Description            string   `json:"description" maxLength:"10000" doc:"Plain-language description fed verbatim to triage: what the application does and how it uses each vendor (endpoints, files, schedules). Rich descriptions mean accurate routing."`
	OwnerTeamID            string   `json:"owner_team_id,omitempty" doc:"The team that owns the application."`
	IsCritical             bool     `json:"is_critical,omitempty"`
	VendorIDs              []string `json:"vendor_ids,omitempty" doc:"Vendors the application integrates with."`
	CreatesTrackerIssue    bool     `json:"creates_tracker_issue,omitempty" doc:"Open a tracker issue for each change that affects it; needs tracker_project_key and tracker_issue_type."`
	TrackerConnectionID    string   `json:"tracker_connection_id,omitempty" doc:"The tracker connection issues are created in (GET /api/v1/tracker/connections); empty means the tenant's first."`
	TrackerProjectKey      string   `json:"tracker_project_key,omitempty" doc:"Where in that tracker: Jira project key (PAY), GitHub or Gitea owner/repo, or GitLab project path (group/project)."`
	TrackerIssueType       string   `json:"tracker_issue_type,omitempty" doc:"Such as Task or Bug."`
	TrackerLabels          []string `json:"tracker_labels,omitempty"`
	TrackerDefaultAssignee string   `json:"tracker_default_assignee,omitempty" doc:"Who new issues are assigned to: an email address or name (Jira resolves it to the Cloud account ID or the Server user name; a link fails with a configuration error when it matches no single active user), a Jira Cloud account ID, or a forge login."`
}

// applicationPatch is a merge patch of an application.
type applicationPatch struct {
	Name                   PatchField[string]   `json:"name,omitempty" maxLength:"200"`
	Description            PatchField[string]   `json:"description,omitempty" maxLength:"10000"`
	OwnerTeamID            PatchField[string]   `json:"owner_team_id,omitempty" doc:"null or \"\" removes the owner."`
	IsCritical             PatchField[bool]     `json:"is_critical,omitempty"`
	VendorIDs              PatchField[[]string] `json:"vendor_ids,omitempty" doc:"Replaces the whole list."`
	CreatesTrackerIssue    PatchField[bool]     `json:"creates_tracker_issue,omitempty"`
	TrackerConnectionID    PatchField[string]   `json:"tracker_connection_id,omitempty" doc:"null or \"\" routes to the tenant's first connection."`
	TrackerProjectKey      PatchField[string]   `json:"tracker_project_key,omitempty"`
	TrackerIssueType       PatchField[string]   `json:"tracker_issue_type,omitempty"`
	TrackerLabels          PatchField[[]string] `json:"tracker_labels,omitempty"`
	TrackerDefaultAssignee PatchField[string]   `json:"tracker_default_assignee,omitempty"`
	IsActive               *bool                `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
}

type applicationCreateIn struct {
	Body strictBody[applicationBody]
}

type applicationPatchIn struct {
	IDPath
	Body strictBody[applicationPatch]
}

type applicationOut struct {
	Body registry.Application
}

type applicationCreatedOut struct {
	Location string `header:"Location"`
	Body     registry.Application
}

func (s *Server) apiListApplications(ctx context.Context, in *applicationListIn) (*PageOut[registry.Application], error) {
	as, next, err := s.Registry.ListApplications(ctx, principal(ctx), registry.ApplicationFilter{Query: in.Q, VendorID: in.VendorID,
		OwnerTeamID: in.OwnerTeamID, IncludeInactive: in.IncludeInactive, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(as, next), nil
}

func (s *Server) apiGetApplication(ctx context.Context, in *IDPath) (*applicationOut, error) {
	a, err := s.Registry.Application(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &applicationOut{Body: a}, nil
}

func (s *Server) apiCreateApplication(ctx context.Context, in *applicationCreateIn) (*applicationCreatedOut, error) {
	b := in.Body.Value
	a, err := s.Registry.CreateApplication(ctx, principal(ctx), registry.Application{Name: b.Name, Description: b.Description,
		OwnerTeamID: b.OwnerTeamID, IsCritical: b.IsCritical, VendorIDs: b.VendorIDs, CreatesTrackerIssue: b.CreatesTrackerIssue,
		TrackerConnectionID: b.TrackerConnectionID, TrackerProjectKey: b.TrackerProjectKey, TrackerIssueType: b.TrackerIssueType,
		TrackerLabels: b.TrackerLabels, TrackerDefaultAssignee: b.TrackerDefaultAssignee})
	if err != nil {
		return nil, err
	}
	return &applicationCreatedOut{Location: "/api/v1/applications/" + a.ID, Body: a}, nil
}

func (s *Server) apiPatchApplication(ctx context.Context, in *applicationPatchIn) (*applicationOut, error) {
	b := in.Body.Value
	a, err := s.Registry.UpdateApplication(ctx, principal(ctx), in.ID, func(a *registry.Application) {
		b.Name.apply(&a.Name)
		b.Description.apply(&a.Description)
		b.OwnerTeamID.apply(&a.OwnerTeamID)
		b.IsCritical.apply(&a.IsCritical)
		b.VendorIDs.apply(&a.VendorIDs)
		b.CreatesTrackerIssue.apply(&a.CreatesTrackerIssue)
		b.TrackerConnectionID.apply(&a.TrackerConnectionID)
		b.TrackerProjectKey.apply(&a.TrackerProjectKey)
		b.TrackerIssueType.apply(&a.TrackerIssueType)
		b.TrackerLabels.apply(&a.TrackerLabels)
		b.TrackerDefaultAssignee.apply(&a.TrackerDefaultAssignee)
		if b.IsActive != nil {
			a.IsActive = *b.IsActive
		}
	})
	if err != nil {
		return nil, err
	}
	return &applicationOut{Body: a}, nil
}

func (s *Server) apiDeactivateApplication(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Registry.DeactivateApplication(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the application API; routes.go registers them with their
// permission.
var (
	docListApplications = readDoc("List applications",
		"Active applications by name, with the ids of the vendors they integrate with.")
	docCreateApplication = createDoc("Create an application", "")
	docGetApplication    = readDoc("Get an application", "")
	docPatchApplication  = mergePatchDoc("Change an application",
		"Set is_active=true to reactivate a deactivated application.")
	docDeactivateApplication = deactivateDoc("Deactivate an application",
		"Applications are never deleted: the application leaves triage, its history stays; reactivate with PATCH is_active=true.")
)
