package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// WebhookConfig is how deliveries to subscriptions go out.
type WebhookConfig struct {
	// AllowPrivate lets subscriptions target loopback and private
	// addresses (the operator's --webhook-allow-private); link-local and
	// cloud metadata addresses are refused whatever it says.
	AllowPrivate bool
	// Telemetry receives the deliveries' outbound metrics and logs.
	Telemetry httpx.Telemetry
	// AttemptTimeout bounds one attempt (default 15 s).
	AttemptTimeout time.Duration
}

// AllowReceiver lets subscriptions reach exactly addr ("127.0.0.1:PORT",
// an IP literal and a port) even when loopback and private addresses are
// refused: a receiver built into this process, such as the demo's. Any
// other address still follows the policy.
func (s *Service) AllowReceiver(addr string) { s.receivers.Store(addr, true) }

// receiver reports whether hostport is an address AllowReceiver let
// through.
func (s *Service) receiver(hostport string) bool {
	_, ok := s.receivers.Load(hostport)
	return ok
}

// targetTransport is the outbound policy's transport, letting through the
// receivers' exact addresses as dialled.
func (s *Service) targetTransport() *http.Transport {
	t := httpx.TargetTransport(s.Webhooks.AllowPrivate)
	if s.Webhooks.AllowPrivate {
		return t
	}
	checked := t.DialContext
	direct := (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if s.receiver(addr) {
			return direct(ctx, network, addr)
		}
		return checked(ctx, network, addr)
	}
	return t
}

// Sending limits.
const (
	deliverBatch    = 100             // deliveries claimed at once
	deliverParallel = 8               // deliveries sent at once by one worker
	claimLease      = 2 * time.Minute // past any attempt's timeout
	maxResponseLog  = 1024            // bytes of a response body kept in the log
	defaultTimeout  = 15 * time.Second
	userAgent       = "VendorSync-Webhooks/1"
)

// clients keeps one HTTP client per subscription, so pacing and metrics
// see all of an endpoint's traffic.
type clients struct {
	mu sync.Mutex
	m  map[string]*http.Client
}

func (s *Service) client(subID string) *http.Client {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if c, ok := s.hooks.m[subID]; ok {
		return c
	}
	if s.hooks.m == nil {
		s.hooks.m = map[string]*http.Client{}
	}
	cfg := s.Webhooks
	timeout := cfg.AttemptTimeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	// No retries inside the call (the delivery schedule is the retry) and
	// no breaker (each delivery backs off on its own schedule).
	c := httpx.NewClient("ingest_subscription", httpx.Policy{AttemptTimeout: timeout, MaxRetries: -1, BreakerFailures: math.MaxUint32},
		httpx.WithBase(&http.Client{Transport: s.targetTransport()}), httpx.WithoutRedirects(),
		httpx.WithTelemetry(cfg.Telemetry))
	s.hooks.m[subID] = c
	return c
}

func (s *Service) forgetClient(subID string) {
	s.hooks.mu.Lock()
	delete(s.hooks.m, subID)
	s.hooks.mu.Unlock()
}

// sendResult is what one POST came to.
type sendResult struct {
	status     int
	latency    time.Duration
	err        string
	response   string
	retryAfter time.Duration
}

