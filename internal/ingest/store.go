package ingest

import (
	"context"
	"io"
	"time"

	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/blob"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/registry"
)

// Store is what ingest reads and writes; internal/sqlstore implements it
// on both engines.
type Store interface {
	// Vendor returns a registry vendor of the tenant.
	Vendor(ctx context.Context, tenantID, id string) (registry.Vendor, error)
	// IngestVendor returns a vendor's ingest set-up; not found when the
	// vendor is not set up.
	IngestVendor(ctx context.Context, tenantID, vendorID string) (VendorSetup, error)
	IngestVendorByKey(ctx context.Context, tenantID, vendorKey string) (VendorSetup, error)
	ListIngestVendors(ctx context.Context, tenantID string) ([]VendorSetup, error)
	// SaveIngestVendor creates or updates a vendor's set-up; a vendor_key
	// another vendor of the tenant uses is a conflict.
	SaveIngestVendor(ctx context.Context, v VendorSetup, ev audit.Event) error

	// CreateSigningSecret stores a secret's value (encrypted, in the
	// secrets table) and its description.
	CreateSigningSecret(ctx context.Context, tenantID string, s SigningSecret, value []byte, ev audit.Event) error
	RevokeSigningSecret(ctx context.Context, tenantID, vendorID, id string, at time.Time, ev audit.Event) error
	SigningSecrets(ctx context.Context, tenantID, vendorID string) ([]SigningSecret, error)
	// ActiveSigningSecretValues returns the values of a vendor's
	// unrevoked secrets.
	ActiveSigningSecretValues(ctx context.Context, tenantID, vendorID string) ([]string, error)
	// IngestKeys lists the API keys scoped to a vendor.
	IngestKeys(ctx context.Context, tenantID, vendorID string) ([]auth.APIKey, error)

	// AcceptEvents stores events (of any tenants) in one transaction,
	// each unless its (tenant, vendor, externalEventId) is already stored:
	// then prior[i] is the stored one (nothing written for it), counted in
	// the same transaction by Repeats. jobs commit with the events when at
	// least one is new.
	AcceptEvents(ctx context.Context, evs []Event, jobs []jobargs.Args) (prior []*Event, err error)
	// AddRefusals adds refusal counts to the vendors' hourly counts in one
	// transaction.
	AddRefusals(ctx context.Context, rs []RefusalCount) error
	IngestEvent(ctx context.Context, tenantID, id string) (Event, error)
	ListIngestEvents(ctx context.Context, tenantID string, f Filter) ([]Event, string, error)
	CountIngestEvents(ctx context.Context, tenantID, vendorID string) (map[Status]int, error)

	// UnarchivedEvents returns up to limit events of the tenant whose raw
	// bytes are not archived yet (and did not fail to), oldest first.
	UnarchivedEvents(ctx context.Context, tenantID string, limit int) ([]Event, error)
	// UnarchivedTaken is UnarchivedEvents without the events still
	// RECEIVED, which a normalization pass under way archives itself.
	UnarchivedTaken(ctx context.Context, tenantID string, limit int) ([]Event, error)
	// MarkArchived records that events were archived at t.
	MarkArchived(ctx context.Context, tenantID string, ids []string, at time.Time) error
	// MarkArchiveFailed records why an event cannot be archived.
	MarkArchiveFailed(ctx context.Context, tenantID, id, reason string) error
	// EventsSince returns up to limit of the tenant's events received at
	// or after since with ids above afterID, in id order, with their bytes.
	EventsSince(ctx context.Context, tenantID string, since time.Time, afterID string, limit int) ([]Event, error)
	// TenantsWithUnarchived lists tenants with events waiting for archive.
	TenantsWithUnarchived(ctx context.Context) ([]string, error)

	// TenantBySlug serves the signed webhook endpoint.
	TenantBySlug(ctx context.Context, slug string) (auth.Tenant, error)
	// IngestTenant returns a tenant by id, for the endpoint's address.
	IngestTenant(ctx context.Context, id string) (auth.Tenant, error)

	NormalizeStore
	SubscriptionStore
	DriftStore
	ReplayStore

	// SetAcceptPressure records that this web process's accepts queue for
	// the database until until (the latest of every process's stands);
	// AcceptPressure reads it (the zero time when none was recorded).
	SetAcceptPressure(ctx context.Context, until time.Time) error
	AcceptPressure(ctx context.Context) (time.Time, error)
}

