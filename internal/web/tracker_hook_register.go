package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

type registerWebhookOut struct {
	Body link.HookRegistration
}

func (s *Server) apiRegisterWebhook(ctx context.Context, in *IDPath) (*registerWebhookOut, error) {
	svc, err := s.trackers()
	if err != nil {
		return nil, err
	}
	reg, err := svc.RegisterWebhook(ctx, principal(ctx), in.ID, s.hookURL(in.ID))
	if err != nil {
		return nil, err
	}
	return &registerWebhookOut{Body: reg}, nil
}

func (s *Server) uiRegisterWebhook(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	svc, err := s.trackers()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	reg, err := svc.RegisterWebhook(r.Context(), p, id, s.hookURL(id))
	if err != nil {
		return err
	}
	return s.renderWebhooksWith(w, r, p, reg.Secret, &reg)
}

var docRegisterWebhook = huma.Operation{Summary: "Register the webhook at the tracker",
	Description: "For every repository or project an application routes to the connection, creates the webhook at the " +
		"tracker (GitHub, GitLab, Gitea) delivering issue and comment events to this server with the connection's " +
		"webhook secret, or updates the one already delivering here, so registering again never adds a second. When " +
		"the token may not manage webhooks, and always for Jira (its webhooks need an administrator or an app), the " +
		"target is 'manual': paste the URL and secret. A connection without a secret gets one, returned this once."}
