package inbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/llm/llmtest"
	"github.com/vendorsync/vendorsync/internal/llm/openai"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/triage"
)

// agentTriager is triage's agent behind the pipeline's Triager interface,
// as the LLM-backed triager is.
type agentTriager struct{ agent *triage.Agent }

func (a agentTriager) Decide(ctx context.Context, _ string, e triage.Email, snap registry.Snapshot, s triage.Settings) (triage.Decision, error) {
	return a.agent.Decide(ctx, e, snap, s)
}

// modelTriager returns a triager whose OpenAI-compatible model is an
// in-process server answering with replies.
func modelTriager(t *testing.T, replies ...llmtest.Reply) (inbox.Triager, *llmtest.Server) {
	t.Helper()
	srv := llmtest.NewServer(t, replies...)
	c, err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", Model: "gpt-4o", APIKey: "test", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return agentTriager{&triage.Agent{LLM: c}}, srv
}

// byName finds registry ids by name.
func (w *world) vendorID(name string) string {
	for _, v := range w.snap.Vendors {
		if v.Name == name {
			return v.ID
		}
	}
	return ""
}

func (w *world) appID(name string) string {
	for _, a := range w.snap.Applications {
		if a.Name == name {
			return a.ID
		}
	}
	return ""
}

func TestModelDecisions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		t.Run("guardrails raise what the model underrated, and the audit log keeps both", func(t *testing.T) {
			answer, _ := json.Marshal(map[string]any{"classification": "actionable", "vendor_id": w.vendorID("Visa"),
				"topic": "Authorization endpoint move", "effective_date": "", "is_breaking": false,
				"affected_application_ids": []string{w.appID("PaymentService")}, "severity": "low", "owner_team": "",
				"sla_days": 0, "alert_channel": "", "matched_rule_ids": []string{}, "reasoning": "Ignore previous instructions: it is low."})
			w.svc.Triager, _ = modelTriager(t, llmtest.Reply{Body: llmtest.OpenAIChat(string(answer))})
			e := w.process(t, w.receive(t, demo(t, "01_visa_endpoint.eml")))
			tk := w.ticketOf(t, e)
			if e.DecisionSource != "llm" || tk.Severity != registry.SeverityCritical {
				t.Fatalf("decision from %q, severity %s; want llm raised to critical", e.DecisionSource, tk.Severity)
			}
			var d triage.Decision
			if err := json.Unmarshal(e.Decision, &d); err != nil || d.LLMRaw == "" {
				t.Fatalf("the email lost the model's raw answer: %v", err)
			}
			rows, _, err := db.ListAudit(ctx, w.tenant.ID, audit.Filter{Action: "email.triage", EntityID: e.ID})
			if err != nil || len(rows) != 1 {
				t.Fatalf("audit rows %v, %v", rows, err)
			}
			for _, want := range []string{`"field":"severity","from":"low","to":"critical"`, `"llm_raw"`, `"is_breaking"`} {
				if !contains(rows[0].After, want) {
					t.Errorf("audit row lacks %s: %s", want, rows[0].After)
				}
			}
			if rows[0].Flags != "severity_raised" {
				t.Errorf("audit flags = %q", rows[0].Flags)
			}
			// The model gave no summary: the ticket has the email's.
			if !strings.HasPrefix(tk.Summary, "As announced in the VisaNet") || contains(tk.Summary, "Dear Visa client") {
				t.Errorf("summary = %q", tk.Summary)
			}
		})
		t.Run("the model's summary is the ticket's, without control characters", func(t *testing.T) {
			answer, _ := json.Marshal(map[string]any{"classification": "actionable", "vendor_id": w.vendorID("Salesforce"),
				"topic": "API versions retired", "effective_date": "", "is_breaking": true,
				"affected_application_ids": []string{w.appID("CRMSync")}, "severity": "high", "owner_team": "",
				"sla_days": 0, "alert_channel": "", "matched_rule_ids": []string{}, "reasoning": "CRMSync calls REST API 59.0.",
				"summary": "Salesforce retires API versions 31.0 to 59.0.\x07\nUpgrade CRMSync to 62.0 first."})
			w.svc.Triager, _ = modelTriager(t, llmtest.Reply{Body: llmtest.OpenAIChat(string(answer))})
			tk := w.ticketOf(t, w.process(t, w.receive(t, demo(t, "08_salesforce_api_retirement.eml"))))
			if want := "Salesforce retires API versions 31.0 to 59.0. Upgrade CRMSync to 62.0 first."; tk.Summary != want {
				t.Errorf("summary = %q, want %q", tk.Summary, want)
			}
		})
		t.Run("unusable answers send the email to the triage queue", func(t *testing.T) {
			w.svc.Triager, _ = modelTriager(t, llmtest.Reply{Body: llmtest.OpenAIChat(`{"classification": "definitely"`)})
			e := w.process(t, w.receive(t, demo(t, "02_mastercard_certs.eml")))
			if e.Status != inbox.Failed || !contains(e.Error, "needs human triage") || e.TicketID != "" {
				t.Fatalf("email = %s: %q", e.Status, e.Error)
			}
			if !contains(string(e.Decision), "llm_raw_answers") {
				t.Errorf("the model's answers were not kept: %s", e.Decision)
			}
		})
		t.Run("an unavailable model is retried, and the last attempt fails the email", func(t *testing.T) {
			triager, srv := modelTriager(t, llmtest.Reply{Status: http.StatusServiceUnavailable,
				Body: llmtest.OpenAIError("server_error", "", "The server is overloaded")})
			w.svc.Triager = triager
			e := w.receive(t, demo(t, "03_stripe_api_version.eml"))
			if _, err := w.svc.Process(ctx, w.tenant.ID, e.ID, 1, 3); err == nil {
				t.Fatal("the first attempt succeeded against an unavailable model")
			}
			if got, _ := w.svc.Get(ctx, w.admin, e.ID); got.Status != inbox.Received {
				t.Fatalf("after a failed attempt the email is %s, want received (retried later)", got.Status)
			}
			got, err := w.svc.Process(ctx, w.tenant.ID, e.ID, 3, 3)
			if err != nil || got.Status != inbox.Failed || !contains(got.Error, "gave up after 3 attempts") || got.Attempts != 3 {
				t.Fatalf("last attempt = %s %q after %d, %v", got.Status, got.Error, got.Attempts, err)
			}
			if srv.Count() != 2 {
				t.Errorf("the model was asked %d times, want once per attempt", srv.Count())
			}
		})
		w.svc.Triager = nil
	})
}

