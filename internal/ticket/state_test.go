package ticket

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
)

type actor struct {
	name string
	p    auth.Principal
}

var actors = []actor{
	{"system", auth.System("t1")},
	{"admin", auth.Principal{Kind: auth.KindUser, TenantID: "t1", UserID: "u-admin", Role: auth.RoleAdmin}},
	{"change_manager", auth.Principal{Kind: auth.KindUser, TenantID: "t1", UserID: "u-cm", Role: auth.RoleChangeManager}},
	{"owner", auth.Principal{Kind: auth.KindUser, TenantID: "t1", UserID: "u-owner", Role: auth.RoleOwner, TeamIDs: []string{"team-pay"}}},
	{"viewer", auth.Principal{Kind: auth.KindUser, TenantID: "t1", UserID: "u-viewer", Role: auth.RoleViewer}},
}

// allowed lists every transition the lifecycle permits for a ticket without
// tracker links whose applications are complete, last moved by someone else;
// the value is the number of steps recorded.
var allowed = map[string]int{
	"system open→in_progress":             1,
	"system open→resolved":                2,
	"system in_progress→resolved":         1,
	"system resolved→in_progress":         1,
	"system open→breached":                1,
	"system in_progress→breached":         1,
	"system resolved→breached":            1,
	"admin open→in_progress":              1,
	"admin open→resolved":                 2,
	"admin in_progress→resolved":          1,
	"admin resolved→closed":               1,
	"change_manager open→in_progress":     1,
	"change_manager open→resolved":        2,
	"change_manager in_progress→resolved": 1,
	"change_manager resolved→closed":      1,
	"owner open→in_progress":              1,
	"owner open→resolved":                 2,
	"owner in_progress→resolved":          1,
	// Manual override close.
	"admin open→closed override":                 1,
	"admin in_progress→closed override":          1,
	"admin resolved→closed override":             1,
	"admin breached→closed override":             1,
	"change_manager open→closed override":        1,
	"change_manager in_progress→closed override": 1,
	"change_manager resolved→closed override":    1,
}

// TestLifecycleTable walks every from × to × actor × override combination.
func TestLifecycleTable(t *testing.T) {
	for _, from := range Statuses {
		for _, to := range Statuses {
			for _, a := range actors {
				for _, override := range []bool{false, true} {
					name := fmt.Sprintf("%s %s→%s", a.name, from, to)
					if override {
						name += " override"
					}
					t.Run(name, func(t *testing.T) {
						f := Facts{Status: from, LastTransitionedBy: "u-other", AllAppsComplete: true, OwnerTeamIDs: []string{"team-pay"}}
						steps, err := Steps(a.p, f, Request{To: to, Override: override, Reason: "Vendor confirmed the change was withdrawn."})
						want, ok := allowed[name]
						if !ok {
							if err == nil {
								t.Fatalf("allowed, want refused: %+v", steps)
							}
							if c := apperr.CodeOf(err); c == apperr.Internal {
								t.Fatalf("refused with an internal error: %v", err)
							}
							return
						}
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						if len(steps) != want {
							t.Fatalf("steps = %+v, want %d", steps, want)
						}
						if steps[0].From != from || steps[len(steps)-1].To != to {
							t.Fatalf("steps %+v do not lead from %s to %s", steps, from, to)
						}
						for i := 1; i < len(steps); i++ {
							if steps[i].From != steps[i-1].To {
								t.Fatalf("steps %+v skip a state", steps)
							}
						}
					})
				}
			}
		}
	}
}

func TestJumpWritesBothTransitions(t *testing.T) {
	steps, err := Steps(auth.System("t1"), Facts{Status: Open, TrackerLinked: true, AllAppsComplete: true}, Request{To: Resolved})
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{{From: Open, To: InProgress}, {From: InProgress, To: Resolved}}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Fatalf("steps (-want +got):\n%s", diff)
	}
}

func TestRules(t *testing.T) {
	admin, cm, owner := actors[1].p, actors[2].p, actors[3].p
	tests := []struct {
		name string
		p    auth.Principal
		f    Facts
		req  Request
		code apperr.Code // "" = allowed
		flag string
	}{
		{"two-person rule refuses the last transitioner", cm, Facts{Status: Resolved, LastTransitionedBy: "u-cm"}, Request{To: Closed}, apperr.Forbidden, ""},
		{"admin self-close is allowed but flagged", admin, Facts{Status: Resolved, LastTransitionedBy: "u-admin"}, Request{To: Closed}, "", "admin_self_close"},
		{"another change manager confirms", cm, Facts{Status: Resolved, LastTransitionedBy: "system"}, Request{To: Closed}, "", ""},
		{"tracker-linked tickets are not resolved by hand", cm, Facts{Status: InProgress, TrackerLinked: true, AllAppsComplete: true}, Request{To: Resolved}, apperr.Conflict, ""},
		{"incomplete applications block resolution", admin, Facts{Status: InProgress, AllAppsComplete: false}, Request{To: Resolved}, apperr.Conflict, ""},
		{"system resolution also needs complete applications", auth.System("t1"), Facts{Status: InProgress, AllAppsComplete: false}, Request{To: Resolved}, apperr.Conflict, ""},
		{"owners work only their team's tickets", owner, Facts{Status: Open, OwnerTeamIDs: []string{"team-other"}}, Request{To: InProgress}, apperr.Forbidden, ""},
		{"override needs a 20-character reason", admin, Facts{Status: Open}, Request{To: Closed, Override: true, Reason: "too short"}, apperr.Invalid, ""},
		{"override reason is trimmed", admin, Facts{Status: Open}, Request{To: Closed, Override: true, Reason: "   " + strings.Repeat("x", 19) + "   "}, apperr.Invalid, ""},
		{"override is flagged", cm, Facts{Status: InProgress}, Request{To: Closed, Override: true, Reason: "Vendor withdrew the change notice."}, "", "manual_override"},
		{"breached closes only by admin override", cm, Facts{Status: Breached}, Request{To: Closed, Override: true, Reason: "Vendor withdrew the change notice."}, apperr.Forbidden, ""},
		{"closed is terminal even for admins", admin, Facts{Status: Closed}, Request{To: Closed, Override: true, Reason: "Vendor withdrew the change notice."}, apperr.Conflict, ""},
		{"unknown status is invalid", admin, Facts{Status: Open}, Request{To: "done"}, apperr.Invalid, ""},
		{"override cannot open", admin, Facts{Status: Resolved}, Request{To: Open, Override: true, Reason: "Vendor withdrew the change notice."}, apperr.Invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, err := Steps(tt.p, tt.f, tt.req)
			if tt.code != "" {
				if apperr.CodeOf(err) != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(steps[len(steps)-1].Flags, ",")
			if got != tt.flag {
				t.Fatalf("flags = %q, want %q", got, tt.flag)
			}
		})
	}
}
