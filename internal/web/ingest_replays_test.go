package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/jobs"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// ingestReplayWallFixture starts a background replay in a tenant: two
// events, and a replay of them with the request's limit lowered to one.
func ingestReplayWallFixture(e *env, key string) string {
	e.t.Helper()
	s := ingestVendorFixture(e, key, "wall-replay")
	for i := range 2 {
		acceptEvent(e, s, "wall-replay", fmt.Sprintf("wall-%d", i), `{"sku":"ABC-001","qty":1,"warehouse":"ROA"}`)
	}
	limit := e.server.Ingest.ReplayInline
	e.server.Ingest.ReplayInline = 1
	defer func() { e.server.Ingest.ReplayInline = limit }()
	res := e.do(http.MethodPost, "/api/v1/ingest/replays", key, map[string]any{"vendor_id": s.VendorID})
	wantStatus(e.t, res, http.StatusOK)
	var out ingest.ReplayResult
	res.JSON(e.t, &out)
	if out.Job == nil {
		e.t.Fatalf("no background replay: %s", res.Body)
	}
	return out.Job.ID
}

// TestIngestBackgroundReplay: a replay larger than a request replays
// (lowered here to 2 events) starts in the background from the API and
// from the quarantine page; its progress answers at GET and on its page;
// it can be cancelled until it has finished.
func TestIngestBackgroundReplay(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			e.server.Ingest.ReplayInline = 2
			s := ingestVendorFixture(e, e.key, "vendorA")
			viewer := e.newKey(e.tenant, auth.RoleViewer)
			for i := range 3 {
				acceptEvent(e, s, "vendorA", fmt.Sprintf("inv-%d", i), fmt.Sprintf(`{"sku":"ABC-%d","qty":%d,"warehouse":"ROA"}`, i, i))
			}
			normalizeNow(e) // no schema yet: quarantined
			uploadInventorySchema(e, e.key, s.VendorID)
			wantStatus(t, saveMapping(e, e.key, s.VendorID, mappingV1), http.StatusCreated)

			res := replay(e, map[string]any{"quarantine": true})
			if res.Job == nil || res.Job.Status != ingest.ReplayQueued || res.Job.Total != 3 {
				t.Fatalf("replay of 3 = %+v, want a queued background replay", res)
			}
			path := "/api/v1/ingest/replays/" + res.Job.ID
			var got ingest.ReplayJob
			e.do(http.MethodGet, path, e.key, nil).JSON(t, &got)
			if got.Status != ingest.ReplayQueued || got.Done != 0 || got.Total != 3 {
				t.Errorf("before the job: %+v", got)
			}
			wantProblem(t, e.do(http.MethodGet, path, viewer, nil), http.StatusForbidden)
			w := &jobs.IngestReplayWorker{Ingest: e.server.Ingest}
			if err := w.Work(t.Context(), &river.Job[jobargs.IngestReplay]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 25},
				Args: jobargs.IngestReplay{Tenant: jobargs.For(e.tenant.ID), ReplayID: res.Job.ID}}); err != nil {
				t.Fatal(err)
			}
			e.do(http.MethodGet, path, e.key, nil).JSON(t, &got)
			if got.Status != ingest.ReplayCompleted || got.Done != 3 || got.Normalized != 3 {
				t.Errorf("after the job: %+v", got)
			}
			wantProblem(t, e.do(http.MethodPost, path+"/cancel", e.key, nil), http.StatusConflict)

			// From the quarantine page's form: to the replay's page, which
			// counts it and offers to cancel it.
			admin := e.signInAs(e.admin.Email, e.password)
			page := admin.post(t, "/ingest/quarantine/replay", url.Values{"vendor_id": {s.VendorID}, "status": {"NORMALIZED"}})
			wantStatus(t, page, http.StatusSeeOther)
			loc := page.Header.Get("Location")
			if !strings.HasPrefix(loc, "/ingest/replays/") {
				t.Fatalf("a large replay from the quarantine goes to %q", loc)
			}
			page = admin.get(t, loc)
			for _, want := range []string{"3 events are replaying in the background.", `id="replay-count">0 of 3<`, "Cancel the replay"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("replay page lacks %q:\n%s", want, page.Body)
				}
			}
			wantStatus(t, admin.post(t, loc+"/cancel", nil), http.StatusSeeOther)
			var list []ingest.ReplayJob
			e.do(http.MethodGet, "/api/v1/ingest/replays", e.key, nil).JSON(t, &list)
			if len(list) != 2 || "/ingest/replays/"+list[0].ID != loc || !list[0].CancelRequested {
				t.Errorf("replays: %+v", list)
			}
		})
	}
}
