// Package vendorview is the vendor page's read model: what VendorSync knows
// about one vendor beyond its score — its change tickets, its open price
// exceptions, the health of its event feed and its tracker issues. It only
// reads, with a fixed number of queries whatever the vendor's history.
package vendorview

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TicketSummary is the vendor's change tickets.
type TicketSummary struct {
	// Unfinished counts tickets open, in progress or breached; Breached
	// those of them past their deadline.
	Unfinished int `json:"unfinished"`
	Breached   int `json:"breached"`
	// Total counts every ticket of the vendor, closed ones included.
	Total  int            `json:"total"`
	Recent []RecentTicket `json:"recent" nullable:"false"`
}

// RecentTicket is one ticket as the vendor page lists it.
type RecentTicket struct {
	Number    int64             `json:"number"`
	Topic     string            `json:"topic"`
	Severity  registry.Severity `json:"severity"`
	Status    ticket.Status     `json:"status"`
	DueAt     time.Time         `json:"due_at"`
	CreatedAt time.Time         `json:"created_at"`
}

// Key is the ticket's human key, VS-0042.
func (t RecentTicket) Key() string { return ticket.Key(t.Number) }

// StateCount is how many items are in one state (a severity, a status).
type StateCount struct {
	State string `json:"state"`
	N     int    `json:"n"`
}

// ExceptionSummary is the vendor's open price-contract exceptions.
type ExceptionSummary struct {
	Open int `json:"open"`
	// BySeverity counts the open ones, high first; every severity is
	// listed, zero or not.
	BySeverity []StateCount `json:"by_severity" nullable:"false"`
}

// FeedHealth is the health of the vendor's event feed over the last Days.
type FeedHealth struct {
	Days int `json:"days"`
	// Accepted counts every event received in the window; the others
	// split it by where each stands now.
	Accepted    int `json:"accepted"`
	Normalized  int `json:"normalized"`
	Quarantined int `json:"quarantined"`
	Failed      int `json:"failed_normalize"`
	Waiting     int `json:"waiting"`
}

// TrackerSummary is the tracker issues of the vendor's tickets.
type TrackerSummary struct {
	// ByState counts links by sync status (pending, created, failed,
	// orphan); every state is listed.
	ByState []StateCount   `json:"by_state" nullable:"false"`
	Recent  []TrackerIssue `json:"recent" nullable:"false"`
}

