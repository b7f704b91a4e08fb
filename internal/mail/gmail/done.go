package gmail

import (
	"context"
	"net/http"
	"slices"

	"github.com/vendorsync/vendorsync/internal/httpx"
)

// batchModifyMax is the most ids one users.messages.batchModify accepts.
const batchModifyMax = 1000

// modifyRequest is the body of batchModify and modify.
type modifyRequest struct {
	IDs            []string `json:"ids,omitempty"`
	AddLabelIDs    []string `json:"addLabelIds,omitempty"`
	RemoveLabelIDs []string `json:"removeLabelIds,omitempty"`
}

// Done relabels processed messages: MarkRead removes UNREAD, and
// AddLabelIDs/RemoveLabelIDs are applied, with users.messages.batchModify.
// Without any of them it does nothing. When a batch is refused because a
// message no longer exists, the messages are modified one by one and the
// missing ones skipped, so Done can be retried.
func (s *Source) Done(ctx context.Context, ids []string) error {
	req := modifyRequest{AddLabelIDs: s.cfg.AddLabelIDs, RemoveLabelIDs: slices.Clone(s.cfg.RemoveLabelIDs)}
	if s.cfg.MarkRead {
		req.RemoveLabelIDs = append(req.RemoveLabelIDs, "UNREAD")
	}
	if len(ids) == 0 || (len(req.AddLabelIDs) == 0 && len(req.RemoveLabelIDs) == 0) {
		return nil
	}
	for chunk := range slices.Chunk(ids, batchModifyMax) {
		batch := req
		batch.IDs = chunk
		err := s.api.JSON(ctx, http.MethodPost, s.userURL("messages", "batchModify"), batch, nil)
		if k := httpx.KindOf(err); k == httpx.NotFound || k == httpx.BadRequest {
			err = s.modifyEach(ctx, req, chunk)
		}
		if err != nil {
			return annotate(err, "gmail.Done relabel")
		}
	}
	return nil
}

// modifyEach relabels messages one at a time, skipping deleted ones.
func (s *Source) modifyEach(ctx context.Context, req modifyRequest, ids []string) error {
	for _, id := range ids {
		err := s.api.JSON(ctx, http.MethodPost, s.userURL("messages", id, "modify"), req, nil)
		if err != nil && httpx.KindOf(err) != httpx.NotFound {
			return annotate(err, "modify message "+id)
		}
	}
	return nil
}
