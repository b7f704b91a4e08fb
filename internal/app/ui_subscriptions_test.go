package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// hookReceiver is a subscriber's endpoint: it keeps what it is sent and
// answers with the status it is told.
type hookReceiver struct {
	mu     sync.Mutex
	status int
	got    []http.Header
	bodies [][]byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got, h.bodies = append(h.got, r.Header.Clone()), append(h.bodies, b)
	status := h.status
	h.mu.Unlock()
	w.WriteHeader(status)
}

func (h *hookReceiver) answer(status int) {
	h.mu.Lock()
	h.status = status
	h.mu.Unlock()
}

// received is how many requests came, and the last one.
func (h *hookReceiver) received() (int, http.Header, []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) == 0 {
		return 0, nil, nil
	}
	return len(h.got), h.got[len(h.got)-1], h.bodies[len(h.bodies)-1]
}

// TestUISubscriptions walks the subscription pages in headless Chromium on
// serve --demo: a subscription to an endpoint of the test is created and
// its secret shown once; a test event and a vendor's event reach the
// endpoint signed with it; an event the endpoint answers 410 Gone fails
// and disables the subscription; enabled again, the failed delivery is
// redelivered from the delivery log with its original webhook-id.
func TestUISubscriptions(t *testing.T) {
	chromium(t)
	rcv := &hookReceiver{status: http.StatusNoContent}
	hooks := httptest.NewServer(rcv)
	t.Cleanup(hooks.Close)
	s := startServe(t, envOf("VENDORSYNC_WEBHOOK_ALLOW_PRIVATE", "true"), "--demo")
	ctx := browserCtx(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	uiSignIn(t, ctx, s, "/ingest/subscriptions")
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 60 s\nstderr:\n%s", what, s.Stderr.String())
			}
		}
	}

	// Create: the secret is shown once.
	midwest := eval(`[...document.querySelectorAll("select[name=vendor_id] option")].find(o => o.textContent === "Midwest Fastener Supply").value`)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/ingest/subscriptions"), chromedp.WaitVisible(css(`input[name=url]`)),
		chromedp.SendKeys(css(`input[name=url]`), hooks.URL+"/vendorsync"),
		chromedp.SendKeys(css(`textarea[name=event_types]`), "InventoryUpdated"),
		chromedp.SetValue(css(`select[name=vendor_id]`), midwest),
		chromedp.Click(css(`form[action="/ingest/subscriptions"] button[type=submit]`)),
		chromedp.WaitVisible(css(`#new-subscription-secret`)))
	if err != nil {
		t.Fatalf("create a subscription: %v", err)
	}
	secret := text(`#new-subscription-secret`)
	if !strings.HasPrefix(secret, stdwebhook.SecretPrefix) {
		t.Fatalf("secret shown: %q", secret)
	}
	checkPage(t, ctx, "subscriptions-created")
	subPath := eval(`document.querySelector("#new-subscription-secret").closest("section").querySelector("a").getAttribute("href")`)
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ingest/subscriptions"), chromedp.WaitVisible(css(`main table`))); err != nil {
		t.Fatal(err)
	}
	if n := eval(`String(document.querySelectorAll("#new-subscription-secret").length)`); n != "0" || strings.Contains(text(`main`), secret) {
		t.Errorf("the secret is shown again")
	}
	verify := func(h http.Header, body []byte) {
		t.Helper()
		if err := stdwebhook.Verify([]string{secret}, h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"), body, time.Now()); err != nil {
			t.Errorf("delivery %s not signed with the secret: %v", h.Get("webhook-id"), err)
		}
	}

	// Test delivery from the subscription's page.
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+subPath), chromedp.WaitVisible(css(`form[action$="/test"] button`)),
		chromedp.Click(css(`form[action$="/test"] button`)), chromedp.WaitVisible(css(`section[role=status] h2`))); err != nil {
		t.Fatalf("test send: %v", err)
	}
	if got := text(`section[role=status]`); !strings.Contains(got, "The endpoint answered 204") {
		t.Errorf("test send shows %q", got)
	}
	n, h, body := rcv.received()
	if n != 1 {
		t.Fatalf("the endpoint got %d requests after the test send", n)
	}
	verify(h, body)

	// An ingest key for Midwest, made on its ingest page, sends an event:
	// normalized, it is delivered.
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/ingest/vendors/"+midwest), chromedp.WaitVisible(css(`form[action$="/keys"] input[name=name]`)),
		chromedp.SendKeys(css(`form[action$="/keys"] input[name=name]`), "ERP push"),
		chromedp.Click(css(`form[action$="/keys"] button[type=submit]`)), chromedp.WaitVisible(css(`#new-ingest-key`))); err != nil {
		t.Fatalf("ingest key: %v", err)
	}
	key := text(`#new-ingest-key`)
	send := func(id string, onHand int) {
		t.Helper()
		env := fmt.Sprintf(`{"vendorId":"midwest-fastener","externalEventId":%q,"eventType":"inventory.snapshot","schemaVersion":"2",`+
			`"occurredAt":%q,"payload":{"part":"MFS-10422","branch":"CHI-01","on_hand":%d,"uom":"EA","counted_at":%q}}`,
			id, time.Now().UTC().Format(time.RFC3339), onHand, time.Now().UTC().Format(time.RFC3339))
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/ingest/events", bytes.NewReader([]byte(env)))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("send %s: %d %s", id, res.StatusCode, b)
		}
	}
	send("ui-walk-1", 75)
	waitFor("delivery of the first event", func() bool { n, _, _ := rcv.received(); return n == 2 })
	_, h, body = rcv.received()
	verify(h, body)
	if !bytes.Contains(body, []byte(`"quantityOnHand":75`)) {
		t.Errorf("delivered body: %s", body)
	}

	// The endpoint answers 410 Gone: the delivery fails and the
	// subscription is disabled.
	rcv.answer(http.StatusGone)
	send("ui-walk-2", 76)
	waitFor("the 410 attempt", func() bool { n, _, _ := rcv.received(); return n == 3 })
	_, gone, _ := rcv.received()
	reload := func(sel string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+subPath), chromedp.WaitVisible(css(sel))); err != nil {
			t.Fatalf("subscription page: %v", err)
		}
	}
	waitFor("the failed delivery in the log", func() bool {
		reload(`main table`)
		return strings.Contains(text(`main`), "failed")
	})
	if page := text(`main`); !strings.Contains(page, "410") || !strings.Contains(page, "delivered") {
		t.Errorf("delivery log lacks the 410 or the delivered event:\n%s", page)
	}
	checkPage(t, ctx, "subscription-failed")

	// Enable it again, and redeliver the failed one from the log.
	rcv.answer(http.StatusOK)
	if err := chromedp.Do(ctx, chromedp.Click(css(`input[name=enabled]`)), chromedp.Click(css(`form.stack[action="`+subPath+`"] button[type=submit]`)),
		chromedp.WaitVisible(css(`.flash`))); err != nil {
		t.Fatalf("enable: %v", err)
	}
	if got := text(`.flash`); got != "Subscription saved." {
		t.Fatalf("after saving: %q", got)
	}
	reload(`main table`)
	if !strings.Contains(text(`main`), "enabled") {
		t.Fatalf("the subscription is not enabled again")
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`form[action$="/redeliver"] button`)), chromedp.WaitVisible(css(`.flash`))); err != nil {
		t.Fatalf("redeliver: %v", err)
	}
	if got := text(`.flash`); !strings.Contains(got, "queued again") {
		t.Fatalf("after redeliver: %q", got)
	}
	waitFor("the redelivery", func() bool { n, _, _ := rcv.received(); return n == 4 })
	_, h, body = rcv.received()
	verify(h, body)
	if h.Get("webhook-id") != gone.Get("webhook-id") {
		t.Errorf("redelivered as %s, the failed delivery was %s", h.Get("webhook-id"), gone.Get("webhook-id"))
	}
	delivery := eval(`location.pathname`)
	waitFor("the redelivered delivery shown delivered", func() bool {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+delivery), chromedp.WaitVisible(css(`main table`))); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(text(`main`), "delivered")
	})
	// The log numbers the attempts across both series and says which is which.
	if log := text(`main table`); !strings.Contains(log, "first sending, attempt 1") || !strings.Contains(log, "redelivery 1, attempt 1") {
		t.Errorf("delivery log does not tell the series apart:\n%s", log)
	}
	checkPage(t, ctx, "delivery")
}
