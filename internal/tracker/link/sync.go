package link

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// MissingIssue is the last error of a link whose issue a search of the
// tracker called name ("Jira") no longer returns: deleted, moved to another
// project, or hidden from the account.
func MissingIssue(name string) string {
	return "not found in " + name + ": deleted, moved or not visible to the VendorSync account"
}

// SyncResult summarises one sync.
type SyncResult struct {
	Links       int `json:"links" doc:"Created links of unclosed tickets that were synced."`
	Searches    int `json:"searches" doc:"Search calls, one per chunk of at most 100 keys."`
	Changed     int `json:"changed" doc:"Links whose status changed."`
	Missing     int `json:"missing" doc:"Links whose issue the search did not return."`
	Rekeyed     int `json:"rekeyed" doc:"Links whose issue moved (to another project) and now has another key, which the link follows."`
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

// sync searches items' issues chunk by chunk (a few chunks at once),
// writes each chunk's changes as its answer arrives (one write at a time),
// then re-evaluates the tickets. A search that fails leaves its links for
// the next sync while the other chunks go on. Two failures stop the sync:
// the tracker rejecting the credentials (the connection is disabled) and
// a database error. Once stopped, no further search starts, the ones in
// flight are cancelled, and no answer that arrives afterwards is written.
func (s *Service) sync(ctx context.Context, tenantID string, items []SyncItem) (SyncResult, error) {
	res := SyncResult{Links: len(items)}
	if len(items) == 0 {
		return res, nil
	}
	// Each connection's issues are searched with its own client: the items
	// are grouped by connection in place (keeping their order within it),
	// so the chunks' updates reach the re-evaluation.
	slices.SortStableFunc(items, func(a, b SyncItem) int { return strings.Compare(a.ConnectionID, b.ConnectionID) })
	var errs []error
	for rest := items; len(rest) > 0; {
		n := 1
		for n < len(rest) && rest[n].ConnectionID == rest[0].ConnectionID {
			n++
		}
		group := rest[:n]
		rest = rest[n:]
		cl, err := s.provider(ctx, tenantID, group[0].ConnectionID)
		var settings SyncSettings
		if err == nil {
			settings, err = s.syncSettings(ctx, tenantID, cl.conn.ID)
		}
		if err != nil {
			if len(group) == len(items) {
				return res, err
			}
			errs = append(errs, err)
			continue
		}
		run := &syncRun{s: s, tenantID: tenantID, cl: cl, settings: settings, res: &res}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.concurrency())
		for left := group; len(left) > 0 && !run.isStopped(); {
			chunk := left[:min(len(left), tracker.MaxSearchChunk)]
			left = left[len(chunk):]
			g.Go(func() error { return run.chunk(ctx, gctx, chunk) })
		}
		errs = append(errs, g.Wait())
		errs = append(errs, run.errs...)
	}
	if ctx.Err() == nil {
		errs = append(errs, s.reevaluate(ctx, tenantID, items, &res)...)
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("link sync of tenant %s: %w", tenantID, err)
	}
	return res, nil
}

// syncRun is the state one sync's workers share; mu guards it and
// serialises their writes.
type syncRun struct {
	s        *Service
	tenantID string
	cl       client
	// settings are the connection's: its in-progress rule decides the
	// status of issues without workflow.
	settings SyncSettings

	mu      sync.Mutex
	stopped bool
	res     *SyncResult
	errs    []error // searches that failed without stopping the sync
	// writing is set while a worker writes answers; the answers that
	// arrive meanwhile wait in queued, and that worker writes them all
	// in its next transaction.
	writing bool
	queued  []answer
}

// answer is one chunk's search answer, with the progress rule applied.
type answer struct {
	items  []SyncItem
	issues []tracker.Issue
}

func (r *syncRun) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// chunk searches one chunk's issues with gctx, which ends when the sync
// stops, and writes what changed with ctx, so a write once begun is not
// cut short. One worker writes at a time: an answer that arrives while
// another worker writes is queued, and that worker writes every queued
// answer in one transaction once its own write is done, so a sync costs a
// few large writes instead of one per chunk. An error stops the sync; the
// answers still queued then are not written.
func (r *syncRun) chunk(ctx, gctx context.Context, items []SyncItem) error {
	if r.isStopped() {
		return nil
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.IssueKey
	}
	issues, err := r.cl.tracker.Search(gctx, keys)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		// The sync stopped while this search ran: its answer is not written.
		return nil
	}
	r.res.Searches++
	switch {
	case httpx.KindOf(err) == httpx.Auth:
		r.stopped = true
		if derr := r.s.disable(ctx, r.tenantID, r.cl, err); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	case err != nil:
		r.errs = append(r.errs, err)
		return nil
	}
	for i := range issues {
		issues[i] = r.settings.progress(r.cl.kind, issues[i])
	}
	r.queued = append(r.queued, answer{items: items, issues: issues})
	if r.writing {
		return nil // the worker writing now takes it in its next write
	}
	r.writing = true
	defer func() { r.writing = false }()
	for len(r.queued) > 0 && !r.stopped {
		batch := r.queued
		r.queued = nil
		var got SyncResult
		r.mu.Unlock()
		err := r.s.applyAnswers(ctx, r.tenantID, r.cl.kind.Name, batch, &got)
		r.mu.Lock()
		r.res.Missing += got.Missing
		r.res.Changed += got.Changed
		r.res.Rekeyed += got.Rekeyed
		if err != nil {
			r.stopped = true
			return err
		}
	}
	return nil
}

