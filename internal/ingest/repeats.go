package ingest

import (
	"slices"
	"strings"
	"time"
)

// RepeatCount is how many events a vendor resent in one hour (UTC) under
// an externalEventId already stored: Duplicates with the same payload
// (answered DUPLICATE), Conflicts with another one (refused with 409).
// Neither is stored as an event, so they are counted per hour instead,
// in the transaction that found them: a restart loses none, and every
// replica adds to the same rows.
type RepeatCount struct {
	TenantID, VendorID string
	Hour               time.Time
	Duplicates         int
	Conflicts          int
}

// Repeats counts the events of one accept transaction whose key was
// already stored (prior[i] non-nil), per tenant, vendor and hour of
// receipt, in key order (so concurrent transactions take their rows in
// the same order).
func Repeats(evs []Event, prior []*Event) []RepeatCount {
	byKey := map[[3]string]*RepeatCount{}
	var out []RepeatCount
	for i, p := range prior {
		if p == nil {
			continue
		}
		e := evs[i]
		hour := e.ReceivedAt.UTC().Truncate(time.Hour)
		k := [3]string{e.TenantID, e.VendorID, hour.Format(time.RFC3339)}
		c := byKey[k]
		if c == nil {
			c = &RepeatCount{TenantID: e.TenantID, VendorID: e.VendorID, Hour: hour}
			byKey[k] = c
		}
		if isDuplicate(e, p) {
			c.Duplicates++
		} else {
			c.Conflicts++
		}
	}
	for _, c := range byKey {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b RepeatCount) int {
		if c := strings.Compare(a.TenantID, b.TenantID); c != 0 {
			return c
		}
		if c := strings.Compare(a.VendorID, b.VendorID); c != 0 {
			return c
		}
		return a.Hour.Compare(b.Hour)
	})
	return out
}

// isDuplicate reports whether ev, sent under the key of the stored event
// prior, repeats it (the same payload bytes once compacted) rather than
// conflicting with it.
func isDuplicate(ev Event, prior *Event) bool { return prior.PayloadSHA256 == ev.PayloadSHA256 }
