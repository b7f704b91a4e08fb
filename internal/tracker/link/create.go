package link

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Creation limits.
const (
	// CreateRetries is how often an unavailable tracker (5xx, timeout) is
	// retried before the link becomes an orphan: the seed's "retry × 3".
	CreateRetries = 3
	// FirstBackoff is the wait before the first retry; each next one is
	// four times longer (15s, 1m, 4m). It also gives Jira Cloud's search
	// index time to show an issue a timed-out attempt did create.
	FirstBackoff = 15 * time.Second
	// Lease is how long one attempt holds its link; a worker killed
	// mid-call blocks the next attempt at most this long.
	Lease = 5 * time.Minute
	// AttemptTimeout bounds one attempt's calls, well inside the lease.
	AttemptTimeout = 2 * time.Minute
	// BusyWait is how long a job waits when another attempt holds the link.
	BusyWait = 30 * time.Second
	// DefaultRateWait is the wait after a 429 that did not say how long
	// to wait.
	DefaultRateWait = time.Minute
	// DuplicateCheckDelay is the least wait before listing the issues
	// carrying a link's marker, after more than one create was sent for
	// it: well past any index lag seen on Jira Cloud, so the check does
	// not miss a duplicate the guard let through.
	DuplicateCheckDelay = 10 * time.Minute
	// RetryAfterStale is how old a pending link must be before the
	// periodic retry re-enqueues it (its job was lost or never ran).
	RetryAfterStale = 15 * time.Minute
)

// Result is what a creation attempt asks of its job.
type Result struct {
	// RetryAfter > 0 asks for another attempt after that wait.
	RetryAfter time.Duration
	// Link is the link as the attempt found or left it.
	Link Link
}

