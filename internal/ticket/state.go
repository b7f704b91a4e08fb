// Package ticket is the VendorSync ticket: one vendor change, its affected
// applications, its SLA and its strictly enforced lifecycle
// (open → in_progress → resolved → closed, or breached).
package ticket

import (
	"fmt"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

// Status is a ticket's lifecycle state.
type Status string

// The lifecycle states.
const (
	Open       Status = "open"
	InProgress Status = "in_progress"
	Resolved   Status = "resolved"
	Closed     Status = "closed"
	Breached   Status = "breached"
)

// Statuses lists every state in lifecycle order.
var Statuses = []Status{Open, InProgress, Resolved, Closed, Breached}

// Valid reports whether s is a known state.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Terminal reports whether nothing can follow s (closed; breached only
// through an admin override, which Steps handles).
func (s Status) Terminal() bool { return s == Closed }

// MinOverrideReason is the shortest reason a manual override close accepts.
const MinOverrideReason = 20

// Request is one asked-for transition.
type Request struct {
	To     Status
	Reason string
	// Override asks for a manual override close (any non-closed state → closed).
	Override bool
}

// Facts are what the rules need to know about the ticket beyond its status.
type Facts struct {
	Status Status
	// LastTransitionedBy is the user id who made the last transition.
	LastTransitionedBy string
	// TrackerLinked reports whether any affected application uses a tracker;
	// such tickets move open → in_progress → resolved by tracker sync only.
	TrackerLinked bool
	// AllAppsComplete reports whether every application without a tracker
	// has been marked complete by its owners.
	AllAppsComplete bool
	// OwnerTeamIDs are the teams that own the ticket or its applications.
	OwnerTeamIDs []string
}

// Step is one transition to record; a plan may hold two (open →
// in_progress → resolved), written atomically.
type Step struct {
	From, To Status
	Flags    []string // e.g. manual_override, admin_self_close
}

// Steps checks a transition request by principal p against the lifecycle
// rules and returns the steps to record. System principals drive
// tracker-led transitions and breaches; people confirm closure.
func Steps(p auth.Principal, f Facts, req Request) ([]Step, error) {
	from, to := f.Status, req.To
	if !to.Valid() {
		return nil, apperr.Invalidf("unknown status %q", to)
	}
	if from == Closed {
		return nil, apperr.E(apperr.Conflict, "ticket is closed; closed is terminal (open a new ticket that references it)")
	}
	if from == to {
		return nil, apperr.E(apperr.Conflict, "ticket is already %s", to)
	}
	system := p.Kind == auth.KindSystem
	if req.Override {
		return planOverride(p, from, to, req.Reason)
	}
	switch {
	case to == Breached:
		if !system {
			return nil, apperr.E(apperr.Forbidden, "only the deadline monitor marks a ticket breached")
		}
		return []Step{{From: from, To: Breached}}, nil
	case from == Breached:
		return nil, apperr.E(apperr.Conflict, "a breached ticket can only be closed by an admin's manual override")
	case to == Closed:
		return planClose(p, f)
	case from == Open && to == InProgress:
		if system {
			return []Step{{From: Open, To: InProgress}}, nil
		}
		if err := mayWork(p, f); err != nil {
			return nil, err
		}
		return []Step{{From: Open, To: InProgress}}, nil
	case to == Resolved && (from == Open || from == InProgress):
		if !system {
			if err := mayWork(p, f); err != nil {
				return nil, err
			}
			if f.TrackerLinked {
				return nil, apperr.E(apperr.Conflict, "this ticket resolves when its tracker issues are done; it cannot be resolved by hand")
			}
		}
		if !f.AllAppsComplete {
			return nil, apperr.E(apperr.Conflict, "every application without a tracker must be marked complete first")
		}
		if from == Open {
			// No skipping: record both transitions, atomically.
			return []Step{{From: Open, To: InProgress}, {From: InProgress, To: Resolved}}, nil
		}
		return []Step{{From: InProgress, To: Resolved}}, nil
	case from == Resolved && to == InProgress:
		if !system {
			return nil, apperr.E(apperr.Conflict, "a resolved ticket reopens only when its tracker issues move back")
		}
		return []Step{{From: Resolved, To: InProgress}}, nil
	}
	return nil, apperr.E(apperr.Conflict, "cannot move a ticket from %s to %s", from, to)
}

// mayWork checks that a person may work the ticket: admins and change
// managers always, owners for their team's tickets.
func mayWork(p auth.Principal, f Facts) error {
	switch p.Role {
	case auth.RoleAdmin, auth.RoleChangeManager:
		return nil
	case auth.RoleOwner:
		for _, t := range p.TeamIDs {
			for _, o := range f.OwnerTeamIDs {
				if t == o {
					return nil
				}
			}
		}
		return apperr.E(apperr.Forbidden, "owners can only work tickets of their own team")
	}
	return apperr.E(apperr.Forbidden, "your role (%s) cannot change tickets", p.Role.Label())
}

// planClose is the change manager's "confirm closure" of a resolved ticket,
// with the two-person rule.
func planClose(p auth.Principal, f Facts) ([]Step, error) {
	if f.Status != Resolved {
		return nil, apperr.E(apperr.Conflict, "only a resolved ticket can be confirmed closed (it is %s); use a manual override to force-close", f.Status)
	}
	if !p.Can(auth.PermConfirmClosure) || p.Kind == auth.KindSystem {
		return nil, apperr.E(apperr.Forbidden, "confirming closure needs a change manager or admin")
	}
	step := Step{From: Resolved, To: Closed}
	if f.LastTransitionedBy != "" && f.LastTransitionedBy == p.UserID {
		if p.Role != auth.RoleAdmin {
			return nil, apperr.E(apperr.Forbidden, "the user who last transitioned this ticket cannot also confirm closure")
		}
		step.Flags = append(step.Flags, "admin_self_close")
	}
	return []Step{step}, nil
}

// planOverride is the manual override close: any non-closed state → closed,
// admin or change manager (admin only when breached), with a reason.
func planOverride(p auth.Principal, from, to Status, reason string) ([]Step, error) {
	if to != Closed {
		return nil, apperr.Invalidf("a manual override can only close a ticket")
	}
	if p.Kind == auth.KindSystem || !p.Can(auth.PermOverrideClose) {
		return nil, apperr.E(apperr.Forbidden, "a manual override close needs a change manager or admin")
	}
	if from == Breached && p.Role != auth.RoleAdmin {
		return nil, apperr.E(apperr.Forbidden, "only an admin can close a breached ticket")
	}
	if n := len([]rune(strings.TrimSpace(reason))); n < MinOverrideReason {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "validation failed", Fields: []apperr.FieldError{{
			Field: "reason", Message: fmt.Sprintf("explain the override in at least %d characters (got %d)", MinOverrideReason, n)}}}
	}
	return []Step{{From: from, To: Closed, Flags: []string{"manual_override"}}}, nil
}
