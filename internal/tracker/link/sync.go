package link

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// MissingIssue is the last error of a link whose issue a search no longer
// returns: deleted, moved to another project, or hidden from the account.
const MissingIssue = "not found in Jira: deleted, moved or not visible to the VendorSync account"

// SyncResult summarises one sync.
type SyncResult struct {
	Links       int `json:"links" doc:"Created links of unclosed tickets that were synced."`
	Searches    int `json:"searches" doc:"Search calls, one per chunk of at most 100 keys."`
	Changed     int `json:"changed" doc:"Links whose status changed."`
	Missing     int `json:"missing" doc:"Links whose issue the search did not return."`
	Transitions int `json:"transitions" doc:"Tickets moved by their issues."`
}

// Sync reads the status of every created link of the tenant's unclosed
// tickets (one query), 100 keys per search, records the changes with audit
// rows, then moves each ticket where its issues say (Target), as the
// system. Without an enabled connection it is a Conflict error.
func (s *Service) Sync(ctx context.Context, tenantID string) (SyncResult, error) {
	items, err := s.Store.TrackerSyncItems(ctx, tenantID, "")
	if err != nil {
		return SyncResult{}, fmt.Errorf("link.Sync: %w", err)
	}
	return s.sync(ctx, tenantID, items)
}

// SyncTicket syncs one ticket's issues now, for its "Sync now" button,
// nudges the creation of its pending and orphan links, and returns its
// links as they are afterwards.
func (s *Service) SyncTicket(ctx context.Context, p auth.Principal, number int64) ([]Link, SyncResult, error) {
	if err := p.Require(auth.PermTriggerSync); err != nil {
		return nil, SyncResult{}, err
	}
	t, err := s.Tickets.Get(ctx, p, number)
	if err != nil {
		return nil, SyncResult{}, err
	}
	items, err := s.Store.TrackerSyncItems(ctx, p.TenantID, t.ID)
	if err != nil {
		return nil, SyncResult{}, fmt.Errorf("link.SyncTicket %s: %w", t.Key(), err)
	}
	res, err := s.sync(ctx, p.TenantID, items)
	if err != nil {
		return nil, res, fmt.Errorf("sync %s: %w", t.Key(), err)
	}
	links, err := s.Store.TicketTrackerLinks(ctx, p.TenantID, t.ID)
	if err != nil {
		return nil, res, fmt.Errorf("link.SyncTicket %s: %w", t.Key(), err)
	}
	var jobs []jobargs.Args
	for _, l := range links {
		if l.SyncStatus == Pending || l.SyncStatus == Orphan {
			jobs = append(jobs, createJob(l.TenantID, l.TicketID, l.ApplicationID))
		}
	}
	if len(jobs) > 0 {
		if err := s.Store.EnqueueJobs(ctx, jobs); err != nil {
			return nil, res, fmt.Errorf("link.SyncTicket %s: %w", t.Key(), err)
		}
	}
	return links, res, nil
}

// chunkResult is one chunk's search answer.
type chunkResult struct {
	items  []SyncItem
	issues []tracker.Issue
	err    error
}

