package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// subscriptionURL is a public endpoint; nothing is sent to it in these
// tests (deliveries are only queued).
const subscriptionURL = "https://hooks.example.com/vendorsync"

// ingestSubscriptionWallFixture creates a subscription in a tenant.
func ingestSubscriptionWallFixture(e *env, key string) string {
	res := e.do(http.MethodPost, "/api/v1/ingest/subscriptions", key, map[string]any{"url": subscriptionURL})
	wantStatus(e.t, res, http.StatusCreated)
	var out struct {
		Subscription ingest.Subscription `json:"subscription"`
	}
	res.JSON(e.t, &out)
	return out.Subscription.ID
}

// ingestDeliveryWallFixture queues one delivery in a tenant: a
// subscription, rules, an event, normalized.
func ingestDeliveryWallFixture(e *env, key string) string {
	e.t.Helper()
	ingestSubscriptionWallFixture(e, key)
	s := ingestVendorFixture(e, key, "wall-delivery")
	uploadInventorySchema(e, key, s.VendorID)
	wantStatus(e.t, saveMapping(e, key, s.VendorID, mappingV1), http.StatusCreated)
	acceptEvent(e, s, "wall-delivery", "d-1", `{"sku":"A","qty":1,"warehouse":"W"}`)
	svc := &ingest.Service{Store: e.db, Blobs: reportBlobs(e)}
	if _, err := svc.NormalizeAll(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
	res := e.do(http.MethodGet, "/api/v1/ingest/deliveries", key, nil)
	wantStatus(e.t, res, http.StatusOK)
	var page struct {
		Items []ingest.EventDelivery `json:"items"`
	}
	res.JSON(e.t, &page)
	if len(page.Items) == 0 {
		e.t.Fatal("no delivery queued")
	}
	return page.Items[0].ID
}

func TestIngestSubscriptionAPI(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			res := e.do(http.MethodPost, "/api/v1/ingest/subscriptions", e.key, map[string]any{"url": "http://127.0.0.1:9/hook"})
			wantProblem(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "webhook-allow-private") {
				t.Errorf("private target refusal does not say how to allow it: %s", res.Body)
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/subscriptions", e.key, map[string]any{"url": subscriptionURL,
				"event_types": []string{"InventoryUpdated"}, "description": "ERP bridge"})
			wantStatus(t, res, http.StatusCreated)
			var created struct {
				Subscription ingest.Subscription `json:"subscription"`
				Secret       string              `json:"secret"`
			}
			res.JSON(t, &created)
			id := created.Subscription.ID
			if !strings.HasPrefix(created.Secret, "whsec_") {
				t.Fatalf("secret %q", created.Secret)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/subscriptions/"+id, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if strings.Contains(string(res.Body), created.Secret) || strings.Contains(string(res.Body), "secret_name") {
				t.Errorf("the secret is shown again: %s", res.Body)
			}
			res = e.do(http.MethodPut, "/api/v1/ingest/subscriptions/"+id, e.key, map[string]any{"url": subscriptionURL + "/v2", "enabled": false})
			wantStatus(t, res, http.StatusOK)
			var upd ingest.Subscription
			res.JSON(t, &upd)
			if upd.Enabled || upd.URL != subscriptionURL+"/v2" || len(upd.EventTypes) != 0 {
				t.Errorf("updated %+v", upd)
			}
			res = e.do(http.MethodPost, "/api/v1/ingest/subscriptions/"+id+"/rotate-secret", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var rot struct {
				Subscription ingest.Subscription `json:"subscription"`
				Secret       string              `json:"secret"`
			}
			res.JSON(t, &rot)
			if rot.Secret == created.Secret || rot.Subscription.PreviousExpiresAt == nil {
				t.Errorf("rotated %+v", rot)
			}
			res = e.do(http.MethodPut, "/api/v1/ingest/subscriptions/"+id, e.key, map[string]any{"url": subscriptionURL, "enabled": true})
			wantStatus(t, res, http.StatusOK)
			dID := ingestDeliveryWallFixture(e, e.key)
			res = e.do(http.MethodGet, "/api/v1/ingest/deliveries?status=pending&subscription_id="+id+"&limit=1", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			var page struct {
				Items      []ingest.EventDelivery `json:"items"`
				NextCursor string                 `json:"next_cursor"`
			}
			res.JSON(t, &page)
			if len(page.Items) != 1 || page.Items[0].SubscriptionID != id || page.NextCursor != "" {
				t.Errorf("page %+v", page)
			}
			res = e.do(http.MethodGet, "/api/v1/ingest/deliveries/"+dID, e.key, nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `"attempt_log":[]`) {
				t.Errorf("delivery %s", res.Body)
			}
			wantProblem(t, e.do(http.MethodPost, "/api/v1/ingest/deliveries/"+dID+"/redeliver", e.key, nil), http.StatusConflict)
			wantProblem(t, e.do(http.MethodGet, "/api/v1/ingest/deliveries?status=lost", e.key, nil), http.StatusUnprocessableEntity)
		})
	}
}

