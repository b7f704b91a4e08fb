package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/ident"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/registry"
	"github.com/vendorsync/vendorsync/internal/ticket"
)

// PlanEvent plans and logs the deliveries of event e of a tenant, each with
// its delivery job, in one transaction; already-logged deliveries are left
// alone. Events about tickets build their snapshot and recipients from the
// ticket now (a thread update adds the email facts its snapshot brings);
// the others (unknown vendor, provisioned user, tracker alert) bring their
// snapshot. It returns how many deliveries it added.
func (s *Service) PlanEvent(ctx context.Context, tenantID string, e notify.Event, snap *notify.Snapshot) (int, error) {
	st, err := s.settings(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	switch e.Kind {
	case notify.KindTicketCreated, notify.KindEscalationD7, notify.KindEscalationD3, notify.KindEscalationD1, notify.KindBreach:
		t, err := s.Store.TicketByID(ctx, tenantID, e.Subject)
		if err != nil {
			return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
		}
		if e.Kind != notify.KindTicketCreated && (t.Status == ticket.Resolved || t.Status == ticket.Closed) {
			return 0, nil // escalations stop once the ticket is resolved or closed
		}
		return s.planTicket(ctx, st, t, e, nil)
	case notify.KindThreadUpdate, notify.KindSyncConflict:
		return s.planThreadUpdate(ctx, st, e, snap)
	case notify.KindUnknownVendor, notify.KindUserProvisioned, notify.KindTrackerAlert, notify.KindIngestDrift, notify.KindIngestAlert:
		if snap == nil {
			return 0, fmt.Errorf("plan %s: no snapshot", e.Key())
		}
		if snap.Email != nil { // show when it arrived in the tenant's zone
			ts, err := s.Settings.Get(ctx, tenantID)
			if err != nil {
				return 0, fmt.Errorf("plan %s: settings: %w", e.Key(), err)
			}
			frozen := notify.NewEmailSnapshot(*snap.Email, ts.Location(), snap.Link, snap.TakenAt)
			snap = &frozen
		}
		admins, err := s.admins(ctx, tenantID)
		if err != nil {
			return 0, err
		}
		r := notify.Recipients{TriageChannel: st.TriageChannel, Admins: admins}
		return s.insert(ctx, st, e, "", *snap, notify.Route(e, registry.SeverityMedium, r))
	case notify.KindScoreBand:
		if snap == nil || snap.Score == nil {
			return 0, fmt.Errorf("plan %s: no score snapshot", e.Key())
		}
		admins, err := s.admins(ctx, tenantID)
		if err != nil {
			return 0, err
		}
		r := notify.Recipients{AlertChannel: st.DefaultChannel, Admins: admins}
		if st.PagerDutyEnabled {
			r.PagerDuty = PagerDutyTarget
		}
		return s.insert(ctx, st, e, "", *snap, notify.Route(e, notify.BandSeverity(snap.Score.Band), r))
	}
	return 0, fmt.Errorf("plan %s: kind %q is not planned", e.Key(), e.Kind)
}

// PlanTicket plans event e (an escalation or the breach) of ticket t now,
// for the deadline monitor.
func (s *Service) PlanTicket(ctx context.Context, t ticket.Ticket, e notify.Event) (int, error) {
	st, err := s.settings(ctx, t.TenantID)
	if err != nil {
		return 0, err
	}
	full, err := s.Store.TicketByID(ctx, t.TenantID, t.ID) // with its applications
	if err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
	}
	if full.Status == ticket.Resolved || full.Status == ticket.Closed {
		return 0, nil // resolved meanwhile: escalations stop
	}
	return s.planTicket(ctx, st, full, e, nil)
}

// planTicket plans a ticket event from a fresh snapshot and recipients;
// em, when set, is the email of a thread update.
func (s *Service) planTicket(ctx context.Context, st ChannelSettings, t ticket.Ticket, e notify.Event, em *notify.EmailFacts) (int, error) {
	snap, team, err := s.ticketSnapshot(ctx, t, em)
	if err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
	}
	return s.planTicketSnapshot(ctx, st, t, e, snap, team)
}

// planTicketSnapshot plans a ticket event from its snapshot to the
// ticket's recipients.
func (s *Service) planTicketSnapshot(ctx context.Context, st ChannelSettings, t ticket.Ticket, e notify.Event, snap notify.Snapshot, team auth.Team) (int, error) {
	r, mailboxes, err := s.ticketRecipients(ctx, st, t, team)
	if err != nil {
		return 0, fmt.Errorf("plan %s: %w", e.Key(), err)
	}
	plan := notify.Route(e, t.Severity, r)
	// A team mailbox (the owner team's or an affected application's team's)
	// is emailed, never looked up in Slack.
	plan = slices.DeleteFunc(plan, func(d notify.Delivery) bool {
		return d.Channel == notify.ChannelSlackDM && slices.ContainsFunc(mailboxes, func(m string) bool {
			return strings.EqualFold(d.Target.Address, m)
		})
	})
	return s.insert(ctx, st, e, t.ID, snap, plan)
}

// insert logs the configured deliveries of a plan with their jobs.
func (s *Service) insert(ctx context.Context, st ChannelSettings, e notify.Event, ticketID string, snap notify.Snapshot, plan []notify.Delivery) (int, error) {
	avail := s.available(st)
	now := s.now()
	var entries []LogEntry
	for _, d := range plan {
		if !avail[d.Channel] {
			continue
		}
		entries = append(entries, LogEntry{ID: ident.New(), TenantID: st.TenantID, TicketID: ticketID, Kind: e.Kind,
			Subject: e.Subject, Threshold: e.Threshold, Channel: d.Channel, Target: d.Target.Address, TargetName: d.Target.Name,
			DedupKey: d.DedupKey, Status: Queued, Snapshot: snap, CreatedAt: now, UpdatedAt: now})
	}
	if len(entries) == 0 {
		return 0, nil
	}
	added, err := s.Store.PlanNotifications(ctx, entries, deliverJob)
	if err != nil {
		return 0, fmt.Errorf("log deliveries of %s: %w", e.Key(), err)
	}
	if len(added) > 0 {
		s.log().InfoContext(ctx, "notifications planned", "tenant_id", st.TenantID, "event", e.Key(), "deliveries", len(added))
	}
	return len(added), nil
}

