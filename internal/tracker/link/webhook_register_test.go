package link_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker/gitea"
	"github.com/vendorsync/vendorsync/internal/tracker/github"
	"github.com/vendorsync/vendorsync/internal/tracker/gitlab"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

const hookURL = "https://vs.example.com/hooks/trackers/conn"

// TestRegisterWebhook: on each forge the webhook is created at the
// repository with the connection's secret, JSON and issue events; a second
// registration updates that hook instead of adding one, and keeps the
// secret; a token that may not manage hooks gets the URL and secret to
// paste; Jira, whose webhooks need an administrator, always does.
func TestRegisterWebhook(t *testing.T) {
	wantEvents := map[string][]string{
		string(github.Kind): {"issues", "issue_comment"},
		string(gitlab.Kind): {"issues_events", "note_events"},
		string(gitea.Kind):  {"issues", "issue_assign", "issue_label", "issue_comment"},
	}
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				f := newKindFixture(t, db, k)
				f.svc.Hooks = db
				f.app(t, "PaymentService", true)
				conn := f.connID(t)
				reg, err := f.svc.RegisterWebhook(ctx, f.admin, conn, hookURL)
				if err != nil || reg.Secret == "" || len(reg.Targets) != 1 {
					t.Fatalf("%+v %v", reg, err)
				}
				stored, err := db.TrackerHookTarget(ctx, conn)
				if err != nil || string(stored.Secret) != reg.Secret {
					t.Fatalf("stored secret %q, shown %q (%v)", stored.Secret, reg.Secret, err)
				}
				g, forge := f.remote.(*forgeRemote)
				if !forge {
					if !reg.Manual || reg.Targets[0].Outcome != link.HookManual || !strings.Contains(reg.Message, "administrator") {
						t.Fatalf("%+v", reg)
					}
					return
				}
				if reg.Manual || reg.Targets[0].Outcome != link.HookCreated {
					t.Fatalf("%+v", reg)
				}
				hooks := g.Hooks("acme/payments")
				if len(hooks) != 1 || hooks[0].URL != hookURL || hooks[0].Secret != reg.Secret || !hooks[0].Active ||
					!slices.Equal(hooks[0].Events, wantEvents[string(k)]) || (k != gitlab.Kind && hooks[0].ContentType != "json") ||
					(k == gitea.Kind && hooks[0].Type != "gitea") {
					t.Fatalf("hooks %+v", hooks)
				}

				again, err := f.svc.RegisterWebhook(ctx, f.admin, conn, hookURL)
				if err != nil || again.Secret != "" || again.Targets[0].Outcome != link.HookUpdated {
					t.Fatalf("again %+v %v", again, err)
				}
				hooks = g.Hooks("acme/payments")
				if len(hooks) != 1 || hooks[0].Edits != 1 || hooks[0].Secret != reg.Secret {
					t.Fatalf("hooks after a second registration %+v", hooks)
				}

				g.ForbidHooks(true)
				denied, err := f.svc.RegisterWebhook(ctx, f.admin, conn, hookURL)
				if err != nil || !denied.Manual || denied.Targets[0].Outcome != link.HookManual || denied.Targets[0].Message == "" ||
					!strings.Contains(denied.Message, "Settings → Webhooks") {
					t.Fatalf("denied %+v %v", denied, err)
				}
				if n := len(g.Hooks("acme/payments")); n != 1 {
					t.Errorf("%d hooks", n)
				}
			})
		})
	}
}
