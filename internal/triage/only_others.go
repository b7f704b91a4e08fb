package triage

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// onlyOthersRE finds a notice that asks action only of the customers who
// run one product: "Customers who do not run Kiosk Suite need to take no
// action". The group is the product.
var onlyOthersRE = mustGated(`(?i)\b(?:customers|those|anyone|organi[sz]ations|users|tenants)\s+(?:who|that)\s+(?:do\s+not|don't|does\s+not|doesn't)\s+(?:run|use|have)\s+(?:the\s+)?([\p{L}\d][\p{L}\d .-]{1,40}?)\s+(?:need|needs|have|has)\s+(?:to\s+(?:take|do)\s+)?(?:no|nothing)\b`)

// onlyRunnersRE finds a notice that asks action of the customers who run
// one product: "Customers who run Arcavio On-Premise must install 9.4.2".
// The group is the product. It says the action is theirs alone only
// beside a statement that another product is not affected (othersSpared).
var onlyRunnersRE = mustGated(`(?i)\b(?:customers|those|anyone|organi[sz]ations|users|tenants|sites)\s+(?:who|that)\s+(?:still\s+)?(?:run|use|operate|host|self-host)\s+(?:the\s+)?([\p{L}\d][\p{L}\d .-]{1,40}?)\s+(?:must|should|need\s+to|needs\s+to|are\s+required\s+to|are\s+asked\s+to)\b`)

// othersSparedRE finds the statement that a product, or its customers,
// are not affected or need do nothing: "Arcavio Cloud is not affected",
// "Cloud customers do not need to do anything".
var othersSparedRE = mustGated(`(?i)\b(?:is|are)\s+not\s+(?:affected|impacted|vulnerable)\b|\b(?:do|does)\s+not\s+need\s+to\s+do\s+anything\b|\bneed\s+to\s+take\s+no\s+action\b`)

// actionOnlyForOthers reports whether the email asks action only of the
// customers who run a product (onlyOthersRE, or onlyRunnersRE beside a
// product it spares) that no active application of the registry names,
// with or without the vendor's name: the notice is not for this
// organisation.
func actionOnlyForOthers(e Email, snap registry.Snapshot, v registry.Vendor) (string, bool) {
	text := e.Subject + "\n" + e.Body
	m := onlyOthersRE.FindStringSubmatch(text)
	if m == nil {
		if m = onlyRunnersRE.FindStringSubmatch(text); m == nil || !othersSparedRE.MatchString(text) {
			return "", false
		}
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
