package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/notifytest"
	"github.com/vendorsync/vendorsync/internal/notify/pagerduty/pagerdutytest"
	"github.com/vendorsync/vendorsync/internal/registry"
)

const routingKey = "R0UT1NGKEY0123456789ABCDEFGHIJKL" // 32 characters, as PagerDuty requires

func client(t *testing.T, f *pagerdutytest.Server, key string) *Client {
	t.Helper()
	c, err := New(Config{RoutingKey: key, BaseURL: f.URL(), HTTPClient: f.HTTPClient(),
		Now: func() time.Time { return notifytest.Now }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTrigger(t *testing.T) {
	f := pagerdutytest.New(t)
	c := client(t, f, routingKey)
	m := notifytest.Message(t, notify.KindEscalationD1, 1)
	ref, err := c.Send(context.Background(), notify.Target{Address: "payments-oncall"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if want := notifytest.TicketID + "/d1"; ref != want {
		t.Errorf("ref = %q, want the dedup key %q", ref, want)
	}
	if len(f.Events()) != 1 {
		t.Fatalf("%d events, want 1", len(f.Events()))
	}
	want := map[string]any{
		"routing_key": routingKey, "event_action": "trigger", "dedup_key": notifytest.TicketID + "/d1",
		"client": "VendorSync", "client_url": notifytest.Link,
		"links": []any{map[string]any{"href": notifytest.Link, "text": "Open VS-2847 in VendorSync"}},
		"payload": map[string]any{
			"summary": "D-1 reminder: VS-2847 Visa — URL endpoint change is due April 20, 2027 (in 7 days)",
			"source":  "vendorsync", "severity": "error", "timestamp": "2027-04-13T08:00:00Z", "class": "escalation_d1",
			"custom_details": map[string]any{
				"Vendor": "Visa", "Change": "URL endpoint change", "Severity": "High", "Deadline": "April 20, 2027 (in 7 days)",
				"Applications": "PaymentService, Checkout", "Owner": "Payments", "Status": "Open",
				"Details": "Vendor deadline approaching: April 20, 2027 (in 7 days)\n\nThe ticket is open: the change is not done yet.",
			},
		},
	}
	if diff := cmp.Diff(want, f.Events()[0]); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}

	t.Run("a retry sends the same event", func(t *testing.T) {
		if _, err := c.Send(context.Background(), notify.Target{}, m); err != nil {
			t.Fatal(err)
		}
		if b := f.Bodies(); string(b[0]) != string(b[1]) {
			t.Errorf("bodies differ:\n%s\n%s", b[0], b[1])
		}
	})
}

func TestSeverity(t *testing.T) {
	for sev, want := range map[string]string{"critical": "critical", "high": "error", "medium": "warning", "low": "info", "": "info"} {
		m := notifytest.Message(t, notify.KindTicketCreated, 0)
		m.Severity = registry.Severity(sev)
		b, err := (&Client{cfg: Config{RoutingKey: routingKey, Source: "vendorsync"}}).Event(m)
		if err != nil {
			t.Fatal(err)
		}
		var ev event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Payload.Severity != want {
			t.Errorf("%q → %q, want %q", sev, ev.Payload.Severity, want)
		}
	}
}

func TestErrors(t *testing.T) {
	m := notifytest.Message(t, notify.KindEscalationD1, 1)
	tests := []struct {
		name      string
		key       string
		fault     pagerdutytest.Fault
		retryable bool
		code      string
		after     time.Duration
	}{
		{name: "an invalid event is permanent", key: "too-short", code: "400"},
		{name: "429 is retryable after its Retry-After", fault: pagerdutytest.Status(http.StatusTooManyRequests, map[string]string{"Retry-After": "20"}),
			retryable: true, code: "429", after: 20 * time.Second},
		{name: "Retry-After as a date", fault: pagerdutytest.Status(http.StatusTooManyRequests,
			map[string]string{"Retry-After": notifytest.Now.Add(90 * time.Second).Format(http.TimeFormat)}),
			retryable: true, code: "429", after: 90 * time.Second},
		{name: "500 is retryable", fault: pagerdutytest.Status(http.StatusInternalServerError, nil), retryable: true, code: "500"},
		{name: "503 is retryable", fault: pagerdutytest.Status(http.StatusServiceUnavailable, nil), retryable: true, code: "503"},
		{name: "403 is permanent", fault: pagerdutytest.Status(http.StatusForbidden, nil), code: "403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := pagerdutytest.New(t)
			f.SetFault(tt.fault)
			key := routingKey
			if tt.key != "" {
				key = tt.key
			}
			_, err := client(t, f, key).Send(context.Background(), notify.Target{}, m)
			checkError(t, err, tt.retryable, tt.code, tt.after)
		})
	}
	t.Run("server down is retryable", func(t *testing.T) {
		f := pagerdutytest.New(t)
		c := client(t, f, routingKey)
		f.Close()
		_, err := c.Send(context.Background(), notify.Target{}, m)
		checkError(t, err, true, "network", 0)
	})
	t.Run("a canceled job is retryable", func(t *testing.T) {
		f := pagerdutytest.New(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client(t, f, routingKey).Send(ctx, notify.Target{}, m)
		checkError(t, err, true, "canceled", 0)
	})
	t.Run("no routing key", func(t *testing.T) {
		if _, err := New(Config{}); err == nil {
			t.Error("New without a routing key succeeded")
		}
	})
}

func checkError(t *testing.T, err error, retryable bool, code string, after time.Duration) {
	t.Helper()
	var e *httpx.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *httpx.Error", err)
	}
	if e.Temporary() != retryable || e.Code != code || e.RetryAfter != after {
		t.Errorf("got retryable=%v code=%q after=%v, want %v %q %v (%v)", e.Temporary(), e.Code, e.RetryAfter, retryable, code, after, err)
	}
	if fmt.Sprint(err) == "" {
		t.Error("empty error text")
	}
}

func TestErrorKinds(t *testing.T) {
	m := notifytest.Message(t, notify.KindEscalationD1, 1)
	for status, want := range map[int]httpx.Kind{
		http.StatusForbidden: httpx.Permission, http.StatusTooManyRequests: httpx.RateLimited,
		http.StatusBadGateway: httpx.Transient,
	} {
		f := pagerdutytest.New(t)
		f.SetFault(pagerdutytest.Status(status, map[string]string{"Retry-After": "60"})) // a wait left to the job
		_, err := client(t, f, routingKey).Send(context.Background(), notify.Target{}, m)
		if httpx.KindOf(err) != want {
			t.Errorf("HTTP %d: %v, want %s", status, err, want)
		}
	}
	f := pagerdutytest.New(t)
	_, err := client(t, f, "too-short").Send(context.Background(), notify.Target{}, m)
	var e *httpx.Error
	if !errors.As(err, &e) || e.Kind != httpx.BadRequest || e.Message == "" {
		t.Errorf("an invalid event: %v, want bad_request with PagerDuty's explanation", err)
	}
}