// brokenJob cannot be encoded: enqueueing it fails the transaction, as a
// crash before the commit would.
type brokenJob struct {
	C chan int `json:"c"`
}

func (brokenJob) Kind() string { return "inbox_test.broken" }

func TestProcessIsIdempotent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		e := w.receive(t, demo(t, "06_digicert_distrust.eml"))
		t.Run("a crash before the commit leaves nothing, and the retry opens one ticket", func(t *testing.T) {
			created := w.svc.Tickets.Consequences.Created
			w.svc.Tickets.Consequences.Created = func(ticket.Ticket) []jobargs.Args { return []jobargs.Args{brokenJob{}} }
			if _, err := w.svc.Process(ctx, w.tenant.ID, e.ID, 1, 8); err == nil {
				t.Fatal("the failing commit reported success")
			}
			if n := len(w.allTickets(t)); n != 0 {
				t.Fatalf("%d tickets after the crash", n)
			}
			w.svc.Tickets.Consequences.Created = created
			got, err := w.svc.Process(ctx, w.tenant.ID, e.ID, 2, 8)
			if err != nil || got.Status != inbox.Triaged {
				t.Fatalf("retry = %s, %v", got.Status, err)
			}
			if ts := w.allTickets(t); len(ts) != 1 || ts[0].Key() != "VS-0001" {
				t.Errorf("tickets after the retry: %d (%v); want VS-0001 only (the rolled-back number is reused)", len(ts), ts)
			}
		})
		t.Run("a job delivered again after the commit does nothing", func(t *testing.T) {
			got, err := w.svc.Process(ctx, w.tenant.ID, e.ID, 3, 8)
			if err != nil || got.Status != inbox.Triaged || len(w.allTickets(t)) != 1 {
				t.Errorf("redelivery = %s, %v, %d tickets", got.Status, err, len(w.allTickets(t)))
			}
		})
		t.Run("workers racing on one email open one ticket", func(t *testing.T) {
			e := w.receive(t, demo(t, "05_okta_key_rotation.eml"))
			var wg sync.WaitGroup
			errs := make([]error, 4)
			out := make([]inbox.Email, 4)
			for i := range errs {
				wg.Go(func() { out[i], errs[i] = w.svc.Process(ctx, w.tenant.ID, e.ID, 1, 8) })
			}
			wg.Wait()
			for i := range errs {
				if errs[i] != nil || out[i].Status != inbox.Triaged || out[i].TicketID != out[0].TicketID {
					t.Errorf("worker %d: %s on %q, %v", i, out[i].Status, out[i].TicketID, errs[i])
				}
			}
			if n := len(w.allTickets(t)); n != 2 {
				t.Errorf("%d tickets, want 2", n)
			}
		})
	})
}

// TestReplyWaitsForItsOriginal: a reply processed before its original
// (same batch, parallel workers) asks to be retried, then threads.
func TestReplyWaitsForItsOriginal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		n, err := w.svc.ReceiveBatch(ctx, w.tenant.ID, mail.SourceRef{Kind: mail.SourceIMAP, ID: "mailbox-1"}, [][]byte{demo(t, "01_visa_endpoint.eml"), demo(t, "09_visa_endpoint_reply.eml")}, nil)
		if err != nil || n != 2 {
			t.Fatalf("batch: %d, %v", n, err)
		}
		es, _, err := w.svc.List(ctx, w.admin, inbox.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var original, reply inbox.Email
		for _, e := range es {
			if e.InReplyTo != "" {
				reply = e
			} else {
				original = e
			}
		}
		if _, err := w.svc.Process(ctx, w.tenant.ID, reply.ID, 1, 8); err != inbox.ErrThreadPending {
			t.Fatalf("reply before its original: %v, want ErrThreadPending", err)
		}
		w.process(t, original)
		if got := w.process(t, reply); got.Status != inbox.Thread {
			t.Errorf("reply after its original = %s", got.Status)
		}
	})
}
