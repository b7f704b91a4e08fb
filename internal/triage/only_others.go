package triage

import (
	"regexp"
	"strings"

	"github.com/vendorsync/vendorsync/internal/registry"
)

// onlyOthersRE finds a notice that asks action only of the customers who
// run one product: "Customers who do not run Kiosk Suite need to take no
// action". The group is the product.
var onlyOthersRE = mustGated(`(?i)\b(?:customers|those|anyone|organi[sz]ations|users|tenants)\s+(?:who|that)\s+(?:do\s+not|don't|does\s+not|doesn't)\s+(?:run|use|have)\s+(?:the\s+)?([\p{L}\d][\p{L}\d .-]{1,40}?)\s+(?:need|needs|have|has)\s+(?:to\s+(?:take|do)\s+)?(?:no|nothing)\b`)

// onlyRunnersRE finds a notice that asks action of the customers who run
// one product: "Customers who run Arcavio On-Premise must install 9.4.2",
// "customers who run Gateway Server on their own infrastructure must
// upgrade", "On-Premise customers should install 7.3.2", "Cue Server
// customers: install version 3.4.2". The group is the
// product. It says the action is theirs alone only beside a statement
// that another product is not affected (othersSparedRE).
var onlyRunnersRE = mustGated(`(?i)\b(?:customers|those|anyone|organi[sz]ations|users|tenants|sites)\s+(?:who|that)\s+(?:still\s+)?(?:run|use|operate|host|self-host)\s+(?:the\s+)?([\p{L}\d][\p{L}\d .-]{1,40}?)` +
	`(?:\s+(?:on|in)\s+(?:their|your|its)\s+own\s+\S+|\s+self-hosted)?\s+(?:must|should|need\s+to|needs\s+to|are\s+required\s+to|are\s+asked\s+to)\b|` +
	`(?m:^|[.!]\s+)([\p{L}\d][\p{L}\d -]{2,30}?)\s+customers(?:\s+(?:must|should|need\s+to|are\s+required\s+to)\b|\s*:\s*(?:install|upgrade|update|apply|patch)\b)|` +
	// German "Kunden, die BrewMaster 7.x betreiben, müssen …".
	`\bKunden,?\s+die\s+([\p{L}\d][\p{L}\d .-]{1,40}?)\s+(?:betreiben|einsetzen|nutzen|verwenden),?\s+(?:müssen|sollten)\b`)

// othersSparedRE finds the statement that a product, or its customers,
// are not affected or need do nothing: "Arcavio Cloud is not affected",
// "Cloud customers do not need to do anything", a "Not affected" list.
var othersSparedRE = mustGated(`(?i)\b(?:is|are)\s+not\s+(?:affected|impacted|vulnerable)\b|\bnicht\s+betroffen\b|\b(?:do|does)\s+not\s+need\s+to\s+do\s+anything\b|\bneed\s+to\s+take\s+no\s+action\b|(?m:^\s*not\s+affected\b)`)

// affectedHeadRE finds the head of an advisory's list of the products it
// affects, as a heading alone on its line ("Affected products") or as a
// field ("Affected: …", "Vulnerable versions: …"); the group is what
// follows a field's colon.
var affectedHeadRE = regexp.MustCompile(`(?i)^\s*(?:affected(?:\s+(?:products?|versions?|components?|software|systems?))?|products?\s+affected|vulnerable\s+(?:products?|versions?))\s*(?::\s*(.*)|$)`)

// fieldRE finds the start of an advisory's next field or section
// ("Not affected:", "Your estate: …", "Description").
var fieldRE = regexp.MustCompile(`^\s*(?:[\p{L} ]{2,30}:|[\p{Lu}][\p{Ll}]+(?:\s+[\p{Ll}]+){0,2}\s*$)`)

// versionTextRE finds the versions and qualifiers of a listed product:
// "7.0 to 7.3.4", "(self-hosted)", "and earlier", "all versions".
var versionTextRE = regexp.MustCompile(`(?i)\([^)]*\)|\b(?:v(?:ersions?)?\s*)?\d+(?:\.[\dx]+)*(?:\s*(?:to|through|-|–|and)\s*\d+(?:\.[\dx]+)*)?\b|\b(?:and|or)\s+(?:earlier|later|older|newer|below|above)\b|\b(?:all|prior\s+to|before|up\s+to)\b`)

