package erp

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/httpx"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// TestOutcome is the answer of a connection test: a failing ERP is an
// outcome (OK false, with the failure's kind), not an error.
type TestOutcome struct {
	OK bool `json:"ok"`
	// Code classifies a failure: auth, permission, not_found,
	// rate_limited, transient, bad_request, permanent.
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
	LatencyMS int64  `json:"latency_ms"`
	TestResult
}

// Test reaches the connector's ERP with its stored settings and secret and
// lists the tables the account can read.
func (s *Service) Test(ctx context.Context, p auth.Principal, id string) (TestOutcome, error) {
	if err := p.Require(auth.PermManageERP); err != nil {
		return TestOutcome{}, err
	}
	c, err := s.Store.ERPConnector(ctx, p.TenantID, id)
	if err != nil {
		return TestOutcome{}, fmt.Errorf("erp.Test %s: %w", id, err)
	}
	f, _ := s.Providers.Lookup(c.Provider)
	if f.New == nil {
		return TestOutcome{OK: true, Message: f.Name + " is imported from files: there is no service to reach.",
			TestResult: TestResult{Tables: []string{}}}, nil
	}
	timeout := s.TestTimeout
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	cl, err := s.client(tctx, c)
	var res TestResult
	if err == nil {
		res, err = cl.Test(tctx)
	}
	out := TestOutcome{OK: err == nil, LatencyMS: time.Since(start).Milliseconds(), TestResult: res}
	if out.Tables == nil {
		out.Tables = []string{}
	}
	if err != nil {
		out.Code, out.Message = string(httpx.KindOf(err)), apperr.MessageOf(err)
		if out.Code == "" {
			out.Code = string(httpx.Permanent)
		}
	} else {
		out.Message = res.Detail
	}
	s.log().InfoContext(ctx, "erp connector test", "tenant_id", p.TenantID, "connector_id", id, "provider", string(c.Provider),
		"ok", out.OK, "code", out.Code, "latency_ms", out.LatencyMS)
	return out, nil
}

// RequestSync queues an item sync of the connector now; full reads the
// whole catalog again instead of what changed since the last sync. A sync
// already waiting absorbs the request.
func (s *Service) RequestSync(ctx context.Context, p auth.Principal, id string, full bool) (Connector, error) {
	if err := p.Require(auth.PermManageERP); err != nil {
		return Connector{}, err
	}
	c, err := s.Store.ERPConnector(ctx, p.TenantID, id)
	if err != nil {
		return Connector{}, fmt.Errorf("erp.RequestSync %s: %w", id, err)
	}
	if f, _ := s.Providers.Lookup(c.Provider); f.New == nil {
		return Connector{}, apperr.E(apperr.Conflict, "%s catalogs are imported from a CSV file, not synced", f.Name)
	}
	if !c.IsActive {
		return Connector{}, apperr.E(apperr.Conflict, "the connector is inactive: reactivate it to sync")
	}
	now := s.now()
	ev := audit.Record(p, "erp_connector.sync_requested", "erp_connector", id, nil, map[string]bool{"full": full})
	job := jobargs.ERPSyncItems{Tenant: jobargs.For(p.TenantID), ConnectorID: id, Full: full}
	if err := s.Store.QueueERPSync(ctx, p.TenantID, id, full, now, ev, job); err != nil {
		return Connector{}, fmt.Errorf("erp.RequestSync %s: %w", id, err)
	}
	return s.Store.ERPConnector(ctx, p.TenantID, id)
}
