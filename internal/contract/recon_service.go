package contract

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/audit"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// progressEvery is how many lines a run checks between progress updates.
const progressEvery = 20000

// ReconciliationService runs the five rules over a contract's lines
// against the ERP item store, manually or on schedule, and keeps one
// exception per line and rule across runs.
type ReconciliationService struct {
	Store        ReconStore
	Consequences Consequences
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

func (s *ReconciliationService) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Start queues a manual run of a contract.
func (s *ReconciliationService) Start(ctx context.Context, p auth.Principal, contractID string) (Run, error) {
	if err := p.Require(auth.PermResolveExceptions); err != nil {
		return Run{}, err
	}
	c, err := s.Store.Contract(ctx, p.TenantID, contractID)
	if err != nil {
		return Run{}, fmt.Errorf("contract.Start: %w", err)
	}
	r := s.newRun(c, RunManual, p.Label)
	err = s.Store.CreateRuns(ctx, []Run{r}, []audit.Event{audit.Record(p, "reconciliation.run", "reconciliation_run", r.ID, nil, r)},
		[]jobargs.Args{runJob(r)})
	return r, err
}

func (s *ReconciliationService) newRun(c Contract, t RunType, by string) Run {
	return Run{ID: ident.New(), TenantID: c.TenantID, ContractID: c.ID, VendorID: c.VendorID, Type: t, Status: RunQueued,
		RuleCounts: map[Rule]int{}, RequestedBy: by, CreatedAt: s.now()}
}

func runJob(r Run) jobargs.Args {
	return jobargs.ContractReconcile{Tenant: jobargs.For(r.TenantID), RunID: r.ID}
}

// QueueImported queues the run that follows a contract's import (a
// scheduled run requested by "import"), returning it.
func (s *ReconciliationService) QueueImported(ctx context.Context, tenantID, contractID string) (Run, error) {
	c, err := s.Store.Contract(ctx, tenantID, contractID)
	if err != nil {
		return Run{}, fmt.Errorf("contract.QueueImported: %w", err)
	}
	r := s.newRun(c, RunScheduled, "import")
	ev := audit.Record(auth.System(tenantID), "reconciliation.run", "reconciliation_run", r.ID, nil, r, "after import")
	return r, s.Store.CreateRuns(ctx, []Run{r}, []audit.Event{ev}, []jobargs.Args{runJob(r)})
}

// QueueScheduled queues a scheduled run of every active contract of
// every tenant, returning how many.
func (s *ReconciliationService) QueueScheduled(ctx context.Context) (int, error) {
	cs, err := s.Store.ActiveContracts(ctx)
	if err != nil {
		return 0, fmt.Errorf("contract.QueueScheduled: %w", err)
	}
	for start := 0; start < len(cs); start += 200 {
		var runs []Run
		var evs []audit.Event
		var jobs []jobargs.Args
		for _, c := range cs[start:min(start+200, len(cs))] {
			r := s.newRun(c, RunScheduled, "system")
			runs, jobs = append(runs, r), append(jobs, runJob(r))
			evs = append(evs, audit.Record(auth.System(c.TenantID), "reconciliation.run", "reconciliation_run", r.ID, nil, r, "scheduled"))
		}
		if err := s.Store.CreateRuns(ctx, runs, evs, jobs); err != nil {
			return start, err
		}
	}
	return len(cs), nil
}

// Run executes a queued run: the rules over every line, then the plan
// applied in one transaction. A run that cannot finish is marked failed
// with the reason; only a failure to record that is returned.
func (s *ReconciliationService) Run(ctx context.Context, tenantID, runID string) error {
	r, err := s.Store.StartRun(ctx, tenantID, runID, s.now())
	if err != nil {
		if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.NotFound) {
			return nil // finished already (a retried job) or gone with its tenant
		}
		return fmt.Errorf("contract.Run %s: %w", runID, err)
	}
	if err := s.run(ctx, r); err != nil {
		reason := apperr.MessageOf(err)
		if s.Logger != nil {
			s.Logger.Error("reconciliation run failed", "tenant", tenantID, "run", runID, "err", err)
		}
		return s.Store.FailRun(ctx, tenantID, runID, reason, s.now())
	}
	return nil
}

