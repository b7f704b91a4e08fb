package triage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/llm"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// schemaName names the structured output (and, for Anthropic, the tool).
const schemaName = "triage_decision"

// DecisionSchema is the JSON Schema the model's answer must follow. It
// stays within what all three providers accept in strict mode: every
// property required, no additional properties, no null ("" and [] stand for
// "none").
func DecisionSchema() *llm.Schema {
	str := func(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }
	ids := func(desc string) map[string]any {
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "description": desc}
	}
	enum := func(desc string, values ...string) map[string]any {
		return map[string]any{"type": "string", "enum": values, "description": desc}
	}
	props := map[string]any{
		"classification":           enum("actionable, informational or unknown_vendor", string(Actionable), string(Informational), string(UnknownVendor)),
		"vendor_id":                str("id of the registry vendor the email is from, or \"\""),
		"topic":                    str("what changes, in a few words"),
		"effective_date":           str("YYYY-MM-DD when the change takes effect or must be done, or \"\""),
		"is_breaking":              map[string]any{"type": "boolean", "description": "true if something stops working unless the recipient acts"},
		"affected_application_ids": ids("ids of registry applications affected by the change"),
		"severity":                 enum("severity per the severity table", "critical", "high", "medium", "low"),
		"owner_team":               str("owner team id from the registry, or \"\""),
		"sla_days":                 map[string]any{"type": "integer", "description": "days to complete the change"},
		"alert_channel":            str("alert channel of the matched rule, or \"\""),
		"matched_rule_ids":         ids("ids of registry rules that apply"),
		"reasoning":                str("the evidence for every conclusion"),
		"summary":                  str("2–3 sentence plain-language summary of the change and what must be done"),
	}
	required := []string{"classification", "vendor_id", "topic", "effective_date", "is_breaking",
		"affected_application_ids", "severity", "owner_team", "sla_days", "alert_channel", "matched_rule_ids", "reasoning", "summary"}
	return &llm.Schema{
		Name:        schemaName,
		Description: "Record the triage decision for the vendor email.",
		Schema:      map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false},
	}
}

// answer is the model's decision as it arrives.
type answer struct {
	Classification         *string   `json:"classification"`
	VendorID               *string   `json:"vendor_id"`
	Topic                  *string   `json:"topic"`
	EffectiveDate          *string   `json:"effective_date"`
	IsBreaking             *bool     `json:"is_breaking"`
	AffectedApplicationIDs *[]string `json:"affected_application_ids"`
	Severity               *string   `json:"severity"`
	OwnerTeam              *string   `json:"owner_team"`
	SLADays                *int      `json:"sla_days"`
	AlertChannel           *string   `json:"alert_channel"`
	MatchedRuleIDs         *[]string `json:"matched_rule_ids"`
	Reasoning              *string   `json:"reasoning"`
	Summary                *string   `json:"summary"`
}

// parseAnswer reads the model's JSON into a decision. Missing fields, wrong
// types, trailing text and malformed dates are errors to be fed back to the
// model; enum values are checked by Validate. A missing summary is not an
// error: Agent.Decide extracts one from the email.
func parseAnswer(text string) (Decision, error) {
	text = strings.TrimSpace(text)
	// Some OpenAI-compatible servers wrap JSON in a Markdown fence.
	if t, ok := strings.CutPrefix(text, "```json"); ok {
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "```"))
	} else if t, ok := strings.CutPrefix(text, "```"); ok {
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(t), "```"))
	}
	var a answer
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	if err := dec.Decode(&a); err != nil {
		return Decision{}, fmt.Errorf("the answer is not a JSON object of the schema: %w", err)
	}
	if dec.More() {
		return Decision{}, errors.New("the answer has text after the JSON object")
	}
	var missing []string
	need := func(name string, present bool) {
		if !present {
			missing = append(missing, name)
		}
	}
	need("classification", a.Classification != nil)
	need("vendor_id", a.VendorID != nil)
	need("topic", a.Topic != nil)
	need("effective_date", a.EffectiveDate != nil)
	need("is_breaking", a.IsBreaking != nil)
	need("affected_application_ids", a.AffectedApplicationIDs != nil)
	need("severity", a.Severity != nil)
	need("sla_days", a.SLADays != nil)
	need("matched_rule_ids", a.MatchedRuleIDs != nil)
	need("reasoning", a.Reasoning != nil)
	if len(missing) > 0 {
		return Decision{}, fmt.Errorf("the answer lacks %s", strings.Join(missing, ", "))
	}
	d := Decision{
		Classification:         Classification(*a.Classification),
		VendorID:               strings.TrimSpace(*a.VendorID),
		Topic:                  *a.Topic,
		IsBreaking:             *a.IsBreaking,
		AffectedApplicationIDs: *a.AffectedApplicationIDs,
		Severity:               registry.Severity(strings.ToLower(strings.TrimSpace(*a.Severity))),
		SLADays:                *a.SLADays,
		MatchedRuleIDs:         *a.MatchedRuleIDs,
		Reasoning:              *a.Reasoning,
		Source:                 SourceLLM,
	}
	if a.OwnerTeam != nil {
		d.OwnerTeam = strings.TrimSpace(*a.OwnerTeam)
	}
	if a.AlertChannel != nil {
		d.AlertChannel = strings.TrimSpace(*a.AlertChannel)
	}
	if a.Summary != nil {
		d.Summary = *a.Summary
	}
	if s := strings.TrimSpace(*a.EffectiveDate); s != "" {
		date, err := ParseDate(s)
		if err != nil {
			return Decision{}, fmt.Errorf("effective_date: %w", err)
		}
		d.EffectiveDate = date
	}
	return d, nil
}