func TestIngestSubscriptionPages(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			admin := e.signInAs(e.admin.Email, e.password)
			wantStatus(t, admin.get(t, "/ingest/subscriptions"), http.StatusOK)
			res := admin.post(t, "/ingest/subscriptions", url.Values{"url": {"http://10.0.0.5/hook"}, "enabled": {"1"}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if !strings.Contains(string(res.Body), "field-error") || !strings.Contains(string(res.Body), "webhook-allow-private") {
				t.Errorf("a private URL is not explained beside its field: %s", res.Body)
			}
			res = admin.post(t, "/ingest/subscriptions", url.Values{"url": {subscriptionURL}, "event_types": {"InventoryUpdated\nPriceUpdated"},
				"description": {"ERP bridge"}, "enabled": {"1"}})
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `id="new-subscription-secret">whsec_`) {
				t.Fatalf("the new secret is not shown: %s", res.Body)
			}
			list := admin.get(t, "/ingest/subscriptions")
			if strings.Contains(string(list.Body), "new-subscription-secret") || !strings.Contains(string(list.Body), subscriptionURL) {
				t.Errorf("list page: %s", list.Body)
			}
			dID := ingestDeliveryWallFixture(e, e.key)
			var dl ingest.EventDelivery
			r := e.do(http.MethodGet, "/api/v1/ingest/deliveries/"+dID, e.key, nil)
			r.JSON(t, &dl)
			page := admin.get(t, "/ingest/subscriptions/"+dl.SubscriptionID)
			wantStatus(t, page, http.StatusOK)
			for _, want := range []string{dl.MessageID, "pending", "Send a test event", "Rotate the secret"} {
				if !strings.Contains(string(page.Body), want) {
					t.Errorf("subscription page lacks %q", want)
				}
			}
			res = admin.post(t, "/ingest/subscriptions/"+dl.SubscriptionID+"/rotate-secret", nil)
			wantStatus(t, res, http.StatusOK)
			if !strings.Contains(string(res.Body), `id="new-subscription-secret">whsec_`) {
				t.Errorf("the rotated secret is not shown")
			}
			res = admin.post(t, "/ingest/subscriptions/"+dl.SubscriptionID, url.Values{"url": {subscriptionURL + "/v2"}})
			wantStatus(t, res, http.StatusSeeOther)
			page = admin.get(t, "/ingest/deliveries/"+dID)
			wantStatus(t, page, http.StatusOK)
			if !strings.Contains(string(page.Body), "No attempt yet") {
				t.Errorf("delivery page: %s", page.Body)
			}
			wantStatus(t, admin.post(t, "/ingest/deliveries/"+dID+"/redeliver", nil), http.StatusConflict)
			viewer := e.signIn(auth.RoleViewer)
			wantStatus(t, viewer.get(t, "/ingest/subscriptions"), http.StatusForbidden)
		})
	}
}
