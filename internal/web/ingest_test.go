package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
	"github.com/vendorsync/vendorsync/internal/web"
)

// ingestSetup is a vendor set up for ingest through the API, with an
// ingest key.
type ingestSetup struct {
	VendorID string
	Key      string // the vendor's ingest key
}

// ingestVendorFixture creates a vendor, sets it up for ingest under
// vendorKey and issues it an ingest key, as the admin holding adminKey.
func ingestVendorFixture(e *env, adminKey, vendorKey string) ingestSetup {
	e.t.Helper()
	id := created(e, adminKey, "/api/v1/vendors", map[string]any{"name": "Ingest " + vendorKey, "tier": "tier_2",
		"email_domains": []string{vendorKey + ".example"}})
	res := e.do(http.MethodPut, "/api/v1/ingest/vendors/"+id, adminKey, map[string]any{"vendor_key": vendorKey})
	wantStatus(e.t, res, http.StatusOK)
	res = e.do(http.MethodPost, "/api/v1/ingest/vendors/"+id+"/keys", adminKey, map[string]any{"name": vendorKey + " push"})
	wantStatus(e.t, res, http.StatusCreated)
	var out struct {
		Key string `json:"key"`
	}
	res.JSON(e.t, &out)
	return ingestSetup{VendorID: id, Key: out.Key}
}

// ingestEventWallFixture accepts one event in a tenant and returns its id.
func ingestEventWallFixture(e *env, key string) string {
	s := ingestVendorFixture(e, key, "wall-events")
	res := e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("wall-events", "w-1", `{"a":1}`))
	wantStatus(e.t, res, http.StatusAccepted)
	var out ingest.AcceptResult
	res.JSON(e.t, &out)
	return out.IngestID
}

func envelopeJSON(vendorKey, id, payload string) string {
	return fmt.Sprintf(`{"vendorId":%q,"externalEventId":%q,"eventType":"inventory_update","occurredAt":"2026-01-30T20:15:12Z","payload":%s}`,
		vendorKey, id, payload)
}

func TestIngestAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := ingestVendorFixture(e, e.key, "vendorA")
			body := envelopeJSON("vendorA", "inv-12345", `{"sku":"ABC-001","qty":12,"warehouse":"ROA"}`)
			res := e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, body)
			wantStatus(t, res, http.StatusAccepted)
			var first ingest.AcceptResult
			res.JSON(t, &first)
			if first.Status != ingest.Received || first.RawRef == nil || !strings.HasPrefix(first.RawRef.Key, "raw/vendorA/") {
				t.Fatalf("first: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, body)
			wantStatus(t, res, http.StatusOK)
			var dup ingest.AcceptResult
			res.JSON(t, &dup)
			if dup.Status != ingest.Duplicate || dup.IngestID != first.IngestID {
				t.Errorf("resend: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("vendorA", "inv-12345", `{"qty":13}`))
			wantProblem(t, res, http.StatusConflict)
			var conflict struct {
				Detail   string `json:"detail"`
				IngestID string `json:"ingestId"`
			}
			res.JSON(t, &conflict)
			if conflict.IngestID != first.IngestID || !strings.Contains(conflict.Detail, first.IngestID) {
				t.Errorf("409 does not name the original in its ingestId member and its detail: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, `{"vendorId":"vendorA","occurredAt":"soon","payload":"x"}`)
			wantProblem(t, res, http.StatusUnprocessableEntity)
			for _, f := range []string{"externalEventId", "eventType", "occurredAt", "payload"} {
				if !strings.Contains(string(res.Body), "body."+f) {
					t.Errorf("422 does not name %s: %s", f, res.Body)
				}
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("vendorB", "x", `{}`)), http.StatusForbidden)
			// The ingest key may do nothing else.
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/events", s.Key, nil), http.StatusForbidden)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/vendors", s.Key, nil), http.StatusForbidden)
			// Nor may an admin send events.
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/events", e.key, body), http.StatusForbidden)

			// Over the payload limit: 413 from the declared length, before the body is read.
			big := envelopeJSON("vendorA", "big", `{"x":"`+strings.Repeat("a", ingest.DefaultMaxPayload)+`"}`)
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, big), http.StatusRequestEntityTooLarge)

			res = e.do(http.MethodPost, "/api/v1/ingest/batch", s.Key, `{"events":[`+envelopeJSON("vendorA", "b-1", `{"a":1}`)+`,`+body+`,{"vendorId":"vendorA"}]}`)
			wantStatus(t, res, http.StatusOK)
			var batch struct {
				Results                      []ingest.AcceptResult
				Received, Duplicates, Failed int
			}
			res.JSON(t, &batch)
			if batch.Received != 1 || batch.Duplicates != 1 || batch.Failed != 1 || len(batch.Results) != 3 {
				t.Errorf("batch: %s", res.Body)
			}

			// Reading: the list by vendor and status, one event, its raw bytes.
			res = e.do(http.MethodGet, "/api/v1/ingest/events?limit=1&status=RECEIVED&vendor_id="+s.VendorID, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var page struct {
				Items      []ingest.Event `json:"items"`
				NextCursor string         `json:"next_cursor"`
			}
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.NextCursor == "" {
				t.Fatalf("first page: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/events?limit=1&status=RECEIVED&vendor_id="+s.VendorID+"&cursor="+page.NextCursor, e.key, nil)
			var page2 struct {
				Items []ingest.Event `json:"items"`
			}
			res.JSON(t, &page2)
			if len(page2.Items) != 1 || page2.Items[0].ID == page.Items[0].ID {
				t.Errorf("second page: %s", res.Body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/events/"+first.IngestID+"/raw", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if string(res.Body) != body {
				t.Errorf("raw bytes %q, want %q", res.Body, body)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/vendors/"+s.VendorID, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"RECEIVED":2`) || !strings.Contains(string(res.Body), `"role":"ingest"`) {
				t.Errorf("vendor detail: %s", res.Body)
			}
		})
	}
}

func TestIngestRateLimitAnswers429(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.Dialects(t)[0])
	s := ingestVendorFixture(e, e.key, "vendorA")
	wantStatus(t, e.do(http.MethodPut, "/api/v1/ingest/vendors/"+s.VendorID, e.key,
		map[string]any{"vendor_key": "vendorA", "rate_per_second": 0.5, "burst": 2}), http.StatusOK)
	for i := range 2 {
		wantStatus(t, e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("vendorA", fmt.Sprint("r-", i), `{}`)), http.StatusAccepted)
	}
	res := e.do(http.MethodPost, "/api/v1/ingest/events", s.Key, envelopeJSON("vendorA", "r-3", `{}`))
	wantProblem(t, res, http.StatusTooManyRequests)
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 || n > 2 {
		t.Errorf("Retry-After %q, want 1-2 seconds", res.Header.Get("Retry-After"))
	}
}

// TestIngestDatabaseDown: when the events cannot be committed the sender
// hears 503 with Retry-After, never a 2xx. Credentials are checked on a
// working connection; the ingest service writes through a closed one.
func TestIngestDatabaseDown(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			s := ingestVendorFixture(e, e.key, "vendorA")
			down := reopen(t, e.db)
			down.Close()
			dep := deps(e, nil)
			dep.Ingest = &ingest.Service{Store: down, Auth: e.auth}
			srv, err := web.New(dep)
			if err != nil {
				t.Fatal(err)
			}
			h := srv.Handler()
			for _, path := range []string{"/api/v1/ingest/events", "/api/v1/ingest/batch"} {
				body := envelopeJSON("vendorA", "down-1", `{"a":1}`)
				if strings.HasSuffix(path, "batch") {
					body = `{"events":[` + body + `]}`
				}
				req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+s.Key)
				req.Header.Set("Content-Type", "application/json")
				rec := newRecorder()
				h.ServeHTTP(rec, req)
				if rec.code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
					t.Errorf("%s with the database down: %d Retry-After %q: %s", path, rec.code, rec.Header().Get("Retry-After"), rec.body.String())
				}
			}
			res := e.do(http.MethodGet, "/api/v1/ingest/events", e.key, nil)
			if strings.Contains(string(res.Body), "down-1") {
				t.Errorf("an event was stored: %s", res.Body)
			}
		})
	}
}

