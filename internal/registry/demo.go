package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
)

// Teams finds and creates the demo's owner teams; *auth.Service provides it.
type Teams interface {
	ListTeams(ctx context.Context, p auth.Principal, f auth.TeamFilter) ([]auth.Team, string, error)
	CreateTeam(ctx context.Context, p auth.Principal, in auth.TeamInput) (auth.Team, error)
}

// DemoResult says what LoadDemo created; Loaded is false when the tenant
// already had vendors and nothing was touched.
type DemoResult struct {
	Loaded       bool
	Teams        int
	Vendors      int
	Applications int
	Rules        int
}

// String summarises the result for the operator.
func (r DemoResult) String() string {
	if !r.Loaded {
		return "the registry already has vendors; nothing loaded"
	}
	return fmt.Sprintf("loaded %d teams, %d vendors, %d applications and %d rules", r.Teams, r.Vendors, r.Applications, r.Rules)
}

// LoadDemo fills an empty tenant with a realistic registry: card networks,
// payment and cloud providers, the applications that use them with rich
// descriptions and tracker routing, and natural-language rules. It does
// nothing when the tenant already has a vendor, active or not, so running it
// again (or on every start) is safe.
func LoadDemo(ctx context.Context, svc *Service, teams Teams, p auth.Principal) (DemoResult, error) {
	var res DemoResult
	existing, _, err := svc.ListVendors(ctx, p, VendorFilter{IncludeInactive: true, Limit: 1})
	if err != nil {
		return res, fmt.Errorf("registry.LoadDemo: %w", err)
	}
	if len(existing) > 0 {
		return res, nil
	}
	teamIDs, created, err := demoTeams(ctx, teams, p)
	if err != nil {
		return res, err
	}
	res.Teams = created
	vendorIDs := map[string]string{}
	for _, v := range demoVendors {
		v, err := svc.CreateVendor(ctx, p, v)
		if err != nil {
			return res, fmt.Errorf("registry.LoadDemo: vendor %s: %w", v.Name, err)
		}
		vendorIDs[v.Name] = v.ID
		res.Vendors++
	}
	for _, d := range demoApplications {
		a := d.app
		a.OwnerTeamID = teamIDs[d.team]
		for _, name := range d.vendors {
			a.VendorIDs = append(a.VendorIDs, vendorIDs[name])
		}
		if _, err := svc.CreateApplication(ctx, p, a); err != nil {
			return res, fmt.Errorf("registry.LoadDemo: application %s: %w", a.Name, err)
		}
		res.Applications++
	}
	for _, d := range demoRules {
		r := d.rule
		r.OwnerTeamID = teamIDs[d.team]
		r.VendorID = vendorIDs[d.vendor]
		if d.slaDays > 0 {
			days := d.slaDays
			r.SLADays = &days
		}
		if _, err := svc.CreateRule(ctx, p, r); err != nil {
			return res, fmt.Errorf("registry.LoadDemo: rule %s: %w", r.Name, err)
		}
		res.Rules++
	}
	res.Loaded = true
	return res, nil
}

// demoTeams returns the ids of the demo's teams by name, creating the ones
// the tenant does not have yet.
func demoTeams(ctx context.Context, teams Teams, p auth.Principal) (map[string]string, int, error) {
	ids := map[string]string{}
	f := auth.TeamFilter{IncludeInactive: true, Limit: 500}
	for {
		page, next, err := teams.ListTeams(ctx, p, f)
		if err != nil {
			return nil, 0, fmt.Errorf("registry.LoadDemo: list teams: %w", err)
		}
		for _, t := range page {
			ids[strings.ToLower(t.Name)] = t.ID
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	out := map[string]string{}
	created := 0
	for _, in := range demoTeamList {
		if id, ok := ids[strings.ToLower(in.Name)]; ok {
			out[in.Name] = id
			continue
		}
		t, err := teams.CreateTeam(ctx, p, in)
		if err != nil {
			return nil, 0, fmt.Errorf("registry.LoadDemo: team %s: %w", in.Name, err)
		}
		out[in.Name] = t.ID
		created++
	}
	return out, created, nil
}
