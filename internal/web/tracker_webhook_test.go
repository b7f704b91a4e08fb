package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/tracker"
	"github.com/vendorsync/vendorsync/internal/tracker/jira/jiratest"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// jiraDelivery is a Jira "issue updated" delivery for key, moved to the
// status name of category.
func jiraDelivery(base, key, name, category string, ts int64) []byte {
	return jiraDeliveryAt(base, key, name, category, ts, "2026-12-05T09:00:00.000+0000")
}

// jiraDeliveryAt is jiraDelivery of an issue last updated at updated.
func jiraDeliveryAt(base, key, name, category string, ts int64, updated string) []byte {
	return fmt.Appendf(nil, `{"timestamp":%d,"webhookEvent":"jira:issue_updated","matchedWebhookIds":[7],
		"issue":{"id":"10001","self":"%s/rest/api/3/issue/10001","key":"%s","fields":{"updated":"%s","summary":"Moved",
		"status":{"name":"%s","statusCategory":{"key":"%s"}}}}}`, ts, base, key, updated, name, category)
}

// deliver posts body to the connection's webhook URL with headers.
func (e *env) deliver(connID string, body []byte, headers map[string]string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/hooks/trackers/"+connID, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		e.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Body: b.Bytes(), Header: res.Header}
}

func (e *env) webhookJobs() int {
	e.t.Helper()
	var n int
	if err := e.db.WritePool().QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'tracker.webhook'`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestTrackerWebhooks: a Jira connection's webhook is checked on its raw
// bytes (413 over 1 MiB, 401 for a missing header, a wrong secret or one
// flipped bit, counted and never stored; 404 for an unknown connection),
// recorded once per delivery id with one job (a redelivery answers 200),
// 64 concurrent deliveries of one id make one job, and the job moves the
// linked issue's status.
func TestTrackerWebhooks(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, d)
			srv := jiratest.New(t)
			e.connectJira(srv)
			tk, appID := e.trackedTicket(e.key)
			l := e.createIssue(t, tk, appID)
			if l.SyncStatus != link.Created {
				t.Fatalf("link: %+v", l)
			}
			var conns struct{ Items []link.Connection }
			e.do(http.MethodGet, "/api/v1/tracker/connections", e.key, nil).JSON(t, &conns)
			if len(conns.Items) != 1 || l.ConnectionID != conns.Items[0].ID {
				t.Fatalf("connections %+v, link in %q", conns.Items, l.ConnectionID)
			}
			connID := conns.Items[0].ID
			body := jiraDelivery(srv.URL, l.IssueKey, "In Progress", "indeterminate", 1764925200000)
			// No secret yet: nothing verifies.
			wantStatus(t, e.deliver(connID, body, map[string]string{"X-Hub-Signature": tracker.SignHMACHex("sha256=", body, nil)}),
				http.StatusUnauthorized)
			var sec struct{ URL, Secret string }
			res := e.do(http.MethodPost, "/api/v1/tracker/connections/"+connID+"/webhook-secret", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &sec)
			if len(sec.Secret) < 32 || !strings.HasSuffix(sec.URL, "/hooks/trackers/"+connID) {
				t.Fatalf("secret: %+v", sec)
			}
			// Reconciliation on demand is queued for the connection; an
			// unknown one is a 404.
			var rec struct{ Queued bool }
			res = e.do(http.MethodPost, "/api/v1/tracker/connections/"+connID+"/reconcile", e.key, nil)
			wantStatus(t, res, http.StatusAccepted)
			if res.JSON(t, &rec); !rec.Queued {
				t.Fatalf("reconcile: %s", res.Body)
			}
			wantStatus(t, e.do(http.MethodPost, "/api/v1/tracker/connections/"+ident.New()+"/reconcile", e.key, nil),
				http.StatusNotFound)
			sign := func(b []byte) map[string]string {
				return map[string]string{"X-Hub-Signature": tracker.SignHMACHex("sha256=", b, []byte(sec.Secret))}
			}
			flipped := bytes.Clone(body)
			flipped[len(flipped)/2] ^= 1
			huge := append(bytes.Clone(body), bytes.Repeat([]byte(" "), tracker.MaxWebhookBody)...)
			for _, c := range []struct {
				name    string
				conn    string
				body    []byte
				headers map[string]string
				want    int
			}{
				{"missing header", connID, body, nil, http.StatusUnauthorized},
				{"wrong secret", connID, body, map[string]string{"X-Hub-Signature": tracker.SignHMACHex("sha256=", body, []byte("wrong"))}, http.StatusUnauthorized},
				{"one flipped bit", connID, flipped, sign(body), http.StatusUnauthorized},
				{"over the limit", connID, huge, sign(huge), http.StatusRequestEntityTooLarge},
				{"unknown connection", "0190c1d2-0000-7000-8000-000000000000", body, sign(body), http.StatusNotFound},
			} {
				if res := e.deliver(c.conn, c.body, c.headers); res.Status != c.want {
					t.Errorf("%s: %d, want %d: %s", c.name, res.Status, c.want, res.Body)
				}
			}
			if n := e.webhookJobs(); n != 0 {
				t.Fatalf("%d jobs after rejected deliveries", n)
			}
			wantStatus(t, e.deliver(connID, body, sign(body)), http.StatusAccepted)
			wantStatus(t, e.deliver(connID, body, sign(body)), http.StatusOK)
			var log struct {
				Rejected int64
				Items    []link.WebhookDelivery
			}
			e.do(http.MethodGet, "/api/v1/tracker/connections/"+connID+"/deliveries", e.key, nil).JSON(t, &log)
			if log.Rejected != 4 || len(log.Items) != 1 || log.Items[0].Duplicates != 1 ||
				log.Items[0].Status != link.DeliveryVerified || log.Items[0].DeliveryID != "7:1764925200000" {
				t.Fatalf("delivery log: %+v", log)
			}
			if n := e.webhookJobs(); n != 1 {
				t.Fatalf("%d jobs after one delivery and its redelivery, want 1", n)
			}

			// The job applies the status to the link.
			if err := e.server.Trackers.ProcessDelivery(context.Background(), tk.TenantID, log.Items[0].ID); err != nil {
				t.Fatal(err)
			}
			links, err := e.db.TicketTrackerLinks(context.Background(), tk.TenantID, tk.ID)
			if err != nil || len(links) != 1 || links[0].StatusCategory != tracker.InProgress || links[0].StatusName != "In Progress" {
				t.Fatalf("after processing: %+v %v", links, err)
			}
			got, err := e.db.TrackerDelivery(context.Background(), tk.TenantID, log.Items[0].ID)
			if err != nil || got.Status != link.DeliveryProcessed || got.IssueKey != l.IssueKey {
				t.Fatalf("delivery after processing: %+v %v", got, err)
			}
			var m link.Mirror
			res = e.do(http.MethodGet, "/api/v1/jira/links/"+l.ID+"/mirror", e.key, nil)
			wantStatus(t, res, http.StatusOK)
			res.JSON(t, &m)
			if m.Title != "Moved" || m.State != "open" || m.StatusName != "In Progress" || m.ExternalUpdatedAt == nil ||
				m.LastSynced.Title != "Moved" || m.ConnectionID != connID {
				t.Errorf("mirror after the delivery: %+v", m)
			}

			// A delivery older than the one applied (delivered late) does
			// not roll the status back.
			stale := jiraDeliveryAt(srv.URL, l.IssueKey, "To Do", "new", 1764925100000, "2026-12-05T08:00:00.000+0000")
			wantStatus(t, e.deliver(connID, stale, sign(stale)), http.StatusAccepted)
			e.do(http.MethodGet, "/api/v1/tracker/connections/"+connID+"/deliveries", e.key, nil).JSON(t, &log)
			if err := e.server.Trackers.ProcessDelivery(context.Background(), tk.TenantID, log.Items[0].ID); err != nil {
				t.Fatal(err)
			}
			links, err = e.db.TicketTrackerLinks(context.Background(), tk.TenantID, tk.ID)
			if err != nil || links[0].StatusName != "In Progress" {
				t.Errorf("a late, older delivery moved the link: %+v %v", links, err)
			}

			// 64 concurrent deliveries of one new id: one is recorded, one
			// job is enqueued, every other answer is a duplicate.
			again := jiraDelivery(srv.URL, l.IssueKey, "Done", "done", 1764925300000)
			var wg sync.WaitGroup
			statuses := make(chan int, 64)
			for range 64 {
				wg.Go(func() { statuses <- e.deliver(connID, again, sign(again)).Status })
			}
			wg.Wait()
			close(statuses)
			count := map[int]int{}
			for s := range statuses {
				count[s]++
			}
			if count[http.StatusAccepted] != 1 || count[http.StatusOK] != 63 {
				t.Errorf("64 concurrent deliveries answered %v", count)
			}
			if n := e.webhookJobs(); n != 3 {
				t.Errorf("%d jobs after a third delivery id, want 3", n)
			}

			// The page shows the URL, the log and a redeliver button.
			admin := e.signInAs(e.admin.Email, e.password)
			page := string(admin.get(t, "/settings/trackers/"+connID+"/webhooks").Body)
			for _, want := range []string{"/hooks/trackers/" + connID, "7:1764925200000", "7:1764925300000", "processed", "Redeliver"} {
				if !strings.Contains(page, want) {
					t.Errorf("webhook page lacks %q", want)
				}
			}
			if strings.Contains(page, sec.Secret) {
				t.Error("the webhook page shows the secret after it was made")
			}
		})
	}
}
