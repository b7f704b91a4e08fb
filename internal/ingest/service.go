package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/obs"
	"github.com/vendorsync/vendorsync/internal/stdwebhook"
)

// Consequences are the jobs accepted events cause; internal/app declares
// them in its table of consequences.
type Consequences struct {
	// Accepted returns the jobs of a transaction that stored new events of
	// a tenant (archiving their raw bytes).
	Accepted func(tenantID string) []jobargs.Args
	// Delivered returns the jobs of a transaction that queued deliveries
	// to a tenant's subscriptions (sending them).
	Delivered func(tenantID string) []jobargs.Args
	// Drifted returns the jobs of the transaction that opened a drift of
	// a vendor's payload (the admins hear of it).
	Drifted func(d Drift) []jobargs.Args
	// Disabled returns the jobs of the transaction that disabled a
	// subscription whose endpoint answered 410 Gone (the admins hear of
	// it).
	Disabled func(d Disabled) []jobargs.Args
	// Measured returns the jobs of a vendor's hourly measure of its data
	// (score signals: quarantine rate, drift, quality).
	Measured func(m Measure) []jobargs.Args
}

// Service holds the ingest rules. Safe for concurrent use.
type Service struct {
	Store Store
	// Auth issues ingest API keys.
	Auth  *auth.Service
	Blobs Blobs
	// Now is the clock; tests replace it.
	Now          func() time.Time
	Consequences Consequences
	Logger       *slog.Logger
	// Webhooks is how deliveries to subscriptions go out.
	Webhooks WebhookConfig
	// Metrics receives the pipeline's counters and latencies; nil drops
	// them.
	Metrics *obs.IngestMetrics
	// ReplayInline is the most events a replay asked for through the API
	// replays within the request (0: MaxReplayAPI); larger ones run in the
	// background. ReplayPage is how many events one page of a background
	// replay takes (0: 500).
	ReplayInline, ReplayPage int
	// AcceptsFirst is how long in a row the passes that normalize and
	// archive accepted events may wait for accepts under a burst (0:
	// DefaultAcceptsFirst; negative: they never wait). See pressure.
	AcceptsFirst time.Duration
	// Pressure says whether the bursts of accepts are shared with other
	// processes: told (a web process) or heeded (a worker). See pressure.
	Pressure PressureSharing

	// refused tallies refused requests until FlushRefusals.
	refused refusals
	// receivers are the addresses AllowReceiver let through.
	receivers sync.Map
	// measured is the hour each vendor ("tenant/vendor") was last
	// measured in by this process.
	measured sync.Map
	limits   limiters
	ids      idSource
	group    committer
	pressure pressure
	compiled compiled
	hooks    clients
	// normalizing and archiving are the tenants whose passes run here.
	normalizing, archiving runs
}

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Configure sets up (or changes) registry vendor vendorID for ingest.
func (s *Service) Configure(ctx context.Context, p auth.Principal, vendorID string, in VendorSettings) (VendorSetup, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return VendorSetup{}, err
	}
	reg, err := s.Store.Vendor(ctx, p.TenantID, vendorID)
	if err != nil {
		return VendorSetup{}, err
	}
	in.VendorKey = strings.TrimSpace(in.VendorKey)
	in, err = in.check()
	if err != nil {
		return VendorSetup{}, err
	}
	now := s.now()
	before, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID)
	var prev any
	switch {
	case err == nil:
		prev = before
	case apperr.Is(err, apperr.NotFound):
		before.CreatedAt = now
	default:
		return VendorSetup{}, err
	}
	v := VendorSetup{TenantID: p.TenantID, VendorID: reg.ID, VendorName: reg.Name, VendorKey: in.VendorKey,
		RatePerSecond: in.RatePerSecond, Burst: in.Burst, MaxPayloadBytes: in.MaxPayloadBytes,
		CreatedAt: before.CreatedAt, UpdatedAt: now}
	if err := s.Store.SaveIngestVendor(ctx, v, audit.Record(p, "ingest_vendor.save", "vendor", v.VendorID, prev, v)); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return VendorSetup{}, apperr.E(apperr.Conflict, "another vendor already uses the vendor key %q", v.VendorKey)
		}
		return VendorSetup{}, err
	}
	s.limits.forget(p.TenantID, vendorID)
	return v, nil
}

