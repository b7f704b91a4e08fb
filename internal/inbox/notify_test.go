package inbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/mail"
	"github.com/vendorsync/vendorsync/internal/mail/mailtest"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch/dispatchtest"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/sqlstore"
	"github.com/vendorsync/vendorsync/internal/sqlstore/storetest"
)

// notified is the notification fixture's tenant with the pipeline over it,
// hooked into notifications as the app hooks it.
type notified struct {
	*dispatchtest.Fixture
	svc *inbox.Service
}

func newNotified(t *testing.T, db *sqlstore.DB) *notified {
	t.Helper()
	ctx := context.Background()
	f := dispatchtest.New(t, db, time.Now())
	blobs, err := blob.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	reg := &registry.Service{Store: db}
	if _, err := reg.CreateVendor(ctx, f.Admin, registry.Vendor{Name: "Mastercard", Tier: registry.Tier2,
		EmailDomains: []string{"mastercard.com"}}); err != nil {
		t.Fatal(err)
	}
	svc := &inbox.Service{Store: db, Blobs: blobs, Tickets: f.Tickets, Registry: reg, Settings: f.Settings, Now: f.Clock.Now,
		Consequences: f.Causes.Emails}
	return &notified{Fixture: f, svc: svc}
}

// receive uploads raw and runs its process job once.
func (n *notified) receive(t *testing.T, raw []byte) inbox.Email {
	t.Helper()
	ctx := context.Background()
	e, err := n.svc.Receive(ctx, n.Admin, raw, mail.SourceRef{Kind: mail.SourceUpload})
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.svc.Process(ctx, n.Tenant, e.ID, 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sent lists the messages of kind k that reached the fakes, as
// "email <to>" and "slack <channel>".
func (n *notified) sent(k notify.Kind) []string {
	var out []string
	for _, m := range n.SMTP.Messages() {
		if bytes.Contains(m.Data, []byte("X-VendorSync-Kind: "+string(k)+"\r\n")) {
			out = append(out, "email "+strings.Join(m.To, ","))
		}
	}
	if k == notify.KindThreadUpdate {
		for _, c := range n.Slack.Calls() {
			if c.Method == "chat.postMessage" && strings.HasPrefix(c.Form["text"], "Vendor update on ") {
				out = append(out, "slack "+c.Form["channel"])
			}
		}
	}
	slices.Sort(out)
	return out
}

// reply is a vendor's answer on ticket key, quoting what it answers.
func reply(key, id string) []byte {
	return []byte("From: Visa Developer <developer@visa.example>\r\nTo: changes@acme.test\r\n" +
		"Subject: Re: [" + key + "] URL endpoint change\r\nMessage-ID: <" + id + "@visa.example>\r\n\r\n" +
		"The sandbox endpoint is live now; production follows as planned.\r\n\r\n" +
		"On Mon, 5 Apr 2027, VendorSync wrote:\r\n> Visa moves its authorization endpoint.\r\n")
}

// TestThreadUpdateNotifiesOwners: a vendor's reply tagged with a ticket's
// key reaches the owner team's channel and the owners' mailboxes once —
// however often the email is processed or its plan job runs, and not when
// the commit that records it fails — while informational and unknown mail
// tells no owner anything.
func TestThreadUpdateNotifiesOwners(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		n := newNotified(t, db)
		tk := n.Ticket(t, registry.SeverityMedium, 14)
		n.RunPlanJobs(t)
		n.DeliverQueued(t, false)
		want := []string{"email " + dispatchtest.OwnerEmail, "email " + dispatchtest.TeamEmail, "slack " + dispatchtest.TeamChannel,
			"slack D" + dispatchtest.OwnerSlack}

		raw := reply(tk.Key(), "reply-1")
		e := n.receive(t, raw)
		if e.Status != inbox.Thread || e.TicketID != tk.ID {
			t.Fatalf("reply = %s on %q", e.Status, e.TicketID)
		}
		if got := n.RunPlanJobs(t); got != 1 {
			t.Fatalf("%d plan jobs committed with the update, want 1", got)
		}
		for key, res := range n.DeliverQueued(t, false) {
			if res.Status != dispatch.Sent {
				t.Errorf("%s: %s %v", key, res.Status, res.Err)
			}
		}
		if diff := cmp.Diff(want, n.sent(notify.KindThreadUpdate)); diff != "" {
			t.Errorf("thread update messages (-want +got):\n%s", diff)
		}
		for _, le := range n.Log(t) {
			if le.Kind == notify.KindThreadUpdate && le.Snapshot.Email.Excerpt != "The sandbox endpoint is live now; production follows as planned." {
				t.Errorf("excerpt %q", le.Snapshot.Email.Excerpt)
			}
		}

		t.Run("processing the email again or re-running its plan job sends nothing more", func(t *testing.T) {
			if again, err := n.svc.Process(ctx, n.Tenant, e.ID, 2, 8); err != nil || again.Status != inbox.Thread {
				t.Fatalf("second process: %s, %v", again.Status, err)
			}
			if dup, err := n.svc.Receive(ctx, n.Admin, raw, mail.SourceRef{Kind: mail.SourceUpload}); err != nil || dup.Status != inbox.Duplicate {
				t.Fatalf("second arrival: %s, %v", dup.Status, err)
			}
			if got := n.RunPlanJobs(t); got != 0 {
				t.Errorf("%d more plan jobs", got)
			}
			res, err := n.Queue.Client.JobList(ctx, river.NewJobListParams().Kinds("notify.plan").First(1000))
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range res.Jobs {
				var a notify.PlanJob
				if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
					t.Fatal(err)
				}
				if added, err := n.Notify.PlanEvent(ctx, a.TenantID, a.Event, a.Snapshot); err != nil || added != 0 {
					t.Errorf("re-running plan %s: %d added, %v", a.Event.Key(), added, err)
				}
			}
			if got := n.DeliverQueued(t, false); len(got) != 0 {
				t.Errorf("%d deliveries queued again", len(got))
			}
			if diff := cmp.Diff(want, n.sent(notify.KindThreadUpdate)); diff != "" {
				t.Errorf("thread update messages (-want +got):\n%s", diff)
			}
		})

		t.Run("a commit that fails enqueues nothing; its retry notifies once", func(t *testing.T) {
			hook := n.svc.Consequences.ThreadUpdate
			n.svc.Consequences.ThreadUpdate = func(em inbox.Email, reply string) []jobargs.Args { return append(hook(em, reply), brokenJob{}) }
			e2, err := n.svc.Receive(ctx, n.Admin, reply(tk.Key(), "reply-2"), mail.SourceRef{Kind: mail.SourceUpload})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := n.svc.Process(ctx, n.Tenant, e2.ID, 1, 8); err == nil {
				t.Fatal("the failing commit reported success")
			}
			if got := n.RunPlanJobs(t); got != 0 {
				t.Fatalf("%d plan jobs after the failed commit", got)
			}
			n.svc.Consequences.ThreadUpdate = hook
			if got, err := n.svc.Process(ctx, n.Tenant, e2.ID, 2, 8); err != nil || got.Status != inbox.Thread {
				t.Fatalf("retry = %s, %v", got.Status, err)
			}
			if got := n.RunPlanJobs(t); got != 1 {
				t.Fatalf("%d plan jobs after the retry, want 1", got)
			}
			n.DeliverQueued(t, false)
			if got := len(n.sent(notify.KindThreadUpdate)); got != 2*len(want) {
				t.Errorf("%d thread update messages after two replies, want %d", got, 2*len(want))
			}
		})

		t.Run("informational and unknown mail notifies no owner", func(t *testing.T) {
			before := len(n.Log(t))
			for name, status := range map[string]inbox.Status{"11_mastercard_webinar.eml": inbox.Informational,
				"10_unknown_logistics.eml": inbox.Unknown} {
				if got := n.receive(t, demo(t, name)); got.Status != status || got.TicketID != "" {
					t.Fatalf("%s = %s, ticket %q; want %s", name, got.Status, got.TicketID, status)
				}
			}
			n.RunPlanJobs(t)
			var got []string
			for _, le := range n.Log(t)[before:] {
				got = append(got, string(le.Kind)+" "+string(le.Channel)+" "+le.Target)
			}
			slices.Sort(got)
			// Only the unknown sender's alert, to the triage channel and the admins.
			if diff := cmp.Diff([]string{"unknown_vendor email " + dispatchtest.AdminEmail,
				"unknown_vendor slack_channel " + dispatchtest.Triage}, got); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
		})
	})
}

