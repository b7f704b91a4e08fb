package link

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Polling reconciliation: every PollInterval, and when an admin asks, each
// connection lists the issues changed since its cursor in every target an
// application routes to it, and applies them as a webhook delivery would.
// A delivery the tracker lost, or that never reached VendorSync, is caught
// here.
const (
	PollInterval = 15 * time.Minute
	// PollOverlap is read again before the cursor on every run: a tracker's
	// listing is not a transaction, so an issue changed while a run read
	// its pages (or stamped in the same second as the cursor) is seen by
	// the next run. Reading an issue twice changes nothing.
	PollOverlap = 2 * time.Minute
	// PollFirstWindow is how far back a target never polled is read.
	PollFirstWindow = 24 * time.Hour
)

// PollStore is what polling needs from storage.
type PollStore interface {
	// TrackerPollTargets lists the distinct targets (project keys,
	// repositories) the tenant's applications route to the connection.
	TrackerPollTargets(ctx context.Context, tenantID, connectionID string) ([]string, error)
	// TrackerPollCursor returns where the target's last poll stopped;
	// false when it was never polled.
	TrackerPollCursor(ctx context.Context, tenantID, connectionID, target string) (time.Time, bool, error)
	// SaveTrackerPollCursor moves the target's cursor to at.
	SaveTrackerPollCursor(ctx context.Context, tenantID, connectionID, target string, at, polledAt time.Time) error
	// TrackerPollConnections lists the enabled connections of every
	// tenant, as poll jobs.
	TrackerPollConnections(ctx context.Context) ([]jobargs.TrackerPoll, error)
}

// PollResult is what one poll of a connection did.
type PollResult struct {
	Pages   int `json:"pages"`
	Issues  int `json:"issues" doc:"Changed issues read (linked or not)."`
	Applied int `json:"applied" doc:"Changed issues that a ticket links."`
	// RetryAfter is set when the tracker asked to wait (a rate limit):
	// the poll stopped after its last committed page and is to be run
	// again after this long.
	RetryAfter time.Duration `json:"retry_after_ns,omitempty"`
}

func (s *Service) polls() (PollStore, error) {
	ps, ok := s.Hooks.(PollStore)
	if !ok {
		return nil, apperr.E(apperr.Unavailable, "tracker polling is not set up on this server")
	}
	return ps, nil
}

// Poll reconciles one connection: for each target, the issues changed
// since its cursor minus PollOverlap are listed page by page; each page's
// issues are applied (mirror, then the ticket) and only then does the
// cursor move, so a failure or a rate limit mid-listing loses nothing. A
// rate limit is not a failure: the result's RetryAfter says when to go on.
func (s *Service) Poll(ctx context.Context, tenantID, connectionID string) (PollResult, error) {
	var res PollResult
	ps, err := s.polls()
	if err != nil {
		return res, err
	}
	cl, err := s.provider(ctx, tenantID, connectionID)
	if err != nil {
		return res, err
	}
	lister, ok := cl.tracker.(tracker.ChangeLister)
	if !ok {
		return res, apperr.E(apperr.Invalid, "the %s connection cannot list changed issues", cl.kind.Name)
	}
	targets, err := ps.TrackerPollTargets(ctx, tenantID, cl.conn.ID)
	if err != nil {
		return res, fmt.Errorf("link.Poll %s: %w", connectionID, err)
	}
	for _, target := range targets {
		if err := s.pollTarget(ctx, ps, cl, lister, target, &res); err != nil || res.RetryAfter > 0 {
			return res, err
		}
	}
	return res, nil
}

func (s *Service) pollTarget(ctx context.Context, ps PollStore, cl client, lister tracker.ChangeLister, target string, res *PollResult) error {
	tenantID, connID := cl.conn.TenantID, cl.conn.ID
	started := s.now()
	cursor, seen, err := ps.TrackerPollCursor(ctx, tenantID, connID, target)
	if err != nil {
		return fmt.Errorf("link.Poll %s: %w", target, err)
	}
	since := started.Add(-PollFirstWindow)
	if seen {
		since = cursor.Add(-PollOverlap)
	}
	// next is where the cursor may go once a page is committed: the last
	// change read in an ordered listing, the newest one read otherwise
	// (and then only after the last page).
	next := cursor
	page := ""
	for {
		p, err := lister.ListChanged(ctx, target, since, page)
		if err != nil {
			if httpx.KindOf(err) == httpx.RateLimited {
				res.RetryAfter = max(httpx.RetryAfterOf(err), time.Second)
				return nil
			}
			return fmt.Errorf("link.Poll %s: %w", target, err)
		}
		res.Pages++
		for _, iss := range p.Issues {
			res.Issues++
			key, err := s.applyIssue(ctx, tenantID, cl.conn, cl.kind, iss)
			if err != nil {
				return fmt.Errorf("link.Poll %s: %s: %w", target, iss.Key, err)
			}
			if key != "" {
				res.Applied++
			}
			if iss.Updated.After(next) {
				next = iss.Updated.UTC()
			}
		}
		last := p.Next == ""
		if (p.Ordered || last) && next.After(cursor) {
			if err := ps.SaveTrackerPollCursor(ctx, tenantID, connID, target, next, s.now()); err != nil {
				return fmt.Errorf("link.Poll %s: %w", target, err)
			}
			cursor = next
		}
		if last {
			return nil
		}
		if p.Wait > 0 {
			res.RetryAfter = p.Wait
			return nil
		}
		page = p.Next
	}
}

// PollNow enqueues a poll of one connection, as an admin asks from the
// connection's page.
func (s *Service) PollNow(ctx context.Context, p auth.Principal, connectionID string) error {
	if err := requireEdit(p); err != nil {
		return err
	}
	c, err := s.ConnectionByID(ctx, p, connectionID)
	if err != nil {
		return err
	}
	if err := s.Store.EnqueueJobs(ctx, []jobargs.Args{jobargs.TrackerPoll{Tenant: jobargs.For(p.TenantID), ConnectionID: c.ID}}); err != nil {
		return fmt.Errorf("link.PollNow %s: %w", c.ID, err)
	}
	return nil
}

// PollConnections lists every enabled connection of every tenant, for the
// periodic job that enqueues their polls.
func (s *Service) PollConnections(ctx context.Context) ([]jobargs.TrackerPoll, error) {
	ps, err := s.polls()
	if err != nil {
		return nil, err
	}
	return ps.TrackerPollConnections(ctx)
}
