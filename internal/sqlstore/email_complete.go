package sqlstore

import (
	"context"
	"strings"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/inbox"
	"github.com/vendorsync/vendorsync/internal/jobargs"
)

// CompleteEmail writes the outcome of processing or classifying an email in
// one transaction (see CompleteEmails) and returns the email as stored.
func (db *DB) CompleteEmail(ctx context.Context, c inbox.Completion) (inbox.Email, error) {
	if err := db.CompleteEmails(ctx, []inbox.Completion{c}); err != nil {
		return inbox.Email{}, err
	}
	return db.Email(ctx, c.Email.TenantID, c.Email.ID)
}

// CompleteEmails writes the outcomes of processing or classifying emails,
// all in one transaction: the ticket each opens or the thread update it
// adds, the email's new status, audit rows and jobs. Each email's row is
// claimed first, and only while its status is one of its c.From: a
// concurrent or retried completion waits for the row (PostgreSQL) or the
// writer (SQLite), then finds the status changed and fails with a
// conflict, so an email never opens two tickets. One failure writes none.
func (db *DB) CompleteEmails(ctx context.Context, cs []inbox.Completion) error {
	for _, c := range cs {
		if len(c.From) == 0 {
			return apperr.E(apperr.Internal, "complete email %s: no expected status", c.Email.ID)
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		// The jobs of every completion go in with one call at the end.
		var jobs []jobargs.Args
		for _, c := range cs {
			more, err := tx.completeEmail(ctx, c)
			if err != nil {
				return err
			}
			jobs = append(jobs, more...)
		}
		return tx.EnqueueAll(ctx, jobs)
	})
}

// completeEmail writes one completion in tx and returns the jobs it causes,
// for the caller to insert.
func (tx *Tx) completeEmail(ctx context.Context, c inbox.Completion) ([]jobargs.Args, error) {
	e := c.Email
	if err := tx.claimEmail(ctx, e.TenantID, e.ID, c.From); err != nil {
		return nil, err
	}
	var jobs []jobargs.Args
	if c.Ticket != nil {
		// The email's outcome names the new ticket: it is written with
		// the ticket (in its statement on PostgreSQL).
		e.TicketID = c.Ticket.Ticket.ID
		_, more, err := tx.createTicket(ctx, c.Ticket, emailOutcome(tx, e))
		if err != nil {
			return nil, err
		}
		jobs = more
	}
	if u := c.Update; u != nil {
		res, err := tx.exec(ctx, `UPDATE tickets SET updated_at = ? WHERE tenant_id = ? AND id = ?`, u.CreatedAt.UTC(), u.TenantID, u.TicketID)
		if err := mustAffect(res, err, "ticket"); err != nil {
			return nil, err
		}
		// An update that names the claimed email needs no second check.
		write := tx.insertTicketEvent
		if u.EmailID == e.ID && u.TenantID == e.TenantID {
			write = tx.writeTicketEvent
		}
		if err := write(ctx, *u); err != nil {
			return nil, err
		}
	}
	if c.Ticket == nil {
		out := emailOutcome(tx, e)
		if _, err := tx.exec(ctx, out.sql, out.args...); err != nil {
			return nil, translate(err, "email")
		}
	}
	if err := tx.AuditAll(ctx, c.Audit); err != nil {
		return nil, err
	}
	return append(jobs, c.Jobs...), nil
}

// emailOutcome is the statement that writes e's outcome.
func emailOutcome(tx *Tx, e inbox.Email) rider {
	return rider{`UPDATE source_emails SET status = ?, ticket_id = ?, decision = ?, decision_source = ?, error = ?,
		attempts = ?, processed_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		[]any{string(e.Status), optionalRef(e.TicketID), string(e.Decision), e.DecisionSource, e.Error, e.Attempts,
			timeOrNil(e.ProcessedAt), tx.now, e.TenantID, e.ID}}
}

// claimEmail locks the email's row while its status is one of from; it
// fails with not found for an email of no tenant's and with a conflict for
// one whose status moved on.
func (tx *Tx) claimEmail(ctx context.Context, tenantID, id string, from []inbox.Status) error {
	args := []any{tx.now, tenantID, id}
	for _, s := range from {
		args = append(args, string(s))
	}
	res, err := tx.exec(ctx, `UPDATE source_emails SET updated_at = ? WHERE tenant_id = ? AND id = ? AND status IN (`+
		placeholders(len(from))+`)`, args...)
	if err != nil {
		return translate(err, "email")
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err, "email")
	} else if n > 0 {
		return nil
	}
	var status inbox.Status
	if err := tx.queryRow(ctx, `SELECT status FROM source_emails WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&status); err != nil {
		return translate(err, "email")
	}
	want := make([]string, len(from))
	for i, s := range from {
		want[i] = string(s)
	}
	return apperr.E(apperr.Conflict, "the email is %s now, no longer %s", status, strings.Join(want, " or "))
}