func (s *ReconciliationService) run(ctx context.Context, r Run) error {
	in, err := s.Store.ReconInput(ctx, r.TenantID, r.ContractID)
	if err != nil {
		return fmt.Errorf("contract.Run input: %w", err)
	}
	now := s.now()
	today := now.Truncate(24 * time.Hour)
	lookup := func(l Line) (*ItemMapping, *ReconItem) {
		mp, ok := in.Mappings[ItemKey{l.ItemNumber, l.UOM}]
		if !ok {
			return nil, nil
		}
		if item, ok := in.Items[mp.ERPItemID]; ok {
			return &mp, &item
		}
		return &mp, nil
	}
	var findings []Finding
	for i, l := range in.Lines {
		end := l.EffectiveEnd
		if end == nil {
			end = in.Contract.EffectiveEnd
		}
		m, it := lookup(l)
		findings = append(findings, Evaluate(l, end, m, it, in.Tolerance, today)...)
		if (i+1)%progressEvery == 0 {
			if err := s.Store.RunProgress(ctx, r.TenantID, r.ID, len(in.Lines), i+1); err != nil {
				return err
			}
		}
	}
	if in.Features.AdvancedRules {
		findings = append(findings, evaluateAdvanced(in, lookup)...)
	}
	plan := Plan(r, findings, in.Existing, now)
	var actions []Action
	for _, e := range plan.Reopen {
		actions = append(actions, Action{ID: ident.New(), ExceptionID: e.ID, Type: ActionReopened, CreatedBy: "system", CreatedAt: now,
			Note: "Reopened: run " + r.ID + " found the condition again. " + e.Message})
	}
	for _, id := range plan.Cleared {
		actions = append(actions, Action{ID: ident.New(), ExceptionID: id, Type: ActionCleared, CreatedBy: "system", CreatedAt: now,
			Note: "Resolved: run " + r.ID + " no longer finds the condition."})
	}
	r.Status, r.LinesTotal, r.LinesDone, r.RuleCounts = RunCompleted, len(in.Lines), len(in.Lines), plan.Counts
	r.Opened, r.Reopened, r.Cleared, r.CompletedAt = len(plan.New), len(plan.Reopen), len(plan.Cleared), &now
	var jobs []jobargs.Args
	if s.Consequences.Reconciled != nil {
		jobs = s.Consequences.Reconciled(r)
	}
	return s.Store.FinishRun(ctx, r, plan, actions, jobs)
}

// GetRun returns one run.
func (s *ReconciliationService) GetRun(ctx context.Context, p auth.Principal, id string) (Run, error) {
	if err := p.Require(auth.PermView); err != nil {
		return Run{}, err
	}
	return s.Store.Run(ctx, p.TenantID, id)
}

// Runs lists runs, newest first.
func (s *ReconciliationService) Runs(ctx context.Context, p auth.Principal, f RunFilter) ([]Run, string, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, "", err
	}
	return s.Store.ListRuns(ctx, p.TenantID, f)
}

// Tolerances lists the tenant's price tolerances, its default first.
func (s *ReconciliationService) Tolerances(ctx context.Context, p auth.Principal) ([]Tolerance, error) {
	if err := p.Require(auth.PermView); err != nil {
		return nil, err
	}
	return s.Store.Tolerances(ctx, p.TenantID)
}

// SetTolerance sets the tenant's default price tolerance (vendor "") or a
// vendor's own; both bounds absent means prices must be equal.
func (s *ReconciliationService) SetTolerance(ctx context.Context, p auth.Principal, t Tolerance) (Tolerance, error) {
	if err := p.Require(auth.PermManageSettings); err != nil {
		return Tolerance{}, err
	}
	var v apperr.Validation
	v.Check(t.Absolute == nil || !t.Absolute.IsNegative(), "absolute", "must not be negative")
	v.Check(t.Percent == nil || (!t.Percent.IsNegative() && t.Percent.LessThanOrEqual(decimal.NewFromInt(100))), "percent", "must be between 0 and 100")
	if err := v.Err(); err != nil {
		return Tolerance{}, err
	}
	if t.VendorID != "" {
		if _, err := s.Store.Vendor(ctx, p.TenantID, t.VendorID); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return Tolerance{}, apperr.Invalidf("vendor %s is not in the registry", t.VendorID)
			}
			return Tolerance{}, err
		}
	}
	t.UpdatedBy, t.UpdatedAt = p.Label, s.now()
	return t, s.Store.SetTolerance(ctx, p.TenantID, t, audit.Record(p, "price_tolerance.set", "price_tolerance", t.VendorID, nil, t))
}

// DeleteTolerance removes a vendor's own price tolerance, so the tenant's
// default applies to it again; the default itself cannot be removed.
func (s *ReconciliationService) DeleteTolerance(ctx context.Context, p auth.Principal, vendorID string) error {
	if err := p.Require(auth.PermManageSettings); err != nil {
		return err
	}
	if vendorID == "" {
		return apperr.Invalidf("the default tolerance cannot be removed; set it to the bounds you want")
	}
	return s.Store.DeleteTolerance(ctx, p.TenantID, vendorID,
		audit.Record(p, "price_tolerance.delete", "price_tolerance", vendorID, nil, nil))
}