// sync searches items' issues chunk by chunk (a few chunks at once),
// writes each chunk's changes as it arrives, then re-evaluates the tickets.
func (s *Service) sync(ctx context.Context, tenantID string, items []SyncItem) (SyncResult, error) {
	res := SyncResult{Links: len(items)}
	if len(items) == 0 {
		return res, nil
	}
	p, err := s.provider(ctx, tenantID)
	if err != nil {
		return res, err
	}
	var chunks [][]SyncItem
	for rest := items; len(rest) > 0; {
		n := min(len(rest), tracker.MaxSearchChunk)
		chunks, rest = append(chunks, rest[:n]), rest[n:]
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo, done := make(chan []SyncItem), make(chan chunkResult)
	var wg sync.WaitGroup
	for range max(1, min(s.concurrency(), len(chunks))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range todo {
				keys := make([]string, len(ch))
				for i, it := range ch {
					keys[i] = it.IssueKey
				}
				issues, err := p.Search(cctx, keys)
				select {
				case done <- chunkResult{items: ch, issues: issues, err: err}:
				case <-cctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(todo)
		for _, ch := range chunks {
			select {
			case todo <- ch:
			case <-cctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	var errs []error
	for r := range done {
		res.Searches++
		if r.err != nil {
			errs = append(errs, r.err)
			if httpx.KindOf(r.err) == httpx.Auth {
				cancel()
				if err := s.disable(ctx, tenantID, r.err); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		}
		if err := s.apply(ctx, tenantID, r.items, r.issues, &res); err != nil {
			errs = append(errs, err)
			cancel()
		}
	}
	if ctx.Err() == nil {
		errs = append(errs, s.reevaluate(ctx, tenantID, items, &res)...)
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("link sync of tenant %s: %w", tenantID, err)
	}
	return res, nil
}

func (s *Service) concurrency() int {
	if s.SearchConcurrency > 0 {
		return s.SearchConcurrency
	}
	return DefaultSearchConcurrency
}

// apply diffs one chunk against its search answer and writes the changes;
// it updates the chunk's items in place for the re-evaluation.
func (s *Service) apply(ctx context.Context, tenantID string, items []SyncItem, issues []tracker.Issue, res *SyncResult) error {
	byKey := make(map[string]tracker.Issue, len(issues))
	for _, iss := range issues {
		byKey[iss.Key] = iss
	}
	sys := auth.System(tenantID)
	var changes []StatusChange
	var evs []audit.Event
	synced := make([]string, 0, len(items))
	for i := range items {
		it := &items[i]
		iss, ok := byKey[it.IssueKey]
		if !ok {
			res.Missing++
			if it.LastError != MissingIssue {
				changes = append(changes, StatusChange{LinkID: it.LinkID, StatusName: it.StatusName,
					StatusCategory: it.StatusCategory, LastError: MissingIssue})
			}
			continue
		}
		synced = append(synced, it.LinkID)
		moved := iss.StatusName != it.StatusName || iss.StatusCategory != it.StatusCategory
		if !moved && it.LastError == "" {
			continue
		}
		changes = append(changes, StatusChange{LinkID: it.LinkID, StatusName: iss.StatusName, StatusCategory: iss.StatusCategory})
		if moved {
			res.Changed++
			evs = append(evs, audit.Record(sys, "tracker_link.status", "tracker_link", it.LinkID,
				map[string]any{"issue_key": it.IssueKey, "status_name": it.StatusName, "status_category": it.StatusCategory},
				map[string]any{"issue_key": it.IssueKey, "status_name": iss.StatusName, "status_category": iss.StatusCategory}))
		}
		it.StatusName, it.StatusCategory, it.LastError = iss.StatusName, iss.StatusCategory, ""
	}
	if err := s.Store.ApplyTrackerSync(ctx, tenantID, changes, synced, s.now(), evs); err != nil {
		return fmt.Errorf("record %d status changes: %w", len(changes), err)
	}
	return nil
}

// reevaluate moves every ticket of items where its issues say, as the
// system. A ticket that changed meanwhile (a conflict) is left for the
// next sync.
func (s *Service) reevaluate(ctx context.Context, tenantID string, items []SyncItem, res *SyncResult) []error {
	if s.Tickets == nil {
		return nil
	}
	var order []string
	byTicket := map[string]*TicketIssues{}
	numbers := map[string]int64{}
	for _, it := range items {
		ti, ok := byTicket[it.TicketID]
		if !ok {
			ti = &TicketIssues{Status: it.TicketStatus, TrackerApps: it.TrackerApps, OpenManualApps: it.OpenManualApps}
			byTicket[it.TicketID], numbers[it.TicketID] = ti, it.TicketNumber
			order = append(order, it.TicketID)
		}
		ti.Categories = append(ti.Categories, it.StatusCategory)
	}
	var errs []error
	sys := auth.System(tenantID)
	for _, id := range order {
		to := Target(*byTicket[id])
		if to == "" {
			continue
		}
		_, err := s.Tickets.Transition(ctx, sys, numbers[id], ticket.Request{To: to})
		switch {
		case err == nil:
			res.Transitions++
		case apperr.Is(err, apperr.Conflict):
			s.log().InfoContext(ctx, "ticket not moved by its issues", "tenant_id", tenantID, "ticket", ticket.Key(numbers[id]),
				"to", string(to), "reason", apperr.MessageOf(err))
		default:
			errs = append(errs, fmt.Errorf("move %s to %s: %w", ticket.Key(numbers[id]), to, err))
		}
	}
	return errs
}
