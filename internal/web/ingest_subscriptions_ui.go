package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// subscriptionsPage lists the subscriptions with the form for a new one.
type subscriptionsPage struct {
	Subscriptions []ingest.Subscription
	Vendors       []ingest.VendorSetup
	Types         []string
	Form          subscriptionForm
	// NewSecret is a secret just generated, shown once.
	NewSecret string
	NewID     string
}

// subscriptionForm is the form's values, as typed.
type subscriptionForm struct {
	URL, Description, EventTypes, VendorID string
	Enabled                                bool
}

func (f subscriptionForm) input() ingest.SubscriptionInput {
	enabled := f.Enabled
	in := ingest.SubscriptionInput{URL: f.URL, Description: f.Description, VendorID: f.VendorID, Enabled: &enabled}
	for _, t := range splitList(f.EventTypes) {
		if t = strings.TrimSpace(t); t != "" {
			in.EventTypes = append(in.EventTypes, t)
		}
	}
	return in
}

func readSubscriptionForm(r *http.Request) subscriptionForm {
	return subscriptionForm{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"),
		EventTypes: r.PostFormValue("event_types"), VendorID: r.PostFormValue("vendor_id"), Enabled: r.PostFormValue("enabled") != ""}
}

func (s *Server) uiSubscriptions(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderSubscriptions(w, r, p, http.StatusOK, subscriptionsPage{Form: subscriptionForm{Enabled: true}}, nil)
}

func (s *Server) renderSubscriptions(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data subscriptionsPage, formErr error) error {
	subs, err := s.Ingest.Subscriptions(r.Context(), p)
	if err != nil {
		return err
	}
	if data.Vendors, err = s.Ingest.Vendors(r.Context(), p); err != nil {
		return err
	}
	data.Subscriptions, data.Types = subs, ingest.CanonicalTypes()
	s.render(w, r, status, "ingest_subscriptions.html", viewWithErr(View{Title: "Subscriptions", Nav: "subscriptions", Data: data}, formErr))
	return nil
}

func (s *Server) uiCreateSubscription(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readSubscriptionForm(r)
	sub, secret, err := s.Ingest.CreateSubscription(r.Context(), p, f.input())
	if formFailure(err) {
		return s.renderSubscriptions(w, r, p, Status(err), subscriptionsPage{Form: f}, err)
	}
	if err != nil {
		return err
	}
	return s.renderSubscriptions(w, r, p, http.StatusOK, subscriptionsPage{Form: subscriptionForm{Enabled: true}, NewSecret: secret, NewID: sub.ID}, nil)
}

// subscriptionPage is one subscription: its settings and its delivery log.
type subscriptionPage struct {
	Sub        ingest.Subscription
	Form       subscriptionForm
	Vendors    []ingest.VendorSetup
	Types      []string
	Deliveries []ingest.EventDelivery
	Statuses   []ingest.DeliveryStatus
	Status     string
	Next       string
	NewSecret  string
	Test       *ingest.SubscriptionTestResult
}

func (s *Server) uiSubscription(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderSubscription(w, r, p, http.StatusOK, subscriptionPage{}, nil)
}

func (s *Server) renderSubscription(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, data subscriptionPage, formErr error) error {
	sub, err := s.Ingest.Subscription(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	data.Sub, data.Types = sub, ingest.CanonicalTypes()
	if data.Form == (subscriptionForm{}) {
		data.Form = subscriptionForm{URL: sub.URL, Description: sub.Description, EventTypes: strings.Join(sub.EventTypes, "\n"),
			VendorID: sub.VendorID, Enabled: sub.Enabled}
	}
	if data.Vendors, err = s.Ingest.Vendors(r.Context(), p); err != nil {
		return err
	}
	q := r.URL.Query()
	data.Statuses, data.Status = ingest.DeliveryStatuses, q.Get("status")
	ds, next, err := s.Ingest.Deliveries(r.Context(), p, ingest.DeliveryFilter{SubscriptionID: sub.ID,
		Status: ingest.DeliveryStatus(data.Status), Cursor: q.Get("cursor")})
	if err != nil && !formFailure(err) {
		return err
	}
	if err != nil && formErr == nil {
		formErr, status = err, Status(err)
	}
	data.Deliveries = ds
	if next != "" {
		data.Next = withCursor(r.URL, next)
	}
	s.render(w, r, status, "ingest_subscription.html", viewWithErr(View{Title: "Subscription · " + sub.URL, Nav: "subscriptions", Data: data}, formErr))
	return nil
}

func (s *Server) uiUpdateSubscription(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	f := readSubscriptionForm(r)
	_, err := s.Ingest.UpdateSubscription(r.Context(), p, r.PathValue("id"), f.input())
	if formFailure(err) {
		return s.renderSubscription(w, r, p, Status(err), subscriptionPage{Form: f}, err)
	}
	if err != nil {
		return err
	}
	s.flash(r, "Subscription saved.")
	redirect(w, r, "/ingest/subscriptions/"+r.PathValue("id"))
	return nil
}

func (s *Server) uiRotateSubscriptionSecret(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, secret, err := s.Ingest.RotateSecret(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderSubscription(w, r, p, http.StatusOK, subscriptionPage{NewSecret: secret}, nil)
}

func (s *Server) uiTestSubscription(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	res, err := s.Ingest.TestSend(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderSubscription(w, r, p, http.StatusOK, subscriptionPage{Test: &res}, nil)
}

// deliveryPage is one delivery with its attempts.
type deliveryPage struct {
	ingest.DeliveryWithAttempts
	Rows []attemptRow
}

// attemptRow is an attempt numbered across the whole log (N), with the
// series it belongs to: the first sending, or a redelivery, whose attempts
// are counted again from 1.
type attemptRow struct {
	ingest.Attempt
	N      int
	Series string
}

// attemptRows numbers a delivery's attempts, oldest first, across every
// series and names each attempt's series.
func attemptRows(log []ingest.Attempt) []attemptRow {
	rows := make([]attemptRow, len(log))
	redeliveries := 0
	for i, a := range log {
		if a.Attempt == 1 && i > 0 {
			redeliveries++
		}
		series := "first sending"
		if redeliveries > 0 {
			series = fmt.Sprintf("redelivery %d", redeliveries)
		}
		rows[i] = attemptRow{Attempt: a, N: i + 1, Series: fmt.Sprintf("%s, attempt %d", series, a.Attempt)}
	}
	return rows
}

func (s *Server) uiEventDelivery(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.Ingest.DeliveryDetail(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ingest_delivery.html", View{Title: "Delivery " + d.MessageID, Nav: "subscriptions",
		Data: deliveryPage{DeliveryWithAttempts: d, Rows: attemptRows(d.AttemptLog)}})
	return nil
}

func (s *Server) uiRedeliverEvent(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.Ingest.Redeliver(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.flash(r, fmt.Sprintf("Delivery %s queued again.", d.MessageID))
	redirect(w, r, "/ingest/deliveries/"+d.ID)
	return nil
}