// TrackerIssue is one tracker issue of a ticket of the vendor.
type TrackerIssue struct {
	ID           string          `json:"id"`
	TicketNumber int64           `json:"ticket_number"`
	Application  string          `json:"application"`
	IssueKey     string          `json:"issue_key,omitempty"`
	IssueURL     string          `json:"issue_url,omitempty"`
	StatusName   string          `json:"status_name,omitempty"`
	SyncStatus   link.SyncStatus `json:"sync_status"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// TicketKey is the link's ticket's human key.
func (l TrackerIssue) TicketKey() string { return ticket.Key(l.TicketNumber) }

// VendorOverview is everything the vendor page shows beside the score.
type VendorOverview struct {
	VendorID   string           `json:"vendor_id"`
	VendorName string           `json:"vendor_name"`
	Tickets    TicketSummary    `json:"tickets"`
	Exceptions ExceptionSummary `json:"price_exceptions"`
	Ingest     FeedHealth       `json:"ingest"`
	Trackers   TrackerSummary   `json:"trackers"`
	AsOf       time.Time        `json:"as_of"`
}

// Store is what the vendor page reads; every read is scoped to a tenant
// and a vendor.
type Store interface {
	// Vendor returns one vendor of the tenant; not found otherwise.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
	// VendorTickets counts the vendor's tickets and lists the latest
	// limit, newest first.
	VendorTickets(ctx context.Context, tenantID, vendorID string, limit int) (TicketSummary, error)
	// VendorExceptions counts the vendor's open exceptions by severity.
	VendorExceptions(ctx context.Context, tenantID, vendorID string) ([]StateCount, error)
	// VendorIngest counts the vendor's events received since since, by
	// status.
	VendorIngest(ctx context.Context, tenantID, vendorID string, since time.Time) ([]StateCount, error)
	// VendorTrackerLinks counts the tracker links of the vendor's tickets
	// by sync status and lists the latest limit changed, newest first.
	VendorTrackerLinks(ctx context.Context, tenantID, vendorID string, limit int) ([]StateCount, []TrackerIssue, error)
}

// Service builds vendor overviews.
type Service struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// The overview's extents.
const (
	// IngestDays is the window of the feed's health.
	IngestDays = 7
	// RecentTickets and RecentLinks bound the lists.
	RecentTickets = 10
	RecentLinks   = 10
)

// Get returns the vendor's overview as p sees it; a vendor of another
// tenant is not found.
func (s *Service) Get(ctx context.Context, p auth.Principal, vendorID string) (VendorOverview, error) {
	if err := p.Require(auth.PermView); err != nil {
		return VendorOverview{}, err
	}
	v, err := s.Store.Vendor(ctx, p.TenantID, vendorID)
	if err != nil {
		return VendorOverview{}, fmt.Errorf("vendorview %s: %w", vendorID, err)
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	o := VendorOverview{VendorID: v.ID, VendorName: v.Name, AsOf: now.UTC()}
	if o.Tickets, err = s.Store.VendorTickets(ctx, p.TenantID, v.ID, RecentTickets); err != nil {
		return VendorOverview{}, fmt.Errorf("vendorview %s: %w", vendorID, err)
	}
	if o.Tickets.Recent == nil {
		o.Tickets.Recent = []RecentTicket{}
	}
	ex, err := s.Store.VendorExceptions(ctx, p.TenantID, v.ID)
	if err != nil {
		return VendorOverview{}, fmt.Errorf("vendorview %s: %w", vendorID, err)
	}
	o.Exceptions.BySeverity = fill(ex, contract.SeverityHigh, contract.SeverityMedium, contract.SeverityLow)
	for _, c := range o.Exceptions.BySeverity {
		o.Exceptions.Open += c.N
	}
	in, err := s.Store.VendorIngest(ctx, p.TenantID, v.ID, now.Add(-IngestDays*24*time.Hour))
	if err != nil {
		return VendorOverview{}, fmt.Errorf("vendorview %s: %w", vendorID, err)
	}
	o.Ingest = ingestOf(in)
	states, links, err := s.Store.VendorTrackerLinks(ctx, p.TenantID, v.ID, RecentLinks)
	if err != nil {
		return VendorOverview{}, fmt.Errorf("vendorview %s: %w", vendorID, err)
	}
	o.Trackers.ByState = fill(states, link.Pending, link.Created, link.Failed, link.Orphan)
	o.Trackers.Recent = links
	if o.Trackers.Recent == nil {
		o.Trackers.Recent = []TrackerIssue{}
	}
	return o, nil
}

// fill lists a count for every state in order, zero when absent.
func fill[S ~string](cs []StateCount, states ...S) []StateCount {
	out := make([]StateCount, 0, len(states))
	for _, st := range states {
		c := StateCount{State: string(st)}
		for _, x := range cs {
			if x.State == string(st) {
				c.N += x.N
			}
		}
		out = append(out, c)
	}
	return out
}

func ingestOf(cs []StateCount) FeedHealth {
	g := FeedHealth{Days: IngestDays}
	for _, c := range cs {
		g.Accepted += c.N
		switch ingest.Status(c.State) {
		case ingest.Normalized:
			g.Normalized += c.N
		case ingest.Quarantined:
			g.Quarantined += c.N
		case ingest.FailedNormalize:
			g.Failed += c.N
		default:
			g.Waiting += c.N
		}
	}
	return g
}
