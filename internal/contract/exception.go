package contract

import (
	"time"

	"github.com/vendorsync/vendorsync/internal/ident"
)

// ExceptionStatus is where an exception is in its workflow.
type ExceptionStatus string

// The statuses of an exception.
const (
	ExceptionOpen       ExceptionStatus = "open"
	ExceptionResolved   ExceptionStatus = "resolved"
	ExceptionOverridden ExceptionStatus = "overridden" // the deviation was accepted, with a reason
)

// Exception is a rule's condition on a contract line, one per line and
// rule for good: later runs touch, reopen or clear it, never duplicate it.
type Exception struct {
	ID              string          `json:"id"`
	TenantID        string          `json:"-"`
	RunID           string          `json:"run_id" doc:"The last run that found the condition."`
	ContractID      string          `json:"contract_id"`
	LineID          string          `json:"line_id"`
	VendorID        string          `json:"vendor_id"`
	ERPItemID       string          `json:"erp_item_id,omitempty"`
	Rule            Rule            `json:"rule_code" enum:"MISSING_MAPPING,UOM_MISMATCH,PRICE_MISMATCH,EXPIRED_CONTRACT,INACTIVE_ITEM,COST_MISMATCH,DUPLICATE_LINE"`
	Severity        Severity        `json:"severity" enum:"low,medium,high"`
	Status          ExceptionStatus `json:"status" enum:"open,resolved,overridden"`
	Message         string          `json:"message"`
	SuggestedAction string          `json:"suggested_action"`
	Context         FindingContext  `json:"context"`
	AssignedTo      string          `json:"assigned_to"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	// Read with the exception for lists.
	ContractNumber string `json:"contract_number"`
	LineNumber     int    `json:"line_number"`
}

// ExceptionFilter selects the exceptions queue.
type ExceptionFilter struct {
	Rule       Rule
	Severity   Severity
	Status     ExceptionStatus
	VendorID   string
	AssignedTo string
	ContractID string
	Cursor     string
	Limit      int
}

// ExistingException is what a run needs of an exception it may find
// again.
type ExistingException struct {
	ID     string
	LineID string
	Rule   Rule
	Status ExceptionStatus
}

// RunPlan is what a run changes: exceptions to open, open ones found
// again (their message and evidence refreshed), resolved ones to reopen
// and open ones whose condition is gone.
type RunPlan struct {
	New     []Exception
	Touched []Exception
	Reopen  []Exception
	Cleared []string
	Counts  map[Rule]int
}

// Plan compares a run's findings with the contract's exceptions: one
// exception per line and rule, so a finding already open is touched, a
// resolved one reopened, an overridden one left as the person accepted
// it; an open exception no finding supports is cleared.
func Plan(run Run, findings []Finding, existing []ExistingException, now time.Time) RunPlan {
	type key struct {
		line string
		rule Rule
	}
	have := make(map[key]ExistingException, len(existing))
	for _, e := range existing {
		have[key{e.LineID, e.Rule}] = e
	}
	p := RunPlan{Counts: map[Rule]int{}}
	found := make(map[key]bool, len(findings))
	for _, f := range findings {
		k := key{f.LineID, f.Rule}
		if found[k] {
			continue
		}
		found[k] = true
		p.Counts[f.Rule]++
		e := Exception{TenantID: run.TenantID, RunID: run.ID, ContractID: run.ContractID, LineID: f.LineID, VendorID: run.VendorID,
			ERPItemID: f.ERPItemID, Rule: f.Rule, Severity: f.Rule.Severity(), Status: ExceptionOpen, Message: f.Message,
			SuggestedAction: f.Rule.SuggestedAction(), Context: f.Context, CreatedAt: now, UpdatedAt: now}
		old, ok := have[k]
		switch {
		case !ok:
			e.ID = ident.New()
			p.New = append(p.New, e)
		case old.Status == ExceptionOpen:
			e.ID = old.ID
			p.Touched = append(p.Touched, e)
		case old.Status == ExceptionResolved:
			e.ID = old.ID
			p.Reopen = append(p.Reopen, e)
		}
	}
	for _, e := range existing {
		if e.Status == ExceptionOpen && !found[key{e.LineID, e.Rule}] {
			p.Cleared = append(p.Cleared, e.ID)
		}
	}
	return p
}

// ActionType is what was done to an exception.
type ActionType string

// The actions on an exception; reopened and cleared are a run's.
const (
	ActionComment  ActionType = "comment"
	ActionAssign   ActionType = "assign"
	ActionResolve  ActionType = "resolve"
	ActionOverride ActionType = "override"
	ActionReopened ActionType = "reopened"
	ActionCleared  ActionType = "cleared"
)

// Action is an entry of an exception's action log.
type Action struct {
	ID          string     `json:"id"`
	ExceptionID string     `json:"exception_id"`
	Type        ActionType `json:"action_type" enum:"comment,assign,resolve,override,reopened,cleared"`
	Note        string     `json:"note"`
	AssignedTo  string     `json:"assigned_to,omitempty"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}
