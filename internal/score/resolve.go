package score

import (
	"context"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
)

// resolver finds the vendor a vendor_ref names, for one batch of one
// source: our id, the source's external id, a domain, then a name or
// alias. Inactive vendors still resolve: their history keeps counting.
type resolver struct {
	store    Store
	tenantID string
	source   string
	byID     map[string]bool
	byDomain map[string]string
	byName   map[string]string
}

func newResolver(ctx context.Context, st Store, tenantID, source string) (*resolver, error) {
	vs, err := st.ScoreVendors(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	r := &resolver{store: st, tenantID: tenantID, source: source, byID: map[string]bool{}, byDomain: map[string]string{}, byName: map[string]string{}}
	// Active vendors win a domain or name they share with inactive ones.
	slices.SortStableFunc(vs, func(a, b VendorEntry) int {
		switch {
		case a.IsActive == b.IsActive:
			return 0
		case a.IsActive:
			return 1
		}
		return -1
	})
	for _, v := range vs {
		r.byID[v.ID] = true
		for _, d := range v.Domains {
			r.byDomain[strings.ToLower(d)] = v.ID
		}
		r.byName[strings.ToLower(v.Name)] = v.ID
		for _, a := range v.Aliases {
			r.byName[strings.ToLower(a)] = v.ID
		}
	}
	return r, nil
}

// resolve returns the vendor id ref names, or "" when it names none.
func (r *resolver) resolve(ctx context.Context, ref VendorRef) (string, error) {
	if id := strings.TrimSpace(ref.ID); id != "" && r.byID[id] {
		return id, nil
	}
	if ext := strings.TrimSpace(ref.ExternalID); ext != "" {
		id, err := r.store.VendorByExternalID(ctx, r.tenantID, r.source, ext)
		switch {
		case err == nil:
			return id, nil
		case !apperr.Is(err, apperr.NotFound):
			return "", err
		}
	}
	if d := strings.ToLower(strings.TrimSpace(ref.Domain)); d != "" {
		for d != "" {
			if id, ok := r.byDomain[d]; ok {
				return id, nil
			}
			_, rest, ok := strings.Cut(d, ".") // mail.visa.com → visa.com
			if !ok || !strings.Contains(rest, ".") {
				break
			}
			d = rest
		}
	}
	if n := strings.ToLower(strings.TrimSpace(ref.Name)); n != "" {
		if id, ok := r.byName[n]; ok {
			return id, nil
		}
	}
	return "", nil
}
