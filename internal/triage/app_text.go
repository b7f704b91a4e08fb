package triage

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// appText is what the offline triage reads from one application's name and
// description. It depends on those texts only, so it is read once per
// registry, with the application index (see indexesOf), not once per email.
type appText struct {
	lower string // the description in lower case
	// names are the ways an email writes the application's name, in lower
	// case: as the registry does, and as an identifier ("PartnerAPI" as
	// partner-api or partner_api, the way vendors list the resources
	// they found).
	names []string
	// access are the texts its access goes through (accessTargets);
	// delivery those its traffic is served through (deliveryTargets);
	// payment those its payments go through (paymentTargets);
	// payWith those it pays with or through (payWithTargets);
	// exchange those its messages are exchanged through (exchangeTargets).
	access, delivery, payment, payWith, exchange []string
	// ids are the versions and host names it gives (identifiersIn).
	ids []appIdentifier
}

func newAppText(a registry.Application) appText {
	t := appText{lower: strings.ToLower(a.Description), names: []string{strings.ToLower(a.Name)},
		access: accessTargets(a.Description), delivery: deliveryTargets(a.Description),
		payment: paymentTargets(a.Description), payWith: payWithTargets(a.Description),
		exchange: exchangeTargets(a.Description), ids: identifiersIn(a.Description)}
	if parts := strings.Fields(strings.ToLower(camelRE.ReplaceAllString(a.Name, "$1 $2"))); len(parts) >= 2 {
		t.names = append(t.names, strings.Join(parts, "-"), strings.Join(parts, "_"))
	}
	return t
}

// namedIn reports whether lower-case text names the application.
func (t appText) namedIn(lower string) bool {
	for _, n := range t.names {
		if indexWord(lower, n) >= 0 {
			return true
		}
	}
	return false
}

// mentions reports whether the description names the vendor (by name or
// alias): the application uses the vendor without being linked.
func (t appText) mentions(v registry.Vendor) bool { return namesVendor(t.lower, v) }

// servedThrough reports whether the description says the application's
// traffic goes through the vendor (by name or alias).
func (t appText) servedThrough(v registry.Vendor) bool {
	for _, target := range t.delivery {
		for _, n := range vendorNames(v) {
			if goesThrough([]string{target}, n) {
				return true
			}
		}
	}
	return false
}

// textOf is what the index read from the application with the id.
func (ix *appIndex) textOf(id string) appText {
	for i, a := range ix.apps {
		if a.ID == id {
			return ix.text[i]
		}
	}
	return appText{}
}
