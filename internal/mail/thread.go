package mail

import (
	"regexp"
	"strings"
)

// ThreadKeys returns the normalised message ids an email answers or
// continues: In-Reply-To first, then References from the newest ancestor to
// the oldest, without duplicates or the email's own id. The pipeline looks
// these up to attach a reply to the ticket of an earlier email.
func ThreadKeys(e SourceEmail) []string {
	seen := map[string]bool{e.MessageID: true}
	var keys []string
	add := func(id string) {
		id = normalizeID(id)
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		keys = append(keys, id)
	}
	add(e.InReplyTo)
	for i := len(e.References) - 1; i >= 0; i-- {
		add(e.References[i])
	}
	return keys
}

// ticketRefPattern matches a ticket number in brackets, as VendorSync puts
// it in the subject of every email it sends ("[VS-0042] Visa endpoint …").
var ticketRefPattern = regexp.MustCompile(`(?i)\[\s*(VS-\d{1,12})\s*\]`)

// TicketRefs returns the ticket numbers ("VS-0042") referenced as
// "[VS-0042]" in a subject, upper-cased, in order, without duplicates. A
// reply that keeps the tag is threaded onto that ticket even when its
// In-Reply-To was lost.
func TicketRefs(subject string) []string {
	var refs []string
	seen := map[string]bool{}
	for _, m := range ticketRefPattern.FindAllStringSubmatch(subject, -1) {
		ref := strings.ToUpper(m[1])
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs
}
