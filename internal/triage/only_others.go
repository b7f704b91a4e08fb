package triage

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// onlyOthersRE finds a notice that asks action only of the customers who
// run one product: "Customers who do not run Kiosk Suite need to take no
// action". The group is the product.
var onlyOthersRE = mustGated(`(?i)\b(?:customers|those|anyone|organi[sz]ations|users|tenants)\s+(?:who|that)\s+(?:do\s+not|don't|does\s+not|doesn't)\s+(?:run|use|have)\s+(?:the\s+)?([\p{L}\d][\p{L}\d .-]{1,40}?)\s+(?:need|needs|have|has)\s+(?:to\s+(?:take|do)\s+)?(?:no|nothing)\b`)

// actionOnlyForOthers reports whether the email asks action only of the
// customers who run a product (onlyOthersRE) that no active application
// of the registry names, with or without the vendor's name: the notice
// is not for this organisation.
func actionOnlyForOthers(e Email, snap registry.Snapshot, v registry.Vendor) (string, bool) {
	m := onlyOthersRE.FindStringSubmatch(e.Subject + "\n" + e.Body)
	if m == nil {
		return "", false
	}
	product := strings.ToLower(strings.TrimSpace(m[1]))
	product = strings.TrimSpace(strings.TrimPrefix(product, strings.ToLower(v.Name)+" "))
	if len(product) < minProductName {
		return "", false
	}
	for _, a := range snap.Applications {
		if a.IsActive && indexWord(strings.ToLower(a.Description), product) >= 0 {
			return "", false
		}
	}
	return product, true
}