// NormalizeStore is what normalization, schemas, mappings and replay read
// and write.
type NormalizeStore interface {
	// SaveSchema stores s as the next revision of its key (set on the
	// returned schema) with the audit event made for it.
	SaveSchema(ctx context.Context, s Schema, ev func(Schema) audit.Event) (Schema, error)
	// ListSchemas lists a tenant's schemas, newest first.
	ListSchemas(ctx context.Context, tenantID string) ([]Schema, error)
	IngestSchema(ctx context.Context, tenantID, id string) (Schema, error)
	// SaveMapping stores m as the next version for its vendor and event
	// type (set on the returned mapping) with the audit event made for it.
	SaveMapping(ctx context.Context, m Mapping, ev func(Mapping) audit.Event) (Mapping, error)
	// ListEventMappings lists a tenant's event mappings, newest first.
	ListEventMappings(ctx context.Context, tenantID string) ([]Mapping, error)
	IngestMapping(ctx context.Context, tenantID, id string) (Mapping, error)

	// WritesTakeTurns reports whether write transactions run one at a
	// time (SQLite's one writer): a long background one then holds up the
	// senders' accepts, where PostgreSQL runs them side by side.
	WritesTakeTurns() bool
	// ReceivedEvents returns up to limit RECEIVED events of the tenant,
	// oldest first, with their bytes.
	ReceivedEvents(ctx context.Context, tenantID string, limit int) ([]Event, error)
	// TenantsWithReceived lists tenants with events waiting for
	// normalization.
	TenantsWithReceived(ctx context.Context) ([]string, error)
	// SaveOutcomes records normalization outcomes in one transaction: each
	// event's status, reason and messages, and its normalized event
	// (revision + 1 when its bytes changed, untouched when they did not).
	// Each new revision is queued for delivery to every subscription it
	// Matches (superseding that event's older deliveries still pending),
	// and jobs commit with them when at least one was queued.
	SaveOutcomes(ctx context.Context, tenantID string, outs []Outcome, jobs []jobargs.Args) error
	// UnarchivedNormalized returns up to limit normalized events whose
	// current revision is not archived yet.
	UnarchivedNormalized(ctx context.Context, tenantID string, limit int) ([]NormalizedEvent, error)
	// MarkNormalizedArchived records that these revisions are archived.
	MarkNormalizedArchived(ctx context.Context, tenantID string, evs []NormalizedEvent, at time.Time) error
	NormalizedEvent(ctx context.Context, tenantID, ingestID string) (NormalizedEvent, error)
	// ListNormalized pages through NORMALIZED events' canonical events.
	ListNormalized(ctx context.Context, tenantID string, f NormalizedFilter) ([]NormalizedEvent, string, error)

	// CountSelected and SelectEvents serve replay: the events a selection
	// picks, in id order after afterID, with their bytes.
	CountSelected(ctx context.Context, tenantID string, sel Selection) (int, error)
	SelectEvents(ctx context.Context, tenantID string, sel Selection, afterID string, limit int) ([]Event, error)
	// RecordReplay audits a replay request.
	RecordReplay(ctx context.Context, ev audit.Event) error
}

// Blobs is the write-once object store raw bytes are archived to
// (*blob.Store): the same bytes again are a no-op, other bytes a conflict.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (blob.Object, error)
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Sync makes every object Put so far durable.
	Sync(ctx context.Context) error
}