// TestImpersonationAlertsAdmins: mail from a domain imitating a vendor's
// opens no ticket in the vendor's name even though it reads like the
// vendor's notice; it waits in the triage queue flagged, and the admins are
// alerted with why.
func TestImpersonationAlertsAdmins(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		n := newNotified(t, db)
		raw := []byte("From: Mastercard Security <security@mastercard-alerts.com>\r\nTo: changes@acme.test\r\n" +
			"Subject: Mastercard: mandatory API credential rotation by 2027-04-01\r\nMessage-ID: <spoof-1@mastercard-alerts.com>\r\n\r\n" +
			"Mastercard will revoke all API credentials on April 1, 2027. This is a breaking change: sign in at " +
			"https://mastercard-alerts.com/rotate to keep your Mastercard Developers integration working.\r\n")
		e := n.receive(t, raw)
		if e.Status != inbox.Unknown || e.TicketID != "" {
			t.Fatalf("look-alike sender = %s, ticket %q; want unknown, no ticket", e.Status, e.TicketID)
		}
		if imp := e.Impersonation(); !strings.Contains(imp, "Mastercard") || !strings.Contains(imp, "mastercard.com") ||
			!strings.Contains(e.Reason(), "possible impersonation") {
			t.Errorf("impersonation %q, reason %q", imp, e.Reason())
		}
		n.RunPlanJobs(t)
		n.DeliverQueued(t, false)
		var admin bool
		for _, m := range n.SMTP.Messages() {
			if slices.Contains(m.To, dispatchtest.AdminEmail) && bytes.Contains(m.Data, []byte("Possible impersonation of a vendor")) {
				admin = true
			}
		}
		if !admin {
			t.Error("no admin heard of the impersonation")
		}

		// The vendor's own domain, disowned by its DMARC policy at our
		// receiving server, is treated the same way.
		spoof := []byte("Authentication-Results: mx.acme.test; spf=fail smtp.mailfrom=mastercard.com;\r\n" +
			" dmarc=fail (p=REJECT) header.from=mastercard.com\r\n" +
			"From: Mastercard <security@mastercard.com>\r\nTo: changes@acme.test\r\n" +
			"Subject: Mastercard: rotate your keys\r\nMessage-ID: <spoof-2@mastercard.com>\r\n\r\n" +
			"Mastercard will revoke all API credentials on April 1, 2027.\r\n")
		e = n.receive(t, spoof)
		if e.Status != inbox.Unknown || !strings.Contains(e.Impersonation(), "DMARC check at mx.acme.test") || len(e.AuthResults) != 2 {
			t.Errorf("DMARC failure = %s, impersonation %q, auth results %+v", e.Status, e.Impersonation(), e.AuthResults)
		}
	})
}