func (s *Service) concurrency() int {
	if s.SearchConcurrency > 0 {
		return s.SearchConcurrency
	}
	return DefaultSearchConcurrency
}

// apply diffs one chunk against its search answer from the tracker called
// name and writes the changes; it updates the chunk's items in place for
// the re-evaluation.
func (s *Service) apply(ctx context.Context, tenantID, name string, items []SyncItem, issues []tracker.Issue, res *SyncResult) error {
	return s.applyAnswers(ctx, tenantID, name, []answer{{items: items, issues: issues}}, res)
}

// applyAnswers diffs each chunk against its own answer, in order, and
// writes all their changes and audit rows in one transaction: the same
// rows as writing them chunk by chunk.
func (s *Service) applyAnswers(ctx context.Context, tenantID, name string, answers []answer, res *SyncResult) error {
	var w statusWrite
	for _, a := range answers {
		w.diff(tenantID, name, a.items, a.issues, res)
	}
	if err := s.Store.ApplyTrackerSync(ctx, tenantID, w.changes, w.synced, s.now(), w.evs); err != nil {
		return fmt.Errorf("record %d status changes: %w", len(w.changes), err)
	}
	return nil
}

// statusWrite gathers what a sync writes: status changes, the links
// synced and the audit rows of the changes.
type statusWrite struct {
	changes []StatusChange
	synced  []string
	evs     []audit.Event
}

// diff adds what changed in items according to issues, the tracker
// called name's answer to their search, and updates items in place.
func (w *statusWrite) diff(tenantID, name string, items []SyncItem, issues []tracker.Issue, res *SyncResult) {
	byKey := make(map[string]tracker.Issue, len(issues))
	for _, iss := range issues {
		byKey[iss.Key] = iss
		if iss.FormerKey != "" {
			byKey[iss.FormerKey] = iss
		}
	}
	sys := auth.System(tenantID)
	missing := MissingIssue(name)
	changes, evs, synced := w.changes, w.evs, w.synced
	for i := range items {
		it := &items[i]
		iss, ok := byKey[it.IssueKey]
		if !ok {
			res.Missing++
			if it.LastError != missing {
				changes = append(changes, StatusChange{LinkID: it.LinkID, StatusName: it.StatusName,
					StatusCategory: it.StatusCategory, LastError: missing})
			}
			continue
		}
		synced = append(synced, it.LinkID)
		moved := iss.StatusName != it.StatusName || iss.StatusCategory != it.StatusCategory
		rekeyed := iss.Key != it.IssueKey
		if !moved && !rekeyed && it.LastError == "" {
			continue
		}
		change := StatusChange{LinkID: it.LinkID, StatusName: iss.StatusName, StatusCategory: iss.StatusCategory}
		if rekeyed {
			// The issue moved to another project: the link follows it
			// instead of reporting it missing.
			change.IssueKey, change.IssueURL = iss.Key, iss.URL
			res.Rekeyed++
			evs = append(evs, audit.Record(sys, "tracker_link.rekey", "tracker_link", it.LinkID,
				map[string]any{"issue_key": it.IssueKey}, map[string]any{"issue_key": iss.Key, "issue_url": iss.URL}))
			it.IssueKey = iss.Key
		}
		changes = append(changes, change)
		if moved {
			res.Changed++
			evs = append(evs, audit.Record(sys, "tracker_link.status", "tracker_link", it.LinkID,
				map[string]any{"issue_key": it.IssueKey, "status_name": it.StatusName, "status_category": it.StatusCategory},
				map[string]any{"issue_key": it.IssueKey, "status_name": iss.StatusName, "status_category": iss.StatusCategory}))
		}
		it.StatusName, it.StatusCategory, it.LastError = iss.StatusName, iss.StatusCategory, ""
	}
	w.changes, w.evs, w.synced = changes, evs, synced
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
