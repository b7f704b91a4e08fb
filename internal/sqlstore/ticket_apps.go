package sqlstore

import (
	"context"
	"strings"

	"github.com/vendorsync/vendorsync/internal/ticket"
)

// refApplications are the applications a ticket affects.
const refApplications refTable = "applications"

// insertTicketApps writes a new ticket's application rows and their
// tracker links, on PostgreSQL in one statement, on SQLite in one each.
// Each row is selected from the tenant's applications, which proves it
// belongs there; when fewer rows than applications are written, the first
// that is not the tenant's is named.
func (tx *Tx) insertTicketApps(ctx context.Context, t ticket.Ticket) error {
	if len(t.Applications) == 0 {
		return nil
	}
	links, linkArgs := trackerLinksInsert(t)
	with := ""
	if links != "" && tx.db.Dialect == Postgres {
		with, links = `WITH l AS (`+links+`) `, ""
	}
	// PostgreSQL types a VALUES list's parameters as text unless told.
	row := "(?, ?, ?, ?, ?)"
	if tx.db.Dialect == Postgres {
		row = "(?, ?::boolean, ?, ?, ?::timestamptz)"
	}
	args := make([]any, 0, len(linkArgs)+2+5*len(t.Applications))
	if with != "" {
		args = append(args, linkArgs...)
	}
	args = append(args, t.ID)
	for _, a := range t.Applications {
		args = append(args, a.ApplicationID, a.UsesTracker, string(a.Progress), a.ProgressUpdatedBy, timeOrNil(a.ProgressUpdatedAt))
	}
	args = append(args, t.TenantID)
	res, err := tx.exec(ctx, with+`INSERT INTO ticket_applications (tenant_id, ticket_id, application_id, uses_tracker, progress,
		progress_updated_by, progress_updated_at) SELECT a.tenant_id, ?, a.id, v.column2, v.column3, v.column4, v.column5
		FROM (VALUES `+strings.Repeat(row+", ", len(t.Applications)-1)+row+`) AS v
		JOIN applications a ON a.tenant_id = ? AND a.id = v.column1`, args...)
	if err != nil {
		return translate(err, "ticket applications")
	}
	if n, err := res.RowsAffected(); err != nil {
		return translate(err, "ticket applications")
	} else if n == int64(len(t.Applications)) {
		if links == "" {
			return nil
		}
		_, err := tx.exec(ctx, links, linkArgs...)
		return translate(err, "tracker link")
	}
	for _, a := range t.Applications {
		if err := tx.requireRef(ctx, refApplications, "application_ids", t.TenantID, a.ApplicationID); err != nil {
			return err
		}
	}
	return invalidRef("application_ids", t.Applications[0].ApplicationID)
}
