package link

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/tracker"
)

// DeliveryStatus is where a recorded webhook delivery stands.
type DeliveryStatus string

// A delivery is verified when recorded (its job enqueued), then processed
// or failed by the job. Duplicates are counted on the delivery they repeat;
// rejected deliveries are never stored, only counted.
const (
	DeliveryVerified  DeliveryStatus = "verified"
	DeliveryProcessed DeliveryStatus = "processed"
	DeliveryFailed    DeliveryStatus = "failed"
)

// WebhookDelivery is one webhook delivery that passed its signature check,
// recorded once per delivery id.
type WebhookDelivery struct {
	ID           string `json:"id"`
	TenantID     string `json:"-"`
	ConnectionID string `json:"connection_id"`
	// DeliveryID is the tracker's id of the delivery, the same on every
	// redelivery.
	DeliveryID string         `json:"delivery_id"`
	Event      string         `json:"event"`
	Body       []byte         `json:"-"`
	Status     DeliveryStatus `json:"status" enum:"verified,processed,failed"`
	// Duplicates counts the redeliveries answered without new work.
	Duplicates  int        `json:"duplicates"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	IssueKey    string     `json:"issue_key,omitempty" doc:"The linked issue the delivery was about, once processed."`
	ReceivedAt  time.Time  `json:"received_at"`
	ProcessedAt *time.Time `json:"processed_at,omitempty"`
}

// HookTarget is what a webhook delivery to a connection is checked
// against: the connection and its webhook secret (nil when none was made).
type HookTarget struct {
	Conn   Connection
	Secret []byte
}

// HookStore is what webhooks need from storage.
type HookStore interface {
	// TrackerHookTarget returns a connection by id alone (the delivery
	// names no tenant) with its decrypted webhook secret;
	// apperr.NotFound when there is no such connection.
	TrackerHookTarget(ctx context.Context, connectionID string) (HookTarget, error)
	// RecordTrackerDeliveries stores, in one transaction, each of ds
	// unless a delivery with its connection and delivery id exists (then
	// it counts a duplicate on that one) and the jobs returns for the new
	// ones, in their order; it reports which of ds were new. Of two of ds
	// with one delivery id, the first is new.
	RecordTrackerDeliveries(ctx context.Context, ds []WebhookDelivery, jobs func(fresh []WebhookDelivery) []jobargs.Args) ([]bool, error)
	TrackerDelivery(ctx context.Context, tenantID, id string) (WebhookDelivery, error)
	// TrackerDeliveries lists a connection's latest deliveries, newest
	// first.
	TrackerDeliveries(ctx context.Context, tenantID, connectionID string, limit int) ([]WebhookDelivery, error)
	// FinishTrackerDelivery records a processing attempt's outcome.
	FinishTrackerDelivery(ctx context.Context, tenantID, id string, status DeliveryStatus, issueKey, lastError string, at time.Time) error
	// RedeliverTrackerDelivery puts a delivery back to verified and
	// enqueues job, with ev, in one transaction.
	RedeliverTrackerDelivery(ctx context.Context, tenantID, id string, ev audit.Event, job jobargs.Args) error
	// SetTrackerWebhookSecret stores a connection's new webhook secret
	// (encrypted) with ev.
	SetTrackerWebhookSecret(ctx context.Context, tenantID, connectionID string, secret []byte, ev audit.Event) error
}

// WebhookSecretName is the name of the secret that holds the webhook
// secret of the connection with id.
func WebhookSecretName(id string) string { return "tracker." + id + ".webhook" }

// Receipt is the answer to an accepted delivery.
type Receipt struct {
	// Duplicate is true when the delivery id was recorded before: nothing
	// was enqueued.
	Duplicate bool
	Delivery  WebhookDelivery
}

// rejections counts rejected deliveries per connection since the server
// started: a rejected delivery is never stored, so a flood of forged ones
// costs no writes.
type rejections struct {
	mu sync.Mutex
	by map[string]*atomic.Int64
}

func (r *rejections) counter(id string) *atomic.Int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[string]*atomic.Int64{}
	}
	c, ok := r.by[id]
	if !ok {
		c = new(atomic.Int64)
		r.by[id] = c
	}
	return c
}

// Rejected counts the deliveries to a connection rejected since the server
// started (bad or missing signature).
func (s *Service) Rejected(connectionID string) int64 {
	return s.rejected.counter(connectionID).Load()
}

// ReceiveWebhook checks one delivery to the connection with id on its raw
// bytes and records it once. An unknown connection is NotFound; a kind
// without webhooks, or a delivery without its id, Invalid; a connection
// without a webhook secret, or a signature that does not verify,
// Unauthorized (and only counted). The body must already be bounded by
// tracker.MaxWebhookBody.
func (s *Service) ReceiveWebhook(ctx context.Context, connectionID string, h http.Header, body []byte) (Receipt, error) {
	if s.Hooks == nil {
		return Receipt{}, apperr.E(apperr.Unavailable, "tracker webhooks are not set up on this server")
	}
	if len(body) > tracker.MaxWebhookBody {
		return Receipt{}, apperr.E(apperr.TooLarge, "the body is larger than %d bytes", tracker.MaxWebhookBody)
	}
	t, err := s.hookTarget(ctx, connectionID)
	if err != nil {
		return Receipt{}, fmt.Errorf("webhook for connection %s: %w", connectionID, err)
	}
	f, ok := s.Providers.Lookup(t.Conn.Kind)
	if !ok || f.Webhook == nil {
		return Receipt{}, apperr.E(apperr.Invalid, "this connection's tracker does not deliver webhooks here")
	}
	if err := f.Webhook.Verify(h, body, t.Secret); err != nil {
		s.rejected.counter(connectionID).Add(1)
		return Receipt{}, apperr.E(apperr.Unauthorized, "%s", tracker.ErrSignature.Error())
	}
	d := WebhookDelivery{ID: ident.New(), TenantID: t.Conn.TenantID, ConnectionID: t.Conn.ID,
		DeliveryID: f.Webhook.DeliveryID(h, body), Event: f.Webhook.Event(h, body), Body: body, Status: DeliveryVerified,
		ReceivedAt: s.now()}
	if d.DeliveryID == "" || len(d.DeliveryID) > 200 {
		return Receipt{}, apperr.E(apperr.Invalid, "the delivery carries no delivery id")
	}
	if len(d.Event) > 200 {
		d.Event = d.Event[:200]
	}
	// Deliveries arriving together are committed together: the answer
	// waits for that commit, so it still means recorded.
	fresh, err := s.deliveries.Do(ctx, d, len(d.Body)+deliveryOverhead, deliveryGroupBytes, s.recordDeliveries)
	if err != nil {
		return Receipt{}, fmt.Errorf("record webhook delivery %s: %w", d.DeliveryID, err)
	}
	return Receipt{Duplicate: !fresh, Delivery: d}, nil
}

// hookRead is one delivery's read of its connection and webhook secret.
type hookRead struct {
	target HookTarget
	err    error
}

// hookTargetGroup is the most deliveries one shared read serves.
const hookTargetGroup = 1024

// hookTarget reads a connection and its webhook secret for a delivery.
// Deliveries that arrive while a read runs share the next one, one query
// per connection they name: a read that began before a delivery arrived
// never answers it, so a rotated secret stops verifying at once, as when
// each delivery reads its own.
func (s *Service) hookTarget(ctx context.Context, connectionID string) (HookTarget, error) {
	r, err := s.hookTargets.Do(ctx, connectionID, 1, hookTargetGroup, s.readHookTargets)
	if err != nil {
		return HookTarget{}, err
	}
	return r.target, r.err
}

// readHookTargets reads each connection named in ids once, and answers
// every delivery with its connection's read.
func (s *Service) readHookTargets(ctx context.Context, ids []string) ([]hookRead, error) {
	read := make(map[string]hookRead, 1)
	out := make([]hookRead, len(ids))
	for i, id := range ids {
		r, ok := read[id]
		if !ok {
			r.target, r.err = s.Hooks.TrackerHookTarget(ctx, id)
			read[id] = r
		}
		out[i] = r
	}
	return out, nil
}

// deliveryGroupBytes bounds the bodies one shared commit of deliveries
// carries, each counted with deliveryOverhead for the rest of its row.
const (
	deliveryGroupBytes = 8 << 20
	deliveryOverhead   = 1 << 10
)

// recordDeliveries records deliveries that arrived together in one
// transaction, with one processing job per tenant for the new ones.
func (s *Service) recordDeliveries(ctx context.Context, ds []WebhookDelivery) ([]bool, error) {
	return s.Hooks.RecordTrackerDeliveries(ctx, ds, deliveryJobs)
}

// deliveryJobs are the jobs of new deliveries: one per tenant, which
// processes its deliveries in the order they arrived.
func deliveryJobs(fresh []WebhookDelivery) []jobargs.Args {
	var jobs []jobargs.Args
	at := map[string]int{}
	var byTenant []jobargs.TrackerWebhook
	for _, d := range fresh {
		i, ok := at[d.TenantID]
		if !ok {
			i = len(byTenant)
			at[d.TenantID] = i
			byTenant = append(byTenant, jobargs.TrackerWebhook{Tenant: jobargs.For(d.TenantID)})
		}
		byTenant[i].DeliveryIDs = append(byTenant[i].DeliveryIDs, d.ID)
	}
	for _, j := range byTenant {
		jobs = append(jobs, j)
	}
	return jobs
}

// ProcessDeliveries is the job of deliveries recorded together: each is
// processed in order as ProcessDelivery does, except one already
// processed, so a job retried after one of its deliveries failed does not
// apply the others twice. It returns each delivery's failure.
func (s *Service) ProcessDeliveries(ctx context.Context, tenantID string, ids []string) []error {
	var errs []error
	for _, id := range ids {
		if err := s.processDelivery(ctx, tenantID, id, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// ProcessDelivery is the job of a recorded delivery: the issue it is about
// is read from it and, when a ticket links it, its state is written and
// drives the ticket as a status sync does. A delivery about anything else
// (a pull request, an issue no ticket links) is processed with nothing to
// do.
func (s *Service) ProcessDelivery(ctx context.Context, tenantID, id string) error {
	return s.processDelivery(ctx, tenantID, id, false)
}

// processDelivery processes one delivery unless once is set and it was
// processed before.
func (s *Service) processDelivery(ctx context.Context, tenantID, id string, once bool) error {
	d, err := s.Hooks.TrackerDelivery(ctx, tenantID, id)
	if err != nil {
		return fmt.Errorf("link.ProcessDelivery %s: %w", id, err)
	}
	if once && d.Status == DeliveryProcessed {
		return nil
	}
	key, perr := s.process(ctx, d)
	status, msg := DeliveryProcessed, ""
	if perr != nil {
		status, msg = DeliveryFailed, oneLine(apperr.MessageOf(perr))
		if msg == "" {
			msg = oneLine(perr.Error())
		}
	}
	if err := s.Hooks.FinishTrackerDelivery(ctx, tenantID, id, status, key, msg, s.now()); err != nil {
		return errors.Join(perr, fmt.Errorf("link.ProcessDelivery %s: %w", id, err))
	}
	if perr != nil {
		return fmt.Errorf("link.ProcessDelivery %s: %w", id, perr)
	}
	return nil
}

// process applies one delivery and returns the linked issue's key.
func (s *Service) process(ctx context.Context, d WebhookDelivery) (string, error) {
	c, f, err := s.connection(ctx, d.TenantID, d.ConnectionID)
	if err != nil {
		return "", err
	}
	if f.Webhook == nil {
		return "", apperr.E(apperr.Invalid, "the %s connection does not take webhooks", f.Name)
	}
	iss, ok, err := f.Webhook.Parse(d.Event, d.Body)
	if err != nil {
		return "", apperr.E(apperr.Invalid, "%s", err.Error())
	}
	if !ok {
		return "", nil
	}
	return s.applyIssueFrom(ctx, d.TenantID, c, f, iss, d.DeliveryID)
}

// applyIssue writes what a tracker told about one issue of connection c
// (a webhook delivery or a poll) into its link's mirror and, when it is
// newer than the mirror, lets it drive the ticket as a status sync does.
// An issue no ticket links is nothing to do. It returns the linked
// issue's key.
func (s *Service) applyIssue(ctx context.Context, tenantID string, c Connection, f tracker.Factory, iss tracker.Issue) (string, error) {
	return s.applyIssueFrom(ctx, tenantID, c, f, iss, SourcePoll)
}

// applyIssueFrom is applyIssue of a state that came from source: a
// webhook delivery's id, or SourcePoll.
func (s *Service) applyIssueFrom(ctx context.Context, tenantID string, c Connection, f tracker.Factory, iss tracker.Issue, source string) (string, error) {
	l, err := s.Store.TrackerLinkByIssue(ctx, tenantID, iss.Key)
	if apperr.Is(err, apperr.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if l.ConnectionID != "" && l.ConnectionID != c.ID {
		// The same key in another tracker of the tenant: not this issue.
		return "", nil
	}
	settings, err := s.syncSettings(ctx, tenantID, c.ID)
	if err != nil {
		return iss.Key, err
	}
	iss = settings.progress(f, iss)
	fresh, err := s.applyInbound(ctx, l, c, settings, iss, source)
	if err != nil {
		return iss.Key, err
	}
	if !fresh {
		// An older delivery arriving after a newer one must not roll the
		// issue's state back; a deleted issue no longer drives its ticket.
		return iss.Key, nil
	}
	items, err := s.Store.TrackerSyncItems(ctx, tenantID, l.TicketID)
	if err != nil {
		return iss.Key, err
	}
	var mine []SyncItem
	for _, it := range items {
		if it.LinkID == l.ID {
			mine = append(mine, it)
		}
	}
	if len(mine) == 0 {
		// The ticket is closed: its issues no longer drive it.
		return iss.Key, nil
	}
	var res SyncResult
	if err := s.apply(ctx, tenantID, f.Name, mine, []tracker.Issue{iss}, &res); err != nil {
		return iss.Key, err
	}
	for i := range items {
		if items[i].LinkID == l.ID {
			items[i] = mine[0]
		}
	}
	return iss.Key, errors.Join(s.reevaluate(ctx, tenantID, items, &res)...)
}

// Deliveries lists a connection's latest deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, p auth.Principal, connectionID string, limit int) ([]WebhookDelivery, error) {
	if _, err := s.ConnectionByID(ctx, p, connectionID); err != nil {
		return nil, err
	}
	ds, err := s.Hooks.TrackerDeliveries(ctx, p.TenantID, connectionID, limit)
	if err != nil {
		return nil, fmt.Errorf("link.Deliveries %s: %w", connectionID, err)
	}
	return ds, nil
}

// Redeliver processes a recorded delivery again, as the job would.
func (s *Service) Redeliver(ctx context.Context, p auth.Principal, connectionID, id string) (WebhookDelivery, error) {
	if err := requireEdit(p); err != nil {
		return WebhookDelivery{}, err
	}
	d, err := s.Hooks.TrackerDelivery(ctx, p.TenantID, id)
	if err == nil && d.ConnectionID != connectionID {
		err = apperr.E(apperr.NotFound, "webhook delivery not found")
	}
	if err != nil {
		return WebhookDelivery{}, fmt.Errorf("link.Redeliver %s: %w", id, err)
	}
	ev := audit.Record(p, "tracker.webhook.redeliver", "tracker_webhook_delivery", d.ID,
		map[string]any{"status": d.Status}, map[string]any{"status": DeliveryVerified, "delivery_id": d.DeliveryID})
	job := jobargs.TrackerWebhook{Tenant: jobargs.For(p.TenantID), DeliveryID: d.ID}
	if err := s.Hooks.RedeliverTrackerDelivery(ctx, p.TenantID, d.ID, ev, job); err != nil {
		return WebhookDelivery{}, fmt.Errorf("link.Redeliver %s: %w", id, err)
	}
	d.Status = DeliveryVerified
	return d, nil
}

// NewWebhookSecret makes a connection's webhook secret anew and returns
// it: it is shown once, to paste into the tracker's webhook settings; the
// previous secret stops verifying at once.
func (s *Service) NewWebhookSecret(ctx context.Context, p auth.Principal, connectionID string) (string, error) {
	c, err := s.ConnectionByID(ctx, p, connectionID)
	if err != nil {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("link.NewWebhookSecret: %w", err)
	}
	secret := hex.EncodeToString(b)
	ev := audit.Record(p, "tracker.webhook.secret", "tracker_connection", c.ID, nil, map[string]any{"rotated": true})
	if err := s.Hooks.SetTrackerWebhookSecret(ctx, p.TenantID, c.ID, []byte(secret), ev); err != nil {
		return "", fmt.Errorf("link.NewWebhookSecret %s: %w", c.ID, err)
	}
	return secret, nil
}

// WebhookSecretSet says whether the connection has a webhook secret.
func (s *Service) WebhookSecretSet(ctx context.Context, p auth.Principal, connectionID string) (bool, error) {
	if _, err := s.ConnectionByID(ctx, p, connectionID); err != nil {
		return false, err
	}
	t, err := s.Hooks.TrackerHookTarget(ctx, connectionID)
	if err != nil {
		return false, fmt.Errorf("link.WebhookSecretSet %s: %w", connectionID, err)
	}
	return len(t.Secret) > 0, nil
}
