// Package consequence is VendorSync's one table of consequences: what each
// domain event causes. Read it top to bottom, as routes.go is read for
// HTTP. Every job listed here is enqueued in the transaction of the change
// that causes it, so a change and what it causes commit together or not
// at all, and a retried change never causes anything twice.
//
// Domains name their events with a Consequences struct of their own
// (ticket.Consequences, inbox.Consequences…); the program (internal/app)
// builds the table once and gives each domain its row when it constructs
// the domain's service. As modules land, their events join the table here.
//
// Every module's facts about a vendor become score signals through one
// seam: a function of signals.go turns the fact into jobargs.Signal, listed
// here beside the fact's other consequences.
package consequence

import (
	"github.com/vendorsync/vendorsync/internal/auth"
	"github.com/vendorsync/vendorsync/internal/contract"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/ingest"
	"github.com/vendorsync/vendorsync/internal/jobargs"
	"github.com/vendorsync/vendorsync/internal/notify"
	"github.com/vendorsync/vendorsync/internal/notify/dispatch"
	"github.com/vendorsync/vendorsync/internal/score"
	"github.com/vendorsync/vendorsync/internal/ticket"
	"github.com/vendorsync/vendorsync/internal/tracker/link"
)

// Table is every domain's consequences.
type Table struct {
	Tickets   ticket.Consequences
	Emails    inbox.Consequences
	People    auth.Consequences
	Trackers  link.Consequences
	Scores    score.Consequences
	Ingest    ingest.Consequences
	Contracts contract.Consequences
}

// Declare is the table. n builds the notification jobs (it knows the base
// URL that links point to and the clock that snapshots are taken with).
func Declare(n dispatch.Notices) Table {
	return Table{
		Tickets: ticket.Consequences{
			// A new ticket: one tracker issue per affected application
			// that uses a tracker, and its notifications (the seed's
			// severity fan-out).
			Created: all(link.IssueJobs, n.TicketCreated, ticketCreatedSignal),
			// A new ticket of a breaking change: how many breaking changes
			// its vendor announced in 90 days, counted in the creating
			// transaction, is a signal of the vendor's score.
			Breaking: breakingChangeSignal,
			// A transition: a breach alerts the admins and senior
			// management. Breached or finished, it is a signal of the
			// vendor's score.
			// Closed, its issues are closed in trackers whose connection
			// says so (off by default).
			Moved: all2(n.Transitioned, ticketMovedSignal, link.CloseJobs),
			// A moved effective date: its tracker issues take the new due
			// date, pushed through the tracker outbox.
			Rescheduled: link.DueDateJobs,
			// A threshold before the deadline (D-7, D-3, D-1) going out:
			// the change is at risk, a signal of the vendor's score.
			AtRisk: ticketAtRiskSignal,
		},
		Emails: inbox.Consequences{
			// An email from an unknown vendor: the triage channel (or the
			// admins) hear of it.
			UnknownVendor: all(func(e inbox.Email) []jobargs.Args {
				return n.UnknownVendor(e.TenantID, emailFacts(e, ""))
			}, unknownSenderSignal),
			// A vendor's email attached to its ticket: the ticket's owners
			// hear of it.
			ThreadUpdate: func(e inbox.Email, reply string) []jobargs.Args {
				return n.ThreadUpdate(e.TenantID, e.TicketID, emailFacts(e, reply))
			},
		},
		People: auth.Consequences{
			// An account created at its first SSO sign-in: the admins set
			// its role.
			Provisioned: n.UserProvisioned,
		},
		Trackers: link.Consequences{
			// A tracker refused an issue or the credentials: the admins
			// hear of it.
			Alert: n.TrackerAlert,
			// A link orphaned or with a duplicate issue: a signal of the
			// vendor's score (tracker_link_conflict).
			Troubled: trackerTroubleSignal,
			// A linked issue changed on both sides since the last sync: the
			// ticket's owners pick a side, and it is a signal of the
			// vendor's score (tracker_link_conflict).
			Conflicted: all(n.SyncConflict, trackerConflictSignal),
		},
		Scores: score.Consequences{
			// A vendor crossing into another risk band: the admins hear of
			// it, the alert channel from high, the on-call at critical —
			// rendered from the band event's frozen payload.
			BandChanged: n.ScoreBand,
		},
		Ingest: ingest.Consequences{
			// New events of a tenant: their raw bytes are archived to the
			// blob store, write-once, and they are normalized (one archiver
			// and one normalizer per tenant at a time).
			Accepted: func(tenantID string) []jobargs.Args {
				return []jobargs.Args{jobargs.IngestArchive{Tenant: jobargs.For(tenantID)},
					jobargs.IngestNormalize{Tenant: jobargs.For(tenantID)}}
			},
			// Normalized events (or new revisions of them) queued for a
			// tenant's subscriptions: the sender delivers them (one per
			// tenant at a time; retries come due through its sweep).
			Delivered: func(tenantID string) []jobargs.Args {
				return []jobargs.Args{jobargs.IngestDeliver{Tenant: jobargs.For(tenantID)}}
			},
			// A vendor's payloads drifted from their learned profile: the
			// admins hear of it.
			Drifted: n.IngestDrift,
			// A subscription disabled because its endpoint answered 410
			// Gone: the admins hear of it.
			Disabled: n.IngestSubscriptionDisabled,
			// A vendor's hourly measure of its data: signals of its score
			// (quarantine rate, drift count, data quality).
			Measured: ingestMeasureSignals,
		},
		// A contract imported from a vendor file: a reconciliation run of
		// it is queued (its lines checked against the ERP at once, with
		// the mappings approved so far).
		Contracts: contract.Consequences{
			Imported: func(c contract.Contract) []jobargs.Args {
				return []jobargs.Args{jobargs.ContractReconcileImported{Tenant: jobargs.For(c.TenantID), ContractID: c.ID}}
			},
			// A completed run: its counts are signals of the vendor's
			// score (price mismatches, unmapped items, expired lines).
			Reconciled: reconciledSignals,
		},
		// Signals from the modules still to land join here, one entry each:
		// ingest (quarantine rate, schema drift, data quality).
	}
}

// all is the consequences of one event, in order.
func all[T any](fs ...func(T) []jobargs.Args) func(T) []jobargs.Args {
	return func(v T) []jobargs.Args {
		var out []jobargs.Args
		for _, f := range fs {
			out = append(out, f(v)...)
		}
		return out
	}
}

// all2 is the consequences of one event of two values, in order.
func all2[A, B any](fs ...func(A, B) []jobargs.Args) func(A, B) []jobargs.Args {
	return func(a A, b B) []jobargs.Args {
		var out []jobargs.Args
		for _, f := range fs {
			out = append(out, f(a, b)...)
		}
		return out
	}
}

// emailFacts is what a notification about an email shows of it.
func emailFacts(e inbox.Email, excerpt string) notify.EmailFacts {
	return notify.EmailFacts{ID: e.ID, From: e.From.String(), Subject: e.Subject, ReceivedAt: e.ReceivedAt, Excerpt: excerpt,
		Impersonation: e.Impersonation()}
}
