package ingestdemo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// SubscriptionName is the demo subscription's description, by which a
// restart finds it again.
const SubscriptionName = "Demo warehouse system (built-in receiver, in memory)"

// busyFor is the Retry-After the receiver answers its first delivery
// with, so the demo's delivery log shows one failed attempt retried.
const busyFor = 20 * time.Second

// Receiver is the demo's subscriber: a warehouse system's webhook
// endpoint on 127.0.0.1, built into this process, that checks every
// delivery's Standard Webhooks signature as a real receiver would. It
// answers its first signed delivery 503 with a Retry-After, as a busy
// system does, and takes every one after it; it keeps only counts.
type Receiver struct {
	// URL is where it takes deliveries.
	URL  string
	addr string
	srv  *http.Server

	mu       sync.Mutex
	secrets  []string
	busy     bool // the first delivery was answered 503
	received map[string]bool
	refused  int
}

// listen listens on addr (where the last run listened, when that port is
// still free) or any free loopback port.
func listen(addr string) (*Receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, fmt.Errorf("ingestdemo: receiver: %w", err)
	}
	r := &Receiver{URL: "http://" + ln.Addr().String() + "/webhooks/vendorsync", addr: ln.Addr().String(), received: map[string]bool{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// Serve ends with Close; any other end leaves deliveries failing,
		// which the delivery log shows.
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// Addr is the receiver's host:port.
func (r *Receiver) Addr() string { return r.addr }

// Close stops the receiver.
func (r *Receiver) Close() error { return r.srv.Close() }

// Counts are the distinct deliveries (webhook-ids) the receiver took and
// the requests it refused for their signature.
func (r *Receiver) Counts() (received, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.received), r.refused
}

// ServeHTTP takes one delivery.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST deliveries here", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "the body is too large", http.StatusRequestEntityTooLarge)
		return
	}
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := stdwebhook.Verify(r.secrets, id, req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body, time.Now()); err != nil {
		r.refused++
		http.Error(w, "signature check failed: "+err.Error(), http.StatusUnauthorized)
		return
	}
	if !r.busy && !strings.HasPrefix(id, "test_") { // a test send is answered at once
		r.busy = true
		w.Header().Set("Retry-After", strconv.Itoa(int(busyFor.Seconds())))
		http.Error(w, "the warehouse system is busy; try again shortly", http.StatusServiceUnavailable)
		return
	}
	r.received[id] = true
	w.WriteHeader(http.StatusNoContent)
}

// Subscribe starts the receiver and points the tenant's demo
// subscription (every event type, every vendor) at it, letting its exact
// address through s's outbound policy (Service.AllowReceiver). On the
// first run it creates the subscription; on a later one (found by its
// description) the receiver listens where it did when it can, and the
// subscription is moved to its address and its secret rotated, since a
// secret is shown only once and the receiver keeps it in memory. A
// subscription someone switched off stays off. Close stops the receiver.
func Subscribe(ctx context.Context, s *ingest.Service, p auth.Principal) (*Receiver, bool, error) {
	subs, err := s.Subscriptions(ctx, p)
	if err != nil {
		return nil, false, fmt.Errorf("ingestdemo: subscribe: %w", err)
	}
	var old *ingest.Subscription
	addr := "127.0.0.1:0"
	for i, sub := range subs {
		if sub.Description == SubscriptionName {
			old = &subs[i]
			if u, err := url.Parse(sub.URL); err == nil && u.Hostname() == "127.0.0.1" {
				addr = u.Host
			}
		}
	}
	r, err := listen(addr)
	if err != nil {
		return nil, false, err
	}
	s.AllowReceiver(r.Addr())
	secret, err := r.subscribe(ctx, s, p, old)
	if err != nil {
		_ = r.Close() // not serving anyone yet
		return nil, false, fmt.Errorf("ingestdemo: subscribe: %w", err)
	}
	r.mu.Lock()
	r.secrets = []string{secret}
	r.mu.Unlock()
	return r, old == nil, nil
}

// subscribe creates the demo subscription, or moves old to r, and returns
// its new secret.
func (r *Receiver) subscribe(ctx context.Context, s *ingest.Service, p auth.Principal, old *ingest.Subscription) (string, error) {
	if old == nil {
		_, secret, err := s.CreateSubscription(ctx, p, ingest.SubscriptionInput{URL: r.URL, Description: SubscriptionName})
		return secret, err
	}
	if _, err := s.UpdateSubscription(ctx, p, old.ID, ingest.SubscriptionInput{URL: r.URL, Description: old.Description,
		EventTypes: old.EventTypes, VendorID: old.VendorID, Enabled: &old.Enabled}); err != nil {
		return "", err
	}
	_, secret, err := s.RotateSecret(ctx, p, old.ID)
	return secret, err
}
