// Package deadline is the deadline monitor: every 15 minutes it reads every
// tenant's unfinished tickets in one query and acts on the escalations
// ticket.EscalationPolicy says are due — the D-7, D-3 and D-1 reminders
// (tracker comments, Slack, email, PagerDuty) and, once the deadline has
// passed, the move to breached with its alerts to admins and senior
// management, committed together. A threshold that goes out also enqueues
// the jobs of ticket.Consequences.AtRisk (the vendor's score hears that its
// change is at risk of missing its deadline).
//
// The monitor keeps no memory of its own: that a threshold fires at most
// once per ticket, channel and target comes from the notification log's
// unique dedup key, so running it twice, or on two replicas at once, sends
// nothing twice. The clock is injected, so tests walk it.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/setting"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// Interval is how often the monitor runs (the seed's 15 minutes).
const Interval = 15 * time.Minute

// Store is what the monitor reads.
type Store interface {
	// UnfinishedTickets returns every tenant's open and in-progress tickets
	// due before before, by tenant then deadline, without applications, in
	// one query.
	UnfinishedTickets(ctx context.Context, before time.Time) ([]ticket.Ticket, error)
	// PlannedTicketEvents returns which of the tickets' events (by
	// notify.Event.Key) have notification log entries.
	PlannedTicketEvents(ctx context.Context, tenantID string, ticketIDs []string) (map[string]bool, error)
	// EnqueueJobs enqueues jobs in one transaction.
	EnqueueJobs(ctx context.Context, jobs []jobargs.Args) error
}

// Notifier plans a ticket's escalation notifications; *dispatch.Service
// implements it.
type Notifier interface {
	PlanTicket(ctx context.Context, t ticket.Ticket, e notify.Event) (int, error)
}

// Settings reads a tenant's settings (time zone, working hours,
// thresholds); *setting.Service implements it.
type Settings interface {
	Get(ctx context.Context, tenantID string) (setting.Settings, error)
}

// Breacher moves a ticket past its deadline to breached; *ticket.Service
// implements it.
type Breacher interface {
	Breach(ctx context.Context, tenantID string, number int64, now time.Time) (ticket.Ticket, bool, error)
}

// Monitor acts on due escalations. Safe for concurrent use.
type Monitor struct {
	Store    Store
	Tickets  Breacher
	Settings Settings
	Notify   Notifier
	// AtRisk is ticket.Consequences.AtRisk: the jobs of a threshold that
	// goes out; nil causes none.
	AtRisk func(ticket.Ticket, ticket.Escalation) []jobargs.Args
	// Now is the clock; tests walk it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Result counts what one run did.
type Result struct {
	// Tickets is how many unfinished tickets were read.
	Tickets int `json:"tickets"`
	// Escalations is how many thresholds were newly planned, and
	// Deliveries how many notifications they added to the log.
	Escalations int `json:"escalations"`
	Deliveries  int `json:"deliveries"`
	// Breached is how many tickets moved to breached.
	Breached int `json:"breached"`
	// Waiting is how many due reminders wait for working hours.
	Waiting int `json:"waiting"`
}

// horizon bounds the tickets read: none can be due for a reminder further
// out than the largest threshold a tenant may set.
const horizon = (setting.MaxSLADays + 2) * 24 * time.Hour

func (m *Monitor) now() time.Time {
	t := time.Now()
	if m.Now != nil {
		t = m.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (m *Monitor) log() *slog.Logger {
	if m.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Logger
}

// Run checks every tenant's unfinished tickets once. A failure with one
// tenant or ticket does not stop the others; the failures are returned
// together, and the next run (or the job's retry) picks them up again.
func (m *Monitor) Run(ctx context.Context) (Result, error) {
	now := m.now()
	all, err := m.Store.UnfinishedTickets(ctx, now.Add(horizon))
	if err != nil {
		return Result{}, fmt.Errorf("deadline monitor: %w", err)
	}
	res := Result{Tickets: len(all)}
	var errs []error
	for start := 0; start < len(all); {
		end := start
		for end < len(all) && all[end].TenantID == all[start].TenantID {
			end++
		}
		if err := m.tenant(ctx, all[start].TenantID, all[start:end], now, &res); err != nil {
			errs = append(errs, err)
		}
		start = end
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("deadline monitor: %w", errors.Join(errs...))
	}
	return res, nil
}

// tenant acts on one tenant's tickets.
func (m *Monitor) tenant(ctx context.Context, tenantID string, ts []ticket.Ticket, now time.Time, res *Result) error {
	st, err := m.Settings.Get(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("tenant %s: settings: %w", tenantID, err)
	}
	policy, err := ticket.NewEscalationPolicy(st.Location(), st.WorkingHours.Start, st.WorkingHours.End, st.EscalationThresholdsDays)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	type due struct {
		t ticket.Ticket
		e ticket.Escalation
	}
	var todo []due
	var ids []string
	for _, t := range ts {
		for _, e := range policy.Due(t, now) {
			if !e.Now {
				res.Waiting++
				continue
			}
			todo = append(todo, due{t, e})
			ids = append(ids, t.ID)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	planned, err := m.Store.PlannedTicketEvents(ctx, tenantID, ids)
	if err != nil {
		return fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	var errs []error
	for _, d := range todo {
		log := m.log().With("tenant_id", tenantID, "ticket", d.t.Key(), "threshold", d.e.Threshold)
		if d.e.Breach() {
			_, moved, err := m.Tickets.Breach(ctx, tenantID, d.t.Number, now)
			switch {
			case apperr.Is(err, apperr.Conflict):
				log.InfoContext(ctx, "breach deferred: the ticket changed meanwhile", "err", err.Error())
			case err != nil:
				errs = append(errs, err)
			case moved:
				res.Breached++
				log.InfoContext(ctx, "ticket breached", "reason", d.e.Reason)
			}
			continue
		}
		ev := notify.EscalationEvent(d.t.ID, d.e.Threshold)
		if planned[ev.Key()] {
			continue // this threshold went out already (once per ticket and channel)
		}
		// Its consequences first: should they fail, the threshold is not
		// planned either, and the next run tries both again.
		if m.AtRisk != nil {
			if err := m.Store.EnqueueJobs(ctx, m.AtRisk(d.t, d.e)); err != nil {
				errs = append(errs, fmt.Errorf("%s D-%d: %w", d.t.Key(), d.e.Threshold, err))
				continue
			}
		}
		n, err := m.Notify.PlanTicket(ctx, d.t, ev)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s D-%d: %w", d.t.Key(), d.e.Threshold, err))
			continue
		}
		if n > 0 {
			res.Escalations++
			res.Deliveries += n
			log.InfoContext(ctx, "escalation planned", "deliveries", n, "reason", d.e.Reason)
		}
	}
	return errors.Join(errs...)
}
