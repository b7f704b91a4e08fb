package triage

import (
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// passedOnVendor is the vendor whose notice an email passes on: the sender
// is a vendor that no application uses (a reseller, a distributor), and
// what the email says is affected names exactly one other active vendor
// of the registry ("Forgebay is moving its licence service …; your
// Helpmoor subscription is not affected"). Its applications are the ones
// the change reaches.
func passedOnVendor(routing Email, snap registry.Snapshot, v registry.Vendor) (registry.Vendor, bool) {
	for _, a := range snap.Applications {
		if a.IsActive && (linked(a, v.ID) || mentionsVendor(a, v)) {
			return registry.Vendor{}, false
		}
	}
	lower := strings.ToLower(routing.Subject + "\n" + routing.Body)
	var found registry.Vendor
	n := 0
	for _, o := range snap.Vendors {
		if o.ID == v.ID || !o.IsActive || !namesVendor(lower, o) {
			continue
		}
		found = o
		n++
	}
	return found, n == 1
}