// CreateIssue makes one attempt at the issue of the link of (ticketID,
// applicationID): exactly one issue per link, whatever happened before.
// Created and failed links are left alone; without an enabled connection
// the link waits as pending (SaveConnection re-enqueues it). Otherwise the
// attempt leases the link, searches for the issue by its idempotency label
// and creates it only when none exists (tracker.CreateOnce), then applies
// the seed's error table: 400/403/404 fail the link and alert the admins,
// 401 disables the connection with an urgent alert (the link stays
// pending), 429 waits as long as the tracker asked, 5xx and timeouts retry
// with backoff and after CreateRetries retries leave an orphan. An error
// means the attempt could not even record its outcome (the database);
// retry it.
func (s *Service) CreateIssue(ctx context.Context, tenantID, ticketID, applicationID string) (Result, error) {
	l, err := s.Store.TrackerLinkFor(ctx, tenantID, ticketID, applicationID)
	if err != nil {
		return Result{}, fmt.Errorf("link.CreateIssue %s/%s: %w", ticketID, applicationID, err)
	}
	if l.SyncStatus == Created && l.VerifyAfter != nil {
		return s.verify(ctx, l)
	}
	if l.SyncStatus == Created || l.SyncStatus == Failed {
		return Result{Link: l}, nil
	}
	now := s.now()
	ok, err := s.Store.ClaimTrackerLink(ctx, tenantID, l.ID, now, now.Add(Lease))
	if err != nil {
		return Result{}, fmt.Errorf("link.CreateIssue %s: claim: %w", l.ID, err)
	}
	if !ok {
		// Another attempt holds the lease, or finished meanwhile.
		cur, err := s.Store.TrackerLink(ctx, tenantID, l.ID)
		if err != nil {
			return Result{}, fmt.Errorf("link.CreateIssue %s: %w", l.ID, err)
		}
		if cur.SyncStatus == Created || cur.SyncStatus == Failed {
			return Result{Link: cur}, nil
		}
		return Result{RetryAfter: BusyWait, Link: cur}, nil
	}
	// From here on this attempt holds the lease; every path ends in finish,
	// which releases it.
	spec, connID, err := s.spec(ctx, l)
	if err != nil {
		return s.abandon(ctx, l, fmt.Errorf("build the issue: %w", err))
	}
	// The issue goes to the connection the application routes to now.
	cl, err := s.provider(ctx, tenantID, connID)
	if apperr.Is(err, apperr.Conflict) {
		return s.finish(ctx, l, Outcome{SyncStatus: l.SyncStatus, LastError: apperr.MessageOf(err)}, nil, nil)
	}
	if err != nil {
		return s.abandon(ctx, l, err)
	}
	actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	sent := false
	guard := tracker.Guard{Settle: cl.kind.SearchSettle, Now: s.now, Sending: func(ctx context.Context) error {
		sent = true
		return s.Store.SendingTrackerCreate(ctx, tenantID, l.ID, s.now())
	}}
	if l.CreateUnknownSince != nil {
		guard.UnknownSince = *l.CreateUnknownSince
	}
	iss, created, err := tracker.CreateOnce(actx, cl.tracker, spec, guard)
	cancel()
	var unsettled *tracker.UnsettledError
	switch {
	case err == nil:
		ev := audit.Record(auth.System(tenantID), "tracker_link.create", "tracker_link", l.ID,
			map[string]any{"sync_status": l.SyncStatus},
			map[string]any{"sync_status": Created, "issue_key": iss.Key, "ticket_id": l.TicketID,
				"application_id": l.ApplicationID, "found_existing": !created})
		o := Outcome{SyncStatus: Created, Issue: iss, Provider: cl.conn.Provider, ConnectionID: cl.conn.ID,
			CountAttempt: true, Create: CreateKnown}
		var wait time.Duration
		if sends := l.CreatesSent + btoi(sent); sends > 1 && cl.kind.SearchSettle > 0 {
			// More than one create went out: once the search has surely
			// settled, list every issue carrying the marker to report a
			// duplicate.
			wait = max(2*cl.kind.SearchSettle, DuplicateCheckDelay)
			at := s.now().Add(wait)
			o.VerifyAfter = &at
		}
		res, ferr := s.finish(ctx, l, o, []audit.Event{ev}, nil)
		res.RetryAfter = wait
		return res, ferr
	case errors.As(err, &unsettled):
		// Nothing was sent; the search is asked again once it has settled.
		res, ferr := s.finish(ctx, l, Outcome{SyncStatus: l.SyncStatus, LastError: oneLine(err.Error())}, nil, nil)
		res.RetryAfter = max(unsettled.Until.Sub(s.now()), time.Second)
		return res, ferr
	}
	mark := CreateUntouched
	if sent {
		mark = CreateUnknown
		if tracker.OutcomeKnown(err) {
			mark = CreateRefused
		}
	}
	return s.failed(ctx, l, cl, spec, err, mark)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// advice says what an admin should fix after the tracker of cl refused to
// create the issue of spec with err, a failure of kind k: for an assignee
// the tracker cannot place, the application's assignee; else the
// provider's own words when it has them (its permission names), else the
// general ones.
func advice(cl client, k httpx.Kind, spec tracker.IssueSpec, err error) string {
	var ae *tracker.AssigneeError
	switch {
	case errors.As(err, &ae) && k == httpx.Permission:
		return "grant the " + cl.kind.Name + " account the global permission Browse users and groups, or set the application's default assignee to an account ID"
	case errors.As(err, &ae):
		return "set the application's default assignee to the person's " + cl.kind.Name +
			" email address or account ID (or clear it) under Applications"
	}
	if cl.kind.Advice != nil {
		if a := cl.kind.Advice(k, spec.ProjectKey); a != "" {
			return a
		}
	}
	switch k {
	case httpx.BadRequest:
		return "check the application's project key and issue type"
	case httpx.Permission:
		return "the " + cl.kind.Name + " account needs permission to create issues in " + spec.ProjectKey
	case httpx.NotFound:
		return "the project key " + spec.ProjectKey + " is wrong"
	}
	return "check the " + cl.kind.Name + " connection and the application's project key"
}

// failed applies the seed's error table to a failed attempt.
// mark is what the attempt learnt about its create's outcome.
func (s *Service) failed(ctx context.Context, l Link, cl client, spec tracker.IssueSpec, err error, mark CreateMark) (Result, error) {
	msg := oneLine(apperr.MessageOf(err))
	finish := func(ctx context.Context, l Link, o Outcome, evs []audit.Event, a *Alert) (Result, error) {
		o.Create = mark
		return s.finish(ctx, l, o, evs, a)
	}
	sys := auth.System(l.TenantID)
	switch kind := httpx.KindOf(err); kind {
	case httpx.BadRequest, httpx.Permission, httpx.NotFound, httpx.Permanent:
		name := cl.kind.Name
		a := Alert{Kind: "tracker.issue_failed", TicketID: l.TicketID, LinkID: l.ID,
			Subject: name + " issue not created for " + l.TicketKey + " / " + l.ApplicationName,
			Message: msg + " — " + advice(cl, kind, spec, err) + ", then retry the link under Settings → " + name + "."}
		evs := []audit.Event{
			audit.Record(sys, "tracker_link.fail", "tracker_link", l.ID, map[string]any{"sync_status": l.SyncStatus},
				map[string]any{"sync_status": Failed, "error": msg}),
			alertEvent(l.TenantID, "tracker_link", l.ID, a),
		}
		return finish(ctx, l, Outcome{SyncStatus: Failed, LastError: msg, CountAttempt: true}, evs, &a)
	case httpx.Auth:
		if derr := s.disable(ctx, l.TenantID, cl, err); derr != nil {
			return Result{}, derr
		}
		return finish(ctx, l, Outcome{SyncStatus: l.SyncStatus, LastError: msg, CountAttempt: true}, nil, nil)
	case httpx.RateLimited:
		wait := httpx.RetryAfterOf(err)
		if wait <= 0 {
			wait = DefaultRateWait
		}
		res, ferr := finish(ctx, l, Outcome{SyncStatus: l.SyncStatus, LastError: msg}, nil, nil)
		res.RetryAfter = wait
		return res, ferr
	}
	// Unavailable, or anything unclassified: the issue may or may not
	// exist; the next attempt's search settles it.
	attempts := l.Attempts + 1
	if l.SyncStatus == Orphan || attempts > CreateRetries {
		ev := audit.Record(sys, "tracker_link.orphan", "tracker_link", l.ID, map[string]any{"sync_status": l.SyncStatus},
			map[string]any{"sync_status": Orphan, "error": msg, "attempts": attempts})
		var evs []audit.Event
		var jobs []jobargs.Args
		if l.SyncStatus != Orphan {
			evs = append(evs, ev)
			var err error
			if jobs, err = s.troubleJobs(ctx, l, TroubleOrphan); err != nil {
				return s.abandon(ctx, l, err)
			}
		}
		return finish(ctx, l, Outcome{SyncStatus: Orphan, LastError: msg, CountAttempt: true, Jobs: jobs}, evs, nil)
	}
	res, ferr := finish(ctx, l, Outcome{SyncStatus: Pending, LastError: msg, CountAttempt: true}, nil, nil)
	res.RetryAfter = FirstBackoff << (2 * (attempts - 1))
	return res, ferr
}

// abandon releases the lease of an attempt that failed before reaching
// the tracker (the database, a secret that cannot be opened) and returns
// the error, so the job retries.
func (s *Service) abandon(ctx context.Context, l Link, cause error) (Result, error) {
	if _, err := s.finish(ctx, l, Outcome{SyncStatus: l.SyncStatus, LastError: oneLine(apperr.MessageOf(cause))}, nil, nil); err != nil {
		return Result{}, fmt.Errorf("link.CreateIssue %s: %w (and %w)", l.ID, cause, err)
	}
	return Result{}, fmt.Errorf("link.CreateIssue %s: %w", l.ID, cause)
}

// finish records an outcome on l (releasing its lease), with the jobs of
// the alert it carries.
func (s *Service) finish(ctx context.Context, l Link, o Outcome, evs []audit.Event, a *Alert) (Result, error) {
	// An issue the tracker created must be recorded even when the job is being
	// stopped right now; a bounded write outlives the job's context.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	o.TenantID, o.LinkID, o.At = l.TenantID, l.ID, s.now()
	if a != nil {
		o.Jobs = append(o.Jobs, s.alertJobs(ctx, l.TenantID, *a)...)
	}
	if err := s.Store.FinishTrackerLink(ctx, o, evs); err != nil {
		return Result{}, fmt.Errorf("link %s: record %s: %w", l.ID, o.SyncStatus, err)
	}
	cur, err := s.Store.TrackerLink(ctx, l.TenantID, l.ID)
	if err != nil {
		return Result{}, fmt.Errorf("link %s: %w", l.ID, err)
	}
	return Result{Link: cur}, nil
}

// spec reads what the issue of l is made of.
func (s *Service) spec(ctx context.Context, l Link) (tracker.IssueSpec, string, error) {
	t, err := s.Store.TicketByID(ctx, l.TenantID, l.TicketID)
	if err != nil {
		return tracker.IssueSpec{}, "", fmt.Errorf("ticket: %w", err)
	}
	in := SpecInput{Ticket: t, BaseURL: s.BaseURL, Now: s.now(), Location: time.UTC}
	if in.Vendor, err = s.Store.Vendor(ctx, l.TenantID, t.VendorID); err != nil {
		return tracker.IssueSpec{}, "", fmt.Errorf("vendor: %w", err)
	}
	if in.App, err = s.Store.Application(ctx, l.TenantID, l.ApplicationID); err != nil {
		return tracker.IssueSpec{}, "", fmt.Errorf("application: %w", err)
	}
	if in.App.OwnerTeamID != "" {
		tm, err := s.Store.Team(ctx, l.TenantID, in.App.OwnerTeamID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return tracker.IssueSpec{}, "", fmt.Errorf("team: %w", err)
		}
		in.TeamName = tm.Name
	}
	if s.Tickets != nil {
		if in.Location, err = s.Tickets.TenantLocation(ctx, auth.System(l.TenantID)); err != nil {
			return tracker.IssueSpec{}, "", err
		}
	}
	return IssueSpec(in), in.App.TrackerConnectionID, nil
}
