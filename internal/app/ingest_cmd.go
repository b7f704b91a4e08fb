package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorsync/vendorsync/internal/apperr"
	"github.com/vendorsync/vendorsync/internal/ingest"
)

// IngestCmd groups ingest commands.
type IngestCmd struct {
	Verify IngestVerifyCmd `cmd:"" help:"Re-hash the raw bytes of events received in a window (database copy and archived object); exits non-zero on any mismatch."`
}

// IngestVerifyCmd re-hashes a window of events.
type IngestVerifyCmd struct {
	Since  string `required:"" help:"Start of the window: an RFC 3339 time (2026-01-30T00:00:00Z), a date (2026-01-30) or a duration back from now (24h)."`
	Tenant string `help:"Only this tenant (default: all)."`
}

// parseSince reads --since.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, apperr.Invalidf("--since must be an RFC 3339 time, a date or a duration such as 24h")
}

// Run verifies each tenant's window and prints its mismatches.
func (c IngestVerifyCmd) Run(ctx context.Context, g *Globals) error {
	since, err := parseSince(c.Since, time.Now().UTC())
	if err != nil {
		return err
	}
	e, blobs, done, err := g.openWithBlobs(ctx)
	if err != nil {
		return err
	}
	defer done()
	svc := &ingest.Service{Store: e.db, Blobs: blobs}
	tenants, err := e.db.ListTenants(ctx)
	if err != nil {
		return err
	}
	bad := 0
	for _, t := range tenants {
		if c.Tenant != "" && t.Slug != c.Tenant {
			continue
		}
		r, err := svc.Verify(ctx, t.ID, since, func(n int) { fmt.Fprintf(g.stderr, "%s: %d events checked…\n", t.Slug, n) })
		if err != nil {
			return err
		}
		for _, m := range r.Mismatches {
			fmt.Fprintf(g.stdout, "%s: MISMATCH %s (%s): %s\n", t.Slug, m.IngestID, m.RawKey, m.Reason)
		}
		bad += len(r.Mismatches)
		fmt.Fprintf(g.stdout, "%s: %d events since %s checked (%d archived), %d mismatches\n", t.Slug, r.Checked,
			since.Format(time.RFC3339), r.Archived, len(r.Mismatches))
	}
	if bad > 0 {
		return fmt.Errorf("%d ingest events do not match their recorded SHA-256", bad)
	}
	return nil
}
