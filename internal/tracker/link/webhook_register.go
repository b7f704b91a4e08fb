package link

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// HookOutcome is what registering the webhook did at one target.
type HookOutcome string

// The outcomes of registering a target's webhook.
const (
	HookCreated HookOutcome = "created"
	HookUpdated HookOutcome = "updated"
	// HookManual: the token may not manage the target's webhooks (or the
	// tracker lets only an app or an administrator do it): a person pastes
	// the URL and secret.
	HookManual HookOutcome = "manual"
	HookFailed HookOutcome = "failed"
)

// HookTargetResult is one target's outcome.
type HookTargetResult struct {
	Target  string      `json:"target"`
	Outcome HookOutcome `json:"outcome" enum:"created,updated,manual,failed"`
	Message string      `json:"message,omitempty"`
}

// HookRegistration is what registering a connection's webhook did.
type HookRegistration struct {
	URL string `json:"url"`
	// Secret is set when this registration made the connection's secret
	// and a person may have to paste it: shown this once.
	Secret  string             `json:"secret,omitempty" doc:"Set when the secret was made by this registration; shown this once."`
	Targets []HookTargetResult `json:"targets" nullable:"false"`
	// Manual says a person has to add the webhook somewhere.
	Manual  bool   `json:"manual"`
	Message string `json:"message"`
}

// manualAdvice says where a person adds the webhook when VendorSync may
// not, by provider.
var manualAdvice = map[string]string{
	"jira": "Jira lets only a Jira administrator (System → WebHooks) or an installed app create webhooks, so an API " +
		"token cannot: paste the URL and the secret there, with the events Issue created and updated.",
	"github": "The token may not manage this repository's webhooks (classic token: admin:repo_hook scope; fine-grained: " +
		"Webhooks read and write). Add the webhook under Settings → Webhooks: content type application/json, events Issues and Issue comments.",
	"gitlab": "The token's account may not manage this project's webhooks (Maintainer role or higher). Add it under " +
		"Settings → Webhooks with the secret as Secret token, trigger Issues events and Comments.",
	"gitea": "The token's account may not manage this repository's webhooks (repository admin, write:repository scope). " +
		"Add a Gitea webhook under Settings → Webhooks: content type application/json, trigger on Issues.",
}

// HookURL is where a connection's tracker delivers webhooks to VendorSync
// running at baseURL: POST /hooks/trackers/{connection id}.
func HookURL(baseURL, connectionID string) string {
	return strings.TrimSuffix(baseURL, "/") + "/hooks/trackers/" + connectionID
}

// RegisterWebhook makes each target (repository, project) an application
// routes to the connection deliver its issue events to url, with the
// connection's webhook secret: created at the tracker when the token may
// manage webhooks, an existing one delivering to url updated (so
// registering twice never makes two), otherwise left for a person to
// paste. A connection without a secret gets one first, stored before any
// tracker is told it, so the first delivery (GitHub's ping) verifies; it
// is returned this once. The existing secret is kept, so webhooks pasted
// earlier keep verifying.
func (s *Service) RegisterWebhook(ctx context.Context, p auth.Principal, connectionID, url string) (HookRegistration, error) {
	reg := HookRegistration{URL: url, Targets: []HookTargetResult{}}
	if err := requireEdit(p); err != nil {
		return reg, err
	}
	c, err := s.ConnectionByID(ctx, p, connectionID)
	if err != nil {
		return reg, err
	}
	ps, err := s.polls()
	if err != nil {
		return reg, err
	}
	t, err := s.Hooks.TrackerHookTarget(ctx, c.ID)
	if err != nil {
		return reg, fmt.Errorf("link.RegisterWebhook %s: %w", c.ID, err)
	}
	secret := string(t.Secret)
	if secret == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return reg, fmt.Errorf("link.RegisterWebhook: %w", err)
		}
		secret = hex.EncodeToString(b)
		ev := audit.Record(p, "tracker.webhook.secret", "tracker_connection", c.ID, nil, map[string]any{"created": true})
		if err := s.Hooks.SetTrackerWebhookSecret(ctx, p.TenantID, c.ID, []byte(secret), ev); err != nil {
			return reg, fmt.Errorf("link.RegisterWebhook %s: %w", c.ID, err)
		}
		reg.Secret = secret
	}
	cl, err := s.provider(ctx, p.TenantID, c.ID)
	if err != nil {
		return reg, err
	}
	targets, err := ps.TrackerPollTargets(ctx, p.TenantID, c.ID)
	if err != nil {
		return reg, fmt.Errorf("link.RegisterWebhook %s: %w", c.ID, err)
	}
	registrar, can := cl.tracker.(tracker.HookRegistrar)
	for _, target := range targets {
		r := HookTargetResult{Target: target, Outcome: HookManual}
		if can {
			created, err := registrar.RegisterHook(ctx, target, url, secret)
			switch k := httpx.KindOf(err); {
			case err == nil && created:
				r.Outcome = HookCreated
			case err == nil:
				r.Outcome = HookUpdated
			case k == httpx.Permission || k == httpx.NotFound:
				r.Message = apperr.MessageOf(err)
			default:
				r.Outcome, r.Message = HookFailed, apperr.MessageOf(err)
			}
		}
		reg.Manual = reg.Manual || r.Outcome == HookManual
		reg.Targets = append(reg.Targets, r)
	}
	switch {
	case !can:
		reg.Manual, reg.Message = true, manualAdvice[cl.kind.Provider]
	case len(targets) == 0:
		reg.Message = "No application routes to this connection yet: route one, then register again."
	case reg.Manual:
		reg.Message = manualAdvice[cl.kind.Provider]
	default:
		reg.Message = "The webhook is registered at every target."
	}
	if reg.Manual && reg.Secret == "" {
		reg.Message += " Use the secret shown when it was made, or generate a new one."
	}
	ev := audit.Record(p, "tracker.webhook.register", "tracker_connection", c.ID, nil, map[string]any{"url": url, "targets": reg.Targets})
	if err := s.Hooks.SetTrackerWebhookSecret(ctx, p.TenantID, c.ID, []byte(secret), ev); err != nil {
		return reg, fmt.Errorf("link.RegisterWebhook %s: %w", c.ID, err)
	}
	return reg, nil
}