// TestLowConfidenceWaitsForAPerson: a decision whose vendor rests on
// mentions with another vendor (the fixture's Visa) named nearly as often
// opens no ticket; it
// waits in the triage queue saying why. With the threshold at 0 the same
// email opens a ticket.
func TestLowConfidenceWaitsForAPerson(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		n := newNotified(t, db)
		raw := func(id string) []byte {
			return []byte("From: Card News <editor@cardnews.example>\r\nTo: changes@acme.test\r\n" +
				"Subject: Mastercard tokenization deadline, Visa to follow\r\nMessage-ID: <" + id + "@cardnews.example>\r\n\r\n" +
				"Mastercard will require token authentication for all card-on-file payments from June 1, 2027; " +
				"Visa is expected to follow. Mastercard merchants must act.\r\n")
		}
		e := n.receive(t, raw("low-1"))
		if e.Status != inbox.Failed || e.TicketID != "" || !strings.Contains(e.Error, "needs human triage: confidence 45%") ||
			!strings.Contains(e.Error, "another vendor is mentioned nearly as often") {
			t.Fatalf("low confidence = %s, ticket %q, error %q", e.Status, e.TicketID, e.Error)
		}
		zero := 0
		if _, err := n.Settings.Update(ctx, n.Admin, setting.Patch{MinConfidencePercent: &zero}); err != nil {
			t.Fatal(err)
		}
		if e := n.receive(t, raw("low-2")); e.Status != inbox.Triaged || e.TicketID == "" {
			t.Errorf("threshold 0 = %s, error %q", e.Status, e.Error)
		}
	})
}

// TestNoticeInAPDF: an email whose change notice is only in a PDF
// attachment is triaged from the PDF's text: a ticket with the date the
// PDF gives.
func TestNoticeInAPDF(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		n := newNotified(t, db)
		pdf := mailtest.PDF([]string{"Mastercard Developers - Change Notice", "The Authorization API v1 will be retired on June 30, 2027.",
			"Requests to v1 will be rejected after that date. Migrate to Authorization API v2."})
		raw := "From: Mastercard Developers <developers@mastercard.com>\r\nTo: changes@acme.test\r\nSubject: Change notice\r\n" +
			"Message-ID: <pdf-notice@mastercard.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nPlease find our notice attached.\r\n" +
			"--b\r\nContent-Type: application/pdf; name=notice.pdf\r\nContent-Disposition: attachment; filename=notice.pdf\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(pdf) + "\r\n--b--\r\n"
		e := n.receive(t, []byte(raw))
		if e.Status != inbox.Triaged || e.TicketID == "" {
			t.Fatalf("PDF notice = %s, error %q", e.Status, e.Error)
		}
		tk, err := db.TicketByID(context.Background(), n.Tenant, e.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.EffectiveDate != "2027-06-30" {
			t.Errorf("effective date %q, want 2027-06-30 from the PDF", tk.EffectiveDate)
		}
		stored, err := db.Email(context.Background(), n.Tenant, e.ID)
		if err != nil || len(stored.Attachments) != 1 || !strings.Contains(stored.Attachments[0].Text, "will be retired on June 30, 2027") {
			t.Errorf("stored attachment text: %+v %v", stored.Attachments, err)
		}
	})
}