// deploymentRE finds how a listed product is run: "On-Premise",
// "on premises", "self-hosted".
var deploymentRE = regexp.MustCompile(`(?i)\s*\b(?:on[- ]prem(?:ise|ises)?|self[- ]hosted|server\s+edition)\b`)

// appliesToYouRE finds an advisory's statement that it is for the
// reader: "The advisory applies to your estate", "Your installation: 2
// CAQ servers".
var appliesToYouRE = mustGated(`(?i)\b(?:applies|apply)\s+to\s+your\b|(?m:^\s*your\s+(?:estate|installation|environment|devices|systems|servers|account)\s*:)`)

// affectedProducts returns the products an advisory lists as affected,
// without their versions, in lower case; none when the list reads as
// sentences rather than names.
func affectedProducts(body string) []string {
	lines := strings.Split(body, "\n")
	for i, line := range lines {
		m := affectedHeadRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		items := []string{m[1]}
		for _, next := range lines[i+1:] {
			if strings.TrimSpace(next) == "" || fieldRE.MatchString(next) || affectedHeadRE.MatchString(next) {
				break
			}
			items = append(items, next)
		}
		var out []string
		for _, it := range items {
			it, _, _ = strings.Cut(it, ". ") // "… on premises. Qualivant Cloud is not affected."
			for _, part := range strings.FieldsFunc(it, func(r rune) bool { return r == ',' || r == ';' }) {
				p := strings.Trim(strings.Join(strings.Fields(versionTextRE.ReplaceAllString(part, " ")), " "), " .")
				if len(strings.Fields(p)) > 6 {
					return nil
				}
				if len(p) >= minProductName {
					out = append(out, strings.ToLower(p))
				}
			}
		}
		return out
	}
	return nil
}

// runsProduct reports whether an application's lower-case description
// names product: the whole name, or the name without how it is run when
// the description runs it the same way ("CAQ Server on premises" and "CAQ
// Server on two on-premises servers"; not "PACS On-Premise" and "PACS
// Cloud").
func runsProduct(desc, product string) bool {
	if indexWord(desc, product) >= 0 {
		return true
	}
	base := strings.TrimSpace(deploymentRE.ReplaceAllString(product, " "))
	if base == product || len(base) < minProductName || indexWord(desc, base) < 0 {
		return false
	}
	return deploymentRE.MatchString(desc)
}

// actionOnlyForOthers reports whether the email asks action only of the
// customers who run a product that no active application of the registry
// names, with or without the vendor's name: onlyOthersRE, or beside a
// product it spares onlyRunnersRE or an advisory's list of affected
// products. The notice is not for this organisation.
func actionOnlyForOthers(e Email, snap registry.Snapshot, v registry.Vendor) (string, bool) {
	text := e.Subject + "\n" + e.Body
	var products []string
	if m := onlyOthersRE.FindStringSubmatch(text); m != nil {
		products = []string{m[1]}
	} else if othersSparedRE.MatchString(text) {
		if m := onlyRunnersRE.FindStringSubmatch(text); m != nil {
			products = []string{m[1] + m[2] + m[3]}
		} else if !appliesToYouRE.MatchString(text) {
			products = affectedProducts(e.Body)
		}
	}
	if len(products) == 0 {
		return "", false
	}
	for i, p := range products {
		p = strings.ToLower(strings.TrimSpace(p))
		p = strings.TrimSpace(strings.TrimPrefix(p, strings.ToLower(v.Name)+" "))
		if len(p) < minProductName {
			return "", false
		}
		for _, a := range snap.Applications {
			// Only an application that uses the vendor runs its product:
			// "Server" in another one's description is another server.
			desc := strings.ToLower(a.Description)
			if a.IsActive && (linked(a, v.ID) || namesVendor(desc, v)) && runsProduct(desc, p) {
				return "", false
			}
		}
		products[i] = p
	}
	return strings.Join(products, ", "), true
}
