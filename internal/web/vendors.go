package web

import (
	"context"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// vendorListIn filters the vendor list.
type vendorListIn struct {
	PageQuery
	Q               string `query:"q" maxLength:"200" doc:"Matches the name, aliases or email domains, case-insensitively."`
	Tier            string `query:"tier" enum:"tier_1,tier_2,tier_3" doc:"Only vendors of this tier."`
	IncludeInactive bool   `query:"include_inactive" doc:"Include deactivated vendors."`
}

// vendorBody is a vendor as created by clients.
type vendorBody struct {
	Name         string        `json:"name" maxLength:"200" doc:"Unique in the tenant, ignoring case."`
	Tier         registry.Tier `json:"tier" enum:"tier_1,tier_2,tier_3" doc:"Criticality: tier_1 mission-critical (default SLA 14 days), tier_2 important (30), tier_3 non-critical (60)."`
	EmailDomains []string      `json:"email_domains,omitempty" doc:"Domains the vendor mails from, such as visa.com; lower-cased and de-duplicated."`
	Aliases      []string      `json:"aliases,omitempty" doc:"Other names the vendor goes by in email, such as VisaNet."`
	Website      string        `json:"website,omitempty" doc:"https:// is added when left out."`
	Notes        string        `json:"notes,omitempty" maxLength:"5000"`
}

// vendorPatch is a merge patch of a vendor.
type vendorPatch struct {
	Name         PatchField[string]        `json:"name,omitempty" maxLength:"200"`
	Tier         PatchField[registry.Tier] `json:"tier,omitempty" enum:"tier_1,tier_2,tier_3"`
	EmailDomains PatchField[[]string]      `json:"email_domains,omitempty"`
	Aliases      PatchField[[]string]      `json:"aliases,omitempty"`
	Website      PatchField[string]        `json:"website,omitempty"`
	Notes        PatchField[string]        `json:"notes,omitempty" maxLength:"5000"`
	IsActive     *bool                     `json:"is_active,omitempty" doc:"false deactivates, true reactivates."`
}

type vendorCreateIn struct {
	Body strictBody[vendorBody]
}

type vendorPatchIn struct {
	IDPath
	Body strictBody[vendorPatch]
}

type vendorOut struct {
	Body registry.Vendor
}

type vendorCreatedOut struct {
	Location string `header:"Location"`
	Body     registry.Vendor
}

func (s *Server) apiListVendors(ctx context.Context, in *vendorListIn) (*PageOut[registry.Vendor], error) {
	vs, next, err := s.Registry.ListVendors(ctx, principal(ctx), registry.VendorFilter{Query: in.Q, Tier: registry.Tier(in.Tier),
		IncludeInactive: in.IncludeInactive, Cursor: in.Cursor, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return pageOf(vs, next), nil
}

func (s *Server) apiGetVendor(ctx context.Context, in *IDPath) (*vendorOut, error) {
	v, err := s.Registry.Vendor(ctx, principal(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &vendorOut{Body: v}, nil
}

func (s *Server) apiCreateVendor(ctx context.Context, in *vendorCreateIn) (*vendorCreatedOut, error) {
	b := in.Body.Value
	v, err := s.Registry.CreateVendor(ctx, principal(ctx), registry.Vendor{Name: b.Name, Tier: b.Tier,
		EmailDomains: b.EmailDomains, Aliases: b.Aliases, Website: b.Website, Notes: b.Notes})
	if err != nil {
		return nil, err
	}
	return &vendorCreatedOut{Location: "/api/v1/vendors/" + v.ID, Body: v}, nil
}

func (s *Server) apiPatchVendor(ctx context.Context, in *vendorPatchIn) (*vendorOut, error) {
	b := in.Body.Value
	v, err := s.Registry.UpdateVendor(ctx, principal(ctx), in.ID, func(v *registry.Vendor) {
		b.Name.apply(&v.Name)
		b.Tier.apply(&v.Tier)
		b.EmailDomains.apply(&v.EmailDomains)
		b.Aliases.apply(&v.Aliases)
		b.Website.apply(&v.Website)
		b.Notes.apply(&v.Notes)
		if b.IsActive != nil {
			v.IsActive = *b.IsActive
		}
	})
	if err != nil {
		return nil, err
	}
	return &vendorOut{Body: v}, nil
}

func (s *Server) apiDeactivateVendor(ctx context.Context, in *IDPath) (*struct{}, error) {
	_, err := s.Registry.DeactivateVendor(ctx, principal(ctx), in.ID)
	return nil, err
}

// Operations of the vendor API; routes.go registers them with their method, path and permission.
var (
	docListVendors = readDoc("List vendors",
		"Active vendors by name; filter by text, tier, or include deactivated ones.")
	docCreateVendor = createDoc("Create a vendor", "")
	docGetVendor    = readDoc("Get a vendor", "")
	docPatchVendor  = mergePatchDoc("Change a vendor",
		"Set is_active=true to reactivate a deactivated vendor.")
	docDeactivateVendor = deactivateDoc("Deactivate a vendor",
		"Vendors are never deleted: the vendor leaves triage, its links and history stay; reactivate with PATCH is_active=true.")
)
