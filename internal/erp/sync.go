package erp

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// Sync reads connector id's catalog: everything when full or before the
// first full sync, otherwise what changed since the watermark (rows
// modified at or after it, so a row changed in the same second as the last
// one read is read again rather than missed). A failure is recorded on the
// connector; it is returned only when a retry may cure it.
func (s *Service) Sync(ctx context.Context, tenantID, id string, full bool) error {
	c, err := s.Store.ERPConnector(ctx, tenantID, id)
	if err != nil {
		return fmt.Errorf("erp.Sync %s: %w", id, err)
	}
	if !c.IsActive {
		return nil // deactivated after the sync was queued
	}
	var since *time.Time
	if !full && c.Sync.Watermark != nil {
		since = c.Sync.Watermark
	}
	if err := s.Store.StartERPSync(ctx, tenantID, id, since == nil, s.now()); err != nil {
		return fmt.Errorf("erp.Sync %s: %w", id, err)
	}
	sink := &storeSink{ctx: ctx, store: s.Store, tenantID: tenantID, connectorID: id, at: s.now(), newest: c.Sync.Watermark}
	cl, err := s.client(ctx, c)
	if err == nil {
		err = cl.FetchItems(ctx, since, sink)
	}
	p := auth.System(tenantID)
	if err != nil {
		msg := apperr.MessageOf(err)
		ev := audit.Record(p, "erp_connector.sync_failed", "erp_connector", id, nil, map[string]any{"error": msg, "full": since == nil})
		if ferr := s.Store.FinishERPSync(context.WithoutCancel(ctx), tenantID, id, s.now(), msg, nil, ev); ferr != nil {
			return fmt.Errorf("erp.Sync %s: %w (recording it: %v)", id, err, ferr)
		}
		s.log().WarnContext(ctx, "erp sync failed", "tenant_id", tenantID, "connector_id", id, "error", err)
		if httpx.IsTemporary(err) {
			return fmt.Errorf("erp.Sync %s: %w", id, err)
		}
		return nil
	}
	counts := sink.counts()
	ev := audit.Record(p, "erp_connector.synced", "erp_connector", id, nil, counts)
	if err := s.Store.FinishERPSync(ctx, tenantID, id, s.now(), "", sink.newest, ev); err != nil {
		return fmt.Errorf("erp.Sync %s: %w", id, err)
	}
	s.log().InfoContext(ctx, "erp sync done", "tenant_id", tenantID, "connector_id", id, "full", since == nil, "items", counts["items"])
	return nil
}

// storeSink writes each batch in its own transaction and keeps the newest
// last-modified time seen.
type storeSink struct {
	ctx         context.Context
	store       ItemStore
	tenantID    string
	connectorID string
	at          time.Time

	mu                         sync.Mutex
	newest                     *time.Time
	items, uoms, parts, prices int64
}

func (s *storeSink) seen(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !t.IsZero() && (s.newest == nil || t.After(*s.newest)) {
		t := t
		s.newest = &t
	}
}

func (s *storeSink) counts() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]int64{"items": s.items, "uoms": s.uoms, "suppliers": s.parts, "prices": s.prices}
}

func (s *storeSink) Items(b []Item) error {
	for _, it := range b {
		s.seen(it.ModifiedAt)
	}
	s.mu.Lock()
	s.items += int64(len(b))
	s.mu.Unlock()
	return s.store.UpsertERPItems(s.ctx, s.tenantID, s.connectorID, b, s.at)
}

func (s *storeSink) UOMs(b []UOM) error {
	for _, u := range b {
		s.seen(u.ModifiedAt)
	}
	s.mu.Lock()
	s.uoms += int64(len(b))
	s.mu.Unlock()
	return s.store.UpsertERPUOMs(s.ctx, s.tenantID, s.connectorID, b)
}

func (s *storeSink) Suppliers(b []SupplierPart) error {
	for _, p := range b {
		s.seen(p.ModifiedAt)
	}
	s.mu.Lock()
	s.parts += int64(len(b))
	s.mu.Unlock()
	return s.store.UpsertERPSuppliers(s.ctx, s.tenantID, s.connectorID, b)
}

func (s *storeSink) Prices(b []Price) error {
	for _, p := range b {
		s.seen(p.ModifiedAt)
	}
	s.mu.Lock()
	s.prices += int64(len(b))
	s.mu.Unlock()
	return s.store.UpsertERPPrices(s.ctx, s.tenantID, s.connectorID, b)
}

// QueueNightly queues a sync of every active connector that syncs; a
// connector whose sync already waits absorbs it.
func (s *Service) QueueNightly(ctx context.Context) (int, error) {
	var syncing []Provider
	for _, f := range s.Providers.Factories() {
		if f.New != nil {
			syncing = append(syncing, f.Provider)
		}
	}
	refs, err := s.Store.ActiveERPConnectors(ctx, syncing)
	if err != nil {
		return 0, fmt.Errorf("erp.QueueNightly: %w", err)
	}
	for _, r := range refs {
		ev := audit.Record(auth.System(r.TenantID), "erp_connector.sync_scheduled", "erp_connector", r.ID, nil, nil)
		job := jobargs.ERPSyncItems{Tenant: jobargs.For(r.TenantID), ConnectorID: r.ID}
		if err := s.Store.QueueERPSync(ctx, r.TenantID, r.ID, false, s.now(), ev, job); err != nil {
			return 0, fmt.Errorf("erp.QueueNightly %s: %w", r.ID, err)
		}
	}
	return len(refs), nil
}

// ListItems lists the tenant's ERP items.
func (s *Service) ListItems(ctx context.Context, p auth.Principal, f ItemFilter) ([]StoredItem, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListERPItems(ctx, p.TenantID, f)
}

// Item returns one item of the tenant with its units, parts and prices.
func (s *Service) Item(ctx context.Context, p auth.Principal, id string) (ItemDetail, error) {
	if err := p.Require(auth.PermView); err != nil {
		return ItemDetail{}, err
	}
	return s.Store.ERPItem(ctx, p.TenantID, id)
}
