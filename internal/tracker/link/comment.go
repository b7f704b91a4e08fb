package link

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Comment posts body on the tenant's linked issue issueKey, for the
// deadline reminders the notification system sends. The issue's link says
// which tracker it is in, and the registry builds that tracker's client
// from the tenant's connection. A 401 disables the connection and alerts
// the admins, as for every other call; the error is returned either way so
// the notification log records it. No tracker connected, or the issue's
// tracker no longer being the connected one, is a Conflict (nothing to
// retry until an admin connects it); an issue no link has is NotFound.
//
// ref names the comment's purpose (the notification's dedup key): a comment
// for a ref is posted at most once, even when an earlier attempt timed out
// after the tracker stored it (see tracker.CommentOnce).
//
// The link names its connection; a link older than several connections
// per tenant is in the tenant's first.
func (s *Service) Comment(ctx context.Context, tenantID, issueKey string, body tracker.Document, ref string) error {
	l, err := s.Store.TrackerLinkByIssue(ctx, tenantID, issueKey)
	if err != nil {
		return fmt.Errorf("comment on %s: %w", issueKey, err)
	}
	cl, err := s.provider(ctx, tenantID, l.ConnectionID)
	if err != nil {
		return fmt.Errorf("comment on %s: %w", issueKey, err)
	}
	if l.Provider != cl.conn.Provider {
		return apperr.E(apperr.Conflict, "%s is an issue in %s, which is no longer the connected tracker", issueKey, l.Provider)
	}
	_, err = tracker.CommentOnce(ctx, cl.tracker, issueKey, body, ref)
	if httpx.KindOf(err) == httpx.Auth {
		if derr := s.disable(ctx, tenantID, cl, err); derr != nil {
			return fmt.Errorf("comment on %s: %w (and %w)", issueKey, err, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("comment on %s: %w", issueKey, err)
	}
	return nil
}