// send POSTs body to the subscription's endpoint signed with every secret
// (one "v1," signature each, space-separated), timestamped at.
func (s *Service) send(ctx context.Context, sub Subscription, msgID string, body []byte, secrets []string, at time.Time) sendResult {
	var sigs []byte
	for _, sec := range secrets {
		sig, err := stdwebhook.Sign(sec, msgID, at.Unix(), body)
		if err != nil {
			return sendResult{err: "signing: " + err.Error()}
		}
		if len(sigs) > 0 {
			sigs = append(sigs, ' ')
		}
		sigs = append(sigs, sig...)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return sendResult{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("webhook-id", msgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", string(sigs))
	start := time.Now()
	resp, err := s.client(sub.ID).Do(req)
	res := sendResult{latency: time.Since(start)}
	if err != nil {
		res.err = err.Error()
		if errors.Is(err, httpx.ErrAddressNotAllowed) {
			res.err = "the address is not allowed by the outbound policy: " + err.Error()
		}
		return res
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseLog)) // a short read only shortens the log
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // drain a little so the connection is reused
	res.latency = time.Since(start)
	res.status = resp.StatusCode
	res.response = validUTF8(b)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := httpx.RetryAfter(resp.Header, s.now()); ok {
			res.retryAfter = d
		}
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.err = fmt.Sprintf("redirect to %q not followed", resp.Header.Get("Location"))
	default:
		res.err = resp.Status
	}
	return res
}

func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// Deliver sends the tenant's due deliveries until none is due, and returns
// how many attempts it made.
func (s *Service) Deliver(ctx context.Context, tenantID string) (int, error) {
	n := 0
	for {
		now := s.now()
		work, err := s.Store.ClaimDeliveries(ctx, tenantID, now, now.Add(claimLease), deliverBatch)
		if err != nil {
			return n, fmt.Errorf("ingest.Deliver %s: %w", tenantID, err)
		}
		if len(work) == 0 {
			return n, nil
		}
		secrets := map[string][]string{}
		for _, w := range work {
			if _, ok := secrets[w.SubscriptionID]; ok {
				continue
			}
			v, err := s.Store.SubscriptionSecretValues(ctx, w.Subscription, now)
			if err != nil {
				return n, fmt.Errorf("ingest.Deliver %s: %w", tenantID, err)
			}
			secrets[w.SubscriptionID] = v
		}
		errs := make([]error, len(work))
		sem := make(chan struct{}, deliverParallel)
		var wg sync.WaitGroup
		for i, w := range work {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				errs[i] = s.deliverOne(ctx, w, secrets[w.SubscriptionID])
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return n, err
		}
		n += len(work)
	}
}

// deliverOne makes one attempt at a claimed delivery and records it.
func (s *Service) deliverOne(ctx context.Context, w DeliveryWork, secrets []string) error {
	if w.Body == nil {
		return s.Store.MarkSuperseded(ctx, w.TenantID, w.ID, s.now())
	}
	at := s.now()
	res := s.send(ctx, w.Subscription, w.MessageID, w.Body, secrets, at)
	rec := AttemptRecord{Attempt: Attempt{ID: ident.New(), DeliveryID: w.ID, Attempt: w.Attempts + 1, AttemptedAt: at,
		StatusCode: res.status, LatencyMS: res.latency.Milliseconds(), Error: res.err, Response: res.response}}
	switch {
	case res.status >= 200 && res.status < 300:
		rec.Status = DeliveryDelivered
	case res.status == http.StatusGone:
		rec.Status = DeliveryFailed
		rec.DisableReason = fmt.Sprintf("the endpoint answered 410 Gone at %s", at.Format(time.RFC3339))
		ev := goneEvent(w.Subscription, rec.DisableReason)
		rec.Disable, rec.SubscriptionID = &ev, w.SubscriptionID
		if s.Consequences.Disabled != nil {
			rec.DisableJobs = s.Consequences.Disabled(Disabled{Subscription: w.Subscription, DeliveryID: w.ID,
				AttemptID: rec.Attempt.ID, Reason: rec.DisableReason})
		}
	case rec.Attempt.Attempt >= MaxDeliveryAttempts:
		rec.Status = DeliveryDead
	default:
		rec.Status = DeliveryPending
		next := nextAttempt(at, rec.Attempt.Attempt, res.retryAfter)
		rec.NextAttemptAt = &next
	}
	log := s.log().With("ingestId", w.IngestID, "vendorId", w.VendorKey, "externalEventId", w.ExternalEventID, "subscriptionId", w.SubscriptionID,
		"webhookId", w.MessageID, "attempt", rec.Attempt.Attempt, "status", res.status)
	switch rec.Status {
	case DeliveryDelivered:
	case DeliveryFailed:
		log.WarnContext(ctx, "ingest subscription disabled: its endpoint answered 410 Gone")
		s.forgetClient(w.SubscriptionID)
	case DeliveryDead:
		log.WarnContext(ctx, "ingest delivery dead after its last attempt", "err", res.err)
	default:
		log.InfoContext(ctx, "ingest delivery failed; retrying", "err", res.err, "next", rec.NextAttemptAt)
	}
	if err := s.Store.RecordAttempt(ctx, w.TenantID, rec); err != nil {
		return fmt.Errorf("ingest delivery %s: %w", w.ID, err)
	}
	return nil
}

// DeliverAll sends every tenant's due deliveries (the periodic sweep that
// takes retries when they come due).
func (s *Service) DeliverAll(ctx context.Context) (int, error) {
	ts, err := s.Store.TenantsWithDueDeliveries(ctx, s.now())
	if err != nil {
		return 0, fmt.Errorf("ingest.DeliverAll: %w", err)
	}
	n := 0
	for _, t := range ts {
		k, err := s.Deliver(ctx, t)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
