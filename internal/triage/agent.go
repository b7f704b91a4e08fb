package triage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// ErrNeedsHuman means the model's answer could not be used even after it
// was told what was wrong: the pipeline sends the email to the human triage
// queue. The error is a *NeedsHumanError carrying the detail.
var ErrNeedsHuman = errors.New("triage: needs human triage")

// NeedsHumanError is why a decision needs a human, with the model's raw
// answers for the audit trail.
type NeedsHumanError struct {
	Reason   string
	Provider string
	Raw      []string
}

// Error says how many answers were tried and why the last was rejected.
func (e *NeedsHumanError) Error() string {
	return fmt.Sprintf("triage: needs human triage after %d answers from %s: %s", len(e.Raw), e.Provider, e.Reason)
}

// Is makes errors.Is(err, ErrNeedsHuman) true.
func (e *NeedsHumanError) Is(target error) bool { return target == ErrNeedsHuman }

// Agent decides the triage of vendor emails.
type Agent struct {
	// LLM proposes decisions; nil means the offline triage decides.
	LLM llm.Client
	// OfflineWhenUnavailable makes a failing model (outage, rate limit,
	// rejected key) fall back to the offline triage instead of returning an
	// Unavailable error for the job to be retried later.
	OfflineWhenUnavailable bool
	// MaxTokens bounds the model's answer; llm.DefaultMaxTokens when zero.
	MaxTokens int
}

// attempts is how often the model is asked: once, and once more with the
// reason its first answer was rejected.
const attempts = 2

// Decide triages one email against the tenant's registry. Mail from a
// domain imitating a vendor's is an unknown vendor, flagged, whatever it
// says (see Impersonation); the model is not asked. Whoever proposes
// the decision, it is then validated against the registry (Validate),
// completed with defaults and passed through the guardrails
// (ApplyGuardrails); a decision without a summary gets the email's
// (Summarize). Errors: *NeedsHumanError (errors.Is ErrNeedsHuman)
// when the model's answers stay unusable; an apperr Unavailable wrapping an
// *httpx.Error when the model cannot be reached.
func (a *Agent) Decide(ctx context.Context, e Email, snap registry.Snapshot, s Settings) (Decision, error) {
	s = s.normalized()
	var d Decision
	if _, ok := impersonation(e, snap); ok {
		// Mail imitating a vendor is settled before any model reads it:
		// nothing it says can make it the vendor's.
		d = Offline(e, snap, s)
	} else if a == nil || a.LLM == nil {
		d = Offline(e, snap, s)
	} else {
		var err error
		d, err = a.decideLLM(ctx, e, snap, s)
		switch {
		case err == nil:
		case a.OfflineWhenUnavailable && !errors.Is(err, ErrNeedsHuman) && ctx.Err() == nil:
			d = Offline(e, snap, s)
			d.override("source", string(SourceLLM), string(SourceOffline), "the language model failed: "+err.Error())
		default:
			return Decision{}, err
		}
	}
	d, err := Validate(d, snap)
	if err != nil {
		// Offline decisions are built from the registry; this is a bug.
		return Decision{}, fmt.Errorf("triage.Decide %s: %w", e.MessageID, err)
	}
	if d.Source == SourceLLM {
		d = overruleSteering(d, e, snap, s)
	}
	if d.Summary == "" {
		if sum := Summarize(e, s); sum != "" {
			d.override("summary", "", sum, "no summary given: extracted from the email")
			d.Summary = sum
		}
	}
	d = fillDefaults(d, snap, s)
	d = ApplyGuardrails(d, e, snap, s)
	d.Confidence, d.Evidence = assess(d, e, snap, s)
	return d, nil
}

// decideLLM asks the model and validates its answer, asking once more with
// the reason when the answer is unusable.
func (a *Agent) decideLLM(ctx context.Context, e Email, snap registry.Snapshot, s Settings) (Decision, error) {
	prompt, err := userPrompt(e, snap, s)
	if err != nil {
		return Decision{}, err
	}
	temp := 0.0
	req := llm.Request{
		System:      systemPrompt,
		Messages:    []llm.Message{{Role: llm.RoleUser, Content: prompt, Documents: e.Documents}},
		Schema:      DecisionSchema(),
		MaxTokens:   a.MaxTokens,
		Temperature: &temp,
	}
	var raws []string
	var lastErr error
	for range attempts {
		resp, err := a.LLM.Complete(ctx, req)
		if err != nil {
			return Decision{}, apperr.Wrap(apperr.Unavailable, fmt.Errorf("triage.Decide %s: %w", e.MessageID, err),
				"the language model is unavailable")
		}
		raws = append(raws, resp.Raw)
		d, err := parseAnswer(resp.Text)
		if err == nil {
			d, err = Validate(d, snap)
		}
		if err == nil {
			d.LLMProvider, d.LLMModel, d.LLMRaw = resp.Provider, resp.Model, resp.Raw
			if len(raws) > 1 {
				d.override("llm_answer", "rejected", "accepted", "first answer rejected: "+lastErr.Error())
			}
			return d, nil
		}
		lastErr = err
		req.Messages = append(req.Messages,
			llm.Message{Role: llm.RoleAssistant, Content: truncate(strings.TrimSpace(resp.Text), 8000)},
			llm.Message{Role: llm.RoleUser, Content: retryPrompt(err)})
	}
	return Decision{}, &NeedsHumanError{Reason: lastErr.Error(), Provider: a.LLM.Name(), Raw: raws}
}
