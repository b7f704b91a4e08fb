package consequence

import (
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// The score seam: each module's facts about a vendor, written as score
// signals (jobargs.SignalFact, codes of score.Catalog). A fact's event_id
// names the fact itself, so the job a retried change enqueues again counts
// once. A module joins by adding a function here and one entry in Declare.

// changeSeverity is the risk of a change announced at a severity.
var changeSeverity = map[registry.Severity]float64{
	registry.SeverityCritical: 1, registry.SeverityHigh: 0.67, registry.SeverityMedium: 0.33, registry.SeverityLow: 0,
}

// ticketCreatedSignal: every change a vendor announces counts by its
// severity (how often it breaks things is breakingChangeSignal's).
func ticketCreatedSignal(t ticket.Ticket) []jobargs.Args {
	v, ok := changeSeverity[t.Severity]
	if !ok || t.VendorID == "" {
		return nil
	}
	return []jobargs.Args{jobargs.Signal(t.TenantID, jobargs.SignalFact{EventID: "ticket:" + t.ID + ":severity",
		Source: "changes", VendorID: t.VendorID, Code: "change_severity", Value: v, ObservedAt: t.CreatedAt,
		Note: t.Key() + " " + string(t.Severity)})}
}

// breakingChangeSignal: a breaking change announced counts with how many
// the vendor announced in the last 90 days, this one included (at most the
// catalog's 20), so a vendor that breaks things often weighs more than one
// that rarely does.
func breakingChangeSignal(t ticket.Ticket, recent int) []jobargs.Args {
	if t.VendorID == "" || recent < 1 {
		return nil
	}
	return []jobargs.Args{jobargs.Signal(t.TenantID, jobargs.SignalFact{EventID: "ticket:" + t.ID + ":breaking_count",
		Source: "changes", VendorID: t.VendorID, Code: "breaking_change_count", Value: float64(min(recent, maxBreakingCount)),
		ObservedAt: t.CreatedAt, Note: fmt.Sprintf("%s: %d breaking changes in 90 days", t.Key(), recent)})}
}

// maxBreakingCount is the top of breaking_change_count's range.
const maxBreakingCount = 20

// ticketMovedSignal: a change breached counts as a deadline missed; one
// resolved or closed without breaching as a deadline met. The fact is keyed
// by the ticket, so a breached ticket resolved later stays a miss.
func ticketMovedSignal(t ticket.Ticket, steps []ticket.Step) []jobargs.Args {
	if t.VendorID == "" {
		return nil
	}
	for _, st := range steps {
		met := -1.0
		switch {
		case st.To == ticket.Breached:
			met = 0
		case (st.To == ticket.Resolved || st.To == ticket.Closed) && t.BreachedAt == nil:
			met = 1
		}
		if met < 0 {
			continue
		}
		return []jobargs.Args{jobargs.Signal(t.TenantID, jobargs.SignalFact{EventID: "ticket:" + t.ID + ":deadline",
			Source: "changes", VendorID: t.VendorID, Code: "change_deadline_met", Value: met, ObservedAt: t.UpdatedAt,
			Note: t.Key() + " " + string(st.To)})}
	}
	return nil
}

// ticketAtRiskSignal: a change whose deadline is near enough for an
// escalation (D-7, D-3, D-1) is at risk of missing it; once per ticket and
// threshold, so a ticket that goes through all three counts three times.
func ticketAtRiskSignal(t ticket.Ticket, e ticket.Escalation) []jobargs.Args {
	if t.VendorID == "" || e.Breach() {
		return nil
	}
	return []jobargs.Args{jobargs.Signal(t.TenantID, jobargs.SignalFact{EventID: fmt.Sprintf("ticket:%s:at_risk:d%d", t.ID, e.Threshold),
		Source: "changes", VendorID: t.VendorID, Code: "change_at_risk", Value: 1, ObservedAt: e.SendAt,
		Note: fmt.Sprintf("%s D-%d", t.Key(), e.Threshold)})}
}

// unknownSenderSignal: an email no vendor matched counts against the
// vendor its sender's domain names, if any (otherwise it is rejected as
// MISSING_VENDOR_REF and shows in the rejections view).
func unknownSenderSignal(e inbox.Email) []jobargs.Args {
	_, domain, ok := strings.Cut(e.From.Address, "@")
	if !ok || domain == "" {
		return nil
	}
	return []jobargs.Args{jobargs.Signal(e.TenantID, jobargs.SignalFact{EventID: "email:" + e.ID + ":unknown_sender",
		Source: "changes", Domain: strings.ToLower(domain), Code: "unknown_sender_email", Value: 1, ObservedAt: e.ReceivedAt})}
}

// reconciledSignals: a completed reconciliation run of a vendor's
// contract gives three facts about the vendor — the share of its lines
// priced beyond the tolerance, the share of its items the ERP does not
// know, and whether the contract still carries lines past their end date.
// A run of no lines says nothing.
func reconciledSignals(r contract.Run) []jobargs.Args {
	if r.Status != contract.RunCompleted || r.LinesTotal == 0 || r.VendorID == "" || r.CompletedAt == nil {
		return nil
	}
	total := float64(r.LinesTotal)
	expired := 0.0
	if r.RuleCounts[contract.RuleExpiredContract] > 0 {
		expired = 1
	}
	fact := func(code string, v float64, note string) jobargs.Args {
		return jobargs.Signal(r.TenantID, jobargs.SignalFact{EventID: "reconciliation:" + r.ID + ":" + code, Source: "contracts",
			VendorID: r.VendorID, Code: code, Value: v, ObservedAt: *r.CompletedAt, Note: note})
	}
	return []jobargs.Args{
		fact("price_mismatch_rate", float64(r.RuleCounts[contract.RulePriceMismatch])/total,
			fmt.Sprintf("%d of %d lines priced beyond tolerance", r.RuleCounts[contract.RulePriceMismatch], r.LinesTotal)),
		fact("unmapped_item_share", float64(r.RuleCounts[contract.RuleMissingMapping])/total,
			fmt.Sprintf("%d of %d lines not mapped to an ERP item", r.RuleCounts[contract.RuleMissingMapping], r.LinesTotal)),
		fact("contract_expired", expired,
			fmt.Sprintf("%d of %d lines past their end date", r.RuleCounts[contract.RuleExpiredContract], r.LinesTotal)),
	}
}

// trackerTroubleSignal: a tracker issue that could not be created after
// every retry (orphan), or one the tracker holds twice (duplicate), counts
// against the vendor of the link's ticket. The fact is keyed by the link
// and the kind, so each link counts once per kind.
func trackerTroubleSignal(t link.Trouble) []jobargs.Args {
	if t.VendorID == "" {
		return nil
	}
	return []jobargs.Args{jobargs.Signal(t.TenantID, jobargs.SignalFact{EventID: "tracker_link:" + t.LinkID + ":" + t.Kind,
		Source: "trackers", VendorID: t.VendorID, Code: "tracker_link_conflict", Value: 1, ObservedAt: t.At,
		Note: t.TicketKey + " tracker issue " + t.Kind})}
}

// trackerConflictSignal: a linked issue edited on both sides counts
// against the vendor like a link in trouble, once per link (kind
// "conflict").
func trackerConflictSignal(c link.Conflict) []jobargs.Args {
	return trackerTroubleSignal(link.Trouble{TenantID: c.TenantID, LinkID: c.LinkID, TicketKey: c.TicketKey,
		VendorID: c.VendorID, Kind: link.TroubleConflict, At: c.At})
}

// ingestMeasureSignals: a vendor's data over the last 7 days, measured at
// most hourly while its events arrive, as three signals keyed by the hour
// (a second measure in the same hour counts once).
func ingestMeasureSignals(m ingest.Measure) []jobargs.Args {
	q := m.Quality
	fact := func(code string, v float64, note string) jobargs.Args {
		return jobargs.Signal(m.TenantID, jobargs.SignalFact{EventID: "ingest:" + m.VendorID + ":" + m.Hour.UTC().Format("2006-01-02T15") + ":" + code,
			Source: "ingest", VendorID: m.VendorID, Code: code, Value: v, ObservedAt: m.Hour, Note: note})
	}
	processed := q.Counts.Normalized + q.Counts.Quarantined + q.Counts.Failed
	return []jobargs.Args{
		fact("event_quarantine_rate", float64(q.Counts.Quarantined)/float64(max(processed, 1)),
			fmt.Sprintf("%d of %d events quarantined in 7 days", q.Counts.Quarantined, processed)),
		fact("schema_drift_count", float64(q.Counts.Drifts),
			fmt.Sprintf("%d payload drifts in 7 days, %d breaking", q.Counts.Drifts, q.Counts.Breaking)),
		fact("data_quality_score", float64(q.Score),
			fmt.Sprintf("validity %.1f/60, timeliness %.1f/25, stability %.1f/15", q.Validity, q.Timeliness, q.Stability)),
	}
}
