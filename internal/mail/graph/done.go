package graph

import (
	"context"
	"net/http"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// Done marks processed messages read (PATCH isRead) and moves them
// (POST …/move) as configured; without either it does nothing. A message
// that no longer exists is skipped, so Done can be retried. It stops at the
// first other failure; retrying it repeats only harmless updates.
func (s *Source) Done(ctx context.Context, ids []string) error {
	if !s.cfg.MarkRead && s.cfg.MoveTo == "" {
		return nil
	}
	for _, id := range ids {
		if s.cfg.MarkRead {
			err := s.api.JSON(ctx, http.MethodPatch, s.userURL("messages", id), map[string]bool{"isRead": true}, nil)
			if httpx.KindOf(err) == httpx.NotFound {
				continue // gone already; nothing to mark or move
			}
			if err != nil {
				return annotate(err, "graph.Done mark read "+id)
			}
		}
		if s.cfg.MoveTo != "" {
			body := map[string]string{"destinationId": s.cfg.MoveTo}
			err := s.api.JSON(ctx, http.MethodPost, s.userURL("messages", id, "move"), body, nil)
			if httpx.KindOf(err) == httpx.NotFound && s.gone(ctx, id) {
				continue
			}
			if err != nil {
				return annotate(err, "graph.Done move "+id+" to "+s.cfg.MoveTo)
			}
		}
	}
	return nil
}

// gone reports whether message id no longer exists, telling a deleted
// message (skip it) from a missing MoveTo folder (an error) after a 404.
func (s *Source) gone(ctx context.Context, id string) bool {
	var m struct {
		ID string `json:"id"`
	}
	err := s.api.JSON(ctx, http.MethodGet, s.userURL("messages", id)+"?$select=id", nil, &m)
	return httpx.KindOf(err) == httpx.NotFound
}