// Vendors lists the tenant's vendors set up for ingest.
func (s *Service) Vendors(ctx context.Context, p auth.Principal) ([]VendorSetup, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	return s.Store.ListIngestVendors(ctx, p.TenantID)
}

// Vendor returns a vendor's ingest set-up with its credentials (never
// their values) and its events counted by status.
func (s *Service) Vendor(ctx context.Context, p auth.Principal, vendorID string) (VendorDetail, error) {
	if err := p.Require(auth.PermView); err != nil {
		return VendorDetail{}, err
	}
	v, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID)
	if err != nil {
		return VendorDetail{}, err
	}
	d := VendorDetail{VendorSetup: v}
	if d.Secrets, err = s.Store.SigningSecrets(ctx, p.TenantID, vendorID); err != nil {
		return VendorDetail{}, err
	}
	if d.Keys, err = s.Store.IngestKeys(ctx, p.TenantID, vendorID); err != nil {
		return VendorDetail{}, err
	}
	if d.Counts, err = s.Store.CountIngestEvents(ctx, p.TenantID, vendorID); err != nil {
		return VendorDetail{}, err
	}
	if d.Secrets == nil {
		d.Secrets = []SigningSecret{}
	}
	if d.Keys == nil {
		d.Keys = []auth.APIKey{}
	}
	return d, nil
}

// CreateKey issues an API key that may only send vendorID's events; the
// full key is returned once.
func (s *Service) CreateKey(ctx context.Context, p auth.Principal, vendorID, name string, expiresAt *time.Time) (auth.APIKey, string, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return auth.APIKey{}, "", err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return auth.APIKey{}, "", err
	}
	return s.Auth.CreateIngestKey(ctx, p, name, vendorID, expiresAt)
}

// CreateSecret generates a Standard Webhooks signing secret for vendorID;
// its value is returned once. Earlier secrets stay active until revoked,
// so a vendor can move to the new one without a gap.
func (s *Service) CreateSecret(ctx context.Context, p auth.Principal, vendorID string) (SigningSecret, string, error) {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return SigningSecret{}, "", err
	}
	if _, err := s.Store.IngestVendor(ctx, p.TenantID, vendorID); err != nil {
		return SigningSecret{}, "", err
	}
	value := stdwebhook.NewSecret()
	id := ident.New()
	sec := SigningSecret{ID: id, VendorID: vendorID, Name: "ingest-signing/" + id, Hint: value[:len(stdwebhook.SecretPrefix)+4] + "…",
		CreatedBy: p.Label, CreatedAt: s.now()}
	ev := audit.Record(p, "ingest_secret.create", "ingest_secret", id, nil, map[string]any{"vendor_id": vendorID, "hint": sec.Hint})
	if err := s.Store.CreateSigningSecret(ctx, p.TenantID, sec, []byte(value), ev); err != nil {
		return SigningSecret{}, "", fmt.Errorf("ingest.CreateSecret: %w", err)
	}
	s.limits.forget(p.TenantID, vendorID)
	return sec, value, nil
}

// RevokeSecret stops a signing secret from verifying: at once on this
// server, within vendorTTL on other replicas.
func (s *Service) RevokeSecret(ctx context.Context, p auth.Principal, vendorID, id string) error {
	if err := p.Require(auth.PermManageIngest); err != nil {
		return err
	}
	ev := audit.Record(p, "ingest_secret.revoke", "ingest_secret", id, nil, map[string]any{"vendor_id": vendorID})
	err := s.Store.RevokeSigningSecret(ctx, p.TenantID, vendorID, id, s.now(), ev)
	s.limits.forget(p.TenantID, vendorID)
	return err
}

// Events pages through the tenant's events, newest first.
func (s *Service) Events(ctx context.Context, p auth.Principal, f Filter) ([]Event, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !validStatus(f.Status) {
		return nil, "", apperr.Invalidf("status must be one of RECEIVED, NORMALIZED, FAILED_NORMALIZE, QUARANTINED")
	}
	return s.Store.ListIngestEvents(ctx, p.TenantID, f)
}

func validStatus(st Status) bool {
	for _, x := range Statuses {
		if x == st {
			return true
		}
	}
	return false
}

// Event returns one event with its raw bytes.
func (s *Service) Event(ctx context.Context, p auth.Principal, id string) (Event, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Event{}, err
	}
	return s.Store.IngestEvent(ctx, p.TenantID, id)
}
