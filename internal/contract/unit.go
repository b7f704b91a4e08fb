package contract

import (
	"context"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// UnitAlias is a tenant's own spelling of a unit of measure.
type UnitAlias struct {
	Alias string `json:"alias"`
	Code  string `json:"code"`
}

// UnitAliases lists the tenant's unit aliases by alias.
func (s *Service) UnitAliases(ctx context.Context, p auth.Principal) ([]UnitAlias, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	m, err := s.Store.UnitAliases(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := []UnitAlias{}
	for a, c := range m {
		out = append(out, UnitAlias{Alias: a, Code: c})
	}
	slices.SortFunc(out, func(a, b UnitAlias) int { return strings.Compare(a.Alias, b.Alias) })
	return out, nil
}

// SetUnitAlias makes alias mean code in the tenant's later imports: code
// is a unit code of one to six letters or digits ("EA", "BK").
func (s *Service) SetUnitAlias(ctx context.Context, p auth.Principal, alias, code string) (UnitAlias, error) {
	if err := p.Require(auth.PermUploadPrices); err != nil {
		return UnitAlias{}, err
	}
	u := UnitAlias{Alias: strings.ToUpper(strings.TrimSpace(alias)), Code: strings.ToUpper(strings.TrimSpace(code))}
	var v apperr.Validation
	v.Check(u.Alias != "" && len(u.Alias) <= 40, "alias", "must be 1 to 40 characters")
	v.Check(len(u.Code) >= 1 && len(u.Code) <= 6 && strings.IndexFunc(u.Code, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) < 0, "code", "must be 1 to 6 letters or digits, such as EA")
	if err := v.Err(); err != nil {
		return UnitAlias{}, err
	}
	ev := audit.Record(p, "uom_alias.set", "uom_alias", u.Alias, nil, u)
	return u, s.Store.SetUnitAlias(ctx, p.TenantID, u.Alias, u.Code, s.now(), ev)
}

// DeleteUnitAlias removes one of the tenant's unit aliases; not found when
// the tenant has none by that name.
func (s *Service) DeleteUnitAlias(ctx context.Context, p auth.Principal, alias string) error {
	if err := p.Require(auth.PermUploadPrices); err != nil {
		return err
	}
	a := strings.ToUpper(strings.TrimSpace(alias))
	return s.Store.DeleteUnitAlias(ctx, p.TenantID, a, audit.Record(p, "uom_alias.delete", "uom_alias", a, nil, nil))
}
