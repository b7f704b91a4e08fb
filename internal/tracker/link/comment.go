package link

import (
	"context"
	"fmt"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// Comment posts body on the tenant's tracker issue issueKey, for the
// deadline reminders the notification system sends. A 401 disables the
// connection and alerts the admins, as for every other call; the error is
// returned either way so the notification log records it. Jira not being
// connected is a Conflict (nothing to retry until an admin connects it).
func (s *Service) Comment(ctx context.Context, tenantID, issueKey string, body tracker.Document) error {
	p, err := s.provider(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("comment on %s: %w", issueKey, err)
	}
	err = p.Comment(ctx, issueKey, body)
	if httpx.KindOf(err) == httpx.Auth {
		if derr := s.disable(ctx, tenantID, err); derr != nil {
			return fmt.Errorf("comment on %s: %w (and %w)", issueKey, err, derr)
		}
	}
	if err != nil {
		return fmt.Errorf("comment on %s: %w", issueKey, err)
	}
	return nil
}
