package web

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// ruleListIn filters the rule list.
type ruleListIn struct {
	PageQuery
	Q               string `query:"q" maxLength:"200" doc:"Matches the name or text, case-insensitively."`
	Severity        string `query:"severity" enum:"critical,high,medium,low" doc:"Only rules of this severity."`
	VendorID        string `query:"vendor_id" doc:"Only rules about this vendor."`
	OwnerTeamID     string `query:"owner_team_id" doc:"Only rules owned by this team."`
	IncludeInactive bool   `query:"include_inactive" doc:"Include deactivated rules."`
}

// ruleBody is a rule as created by clients.
type ruleBody struct {
	Name         string            `json:"name" maxLength:"200" doc:"Unique in the tenant, ignoring case."`
	Text         string            `json:"text" maxLength:"5000" doc:"The rule in natural language, as triage reads it."`
	VendorID     string            `json:"vendor_id,omitempty" doc:"The vendor the rule is about; leave out for rules about any vendor."`
	Severity     registry.Severity `json:"severity" enum:"critical,high,medium,low"`
	SLADays      *int              `json:"sla_days,omitempty" minimum:"1" maximum:"3650" doc:"Days to complete a matching change; leave out to use the vendor tier's default."`
	OwnerTeamID  string            `json:"owner_team_id,omitempty"`
	AlertChannel string            `json:"alert_channel,omitempty" doc:"Where matching changes are announced, such as #payments-changes."`
}

// rulePatch is a merge patch of a rule.
type rulePatch struct {
	Name         PatchField[string]            `json:"name,omitempty" maxLength:"200"`
	Text         PatchField[string]            `json:"text,omitempty" maxLength:"5000"`
	VendorID     PatchField[string]            `json:"vendor_id,omitempty" doc:"null or \"\" makes the rule about any vendor."`
	Severity     PatchField[registry.Severity] `json:"severity,omitempty" enum:"critical,high,medium,low"`
	SLADays      PatchField[int]               `json:"sla_days,omitempty" minimum:"1" maximum:"3650" doc:"null removes the SLA."`
	OwnerTeamID  PatchField[string]            `json:"owner_team_id,omitempty"`
	AlertChannel PatchField[string]            `json:"alert_channel,omitempty"`
	IsActive     *bool                         `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
}

type ruleCreateIn struct {
	Body strictBody[ruleBody]
}

type rulePatchIn struct {
	IDPath
	Body strictBody[rulePatch]
}

type ruleOut struct {
	Body registry.Rule
}

type ruleCreatedOut struct {
	Location string `header:"Location"`
	Body     registry.Rule
}

func (s *Server) apiListRules(ctx context.Context, in *ruleListIn) (*PageOut[registry.Rule], error) {
	rs, next, err := s.Registry.ListRules(ctx, principal(ctx), registry.RuleFilter{Query: in.Q, Severity: registry.Severity(in.Severity),
		VendorID: in.VendorID, OwnerTeamID: in.OwnerTeamID, IncludeInactive: in.IncludeInactive, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(rs, next), nil
}

func (s *Server) apiGetRule(ctx context.Context, in *IDPath) (*ruleOut, error) {
	r, err := s.Registry.Rule(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &ruleOut{Body: r}, nil
}

func (s *Server) apiCreateRule(ctx context.Context, in *ruleCreateIn) (*ruleCreatedOut, error) {
	b := in.Body.Value
	r, err := s.Registry.CreateRule(ctx, principal(ctx), registry.Rule{Name: b.Name, Text: b.Text, VendorID: b.VendorID,
		Severity: b.Severity, SLADays: b.SLADays, OwnerTeamID: b.OwnerTeamID, AlertChannel: b.AlertChannel})
	if err != nil {
		return nil, err
	}
	return &ruleCreatedOut{Location: "/api/v1/rules/" + r.ID, Body: r}, nil
}

func (s *Server) apiPatchRule(ctx context.Context, in *rulePatchIn) (*ruleOut, error) {
	b := in.Body.Value
	r, err := s.Registry.UpdateRule(ctx, principal(ctx), in.ID, func(r *registry.Rule) {
		b.Name.apply(&r.Name)
		b.Text.apply(&r.Text)
		b.VendorID.apply(&r.VendorID)
		b.Severity.apply(&r.Severity)
		switch {
		case b.SLADays.Null:
			r.SLADays = nil
		case b.SLADays.Set:
			days := b.SLADays.Value
			r.SLADays = &days
		}
		b.OwnerTeamID.apply(&r.OwnerTeamID)
		b.AlertChannel.apply(&r.AlertChannel)
		if b.IsActive != nil {
			r.IsActive = *b.IsActive
		}
	})
	if err != nil {
		return nil, err
	}
	return &ruleOut{Body: r}, nil
}

func (s *Server) apiDeactivateRule(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Registry.DeactivateRule(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the rule API; routes.go registers them with their method, path and permission.
var (
	docListRules = readDoc("List rules",
		"Active routing rules by name; filter by text, severity, vendor or owner team.")
	docCreateRule = createDoc("Create a rule", "")
	docGetRule    = readDoc("Get a rule", "")
	docPatchRule  = mergePatchDoc("Change a rule",
		"Set is_active=true to reactivate a deactivated rule.")
	docDeactivateRule = deactivateDoc("Deactivate a rule",
		"Rules are never deleted: the rule stops routing changes, its history stays; reactivate with PATCH is_active=true.")
)