// deliverJob is the delivery job of an entry.
func deliverJob(e LogEntry) jobargs.Args {
	return jobargs.NotifyDeliver{Tenant: jobargs.For(e.TenantID), NotificationID: e.ID}
}

// ticketSnapshot freezes what notifications about t show now, with email
// em for a thread update.
func (s *Service) ticketSnapshot(ctx context.Context, t ticket.Ticket, em *notify.EmailFacts) (notify.Snapshot, auth.Team, error) {
	v, err := s.Store.Vendor(ctx, t.TenantID, t.VendorID)
	if err != nil {
		return notify.Snapshot{}, auth.Team{}, fmt.Errorf("vendor of %s: %w", t.Key(), err)
	}
	var team auth.Team
	if id := ownerTeam(t); id != "" {
		team, err = s.Store.Team(ctx, t.TenantID, id)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return notify.Snapshot{}, auth.Team{}, fmt.Errorf("owner team of %s: %w", t.Key(), err)
		}
	}
	ts, err := s.Settings.Get(ctx, t.TenantID)
	if err != nil {
		return notify.Snapshot{}, auth.Team{}, fmt.Errorf("settings of tenant %s: %w", t.TenantID, err)
	}
	if em != nil {
		return notify.NewThreadUpdateSnapshot(t, v.Name, team.Name, *em, ts.Location(), s.BaseURL, s.now()), team, nil
	}
	return notify.NewTicketSnapshot(t, v.Name, team.Name, ts.Location(), s.BaseURL, s.now()), team, nil
}

// ownerTeam is the ticket's owner team, or its first application's.
func ownerTeam(t ticket.Ticket) string {
	if t.OwnerTeamID != "" {
		return t.OwnerTeamID
	}
	for _, a := range t.Applications {
		if a.OwnerTeamID != "" {
			return a.OwnerTeamID
		}
	}
	return ""
}

// ticketRecipients resolves who hears about t: its rule's alert channel or
// its owner team's, the members (Slack id and email), mailbox and manager
// of its owner team and of every affected application's team, the admins, senior management, the linked tracker issues and
// the tenant's PagerDuty service; and the teams' mailboxes among them.
func (s *Service) ticketRecipients(ctx context.Context, st ChannelSettings, t ticket.Ticket, team auth.Team) (notify.Recipients, []string, error) {
	r := notify.Recipients{AlertChannel: t.AlertChannel, WarRoomChannel: st.WarRoomChannel, TriageChannel: st.TriageChannel,
		SeniorManagement: st.SeniorManagement}
	if r.AlertChannel == "" {
		r.AlertChannel = team.SlackChannel
	}
	if r.AlertChannel == "" {
		r.AlertChannel = st.DefaultChannel
	}
	// The owner team first, then the team of every other affected
	// application: each hears of a change to what it runs.
	teams := []auth.Team{team}
	var mailboxes []string
	seen := map[string]bool{team.ID: true}
	for _, a := range t.Applications {
		if a.OwnerTeamID == "" || seen[a.OwnerTeamID] {
			continue
		}
		seen[a.OwnerTeamID] = true
		at, err := s.Store.Team(ctx, t.TenantID, a.OwnerTeamID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return r, nil, fmt.Errorf("team of an application of %s: %w", t.Key(), err)
		}
		teams = append(teams, at)
	}
	for _, team := range teams {
		if team.ID == "" || !team.IsActive {
			continue
		}
		members, err := s.Store.TeamMembers(ctx, t.TenantID, team.ID)
		if err != nil {
			return r, nil, fmt.Errorf("members of team %s: %w", team.Name, err)
		}
		for _, u := range members {
			r.Owners = append(r.Owners, person(u))
		}
		if team.Email != "" {
			r.Owners = append(r.Owners, notify.Person{Name: team.Name, Email: team.Email})
			mailboxes = append(mailboxes, team.Email)
		}
		if team.ManagerEmail != "" {
			r.Managers = append(r.Managers, notify.Person{Email: team.ManagerEmail})
		}
	}
	admins, err := s.admins(ctx, t.TenantID)
	if err != nil {
		return r, nil, err
	}
	r.Admins = admins
	links, err := s.Store.TicketTrackerLinks(ctx, t.TenantID, t.ID)
	if err != nil {
		return r, nil, fmt.Errorf("tracker links of %s: %w", t.Key(), err)
	}
	for _, l := range links {
		if l.IssueKey != "" {
			r.TrackerIssues = append(r.TrackerIssues, l.IssueKey)
		}
	}
	if st.PagerDutyEnabled {
		r.PagerDuty = PagerDutyTarget
	}
	return r, mailboxes, nil
}

// admins returns the tenant's active admins as people to notify.
func (s *Service) admins(ctx context.Context, tenantID string) ([]notify.Person, error) {
	us, err := s.Store.ActiveAdmins(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("admins of tenant %s: %w", tenantID, err)
	}
	out := make([]notify.Person, 0, len(us))
	for _, u := range us {
		out = append(out, person(u))
	}
	return out, nil
}

func person(u auth.User) notify.Person {
	return notify.Person{Name: u.Name, Email: u.Email, Slack: u.SlackUserID}
}
