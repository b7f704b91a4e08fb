package link

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// verify is the duplicate check of a created link for which more than one
// create was sent: once the tracker's search has settled, every issue
// carrying the link's marker is listed. The link keeps its issue; any
// other is reported to the admins (an alert, an audit row, and the link's
// last error), never closed or deleted: VendorSync does not change issues.
func (s *Service) verify(ctx context.Context, l Link) (Result, error) {
	if wait := l.VerifyAfter.Sub(s.now()); wait > 0 {
		return Result{RetryAfter: wait, Link: l}, nil
	}
	cl, err := s.provider(ctx, l.TenantID, l.ConnectionID)
	if apperr.Is(err, apperr.Conflict) {
		// No usable connection any more: nothing can be listed.
		return s.verified(ctx, l, nil, nil, nil)
	}
	if err != nil {
		return Result{}, fmt.Errorf("link.verify %s: %w", l.ID, err)
	}
	finder, ok := cl.tracker.(tracker.DuplicateFinder)
	if !ok {
		return s.verified(ctx, l, nil, nil, nil)
	}
	app, err := s.Store.Application(ctx, l.TenantID, l.ApplicationID)
	if err != nil {
		return Result{}, fmt.Errorf("link.verify %s: application: %w", l.ID, err)
	}
	actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
	issues, err := finder.FindAllByIdempotencyKey(actx, app.TrackerProjectKey, l.IdempotencyKey)
	cancel()
	if httpx.KindOf(err).Temporary() {
		return Result{RetryAfter: FirstBackoff, Link: l}, nil
	}
	if err != nil {
		s.log().WarnContext(ctx, "duplicate check of a tracker link failed", "tenant_id", l.TenantID, "link_id", l.ID,
			"error", err)
		return s.verified(ctx, l, nil, nil, nil)
	}
	var others []string
	for _, iss := range issues {
		if iss.Key != l.IssueKey {
			others = append(others, iss.Key)
		}
	}
	if len(others) == 0 {
		return s.verified(ctx, l, nil, nil, nil)
	}
	name := cl.kind.Name
	msg := fmt.Sprintf("%s holds %d issues for this link: %s is linked; also carrying its marker %s: %s (a create whose answer was lost was stored after all). Close the extra ones in %s",
		name, len(others)+1, l.IssueKey, tracker.IdempotencyLabel(l.IdempotencyKey), strings.Join(others, ", "), name)
	a := Alert{Kind: "tracker.duplicate_issue", TicketID: l.TicketID, LinkID: l.ID,
		Subject: "Duplicate " + name + " issue for " + l.TicketKey + " / " + l.ApplicationName, Message: msg + "."}
	evs := []audit.Event{
		audit.Record(auth.System(l.TenantID), "tracker_link.duplicate", "tracker_link", l.ID, nil,
			map[string]any{"issue_key": l.IssueKey, "duplicates": others}),
		alertEvent(l.TenantID, "tracker_link", l.ID, a),
	}
	jobs, err := s.troubleJobs(ctx, l, TroubleDuplicate)
	if err != nil {
		return Result{}, fmt.Errorf("link.verify %s: %w", l.ID, err)
	}
	return s.verified(ctx, l, evs, &a, jobs)
}

// verified ends the duplicate check of l with what it found.
func (s *Service) verified(ctx context.Context, l Link, evs []audit.Event, a *Alert, jobs []jobargs.Args) (Result, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	v := Verification{TenantID: l.TenantID, LinkID: l.ID, At: s.now(), Jobs: jobs}
	if a != nil {
		v.LastError = oneLine(a.Message)
		v.Jobs = append(v.Jobs, s.alertJobs(ctx, l.TenantID, *a)...)
	}
	if err := s.Store.VerifiedTrackerLink(ctx, v, evs); err != nil && !apperr.Is(err, apperr.NotFound) {
		return Result{}, fmt.Errorf("link %s: record the duplicate check: %w", l.ID, err)
	}
	cur, err := s.Store.TrackerLink(ctx, l.TenantID, l.ID)
	if err != nil {
		return Result{}, fmt.Errorf("link %s: %w", l.ID, err)
	}
	return Result{Link: cur}, nil
}
