package triage

import (
	"fmt"
	"math"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// Evidence is why a decision says what it says, one line per part: what
// identified the vendor, the applications, the severity and the date.
type Evidence struct {
	Vendor       string `json:"vendor"`
	Applications string `json:"applications"`
	Severity     string `json:"severity"`
	Date         string `json:"date"`
}

// DefaultMinConfidence is the confidence below which an actionable
// decision waits for a person instead of opening a ticket, unless the
// tenant sets another.
const DefaultMinConfidence = 0.5

// assess scores how far the email's own evidence supports a decision,
// whoever proposed it: 1 when everything is read from facts the email
// cannot fake (the sender's domain, an explicit date), lower when a part
// rests on mentions alone, on a guess or on nothing. The decision's
// confidence is its weakest part.
func assess(d Decision, e Email, snap registry.Snapshot, s Settings) (float64, Evidence) {
	var ev Evidence
	conf := 1.0
	part := func(c float64, why string, into *string) {
		*into = fmt.Sprintf("%s (%.0f%%)", why, 100*c)
		conf = math.Min(conf, c)
	}
	if d.VendorID == "" {
		ev.Vendor = "no registry vendor"
		if d.Impersonation != nil {
			ev.Vendor = d.Impersonation.String()
		}
		return 1, ev
	}
	v, _ := vendorByID(snap, d.VendorID)
	switch vm, ok := matchVendor(e, snap); {
	case ok && vm.vendor.ID == v.ID && !vm.byMention:
		part(1, vm.reason, &ev.Vendor)
	case ok && vm.vendor.ID == v.ID && vm.close:
		part(0.45, vm.reason+", but another vendor is mentioned nearly as often", &ev.Vendor)
	case ok && vm.vendor.ID == v.ID:
		part(0.75, vm.reason+"; the sender's domain is not the vendor's", &ev.Vendor)
	case ok:
		part(0.3, "the email points to "+vm.vendor.Name+", not "+v.Name, &ev.Vendor)
	default:
		part(0.3, "nothing in the email identifies "+v.Name, &ev.Vendor)
	}
	if d.Classification != Actionable {
		return round2(conf), ev
	}

	related := 0
	for _, id := range d.AffectedApplicationIDs {
		for _, a := range snap.Applications {
			if a.ID == id && (linked(a, v.ID) || mentionsVendor(a, v)) {
				related++
			}
		}
	}
	switch {
	case len(d.AffectedApplicationIDs) == 0:
		part(0.55, "no application identified", &ev.Applications)
	case related < len(d.AffectedApplicationIDs):
		part(0.5, fmt.Sprintf("%d of %d applications do not use %s", len(d.AffectedApplicationIDs)-related,
			len(d.AffectedApplicationIDs), v.Name), &ev.Applications)
	case d.Source == SourceOffline && strings.Contains(d.Reasoning, "as a precaution"):
		part(0.6, "no description matched: every application using "+v.Name+" included as a precaution", &ev.Applications)
	default:
		part(0.9, fmt.Sprintf("%d application(s), each using %s", len(d.AffectedApplicationIDs), v.Name), &ev.Applications)
	}

	ev.Severity = string(d.Severity)
	if len(d.MatchedRuleIDs) > 0 {
		ev.Severity += " from " + fmt.Sprint(len(d.MatchedRuleIDs)) + " matched rule(s) and the severity table"
	} else {
		ev.Severity += " from the severity table (no rule matched)"
	}

	fd, found := extractDate(e.Subject, e.Body, e.FromAddress, e.ContentLanguage, e.Date, s.today(), s.Timezone, registryVersions(snap, v)...)
	switch {
	case d.EffectiveDate.IsZero() && !found:
		ev.Date = "no date in the email"
	case d.EffectiveDate.IsZero():
		part(0.6, fmt.Sprintf("the email mentions %s (%q) but no effective date was taken", fd.date, fd.text), &ev.Date)
	case found && fd.date == d.EffectiveDate && strings.HasPrefix(fd.note, "ambiguous"):
		part(0.5, fmt.Sprintf("%s from %q, %s", fd.date, fd.text, fd.note), &ev.Date)
	case found && fd.date == d.EffectiveDate && fd.note != "":
		part(0.8, fmt.Sprintf("%s from %q, %s", fd.date, fd.text, fd.note), &ev.Date)
	case found && fd.date == d.EffectiveDate:
		part(0.95, fmt.Sprintf("%s from %q", fd.date, fd.text), &ev.Date)
	case strings.Contains(e.Subject+"\n"+e.Body, d.EffectiveDate.String()):
		part(0.9, d.EffectiveDate.String()+" is written in the email", &ev.Date)
	default:
		part(0.6, d.EffectiveDate.String()+" is not a date the email states plainly", &ev.Date)
	}
	return round2(conf), ev
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