// reopen opens a second store on db's database.
func reopen(t *testing.T, db *sqlstore.DB) *sqlstore.DB {
	t.Helper()
	other, err := sqlstore.Open(context.Background(), db.URL(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other.Keys = db.Keys
	return other
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func newRecorder() *recorder                    { return &recorder{header: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func TestIngestSignedHook(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testIngestSignedHook(t, newEnv(t, d))
		})
	}
}

func testIngestSignedHook(t *testing.T, e *env) {
	s := ingestVendorFixture(e, e.key, "vendorA")
	res := e.do(http.MethodPost, "/api/v1/ingest/vendors/"+s.VendorID+"/secrets", e.key, nil)
	wantStatus(t, res, http.StatusCreated)
	var sec struct {
		Value string `json:"value"`
	}
	res.JSON(t, &sec)
	post := func(secret, id string, at time.Time, source string, payload ...string) response {
		body := []byte(envelopeJSON("vendorA", id, append(payload, `{"qty":1}`)[0]))
		sig, err := stdwebhook.Sign(secret, "msg_"+id, at.Unix(), body)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/hooks/ingest/acme?source="+source, bytes.NewReader(body))
		req.Header.Set("webhook-id", "msg_"+id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return response{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
	}
	res = post(sec.Value, "h-1", time.Now(), "vendorA")
	wantStatus(t, res, http.StatusAccepted)
	var first ingest.AcceptResult
	res.JSON(t, &first)
	wantStatus(t, post(sec.Value, "h-1", time.Now(), "vendorA"), http.StatusOK)
	res = post(sec.Value, "h-1", time.Now(), "vendorA", `{"qty":2}`)
	wantProblem(t, res, http.StatusConflict)
	var conflict struct {
		Detail   string `json:"detail"`
		IngestID string `json:"ingestId"`
	}
	res.JSON(t, &conflict)
	if conflict.IngestID == "" || conflict.IngestID != first.IngestID || !strings.Contains(conflict.Detail, first.IngestID) {
		t.Errorf("409 does not name the original in its ingestId member and its detail: %s", res.Body)
	}
	wantProblem(t, post(sec.Value, "h-2", time.Now().Add(-6*time.Minute), "vendorA"), http.StatusUnauthorized)
	wantProblem(t, post(stdwebhook.NewSecret(), "h-3", time.Now(), "vendorA"), http.StatusUnauthorized)
	wantProblem(t, post(sec.Value, "h-4", time.Now(), "nobody"), http.StatusUnauthorized)
}

func TestIngestPages(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testIngestPages(t, newEnv(t, d))
		})
	}
}

func testIngestPages(t *testing.T, e *env) {
	vendorID := created(e, e.key, "/api/v1/vendors", map[string]any{"name": "Globex Supply", "tier": "tier_1", "email_domains": []string{"globex.example"}})
	admin := e.signInAs(e.admin.Email, e.password)
	page := admin.get(t, "/ingest")
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.Body), "Globex Supply") || !strings.Contains(string(page.Body), `href="/ingest"`) {
		t.Fatalf("overview does not offer the vendor: %s", page.Body)
	}
	res := admin.post(t, "/ingest/vendors", url.Values{"vendor_id": {vendorID}, "vendor_key": {"bad key!"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(string(res.Body), "field-error") {
		t.Errorf("a bad key is not explained beside its field: %s", res.Body)
	}
	res = admin.post(t, "/ingest/vendors", url.Values{"vendor_id": {vendorID}, "vendor_key": {"globex"}})
	wantStatus(t, res, http.StatusSeeOther)
	page = admin.get(t, "/ingest")
	if !strings.Contains(string(page.Body), "requests/s, burst 400, bodies up to 256 KiB") {
		t.Errorf("the overview does not show the limits with their units: %s", page.Body)
	}
	res = admin.post(t, "/ingest/vendors/"+vendorID+"/keys", url.Values{"name": {"push"}})
	wantStatus(t, res, http.StatusOK)
	key := regexp.MustCompile(`id="new-ingest-key">([^<]+)<`).FindSubmatch(res.Body)
	if key == nil {
		t.Fatalf("no key shown: %s", res.Body)
	}
	res = admin.post(t, "/ingest/vendors/"+vendorID+"/secrets", nil)
	if !strings.Contains(string(res.Body), "whsec_") {
		t.Errorf("no secret shown: %s", res.Body)
	}
	body := envelopeJSON("globex", "po-77", `{"sku":"X-1","qty":3}`)
	acc := e.do(http.MethodPost, "/api/v1/ingest/events", string(key[1]), body)
	wantStatus(t, acc, http.StatusAccepted)
	var r ingest.AcceptResult
	acc.JSON(t, &r)
	wantStatus(t, e.do(http.MethodPost, "/api/v1/ingest/events", string(key[1]), body), http.StatusOK)
	page = admin.get(t, "/ingest/vendors/"+vendorID)
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{"po-77", "RECEIVED", "/hooks/ingest/acme?source=globex", "push",
		`id="traffic-summary">1 event, 0 quarantined, 0 failed normalize, 1 duplicate, 0 conflicts, 0 refused since`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("vendor page lacks %q", want)
		}
	}
	// The hour the event arrived in is a full-height bar of the traffic
	// chart: the event at its foot, its duplicate on top.
	if !regexp.MustCompile(`<rect class="bar" x="(\d+)" y="67" width="31" height="53"/><rect class="bar duplicate" x="\d+" y="14" width="31" height="53"/>`).Match(page.Body) {
		t.Errorf("the traffic chart has no bar for the event and its duplicate: %s", page.Body)
	}
	res = admin.get(t, "/api/v1/ingest/vendors/"+vendorID+"/traffic")
	wantStatus(t, res, http.StatusOK)
	var tr ingest.Traffic
	res.JSON(t, &tr)
	if tot := tr.Total; len(tr.Hours) != ingest.TrafficHours || tot.Events != 1 || tot.Duplicates != 1 || tot.Conflicts != 0 {
		t.Errorf("traffic = %s", res.Body)
	}
	// The overview counts each vendor's duplicates, conflicts and refused
	// requests of the last 24 hours from the same traffic.
	wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/events", string(key[1]), envelopeJSON("globex", "po-77", `{"qty":4}`)), http.StatusConflict)
	if err := e.db.AddRefusals(context.Background(), []ingest.RefusalCount{{TenantID: e.tenant.ID, VendorID: vendorID,
		Hour: time.Now().UTC().Truncate(time.Hour), Reason: "invalid", N: 2}}); err != nil {
		t.Fatal(err)
	}
	page = admin.get(t, "/ingest")
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{`title="FAILED_NORMALIZE">Failed normalize<`, ">Duplicates 24 h<", ">Conflicts 24 h<", ">Refused 24 h<",
		`data-recent="duplicates">1<`, `data-recent="conflicts">1<`, `data-recent="refused">2<`} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("the overview lacks %q: %s", want, page.Body)
		}
	}
	page = admin.get(t, "/ingest/events/"+r.IngestID)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.Body), html.EscapeString(body)) {
		t.Errorf("event page does not show the raw bytes: %s", page.Body)
	}
	viewer := e.signIn(auth.RoleViewer)
	page = viewer.get(t, "/ingest/vendors/"+vendorID)
	wantStatus(t, page, http.StatusOK)
	if strings.Contains(string(page.Body), "Create ingest key") {
		t.Error("a viewer is offered to create keys")
	}
}
