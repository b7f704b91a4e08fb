package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
)

type reconcileOut struct {
	Body struct {
		Queued bool `json:"queued" doc:"A reconciliation of the connection is queued (or already waiting)."`
	}
}

func (s *Server) apiReconcile(ctx context.Context, in *IDPath) (*reconcileOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	if err := svc.PollNow(ctx, principal(ctx), in.ID); err != nil {
		return nil, err
	}
	out := &reconcileOut{}
	out.Body.Queued = true
	return out, nil
}

func (s *Server) uiReconcile(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	if err := svc.PollNow(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	s.flash(r, "Reconciliation queued: the issues changed since the last one are read again.")
	redirect(w, r, "/settings/trackers/"+r.PathValue("id")+"/webhooks")
	return nil
}

// docReconcile is the on-demand polling reconciliation; routes.go
// registers it.
var docReconcile = huma.Operation{Summary: "Reconcile a tracker connection now",
	Description: "Queues a reconciliation of the connection: the issues changed since its cursor (less a two-minute " +
		"overlap) in every target an application routes to it are listed, every page, and applied as webhook " +
		"deliveries are. It also runs every 15 minutes.", DefaultStatus: http.StatusAccepted}
