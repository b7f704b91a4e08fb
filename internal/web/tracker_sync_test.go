package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// TestTrackerSyncPages: a linked issue's copy shows on its ticket page
// with its sync log; the edit form changes it and queues the push; a
// conflict shows both sides and the pick-a-side form settles it with a
// written value; the conflicts queue and the admin sync log list them.
func TestTrackerSyncPages(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			e.connectJira(srv)
			tk, appID := e.trackedTicket(e.key)
			l := e.createIssue(t, tk, appID)
			base := tracker.IssueFields{Title: "Update the endpoint", State: "open", Labels: []string{"payments"}, Assignees: []string{}}
			now := time.Now().UTC().Truncate(time.Second)
			m := link.Mirror{LinkID: l.ID, TenantID: tk.TenantID, ConnectionID: l.ConnectionID, IssueKey: l.IssueKey,
				IssueFields: base, LastSynced: base, SyncStatus: link.MirrorSynced, LocalUpdatedAt: now, ExternalUpdatedAt: &now}
			if err := e.db.WriteTrackerMirror(ctx, link.MirrorWrite{Mirror: m, Create: true, At: now}); err != nil {
				t.Fatal(err)
			}
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.get(t, "/tickets/"+tk.Key())
			for _, want := range []string{`id="issue-` + l.ID + `"`, "Update the endpoint", `action="/tracker-issues/` + l.ID + `/edit"`} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("ticket page lacks %q", want)
				}
			}
			form := url.Values{"title": {"Move to v3"}, "state": {"open"}, "labels": {"payments, urgent"}, "assignees": {""}, "due_date": {""}}
			if res := admin.post(t, "/tracker-issues/"+l.ID+"/edit", form); res.Status != http.StatusSeeOther {
				t.Fatalf("edit: %d %s", res.Status, res.Body)
			}
			if res := admin.post(t, "/tracker-issues/"+l.ID+"/edit", url.Values{"title": {""}}); res.Status != http.StatusUnprocessableEntity {
				t.Errorf("empty title: %d", res.Status)
			}
			got, err := e.db.TrackerMirror(ctx, tk.TenantID, l.ID)
			if err != nil || got.Title != "Move to v3" || got.SyncStatus != link.MirrorPending {
				t.Fatalf("mirror after the edit: %+v %v", got, err)
			}
			res := e.do(http.MethodGet, "/api/v1/tracker/outbox?link_id="+l.ID, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"status":"pending"`) {
				t.Errorf("outbox: %s", res.Body)
			}

			// The tracker renamed it meanwhile: a conflict.
			got.SyncConflict = &link.SyncConflict{Fields: []string{"title"}, Ours: got.IssueFields,
				Theirs: tracker.IssueFields{Title: "Theirs"}, Base: got.LastSynced, Since: now}
			got.SyncStatus = link.MirrorConflict
			if err := e.db.WriteTrackerMirror(ctx, link.MirrorWrite{Mirror: got, Revision: got.Revision, At: now}); err != nil {
				t.Fatal(err)
			}
			page = admin.get(t, "/trackers/conflicts")
			if !strings.Contains(string(page.Body), tk.Key()) || !strings.Contains(string(page.Body), "Theirs") {
				t.Errorf("conflicts page: %s", page.Body)
			}
			page = admin.get(t, "/tickets/"+tk.Key())
			if !strings.Contains(string(page.Body), `id="resolve-`+l.ID+`"`) {
				t.Fatalf("no resolve form on the ticket page")
			}
			if res := admin.post(t, "/tracker-issues/"+l.ID+"/resolve", url.Values{"take": {"value"}, "title": {"Agreed"}}); res.Status != http.StatusSeeOther {
				t.Fatalf("resolve: %d %s", res.Status, res.Body)
			}
			got, err = e.db.TrackerMirror(ctx, tk.TenantID, l.ID)
			if err != nil || got.Title != "Agreed" || got.LastSynced.Title != "Theirs" || got.SyncConflict != nil {
				t.Fatalf("mirror after resolving: %+v %v", got, err)
			}
			// A long value (here a long title) shows its start in the log,
			// the whole of it behind a disclosure.
			long := strings.Repeat("Move every payment call to the new endpoint ", 5)
			if res := admin.post(t, "/tracker-issues/"+l.ID+"/edit", url.Values{"title": {long}, "state": {"open"}, "labels": {"payments"}, "assignees": {""}, "due_date": {""}}); res.Status != http.StatusSeeOther {
				t.Fatalf("long title edit: %d %s", res.Status, res.Body)
			}
			page = admin.get(t, "/settings/trackers/sync-log")
			wantStatus(t, page, http.StatusOK)
			if body := string(page.Body); !strings.Contains(body, `<details class="clipped"><summary>`+strings.TrimSpace(long[:120])+`…</summary>`) ||
				!strings.Contains(body, `<div class="whole">`+strings.TrimSpace(long)) {
				t.Errorf("sync log does not clip the long title")
			}
			// Both pages are in the sidebar, the current one marked.
			for _, want := range []string{`<a href="/trackers/conflicts" >Tracker conflicts</a>`,
				`<a class="sub" href="/settings/trackers/sync-log" aria-current="page">Tracker sync log</a>`} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("sidebar lacks %q", want)
				}
			}
			for _, want := range []string{"resolve", "edit", l.IssueKey} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("sync log page lacks %q", want)
				}
			}
			res = e.do(http.MethodGet, "/api/v1/tracker/links/"+l.ID+"/sync-log", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"action":"resolve"`) {
				t.Errorf("link sync log: %s", res.Body)
			}
		})
	}
}

