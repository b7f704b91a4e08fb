package link_test

import (
	"context"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/forge"
	"github.com/vendorsync/vendorsync/internal/tracker/forge/forgetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestInProgressRule: on each forge, an open issue is in progress by the
// connection's rule. With the defaults only the built-in labels count; once
// an admin names the label "wip" and counts an assignee, those move their
// tickets to in progress (by a status sync), the built-in label no longer
// counts, and a poll reads the same statuses into the mirrors.
func TestInProgressRule(t *testing.T) {
	for _, k := range []tracker.Kind{github.Kind, gitlab.Kind, gitea.Kind} {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newKindFixture(t, db, k)
				f.svc.Hooks = db
				g := f.remote.(*forgeRemote)
				a := f.app(t, "PaymentService", true)
				type issue struct {
					labels, assignees []string
					tk                ticket.Ticket
					key               string
				}
				issues := map[string]*issue{
					"labelled wip": {labels: []string{"WIP"}},
					"assigned":     {assignees: []string{"maria"}},
					"built-in":     {labels: []string{"In Progress"}},
					"untouched":    {},
				}
				for _, is := range issues {
					is.tk = f.ticket(t, a)
					f.attempt(t, is.tk, a)
					is.key = f.link(t, is.tk, a).IssueKey
					project, n, _ := forge.ParseKey(is.key, true)
					g.Update(project, n, func(fi *forgetest.Issue) {
						fi.Labels = append(fi.Labels, is.labels...)
						fi.Assignees = is.assignees
					})
				}
				check := func(phase string, want map[string]ticket.Status, cats map[string]tracker.StatusCategory) {
					t.Helper()
					f.sync(t)
					for name, is := range issues {
						if got := f.status(t, is.tk); got != want[name] {
							t.Errorf("%s: ticket of the %s issue is %s, want %s", phase, name, got, want[name])
						}
						if l := f.link(t, is.tk, a); l.StatusCategory != cats[name] {
							t.Errorf("%s: link of the %s issue is %s (%s), want %s", phase, name, l.StatusCategory, l.StatusName, cats[name])
						}
					}
				}
				check("defaults", map[string]ticket.Status{"labelled wip": ticket.Open, "assigned": ticket.Open,
					"built-in": ticket.InProgress, "untouched": ticket.Open},
					map[string]tracker.StatusCategory{"labelled wip": tracker.ToDo, "assigned": tracker.ToDo,
						"built-in": tracker.InProgress, "untouched": tracker.ToDo})

				conn := f.connID(t)
				st, err := f.svc.SyncSettings(ctx, f.admin, conn)
				if err != nil || len(st.InProgressLabels) == 0 || st.InProgressWhenAssigned {
					t.Fatalf("default settings: %+v %v", st, err)
				}
				st.InProgressLabels, st.InProgressWhenAssigned = []string{" wip ", "Wip", ""}, true
				if st, err = f.svc.SaveSyncSettings(ctx, f.admin, st); err != nil || len(st.InProgressLabels) != 1 {
					t.Fatalf("save: %+v %v", st, err)
				}
				if st, err = f.svc.SyncSettings(ctx, f.admin, conn); err != nil || len(st.InProgressLabels) != 1 ||
					st.InProgressLabels[0] != "wip" || !st.InProgressWhenAssigned {
					t.Fatalf("settings read back: %+v %v", st, err)
				}
				// The built-in label's ticket stays in progress (tickets do not
				// move back to open); its issue is to do by the new rule.
				check("rule on", map[string]ticket.Status{"labelled wip": ticket.InProgress, "assigned": ticket.InProgress,
					"built-in": ticket.InProgress, "untouched": ticket.Open},
					map[string]tracker.StatusCategory{"labelled wip": tracker.InProgress, "assigned": tracker.InProgress,
						"built-in": tracker.ToDo, "untouched": tracker.ToDo})

				if _, err := f.svc.Poll(ctx, f.tenant, conn); err != nil {
					t.Fatal(err)
				}
				for name, want := range map[string]tracker.StatusCategory{"labelled wip": tracker.InProgress,
					"assigned": tracker.InProgress, "built-in": tracker.ToDo, "untouched": tracker.ToDo} {
					m, err := f.svc.Mirror(ctx, f.admin, f.link(t, issues[name].tk, a).ID)
					if err != nil || m.StatusCategory != want {
						t.Errorf("mirror of the %s issue after a poll: %s %v, want %s", name, m.StatusCategory, err, want)
					}
				}

				// Labels only, no assignee: the assigned issue's next reading
				// is to do, and nothing counts once the list is emptied.
				st.InProgressLabels, st.InProgressWhenAssigned = nil, false
				if _, err := f.svc.SaveSyncSettings(ctx, f.admin, st); err != nil {
					t.Fatal(err)
				}
				if st, err = f.svc.SyncSettings(ctx, f.admin, conn); err != nil || len(st.InProgressLabels) != 0 {
					t.Fatalf("emptied list read back: %+v %v", st, err)
				}
				f.sync(t)
				for name, is := range issues {
					if l := f.link(t, is.tk, a); l.StatusCategory != tracker.ToDo {
						t.Errorf("rule emptied: link of the %s issue is %s", name, l.StatusCategory)
					}
				}
			})
		})
	}
}

// TestInProgressRuleRefusals: labels beyond the limits are refused.
func TestInProgressRuleRefusals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newKindFixture(t, db, gitea.Kind)
		f.svc.Hooks = db
		conn := f.connID(t)
		many := make([]string, link.MaxProgressLabels+1)
		for i := range many {
			many[i] = "label " + string(rune('a'+i))
		}
		long := make([]byte, link.MaxProgressLabelLen+1)
		for i := range long {
			long[i] = 'x'
		}
		for name, labels := range map[string][]string{"too many": many, "too long": {string(long)}, "comma": {"a,b"}} {
			_, err := f.svc.SaveSyncSettings(ctx, f.admin, link.SyncSettings{ConnectionID: conn, InProgressLabels: labels})
			if err == nil {
				t.Errorf("%s: saved", name)
			}
		}
	})
}