// readOnlyProvider is a provider without UpdateFields: a tracker that
// takes no edits from VendorSync.
type readOnlyProvider struct{ tracker.Provider }

// TestTrackerEditsRefused: where the link's tracker takes no edits, the
// ticket page offers no edit or resolve form and says why; the API's edit,
// and a resolution that would push, answer 422 problem+json; taking the
// tracker's side, which pushes nothing, still works.
func TestTrackerEditsRefused(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, d)
			jf, _ := e.server.Trackers.Providers.Lookup(jira.KindCloud)
			build := jf.New
			jf.New = func(s tracker.Settings) (tracker.Provider, error) {
				p, err := build(s)
				return readOnlyProvider{p}, err
			}
			e.server.Trackers.Providers = tracker.NewRegistry(jf)
			srv := jiratest.New(t)
			e.connectJira(srv)
			tk, appID := e.trackedTicket(e.key)
			l := e.createIssue(t, tk, appID)
			base := tracker.IssueFields{Title: "Update the endpoint", State: "open", Labels: []string{"payments"}, Assignees: []string{}}
			ours, theirs := base, base
			ours.Title, theirs.Title = "Ours", "Theirs"
			now := time.Now().UTC().Truncate(time.Second)
			m := link.Mirror{LinkID: l.ID, TenantID: tk.TenantID, ConnectionID: l.ConnectionID, IssueKey: l.IssueKey,
				IssueFields: ours, LastSynced: base, SyncStatus: link.MirrorConflict, LocalUpdatedAt: now, ExternalUpdatedAt: &now,
				SyncConflict: &link.SyncConflict{Fields: []string{"title"}, Ours: ours, Theirs: theirs, Base: base, Since: now}}
			if err := e.db.WriteTrackerMirror(ctx, link.MirrorWrite{Mirror: m, Create: true, At: now}); err != nil {
				t.Fatal(err)
			}
			admin := e.signInAs(e.admin.Email, e.password)
			page := string(admin.get(t, "/tickets/"+tk.Key()).Body)
			if strings.Contains(page, `/tracker-issues/`+l.ID+`/edit"`) || strings.Contains(page, `id="resolve-`+l.ID+`"`) ||
				!strings.Contains(page, "does not accept edits from VendorSync") {
				t.Errorf("ticket page offers edits: %s", page)
			}
			res := e.do(http.MethodPatch, "/api/v1/tracker/links/"+l.ID+"/issue", e.key, map[string]any{"title": "Mine"})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "does not accept edits from VendorSync") {
				t.Errorf("edit: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/tracker/links/"+l.ID+"/resolve", e.key, map[string]any{"take": "ours"})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			got, err := e.db.TrackerMirror(ctx, tk.TenantID, l.ID)
			if err != nil || got.Title != "Ours" || got.SyncConflict == nil {
				t.Fatalf("mirror after the refusals: %+v %v", got, err)
			}
			res = e.do(http.MethodPost, "/api/v1/tracker/links/"+l.ID+"/resolve", e.key, map[string]any{"take": "theirs"})
			wantStatus(t, res, http.StatusOK)
			res = e.do(http.MethodGet, "/api/v1/tracker/outbox?link_id="+l.ID, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(string(res.Body), `"status":"pending"`) {
				t.Errorf("outbox: %s", res.Body)
			}
		})
	}
}
